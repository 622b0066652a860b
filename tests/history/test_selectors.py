"""Filtering a history by author and by kind of change; the label a version gets in a list."""

import pytest
from django.utils import translation

from canvas.models import CanvasChange
from canvas.services import canvas_create, item_add, item_move
from history.selectors import version_authors, version_kinds, version_list
from history.templatetags.history import version_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def canvas(world, settings):
    settings.HISTORY_COALESCE_MINUTES = 5
    canvas = canvas_create(user=world.owner, venture=world.venture, kind="business_model", title="Acme BMC")
    item = item_add(user=world.owner, canvas=canvas, block="channels", text="Web")
    item_move(user=world.owner, item=item, block="customer_segments", position=0, expected_version=1)
    item_add(user=world.editor, canvas=canvas, block="channels", text="Fairs")
    return canvas


def test_filter_by_author_and_by_a_kind_any_coalesced_change_holds(world, canvas):
    by_editor = version_list(target=canvas, author=world.editor.username)
    moves = version_list(target=canvas, kind="item_move")
    adds = version_list(target=canvas, kind="item_add")
    adds_by_owner = version_list(target=canvas, kind="item_add", author=world.owner.username)

    assert [v.created_by for v in by_editor] == [world.editor]
    assert [v.kinds for v in moves] == ["item_add item_move"]
    assert [v.created_by for v in adds] == [world.editor, world.owner]
    assert [v.kinds for v in adds_by_owner] == ["item_add item_move"]
    assert list(version_list(target=canvas, kind="item")) == []  # a whole kind, not a part of one


def test_the_filters_offer_the_authors_and_kinds_present(world, canvas):
    assert version_authors(target=canvas) == sorted([world.owner.username, world.editor.username], key=str.casefold)
    assert version_kinds(target=canvas) == ["create", "item_add", "item_move"]


def test_a_coalesced_version_reads_as_its_count_and_kinds(world, canvas):
    labels = dict(CanvasChange.choices)
    mixed, created = version_list(target=canvas, author=world.owner.username)
    [added] = version_list(target=canvas, author=world.editor.username)
    coalesced, _created = version_list(target=canvas, author=world.owner.username)
    coalesced.kinds, coalesced.edits, coalesced.action = "item_move", 3, "item_move"

    assert version_change(created, labels) == "Created"
    assert version_change(added, labels) == "Note added"
    assert version_change(mixed, labels) == "2 edits: Note added, Note moved"
    assert version_change(coalesced, labels) == "Note moved, 3 times"
    with translation.override("zh-hans"):
        assert version_change(coalesced, labels) == "已移动便签，共 3 次"
