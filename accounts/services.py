import hashlib
import time
from urllib.parse import urljoin

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import User
from outbox.services import email_queue


def user_registration_errors(*, username: str, email: str, password: str) -> dict[str, list[str]]:
    """Every reason these details cannot make an account, by field (empty if they can). Forms show them all at once.
    Whether the e-mail address has an account is not among them: sign-up must not tell (see user_sign_up)."""
    username = username.strip()
    email = User.objects.normalize_email(email.strip())
    errors: dict[str, list[str]] = {}
    if "@" in username:  # keeps usernames and e-mail addresses apart when teammates are invited
        errors.setdefault("username", []).append(_("A username cannot contain “@”."))
    if User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(_("This username is taken."))

    user = User(username=username, email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    try:
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    return errors


@transaction.atomic
def user_register(*, username: str, email: str, password: str, language: str = "") -> User:
    """Create an active account at once (seeding, tools: not for the public, who go through user_sign_up).
    Raises ValidationError with field errors for a taken name or e-mail or a weak password."""
    errors = user_registration_errors(username=username, email=email, password=password)
    if email and User.objects.filter(email__iexact=User.objects.normalize_email(email.strip())).exists():
        errors.setdefault("email", []).append(_("An account with this e-mail address exists already."))
    if errors:
        raise ValidationError(errors)
    user = User(username=username.strip(), email=User.objects.normalize_email(email.strip()), language=language)
    _user_save(user, password)
    return user


def _user_save(user: User, password: str) -> None:
    """Save a new account with its password; a name or address taken by a concurrent sign-up between the check and
    the save is a field error, not a 500."""
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError({"username": [_("This username or e-mail address was just taken. Try another.")]}) from exc


class _ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for the link that confirms a sign-up: valid for PASSWORD_RESET_TIMEOUT, used up once the account is active."""

    key_salt = "accounts.services.activation"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


activation_tokens = _ActivationTokenGenerator()


def _pending(email: str) -> models.QuerySet[User]:
    """Sign-ups for this address whose link was never opened: nobody has shown the inbox is theirs."""
    return User.objects.filter(email__iexact=email, is_active=False, last_login__isnull=True)


@transaction.atomic
def user_sign_up(*, username: str, email: str, password: str, site_url: str, language: str = "", next_url: str = "") -> None:
    """A visitor's sign-up. The answer is the same whether or not the address has an account, so it tells nobody:
    a new address gets an inactive account and a link to confirm it; an address with an account gets a mail to its
    owner saying someone tried. Raises ValidationError for a taken username or a weak password (not for the address).
    A sign-up never confirmed does not hold the address: a new one for the same address replaces it."""
    email = User.objects.normalize_email(email.strip())
    _pending(email).delete()  # rolled back with the rest if the new details are refused
    errors = user_registration_errors(username=username, email=email, password=password)
    if errors:
        raise ValidationError(errors)
    owner = User.objects.filter(email__iexact=email).first()
    if owner is not None:
        with translation.override(owner.language or settings.LANGUAGE_CODE):  # written in the owner's language
            email_queue(
                to=owner.email,
                subject=_("Someone tried to sign up to bizcanvas with your address"),
                body=_(
                    "Hello %(username)s,\n\nsomeone tried to create a bizcanvas account with this e-mail address, which "
                    "your account already uses. No account was created.\n\nIf it was you: log in at %(login)s, or "
                    "reset your password at %(reset)s if you forgot it. If it was not you, ignore this e-mail."
                )
                % {
                    "username": owner.username,
                    "login": urljoin(site_url, reverse("login")),
                    "reset": urljoin(site_url, reverse("password_reset")),
                },
            )
        return
    user = User(username=username.strip(), email=email, language=language, is_active=False)
    _user_save(user, password)
    path = reverse("activate", args=[urlsafe_base64_encode(force_bytes(user.pk)), activation_tokens.make_token(user)])
    link = urljoin(site_url, path) + (f"?{urlencode({'next': next_url})}" if next_url else "")
    with translation.override(language or settings.LANGUAGE_CODE):
        email_queue(
            to=email,
            subject=_("Confirm your bizcanvas account"),
            body=_(
                "Hello %(username)s,\n\nopen this link to confirm your e-mail address and start using bizcanvas:\n\n"
                "%(link)s\n\nIf you did not sign up, ignore this e-mail: no account is made without it."
            )
            % {"username": user.username, "link": link},
            sensitive=True,
        )


def user_activation_find(*, uidb64: str, token: str) -> User | None:
    """The pending account a confirmation link is for, or None if the link is wrong, expired or used."""
    try:
        user = User.objects.get(pk=urlsafe_base64_decode(uidb64).decode(), is_active=False)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if activation_tokens.check_token(user, token) else None


def user_activate(*, user: User) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def user_language_set(*, user: User, language: str) -> User:
    user.language = language
    user.full_clean(validate_unique=False, validate_constraints=False)
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def user_api_token_rotate(*, user: User) -> Token:
    """Replace the user's API token: the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def user_login_throttle_clear(*, user: User) -> None:
    """Forget failed logins for this user: whoever just proved control of the account (a password reset) may log in."""
    axes_reset(username=user.get_username())


def _count_in_window(key: str, window_seconds: int) -> int:
    """Count one more event under `key` in the cache for the current fixed window; return the count so far."""
    window = int(time.time() // window_seconds)
    key = f"{key}:{window}"
    if cache.add(key, 1, timeout=window_seconds + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window_seconds + 5)
        return 1


def password_reset_allowed(*, email: str, ip_address: str) -> bool:
    """Count a password reset request; False once this address or this IP asked too often in the current hour.
    Both are counted whether or not an account has the address, so the limit itself says nothing about accounts."""
    address = User.objects.normalize_email(email.strip()).lower()
    address_key = "accounts:reset:email:" + hashlib.sha256(address.encode()).hexdigest()  # no addresses in the cache
    by_address = _count_in_window(address_key, 3600)
    by_ip = _count_in_window(f"accounts:reset:ip:{ip_address or 'unknown'}", 3600)
    return by_address <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS and by_ip <= settings.PASSWORD_RESET_LIMIT_PER_IP
