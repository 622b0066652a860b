"""The WSGI entry point gunicorn serves (config/gunicorn.py preloads it in the master)."""

import importlib.util
from pathlib import Path

import pytest
from django.test import RequestFactory

import config.wsgi

pytestmark = pytest.mark.django_db


def test_the_wsgi_application_answers():
    environ = RequestFactory().get("/healthz").environ
    statuses = []
    body = b"".join(config.wsgi.application(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["200 OK"], body


def test_gunicorn_preloads_the_app_and_takes_workers_and_port_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("PORT", "9123")
    spec = importlib.util.spec_from_file_location("gunicorn_settings", Path(config.wsgi.__file__).with_name("gunicorn.py"))
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    assert settings.preload_app is True
    assert (settings.workers, settings.bind) == (5, "0.0.0.0:9123")
