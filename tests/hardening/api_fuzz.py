"""Fuzz the API in-process with schemathesis, from its own OpenAPI schema, as a user of team A while team B's objects
sit in the same database: no 5xx, every answer as documented, and never a read or write of B's objects.

B's ids are fed into the path parameters on purpose (a quarter of the examples; half get ours, a quarter keep the
generated value), so "another team's id answers 404" is
really tried on every detail path; every answer's body is searched for B's names (all carry a marker)."""

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from accounts.services import user_api_token_rotate
from analysis.models import Analysis
from analysis.services import analysis_create, analysis_run
from canvas.models import Canvas, CanvasItem, ItemComment
from canvas.services import canvas_create, comment_add, item_add
from dashboards.models import ShareLink
from dashboards.services import share_link_create
from datasets.models import Dataset
from history.models import Version
from strategy.models import Competitor, ForceDriver, Insight, Risk, TowsStrategy, ValueActivity
from strategy.resources import COMPETITORS, FIVE_FORCES, INSIGHTS, RISKS, TOWS, VALUE_CHAIN
from strategy.services import row_create
from teams.models import Invitation, Membership, Role, Team
from teams.services import invitation_create
from tests.datasets.factories import ready_dataset
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory
from ventures.models import Venture

MARKER = "RIVALSECRET"
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance")
# The path segment before a parameter → the model its id names.
PARAMETER_MODELS = {
    "teams": Team,
    "members": User,
    "invitations": Invitation,
    "ventures": Venture,
    "canvases": Canvas,
    "items": CanvasItem,
    "versions": Version,
    "insights": Insight,
    "swot": Insight,
    "strategies": TowsStrategy,
    "competitors": Competitor,
    "five-forces": ForceDriver,
    "value-chain": ValueActivity,
    "risks": Risk,
    "datasets": Dataset,
    "analyses": Analysis,
    "share-links": ShareLink,
}


def _seed_team(team: Team, owner: User, venture: Venture, *, prefix: str) -> None:
    canvas = canvas_create(user=owner, venture=venture, kind="business_model", title=f"{prefix} canvas")
    item = item_add(user=owner, canvas=canvas, block="customer_segments", text=f"{prefix} segment")
    comment_add(user=owner, item=item, text=f"{prefix} comment")
    first = row_create(user=owner, venture=venture, resource=INSIGHTS, text=f"{prefix} strength", kind="strength", weight=3)
    second = row_create(user=owner, venture=venture, resource=INSIGHTS, text=f"{prefix} chance", kind="opportunity", weight=2)
    row_create(user=owner, venture=venture, resource=TOWS, kind="so", text=f"{prefix} tows", first_id=first.pk, second_id=second.pk)
    row_create(user=owner, venture=venture, resource=COMPETITORS, name=f"{prefix} competitor")
    row_create(user=owner, venture=venture, resource=FIVE_FORCES, force="rivalry", text=f"{prefix} force", score=3)
    row_create(user=owner, venture=venture, resource=VALUE_CHAIN, activity="operations", description=f"{prefix} activity")
    row_create(user=owner, venture=venture, resource=RISKS, title=f"{prefix} risk", category="market", probability=3, impact=3)
    dataset = ready_dataset(user=owner, venture=venture)
    dataset.name = f"{prefix} orders"
    dataset.save(update_fields=["name"])
    analysis = analysis_create(user=owner, dataset=dataset, kind="segmentation")
    analysis_run(analysis_id=analysis.pk, attempt=analysis.attempt)
    share_link_create(user=owner, venture=venture, label=f"{prefix} link")
    invitation_create(actor=owner, team=team, role=Role.VIEWER, email=f"{prefix.lower()}@example.com", site_url="http://localhost")


@dataclass
class World:
    user: User
    token: str
    own: dict[str, list[int]]
    theirs: dict[str, list[int]]
    their_team: Team


def seed() -> World:
    """Two teams, each with one of everything the API serves; B's names all carry MARKER."""
    team, rivals = TeamFactory(name="Acme"), TeamFactory(name=f"{MARKER} Rivals")
    owner, rival = member(team, Role.OWNER).user, member(rivals, Role.OWNER).user
    member(team, Role.VIEWER)
    _seed_team(team, owner, VentureFactory(team=team, name="Acme Bikes"), prefix="Acme")
    _seed_team(rivals, rival, VentureFactory(team=rivals, name=f"{MARKER} Scooters"), prefix=MARKER)
    return World(user=owner, token=user_api_token_rotate(user=owner).key, own=_ids(team), theirs=_ids(rivals), their_team=rivals)


def _scope(model: type[models.Model], team: Team) -> models.QuerySet:
    paths = {
        Team: "pk",
        User: "memberships__team",
        Invitation: "team",
        Venture: "team",
        Canvas: "venture__team",
        CanvasItem: "canvas__venture__team",
        ItemComment: "canvas__venture__team",
        Dataset: "venture__team",
        Analysis: "dataset__venture__team",
        ShareLink: "venture__team",
        Membership: "team",
    }
    if model is Version:
        return Version.objects.filter(pk__in=[v.pk for v in Version.objects.all() if _version_team(v) == team.pk])
    lookup = paths.get(model, "venture__team")
    return model.objects.filter(**{lookup: team.pk if lookup == "pk" else team})


