import re

import factory

from accounts.models import User
from outbox.models import OutboundEmail

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


def activation_link(email: str) -> str:
    """The sign-up confirmation path in the latest mail queued for `email`."""
    queued = OutboundEmail.objects.filter(to=email).latest("pk")
    return re.search(r"https?://[^/\s]+(/accounts/activate/\S+)", queued.body).group(1)
