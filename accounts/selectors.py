from accounts.models import User


def user_find_by_username(*, username: str) -> User | None:
    """Case-insensitive lookup of an active user, used when an owner adds a teammate by name.

    Never by e-mail: addresses are not verified, so whoever registered an address first must not receive what
    was meant for its owner. E-mail addresses get an invitation that only the mailbox can accept."""
    username = username.strip()
    if not username:
        return None
    return User.objects.filter(username__iexact=username, is_active=True).first()


def user_has_api_token(*, user: User) -> bool:
    return hasattr(user, "auth_token")
