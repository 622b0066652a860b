from decimal import Decimal

from strategy.figures import build_five_forces_figure, build_risk_matrix_figure, build_swot_figure, build_value_chain_figure
from strategy.scoring import Driver, force_scores, industry_attractiveness, value_chain_margin

FORCES = ("rivalry", "new_entrants", "substitutes", "buyer_power", "supplier_power")


def test_a_force_score_is_the_weighted_mean_of_its_drivers():
    drivers = [Driver("rivalry", "a", 5, 3), Driver("rivalry", "b", 1, 1), Driver("buyer_power", "c", 2, 2)]

    scores = force_scores(drivers, FORCES)

    assert scores["rivalry"] == 4.0  # (5×3 + 1×1) / 4
    assert scores["buyer_power"] == 2.0
    assert scores["substitutes"] is None


def test_attractiveness_follows_the_mean_force():
    assert industry_attractiveness({"a": 2.0, "b": 2.5}).level == "high"
    assert industry_attractiveness({"a": 3.0, "b": 3.2}).level == "medium"
    assert industry_attractiveness({"a": 4.0, "b": None}).level == "low"
    assert industry_attractiveness({"a": None}).level == "unknown"


def test_margin_is_what_cost_shares_leave():
    assert value_chain_margin([Decimal("30"), Decimal("25.5")]) == Decimal("44.5")


def test_swot_figure_sizes_items_by_weight():
    names = {"strength": "S", "weakness": "W", "opportunity": "O", "threat": "T"}

    figure = build_swot_figure({"strength": [("Fast", 5), ("Cheap", 1)], "threat": [("BigCo", 3)]}, names, "SWOT")

    strengths = next(trace for trace in figure.data if trace.name == "S")
    assert list(strengths.marker.size) == [40, 16]
    assert list(strengths.text) == ["Fast", "Cheap"]
    assert all(0 <= x <= 1 for x in strengths.x)  # inside the strengths quadrant
    assert all(1 <= y <= 2 for y in strengths.y)


def test_five_forces_radar_closes_the_polygon():
    names = dict(zip(FORCES, ["R", "N", "S", "B", "P"], strict=True))

    figure = build_five_forces_figure({"rivalry": 4.0, "new_entrants": None}, names, "Five forces")

    assert list(figure.data[0].r) == [4.0, 0, 0, 0, 0, 4.0]
    assert figure.data[0].theta[0] == figure.data[0].theta[-1] == "R"


def test_five_forces_names_are_wrapped_to_fit_beside_a_narrow_radar():
    names = {"rivalry": "Bargaining power of suppliers", "new_entrants": "现有竞争者之间的竞争"}

    figure = build_five_forces_figure({}, names, "Five forces")

    assert figure.data[0].theta[:2] == ("Bargaining power of suppliers", "现有竞争者之间的竞争")  # the data keeps the names
    assert figure.layout.polar.angularaxis.ticktext == ("Bargaining power<br>of suppliers", "现有竞争者之间的<br>竞争")


def test_risk_matrix_counts_risks_per_cell():
    figure = build_risk_matrix_figure([("a", 5, 4), ("b", 5, 4), ("c", 1, 1)], {"probability": "P", "impact": "I"}, "Risks")

    heat = figure.data[0]
    assert heat.text[4][3] == "2"
    assert heat.text[0][0] == "1"
    assert heat.z[4][4] == 25
    assert "a<br>b" in heat.customdata[4][3]


def test_value_chain_figure_shows_cost_value_and_margin():
    figure = build_value_chain_figure(
        [("Ops", 30.0, 4), ("Sales", 20.0, 2)], 50.0, {"cost": "Cost", "value": "Value", "margin": "Margin"}, "VC"
    )

    assert list(figure.data[0].y) == [30.0, 20.0]
    assert list(figure.data[1].y) == [80, 40]
    assert "Margin: 50.0 %" in figure.layout.annotations[0].text


def test_user_text_cannot_put_links_or_markup_into_a_chart():
    names = {"strength": "S", "weakness": "W", "opportunity": "O", "threat": "T"}

    swot = build_swot_figure({"threat": [('<a href="https://evil.example">Click</a>', 3)]}, names, "SWOT")
    risks = build_risk_matrix_figure([("<b>big</b>", 1, 1)], {"probability": "P", "impact": "I"}, "R")

    threats = next(trace for trace in swot.data if trace.name == "T")
    assert "<a" not in threats.text[0]
    assert threats.hovertext[0].startswith("&lt;a href")
    assert risks.data[0].customdata[0][0] == "&lt;b&gt;big&lt;/b&gt;"


def test_a_crowded_quadrant_stays_inside_it():
    names = {"strength": "S", "weakness": "W", "opportunity": "O", "threat": "T"}

    figure = build_swot_figure({"opportunity": [(f"item {n}", 1) for n in range(20)]}, names, "SWOT")

    opportunities = next(trace for trace in figure.data if trace.name == "O")
    assert all(0 <= y <= 1 for y in opportunities.y)
