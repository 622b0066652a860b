"""`./bizcanvas run`: served the way production serves (DEBUG off, the app's own error pages, static files hashed,
compressed and cached for a year by WhiteNoise, gunicorn), on the embedded defaults (SQLite, a filesystem broker)
and plain HTTP on this machine: no HTTPS redirect, no secure-only cookies. The secret key, unless one is given, is
made once and kept under var/."""

import secrets
from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR, env


def local_secret_key(path: Path) -> str:
    """The key kept in `path`, written there (readable by its owner only) the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
