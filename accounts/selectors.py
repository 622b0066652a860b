from django.db.models import Q

from accounts.models import User


def user_find_by_username_or_email(*, identifier: str) -> User | None:
    """Case-insensitive lookup used when a teammate is invited by name or address."""
    identifier = identifier.strip()
    if not identifier:
        return None
    return User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier), is_active=True).first()


def user_has_api_token(*, user: User) -> bool:
    return hasattr(user, "auth_token")
