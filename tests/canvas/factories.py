import factory

from canvas.models import Canvas, CanvasItem
from tests.ventures.factories import VentureFactory


class CanvasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Canvas

    venture = factory.SubFactory(VentureFactory)
    kind = "business_model"
    title = factory.Sequence(lambda n: f"Canvas {n}")


class CanvasItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CanvasItem

    canvas = factory.SubFactory(CanvasFactory)
    block = "value_propositions"
    position = 0
    text = factory.Sequence(lambda n: f"Note {n}")
