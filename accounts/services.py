import hashlib
import time

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import User


def user_registration_errors(*, username: str, email: str, password: str) -> dict[str, list[str]]:
    """Every reason these details cannot make an account, by field (empty if they can). Forms show them all at once."""
    username = username.strip()
    email = User.objects.normalize_email(email.strip())
    errors: dict[str, list[str]] = {}
    if "@" in username:  # keeps usernames and e-mail addresses apart when teammates are invited
        errors.setdefault("username", []).append(_("A username cannot contain “@”."))
    if User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(_("This username is taken."))
    if email and User.objects.filter(email__iexact=email).exists():
        errors.setdefault("email", []).append(_("An account with this e-mail address exists already."))

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
    """Create an account. Raises ValidationError with field errors for a taken name or e-mail or a weak password."""
    errors = user_registration_errors(username=username, email=email, password=password)
    if errors:
        raise ValidationError(errors)
    user = User(username=username.strip(), email=User.objects.normalize_email(email.strip()), language=language)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up took the name or address between the check and the save
        raise ValidationError({"username": [_("This username or e-mail address was just taken. Try another.")]}) from exc
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
