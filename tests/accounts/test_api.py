import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from outbox.models import OutboundEmail
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def test_register_starts_a_sign_up_confirmed_by_mail(api, client):
    response = api.post("/api/v1/auth/register/", {"username": "ada", "email": "ada@example.com", "password": "analytical-engine-1843"})
    before = api.post("/api/v1/auth/token/", {"username": "ada", "password": "analytical-engine-1843"})
    link = re.search(r"http://testserver(/accounts/activate/\S+)", OutboundEmail.objects.get(to="ada@example.com").body).group(1)
    client.post(link)
    after = api.post("/api/v1/auth/token/", {"username": "ada", "password": "analytical-engine-1843"})

    assert response.status_code == 202
    assert set(response.json()) == {"detail"}
    assert "password" not in response.content.decode()
    assert before.status_code == 400
    assert after.status_code == 200


def test_register_refuses_weak_passwords_and_taken_names_with_field_errors(api):
    UserFactory(username="grace", email="grace@example.com")

    weak = api.post("/api/v1/auth/register/", {"username": "linus", "email": "linus@example.com", "password": "12345678"})
    taken = api.post("/api/v1/auth/register/", {"username": "GRACE", "email": "Grace@Example.com", "password": "a-long-enough-password"})
    missing = api.post("/api/v1/auth/register/", {})

    assert weak.status_code == 400
    assert set(weak.json()) == {"password"}
    assert taken.status_code == 400
    assert set(taken.json()) == {"username"}  # usernames are shown to teammates; e-mail addresses are not told
    assert set(missing.json()) == {"username", "email", "password"}
    assert User.objects.count() == 1


def test_register_answers_the_same_for_a_taken_address(api):
    UserFactory(username="grace", email="grace@example.com")

    taken = api.post("/api/v1/auth/register/", {"username": "mallory", "email": "Grace@Example.com", "password": "a-long-enough-password"})
    free = api.post("/api/v1/auth/register/", {"username": "ada", "email": "ada@example.com", "password": "a-long-enough-password"})

    assert (taken.status_code, taken.json()) == (free.status_code, free.json())
    assert OutboundEmail.objects.filter(to="grace@example.com").exists()
    assert not User.objects.filter(username="mallory").exists()


def test_token_for_good_credentials_only(api):
    user = UserFactory()

    good = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    bad = api.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"})

    assert good.status_code == 200
    assert len(good.json()["token"]) == 40
    assert bad.status_code == 400


def test_repeated_failures_are_throttled_then_cool_off(api, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"})

    locked = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    after_cool_off = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})

    assert locked.status_code == 429
    assert locked.json()["code"] == "login_throttled"
    assert int(locked["Retry-After"]) > 0
    assert after_cool_off.status_code == 200


def test_me_reads_and_sets_the_interface_language():
    user = UserFactory()
    client = api_as(user)

    changed = client.patch("/api/v1/auth/me/", {"language": "zh-hans"})
    refused = client.patch("/api/v1/auth/me/", {"language": "klingon"})

    assert changed.json()["language"] == "zh-hans"
    assert refused.status_code == 400
    assert client.get("/api/v1/auth/me/").json()["language"] == "zh-hans"


def test_attempts_during_the_cool_off_do_not_restart_it(api, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"})
    # The lockout began a minute short of the cool-off; then more attempts come in, wrong and right.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
    during = [api.post("/api/v1/auth/token/", {"username": user.username, "password": password}) for password in ("wrong", PASSWORD)]
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))  # two minutes go by

    after = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})

    assert [response.status_code for response in during] == [429, 429]
    assert after.status_code == 200


def test_a_locked_out_user_does_not_lock_out_others_behind_the_same_address(api, settings):
    user, colleague = UserFactory(), UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"})

    locked = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    colleague_login = api.post("/api/v1/auth/token/", {"username": colleague.username, "password": PASSWORD})

    assert locked.status_code == 429
    assert colleague_login.status_code == 200
