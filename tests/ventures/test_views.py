import pytest

from ventures.models import Venture

pytestmark = pytest.mark.django_db


def test_home_lists_my_ventures_by_team(client, world):
    client.force_login(world.viewer)

    page = client.get("/").content.decode()

    assert "Acme Bikes" in page
    assert "Rival Scooters" not in page


def test_creating_editing_and_deleting_a_venture_in_the_browser(client, world):
    client.force_login(world.editor)

    created = client.post(
        "/ventures/new/", {"team": world.team.pk, "name": "Campus Bikes", "pitch": "E-bikes", "industry": "Mobility", "stage": "mvp"}
    )
    venture = Venture.objects.get(name="Campus Bikes")
    edited = client.post(f"/ventures/{venture.pk}/edit/", {"name": "Campus Bikes 2", "pitch": "", "industry": "", "stage": "growth"})
    deleted = client.post(f"/ventures/{venture.pk}/delete/")

    assert created["Location"] == f"/ventures/{venture.pk}/"
    assert edited["Location"] == f"/ventures/{venture.pk}/"
    assert deleted["Location"] == f"/teams/{world.team.pk}/"
    assert not Venture.objects.filter(pk=venture.pk).exists()


def test_the_team_choice_offers_only_teams_i_may_edit(client, world):
    client.force_login(world.editor)

    form = client.get("/ventures/new/").context["form"]

    assert list(form.fields["team"].queryset) == [world.team]


def test_a_viewer_only_team_leads_to_creating_a_team_first(client, world):
    client.force_login(world.viewer)

    response = client.get("/ventures/new/")

    assert response["Location"] == "/teams/"


def test_viewer_sees_no_edit_controls_and_cannot_post(client, world):
    client.force_login(world.viewer)

    page = client.get(f"/ventures/{world.venture.pk}/").content.decode()
    client.post(f"/ventures/{world.venture.pk}/edit/", {"name": "Hijacked", "stage": "idea"})

    assert f"/ventures/{world.venture.pk}/edit/" not in page
    assert Venture.objects.get(pk=world.venture.pk).name == "Acme Bikes"


def test_another_teams_venture_pages_are_404(client, world):
    client.force_login(world.owner)

    for suffix in ("", "edit/", "delete/"):
        assert client.get(f"/ventures/{world.other_venture.pk}/{suffix}").status_code == 404


def test_hostile_names_are_escaped(client, world):
    world.venture.name = '<script>alert("x")</script>'
    world.venture.save()
    client.force_login(world.owner)

    page = client.get(f"/ventures/{world.venture.pk}/").content.decode()

    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page
