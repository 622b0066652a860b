from decimal import Decimal

from core.charts import NUMBER_FORMAT
from strategy.figures import (
    SWOT_LABEL_COLUMNS,
    SWOT_NARROW_COLUMNS,
    SWOT_SHOWN,
    build_five_forces_figure,
    build_risk_matrix_figure,
    build_swot_figure,
    build_value_chain_figure,
    radar_spoke_angles,
)
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
    assert list(strengths.marker.size) == [23, 11]
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


def test_risk_matrix_cells_name_their_risks():
    risks = [("Seed round slips", 5, 4), ("Key engineer leaves", 5, 4), ("c", 1, 1)]

    figure = build_risk_matrix_figure(risks, {"probability": "P", "impact": "I"}, "Risks")

    heat = figure.data[0]
    assert heat.text[4][3] == "Seed round slips<br>Key engineer leaves"
    assert heat.meta["narrow_text"][4][3] == "Seed ro…<br>Key eng…"  # a phone's cell: one short line per risk
    assert heat.text[0][0] == "c"
    assert heat.text[2][2] == ""  # an empty cell says nothing
    assert heat.z[4][4] == 25
    assert heat.customdata[4][3] == "Seed round slips<br>Key engineer leaves"  # the hover: names in full


def test_a_crowded_risk_cell_names_three_and_counts_the_rest():
    risks = [(f"风险{n}", 3, 3) for n in range(5)]

    figure = build_risk_matrix_figure(risks, {"probability": "P", "impact": "I"}, "Risks")

    assert figure.data[0].text[2][2] == "风险0<br>风险1<br>风险2<br>+2"


def test_value_chain_draws_scores_on_their_own_one_to_five_axis():
    figure = build_value_chain_figure(
        [("Ops", 30.0, 4), ("Sales", 20.0, 2)], 50.0, {"cost": "Cost", "value": "Value", "margin": "Margin"}, "VC"
    )

    cost, value = figure.data
    assert list(cost.y) == [30.0, 20.0]
    assert cost.yaxis in (None, "y")
    assert list(value.y) == [4, 2]  # the scores themselves, not ×20 on the percent axis
    assert value.yaxis == "y2"
    assert tuple(figure.layout.yaxis2.range) == (0, 5)
    assert figure.layout.yaxis.ticksuffix == " %"
    assert figure.layout.yaxis.tickformat == NUMBER_FORMAT
    assert cost.offsetgroup != value.offsetgroup  # side by side, not drawn over each other
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


def test_swot_labels_wrap_instead_of_overlapping():
    names = {"strength": "S", "weakness": "W", "opportunity": "O", "threat": "T"}
    long = "Receipt model reads English and Chinese receipts at 97 % accuracy on every kind of paper"

    figure = build_swot_figure(
        {"strength": [(long, 5), ("短", 1), ("中文的长标签需要在两行之内显示完毕否则会被截断掉的", 3)]}, names, "SWOT"
    )

    strengths = next(trace for trace in figure.data if trace.name == "S")
    for labels, width in ((strengths.text, SWOT_LABEL_COLUMNS), (strengths.meta["narrow_text"], SWOT_NARROW_COLUMNS)):
        for label in labels:
            lines = label.split("<br>")
            assert len(lines) <= 2
            assert all(sum(2 if "\u4e00" <= char <= "\u9fff" else 1 for char in line) <= width for line in lines)
    assert strengths.text[0].startswith("Receipt model reads English<br>")
    assert strengths.text[0].endswith("…")
    assert strengths.hovertext[0] == f"{long} (5)"  # the hover keeps the whole text
    assert strengths.textposition == "middle right"  # beside its dot, in its own row
    gaps = [upper - lower for upper, lower in zip(strengths.y, strengths.y[1:], strict=False)]
    assert min(gaps) >= 0.78 / SWOT_SHOWN - 1e-9
    assert len(set(strengths.x)) == 1  # one column: labels never run into a neighbour's


def test_a_crowded_quadrant_shows_its_heaviest_items_and_counts_the_rest():
    names = {"strength": "S", "weakness": "W", "opportunity": "O", "threat": "T"}
    items = [(f"item {n}", 1 + n % 5) for n in range(9)]

    figure = build_swot_figure({"threat": items}, names, "SWOT", more="%(count)d more")

    threats = next(trace for trace in figure.data if trace.name == "T")
    assert len(threats.text) == SWOT_SHOWN
    assert threats.hovertext[0].endswith("(5)")  # heaviest first
    assert any(annotation.text == "3 more" for annotation in figure.layout.annotations)


def test_radar_score_ticks_sit_between_two_forces_not_on_a_name():
    names = dict(zip(FORCES, ["R", "N", "S", "B", "P"], strict=True))

    figure = build_five_forces_figure({"rivalry": 4.0}, names, "Five forces")

    polar = figure.layout.polar
    spokes = radar_spoke_angles(len(FORCES))
    assert polar.angularaxis.rotation == spokes[0] == 90
    assert polar.angularaxis.direction == "clockwise"
    distance = min(min(abs(polar.radialaxis.angle - spoke) % 360, 360 - abs(polar.radialaxis.angle - spoke) % 360) for spoke in spokes)
    assert distance >= 30  # half the 72° between spokes, give or take
    assert 0 not in polar.radialaxis.tickvals  # no "0" drawn at the centre
