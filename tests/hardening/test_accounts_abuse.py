"""Issue 19, finding 8: the account pages cannot be used to lock people out, flood an inbox or list addresses."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.utils import timezone

from outbox.models import OutboundEmail
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_retrying_during_a_lockout_does_not_keep_the_user_locked_out(client, settings):
    # Given a user locked out by failures from one address, a minute before the cool-off ends
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME + timedelta(minutes=1))

    # When someone behind that address keeps trying (wrong and right), then two minutes pass
    for password in ("wrong", "wrong", PASSWORD):
        assert client.post("/accounts/login/", {"username": user.username, "password": password}).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))

    # Then the cool-off ended when it was due
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


def test_a_burst_of_password_resets_sends_a_few_mails_and_answers_alike(client, settings):
    UserFactory(email="ada@example.com")

    answers = {client.post("/accounts/password-reset/", {"email": "ada@example.com"})["Location"] for _ in range(13)}

    assert OutboundEmail.objects.count() <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    assert answers == {"/accounts/password-reset/sent/"}


@pytest.mark.parametrize("path", ["/accounts/signup/", "/api/v1/auth/register/"])
def test_sign_up_does_not_tell_whether_an_address_has_an_account(client, path):
    UserFactory(email="grace@example.com")

    def sign_up(username: str, email: str):
        response = client.post(path, {"username": username, "email": email, "password": "analytical-engine-1843"})
        return response.status_code, response.get("Location"), response.content

    assert sign_up("mallory", "grace@example.com") == sign_up("ada", "ada@example.com")
    assert OutboundEmail.objects.filter(to="grace@example.com").exists()  # the owner hears of it
