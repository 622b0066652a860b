"""gunicorn's settings in production (Dockerfile, docker-compose.yml) and in the load run (bench/load/run.py).

`preload_app`: the master imports the app once — Django, every view, and what the views import (Plotly, pandas,
pyarrow: `config.wsgi` loads the URLconf) — and forks the workers from it. Workers start serving at once instead of
paying seconds of imports on their first requests, and share those pages of memory.
Set through the environment: `WEB_CONCURRENCY` (workers, gunicorn's own variable), `PORT`."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
preload_app = True
accesslog = "-"
