# One image for the web process and the Celery worker.
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
COPY assets ./assets
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# gettext compiles translations; pango and the Noto CJK fonts let the PDF export draw Latin and Chinese text.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 bizcanvas
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=bizcanvas:bizcanvas . .
COPY --from=assets /assets/node_modules ./node_modules
# Build-time only: compile translations and collect static files (no secret or database needed for either).
RUN DJANGO_SETTINGS_MODULE=config.settings.dev BIZCANVAS_VAR_DIR=/tmp/build-var STATIC_ROOT=/app/staticfiles \
    sh -c "python manage.py compilemessages --ignore=.venv -v0 && python manage.py collectstatic --noinput -v0"

USER bizcanvas
ENV DJANGO_SETTINGS_MODULE=config.settings.prod STATIC_ROOT=/app/staticfiles
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.py"]
