import re

import pytest
from django.core import mail

from accounts.models import User
from outbox.models import OutboundEmail
from outbox.services import email_deliver
from tests.accounts.factories import PASSWORD, UserFactory, activation_link

pytestmark = pytest.mark.django_db


def test_signup_mails_a_link_that_confirms_the_account_and_logs_in(client):
    response = client.post("/accounts/signup/", {"username": "ada", "email": "ada@example.com", "password": "analytical-engine-1843"})
    link = activation_link("ada@example.com")
    before = client.post("/accounts/login/", {"username": "ada", "password": "analytical-engine-1843"})
    page = client.get(link)
    active_after_get = User.objects.get(username="ada").is_active  # mail scanners fetch links: that activates nothing
    confirmed = client.post(link)
    again = client.get(link)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/sent/"
    assert before.status_code == 200  # not confirmed yet: no login
    assert page.status_code == 200
    assert not active_after_get
    assert confirmed["Location"] == "/teams/"
    assert client.get("/").context["user"].username == "ada"
    assert User.objects.get(username="ada").is_active
    assert again.status_code == 400  # used once


def test_signup_link_continues_to_the_invitation(client):
    path = "/teams/invitations/abc/"
    client.post(
        f"/accounts/signup/?next={path}",
        {"username": "invitee", "email": "invitee@example.com", "password": "analytical-engine-1843", "next": path},
    )
    link = activation_link("invitee@example.com")

    confirmed = client.post(link)

    assert confirmed["Location"] == path


def test_signup_does_not_tell_whether_an_address_has_an_account(client):
    UserFactory(username="grace", email="grace@example.com", language="zh-hans")

    taken = client.post("/accounts/signup/", {"username": "mallory", "email": "Grace@Example.com", "password": "analytical-engine-1843"})
    free = client.post("/accounts/signup/", {"username": "ada", "email": "ada@example.com", "password": "analytical-engine-1843"})
    owner_mail = OutboundEmail.objects.get(to="grace@example.com")

    assert (taken.status_code, taken["Location"]) == (free.status_code, free["Location"]) == (302, "/accounts/signup/sent/")
    assert not User.objects.filter(username="mallory").exists()
    assert "/accounts/activate/" not in owner_mail.body
    assert "/accounts/password-reset/" in owner_mail.body
    assert owner_mail.subject != "Someone tried to sign up to bizcanvas with your address"  # in the owner's language


def test_an_unconfirmed_signup_does_not_hold_the_address(client):
    client.post("/accounts/signup/", {"username": "squatter", "email": "ada@example.com", "password": "analytical-engine-1843"})
    client.post("/accounts/signup/", {"username": "ada", "email": "ada@example.com", "password": "analytical-engine-1844"})

    assert list(User.objects.values_list("username", flat=True)) == ["ada"]
    assert client.post(activation_link("ada@example.com")).status_code == 302


def test_a_forged_activation_link_is_refused(client):
    user = UserFactory(is_active=False)

    response = client.post(f"/accounts/activate/{user.pk}/not-a-token/")

    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_signup_refuses_a_taken_username_whatever_its_case(client):
    UserFactory(username="ada")

    response = client.post("/accounts/signup/", {"username": "ADA", "email": "ada2@example.com", "password": "analytical-engine-1843"})

    assert response.status_code == 200
    assert "This username is taken." in response.content.decode()
    assert User.objects.count() == 1


def test_signup_shows_field_errors(client):
    UserFactory(username="ada")

    response = client.post("/accounts/signup/", {"username": "ADA", "email": "not-an-email", "password": "short"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"username", "email", "password"}
    assert User.objects.count() == 1


def test_login_page_throttles_after_repeated_failures(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})

    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()


def test_logout_is_a_post(client):
    client.force_login(UserFactory())

    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_goes_through_the_outbox_and_sets_a_new_password(client):
    user = UserFactory(email="ada@example.com")

    client.post("/accounts/password-reset/", {"email": "ADA@example.com"})
    queued = OutboundEmail.objects.get()
    email_deliver(email_id=queued.pk)
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "a-brand-new-secret-9", "new_password2": "a-brand-new-secret-9"})

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-secret-9")
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.SENT
    assert queued.body == ""  # the reset link is not kept once sent


def test_password_reset_for_an_unknown_address_sends_nothing_but_looks_the_same(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert not OutboundEmail.objects.exists()


def test_account_settings_creates_an_api_token_shown_once(client):
    user = UserFactory()
    client.force_login(user)

    created = client.post("/accounts/settings/", {"action": "rotate_token"})
    later = client.get("/accounts/settings/")

    assert created.context["new_token"] == user.auth_token.key
    assert later.context["new_token"] is None
    assert user.auth_token.key not in later.content.decode()


def test_a_password_reset_lifts_the_login_throttle(client, settings):
    user = UserFactory(email="ada@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    client.post("/accounts/password-reset/", {"email": "ada@example.com"})
    email_deliver(email_id=OutboundEmail.objects.get().pk)
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "a-brand-new-secret-9", "new_password2": "a-brand-new-secret-9"})

    response = client.post("/accounts/login/", {"username": user.username, "password": "a-brand-new-secret-9"})

    assert response.status_code == 302


def test_a_signed_in_user_changes_their_password(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "a-brand-new-secret-9", "new_password2": "a-brand-new-secret-9"},
        follow=True,
    )

    assert "Your password was changed." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("a-brand-new-secret-9")


def test_password_reset_mails_to_one_address_are_rate_limited_but_the_page_answers_the_same(client, settings):
    UserFactory(email="ada@example.com")

    responses = [client.post("/accounts/password-reset/", {"email": "ada@example.com"}, REMOTE_ADDR=f"10.0.0.{n}") for n in range(13)]

    assert OutboundEmail.objects.filter(to="ada@example.com").count() == settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    assert {(response.status_code, response["Location"]) for response in responses} == {(302, "/accounts/password-reset/sent/")}


def test_password_reset_requests_from_one_ip_are_rate_limited(client, settings):
    for n in range(settings.PASSWORD_RESET_LIMIT_PER_IP + 3):
        UserFactory(email=f"user{n}@example.com")
        response = client.post("/accounts/password-reset/", {"email": f"user{n}@example.com"})
        assert response.status_code == 302

    other_ip = client.post("/accounts/password-reset/", {"email": "user0@example.com"}, REMOTE_ADDR="10.9.9.9")

    assert other_ip.status_code == 302
    assert OutboundEmail.objects.count() == settings.PASSWORD_RESET_LIMIT_PER_IP + 1


def test_the_reset_limit_counts_unknown_addresses_too(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2
    UserFactory(email="ada@example.com")
    for address in ("nobody@example.com", "noone@example.com"):
        client.post("/accounts/password-reset/", {"email": address})

    client.post("/accounts/password-reset/", {"email": "ada@example.com"})

    assert not OutboundEmail.objects.exists()
