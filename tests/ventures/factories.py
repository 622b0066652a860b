import factory

from tests.teams.factories import TeamFactory
from ventures.models import Stage, Venture


class VentureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venture

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Venture {n}")
    pitch = "Bikes for students, paid per ride."
    industry = "Mobility"
    stage = Stage.IDEA
