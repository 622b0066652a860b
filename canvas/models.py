import posixpath
import re
from urllib.parse import unquote

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from canvas.blueprints import BLUEPRINTS, PALETTE, Blueprint
from canvas.sources import Provenance, Stale, provenance_of, validate_source
from core.choices import TextChoices
from core.scoping import team_scoped
from history.models import Version
from ventures.models import Venture

TEXT_MAX = 500
NOTE_MAX = 2000
# What a note says, as opposed to where it sits (block, position): the fields services edit, history snapshots,
# exports write and imports read (an import drops what ties a note to this site's data: see canvas.sources).
ITEM_CONTENT_FIELDS = ("text", "color", "note", "is_assumption", "assumption_status", "evidence", "evidence_figure", "source", "finding")


class CanvasKind(TextChoices):
    BUSINESS_MODEL = "business_model", _("Business Model Canvas")
    LEAN = "lean", _("Lean Canvas")


class AssumptionStatus(TextChoices):
    UNTESTED = "untested", _("Untested")
    TESTING = "testing", _("Testing")
    VALIDATED = "validated", _("Validated")
    INVALIDATED = "invalidated", _("Invalidated")


class CanvasChange(TextChoices):
    """The kinds of change a canvas's history records (history.Version.action and kinds)."""

    CREATE = "create", pgettext_lazy("history action", "Created")
    ITEM_ADD = "item_add", _("Note added")
    ITEM_EDIT = "item_edit", _("Note edited")
    ITEM_MOVE = "item_move", _("Note moved")
    ITEM_DELETE = "item_delete", _("Note deleted")
    TITLE = "title", _("Renamed")
    RESTORE = "restore", pgettext_lazy("history action", "Restored")
    IMPORT = "import", _("Imported")
    DUPLICATE = "duplicate", _("Duplicated")


COLOR_CHOICES = [(value, english) for value, (english, _chinese, _css) in PALETTE.items()]


class Canvas(models.Model):
    """A canvas of one venture. `version` goes up by one with every change to the canvas or its items; each
    value has a `history.Version` snapshot."""

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="canvases", verbose_name=_("venture"))
    kind = models.CharField(_("kind"), max_length=20, choices=CanvasKind.choices)
    title = models.CharField(_("title"), max_length=120)
    version = models.PositiveIntegerField(default=1)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    versions = GenericRelation(Version)  # deleting the canvas deletes its history

    objects = team_scoped("venture__team")

    class Meta:
        ordering = [F("archived_at").asc(nulls_first=True), "-updated_at", "id"]
        verbose_name = _("canvas")
        verbose_name_plural = _("canvases")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("canvas:detail", args=[self.pk])

    @property
    def blueprint(self) -> Blueprint:
        return BLUEPRINTS[self.kind]


SITE_PATH = re.compile(r"/(?!/)[\w\-./?=&#%]*")


# The one kind of chart an item can cite: an analysis's figure (what evidence.services writes).
FIGURE_PATH = re.compile(r"/api/v1/analyses/[0-9]+/figures/[-a-zA-Z0-9_]+/", re.ASCII)


def validate_figure_path(value: str) -> None:
    """A chart behind an item is fetched by teammates' browsers, so it must be an analysis figure of this site's API
    as the browser will resolve it: checked after percent-decoding and path normalisation, so `/api/%2e%2e/…`,
    `/api/v1/..%2f…`, backslashes (which browsers read as `/`), `//host` and schemes are all refused."""
    decoded = value
    while (step := unquote(decoded)) != decoded:  # %252e is %2e once decoded, then `.`
        decoded = step
    normalised = posixpath.normpath(decoded) + ("/" if decoded.endswith("/") else "")
    if decoded != value or "\\" in value or normalised != value or not FIGURE_PATH.fullmatch(value):
        raise ValidationError(_("The evidence chart must be a path of this site's API."), code="figure_path")


class CanvasItem(models.Model):
    """A sticky note in one block. `position` counts from 0 and stays contiguous within (canvas, block);
    `version` goes up with every change to this item (optimistic concurrency: a stale edit is refused)."""

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="items")
    block = models.CharField(_("block"), max_length=40)
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(_("text"), max_length=TEXT_MAX)
    color = models.CharField(_("colour"), max_length=10, choices=COLOR_CHOICES, default="yellow")
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    is_assumption = models.BooleanField(_("assumption"), default=False)
    assumption_status = models.CharField(
        _("assumption status"), max_length=12, choices=AssumptionStatus.choices, default=AssumptionStatus.UNTESTED
    )
    evidence = models.CharField(_("evidence"), max_length=500, blank=True, help_text=_("A note or a link to what tested it."))
    # Set when the item came from an analysis: the same-site API path of the chart that backs it (a badge opens it).
    evidence_figure = models.CharField(max_length=300, blank=True, validators=[validate_figure_path])
    # Set when the item came from data (see canvas.sources): where its figures come from, shown on its face, and the
    # finding it states, unique on the canvas, so a newer run of the same finding updates this note instead of adding one.
    source = models.JSONField(default=dict, blank=True, validators=[validate_source])
    finding = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = team_scoped("canvas__venture__team")
    stale: list[Stale]  # set by canvas.sources.sources_check on the items a page or an answer shows

    class Meta:
        ordering = ["block", "position", "id"]
        indexes = [models.Index(fields=["canvas", "block", "position"])]
        constraints = [
            models.UniqueConstraint(fields=["canvas", "finding"], condition=~models.Q(finding=""), name="canvas_item_one_note_per_finding")
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def css_color(self) -> str:
        return PALETTE.get(self.color, PALETTE["yellow"])[2]

    @property
    def evidence_url(self) -> str:
        """The evidence if it is a web link (only http and https: never javascript: or data:) or a path on this
        site (an analysis page), else ""."""
        if self.evidence.startswith(("https://", "http://")) or SITE_PATH.fullmatch(self.evidence):
            return self.evidence
        return ""

    @property
    def is_untested_assumption(self) -> bool:
        """An assumption nobody has started testing (one being tested is counted apart: `is_assumption_in_test`)."""
        return self.is_assumption and self.assumption_status == AssumptionStatus.UNTESTED

    @property
    def is_assumption_in_test(self) -> bool:
        return self.is_assumption and self.assumption_status == AssumptionStatus.TESTING

    @property
    def provenance(self) -> "Provenance | None":
        """Where a note from data got its figures, for its face; None for a note someone wrote."""
        return provenance_of(self.source)


class ItemComment(models.Model):
    """A comment on a note. It refers to the note by id rather than by foreign key, so that deleting a note keeps
    its comments and restoring the note from history brings them back with it."""

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="comments")
    item_ref = models.PositiveBigIntegerField(db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(_("comment"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
