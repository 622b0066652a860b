"""A founder's first minutes: sign up, confirm from the mail, create a team, create a venture, switch the interface to Chinese."""

import re

import pytest
from playwright.sync_api import Page, expect

from teams.models import Membership, Role
from tests.accounts.factories import activation_link
from ventures.models import Venture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_create_team_and_venture_then_switch_to_chinese(page: Page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign up").first.click()

    page.get_by_label("Username").fill("ada")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill("analytical-engine-1843")
    page.get_by_role("button", name="Sign up").click()

    expect(page).to_have_url(re.compile(r"/accounts/signup/sent/$"))  # the same answer whether or not the address is known
    page.goto(live_server.url + activation_link("ada@example.com"))  # the link from the confirmation mail
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("Welcome to bizcanvas, ada.")).to_be_visible()
    page.get_by_label("Team name").fill("Night owls")
    page.get_by_role("button", name="Create team").click()

    expect(page.get_by_role("heading", name="Night owls")).to_be_visible()
    page.get_by_role("link", name="New venture").click()
    page.get_by_label(re.compile(r"^Name")).fill("Campus Bikes")
    page.get_by_label("One-line pitch").fill("E-bikes students unlock with their campus card")
    page.get_by_label("Stage").select_option("mvp")
    page.get_by_role("button", name="Create venture").click()

    expect(page.get_by_role("heading", name="Campus Bikes")).to_be_visible()
    expect(page.get_by_text("Minimum viable product")).to_be_visible()

    page.get_by_role("button", name="简体中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("button", name="English")).to_be_visible()  # each language is named in itself
    expect(page.get_by_role("link", name="团队", exact=True)).to_be_visible()
    expect(page.get_by_text("最小可行产品")).to_be_visible()

    venture = Venture.objects.get(name="Campus Bikes")
    assert Membership.objects.get(team=venture.team, user__username="ada").role == Role.OWNER
    assert venture.team.memberships.get().user.language == "zh-hans"
