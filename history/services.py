from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from core.errors import NotFound
from history.models import Version

# Kinds of change that are landmarks in any artefact's history: each stays a version of its own, never merged with
# the edits around it (a restore must show as one, and "Created" is where the history starts).
LANDMARKS = frozenset({"create", "restore", "import", "duplicate"})
SUMMARY_MAX = 200
SUMMARY_SEPARATOR = " · "


def version_record(*, target: models.Model, number: int, action: str, snapshot: dict, user: User | None, summary: str = "") -> Version:
    """Record the state `target` is in after a change. The caller holds the lock on `target` and has bumped its
    version number to `number`.

    A change by the same person as the latest version, within HISTORY_COALESCE_MINUTES of that version's first
    change, extends it instead of adding one (moving a note by keyboard is many changes, and one step in the
    history): unless that version is named (a name marks a state to keep) or either change is a landmark. Since
    the latest version is the one extended, nothing by anyone else can have come between. Measured from the
    version's first change, so restore points stay at most that many minutes apart however long a session runs."""
    content_type = ContentType.objects.get_for_model(target)
    now = timezone.now()
    latest = Version.objects.filter(content_type=content_type, object_id=target.pk).defer("snapshot").order_by("-number").first()
    if latest is not None and _extends(latest, action=action, user=user, now=now):
        latest.number = number
        latest.action = action
        latest.kinds = " ".join(dict.fromkeys([*latest.kind_list, action]))
        latest.edits += 1
        latest.summary = _summary_merged(latest.summary, summary)
        latest.snapshot = snapshot
        latest.changed_at = now
        latest.save(update_fields=["number", "action", "kinds", "edits", "summary", "snapshot", "changed_at"])
        return latest
    return Version.objects.create(
        content_type=content_type,
        object_id=target.pk,
        number=number,
        action=action,
        kinds=action,
        summary=_summary_cut(summary),
        snapshot=snapshot,
        created_by=user,
        changed_at=now,
    )


def _extends(latest: Version, *, action: str, user: User | None, now: datetime) -> bool:
    window = timedelta(minutes=settings.HISTORY_COALESCE_MINUTES)
    return (
        window > timedelta(0)
        and user is not None
        and latest.created_by_id == user.pk
        and not latest.name
        and action not in LANDMARKS
        and latest.action not in LANDMARKS
        and now - latest.created_at <= window
    )


def _summary_merged(before: str, added: str) -> str:
    """The distinct things a coalesced version touched ("Cafés · Accountants"), in the order first touched."""
    if not added or added in before.split(SUMMARY_SEPARATOR):
        return before
    return _summary_cut(f"{before}{SUMMARY_SEPARATOR}{added}" if before else added)


def _summary_cut(summary: str) -> str:
    return summary if len(summary) <= SUMMARY_MAX else summary[: SUMMARY_MAX - 1] + "…"


@transaction.atomic
def version_name(*, target: models.Model, number: int, name: str) -> Version:
    """Name the version that holds state `number`: the version itself, or the coalesced one that took it in."""
    version = (
        Version.objects.select_for_update()
        .filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk, number__gte=number)
        .order_by("number")
        .first()
    )
    if version is None or version.first_number > number:
        raise NotFound()
    version.name = name.strip()
    version.full_clean()
    version.save(update_fields=["name"])
    return version
