"""The panel registry's pure parts: layout validation and the key numbers' period."""

from datetime import date

from dashboards.panels import DEFAULT_LAYOUT, PANELS, last_complete_week, layout_problems


def test_the_default_layout_is_valid_and_every_panel_has_a_title():
    assert layout_problems(list(DEFAULT_LAYOUT)) == []
    assert all(str(panel.title) for panel in PANELS.values())


def test_layout_problems_name_what_is_wrong():
    assert layout_problems("swot") == ["A layout is a list of panel keys."]
    assert layout_problems(["swot", 3]) == ["A layout is a list of panel keys."]
    assert layout_problems(["swot", "nope"])[0].startswith("Unknown panel “nope”.")


def _summary(days: list[str], weeks: list[str]) -> dict:
    return {
        "daily": {"day": days, "revenue": [1.0] * len(days)},
        "weekly_users": {"week": weeks, "new": [1] * len(weeks), "returning": [2] * len(weeks)},
    }


def test_a_week_the_data_ends_in_is_not_the_last_complete_one():
    days = [f"2025-01-{day:02d}" for day in range(6, 16)]  # Monday 6th … Wednesday 15th

    week = last_complete_week(_summary(days, ["2025-01-06", "2025-01-13"]))

    assert (week["start"], week["end"], week["customers"], week["revenue"]) == (date(2025, 1, 6), date(2025, 1, 12), 3, 7.0)


def test_data_shorter_than_a_week_has_no_complete_week():
    assert last_complete_week(_summary(["2025-01-06", "2025-01-07"], ["2025-01-06"])) is None
    assert last_complete_week({}) is None
