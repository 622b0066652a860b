"""Two teammates move the same note at the same moment, on real connections: it ends up in exactly one place."""

import threading

import pytest
from django.db import connection

from canvas.models import CanvasItem
from canvas.services import canvas_create, item_add, item_move
from core.errors import StaleVersion
from teams.models import Role
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_of_one_item_leave_it_in_exactly_one_place():
    team = TeamFactory()
    alice, bob = member(team, Role.EDITOR).user, member(team, Role.EDITOR).user
    canvas = canvas_create(user=alice, venture=VentureFactory(team=team), kind="business_model", title="Race")
    item = item_add(user=alice, canvas=canvas, block="channels", text="Contested")
    for text in ("a", "b"):
        item_add(user=alice, canvas=canvas, block="customer_segments", text=text)
        item_add(user=alice, canvas=canvas, block="key_partners", text=text)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def move(user: object, block: str) -> None:
        try:
            start.wait()
            item_move(user=user, item=CanvasItem.objects.get(pk=item.pk), block=block, position=0, expected_version=1)
            outcomes.append("moved")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=args) for args in ((alice, "customer_segments"), (bob, "key_partners"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["moved", "stale"]
    assert CanvasItem.objects.filter(text="Contested").count() == 1
    for block in ("channels", "customer_segments", "key_partners"):
        positions = list(CanvasItem.objects.filter(canvas=canvas, block=block).order_by("position").values_list("position", flat=True))
        assert positions == list(range(len(positions)))
