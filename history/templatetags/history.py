"""How a version reads in a history list, for every versioned artefact: its kind(s) of change and how many."""

from collections.abc import Mapping

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from history.models import Version

register = template.Library()


@register.simple_tag
def version_change(version: Version, kind_labels: Mapping[str, str]) -> str:
    """ "Note moved"; "Note moved, 3 times" (coalesced edits of one kind); "5 edits: Note added, Note moved"."""
    if version.action == "restore":
        return _("Restored version %(number)s") % {"number": version.summary}
    kinds = [str(kind_labels.get(kind, kind)) for kind in version.kind_list]
    if version.edits == 1:
        return kinds[-1]
    if len(kinds) == 1:
        return ngettext("%(kind)s, %(count)s time", "%(kind)s, %(count)s times", version.edits) % {"kind": kinds[0], "count": version.edits}
    return ngettext("%(count)s edit: %(kinds)s", "%(count)s edits: %(kinds)s", version.edits) % {
        "count": version.edits,
        "kinds": _(", ").join(kinds),
    }