def _version_team(version: Version) -> int | None:
    target = version.content_type.get_object_for_this_type(pk=version.object_id)
    for hop in ("venture", "team"):
        target = getattr(target, hop, target)
    return getattr(target, "pk", None) if isinstance(target, Team) else None


def _ids(team: Team) -> dict[str, list[int]]:
    return {segment: sorted(_scope(model, team).values_list("pk", flat=True)) for segment, model in PARAMETER_MODELS.items()}


def snapshot(team: Team) -> dict[str, list[dict]]:
    """Every row of the team, as plain values: compared before and after the fuzzing."""
    tracked = {*PARAMETER_MODELS.values(), ItemComment, Membership}
    return {model.__name__: [json.dumps(row, sort_keys=True, default=str) for row in _scope(model, team).values()] for model in tracked}


@dataclass
class Outcome:
    operations: int = 0
    examples: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # check name → count
    samples: dict[str, str] = field(default_factory=dict)  # "check: METHOD path" → one reproduction

    def fail(self, check: str, label: str, detail: str) -> None:
        self.failures[check] += 1
        self.samples.setdefault(f"{check}: {label}", detail[:1500])

    def summary(self) -> str:
        lines = [f"operations: {self.operations}", f"examples: {self.examples}", f"statuses: {dict(sorted(self.statuses.items()))}"]
        lines.append(f"failures by check: {dict(self.failures) or 'none'}")
        lines += [f"--- {key}\n{value}" for key, value in sorted(self.samples.items())]
        return "\n".join(lines)


def _parameter_model_segment(path: str, name: str) -> str | None:
    parts = path.strip("/").split("/")
    for index, part in enumerate(parts):
        if part == "{" + name + "}" and index:
            return parts[index - 1] if parts[index - 1] in PARAMETER_MODELS else None
    return None


def fuzz(world: World, *, max_examples: int) -> Outcome:
    """Run every operation of the schema `max_examples` times (derandomized: the same run every time)."""
    import schemathesis

    outcome = Outcome()
    with _connections_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
        for operation in sorted((result.ok() for result in schema.get_all_operations()), key=_destructive_last):
            outcome.operations += 1
            _example_runner(operation, world, outcome, max_examples)()
    return outcome


def _destructive_last(operation) -> tuple[int, str]:
    """Deleting A's objects, demoting A's owner or deleting A's team early would turn every later example into a
    404 or 403: run those last, the team's own last of all."""
    method, path = operation.method.upper(), operation.path
    rank = 0
    if path.startswith("/api/v1/teams/") and method in ("PATCH", "DELETE"):
        rank = 2
    elif method == "DELETE":
        rank = 1
    return rank, f"{path} {method}"


@contextmanager
def _connections_kept_open() -> Iterator[None]:
    """A WSGI request closes the database connection when it ends, and with it the test's transaction; Django's
    own test client does what this does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _example_runner(operation, world: World, outcome: Outcome, max_examples: int):
    """A Hypothesis test for one operation: draw a case (valid or invalid), maybe put our or B's ids into the path,
    send it as A's owner, check the answer."""
    from schemathesis.core.failures import FailureGroup
    from schemathesis.generation import GenerationMode

    checks = _checks()
    headers = {"Authorization": f"Token {world.token}"}
    label = f"{operation.method.upper()} {operation.path}"

    @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        mode = data.draw(st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]), label="mode")
        case = data.draw(operation.as_strategy(generation_mode=mode), label="case")
        theirs = _ids_into_path(data, case, operation.path, world)
        response = case.call(headers=headers)
        outcome.examples += 1
        outcome.statuses[response.status_code] += 1
        body = response.content.decode("utf-8", "replace") if response.content else ""
        detail = f"{case.as_curl_command(headers=headers)}\n→ {response.status_code} {body[:600]}"
        if theirs and response.status_code < 300:
            outcome.fail("other_team_object_served", label, detail)
        if MARKER in body:
            outcome.fail("other_team_data_in_body", label, detail)
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                outcome.fail(_check_name(failure), label, f"{failure.title}: {str(failure.message)[:400]}\n{detail}")

    return run


def _ids_into_path(data: st.DataObject, case, path: str, world: World) -> bool:
    """Replace path parameters by our ids or B's (or keep the generated value). True if any of B's ids went in."""
    theirs = False
    for name in list(case.path_parameters or {}):
        segment = _parameter_model_segment(path, name)
        if segment is None:
            continue
        pick = data.draw(st.sampled_from(["own", "own", "theirs", "generated"]), label=name)
        pool = (world.own if pick == "own" else world.theirs)[segment]
        if pick != "generated" and pool:
            case.path_parameters[name] = data.draw(st.sampled_from(pool), label=f"{name} id")
            theirs = theirs or pick == "theirs"
    return theirs


def _checks() -> list:
    from schemathesis import checks as base
    from schemathesis.specs.openapi import checks as openapi

    found = {name: getattr(base, name, None) or getattr(openapi, name) for name in CHECKS}
    return list(found.values())


def _check_name(failure: Exception) -> str:
    for attribute in ("check_name", "code"):
        value = getattr(failure, attribute, None)
        if value:
            return str(value)
    return type(failure).__name__
