"""A per-IP rate limit for the public share pages, counted in Django's cache (Redis when REDIS_URL is set, so the
count is shared by every web process; the local-memory cache otherwise): a fixed one-minute window."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR: behind a reverse proxy, the proxy must set it to the client's address (e.g. gunicorn's
    --forwarded-allow-ips with a proxy that overwrites X-Forwarded-For); a header the client controls is not trusted."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def share_rate_exceeded(request: HttpRequest) -> bool:
    """Count this request; True if the IP made more than SHARE_RATE_LIMIT_PER_MINUTE in the current minute."""
    window = int(time.time() // 60)
    key = f"dashboards:share-rate:{client_ip(request)}:{window}"
    if cache.add(key, 1, timeout=65):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=65)
            count = 1
    return count > settings.SHARE_RATE_LIMIT_PER_MINUTE
