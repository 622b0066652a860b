from django import forms
from django.utils.translation import gettext_lazy as _

from ingest.sniffing import REQUIRED_ROLES, ROLES

ROLE_LABELS = {
    "user_id": _("User / customer"),
    "timestamp": _("Time"),
    "event": _("Event"),
    "amount": _("Amount"),
    "quantity": _("Quantity"),
    "product": _("Product"),
    "channel": _("Channel"),
}


class DatasetUploadForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    file = forms.FileField(label=_("CSV file (also .csv.gz or .zip)"))


class MappingForm(forms.Form):
    """The file's encoding (among those that decode its start), then one choice per role among the file's columns;
    user and time are required."""

    encoding = forms.ChoiceField(label=_("Encoding"), required=False)
    date_order = forms.ChoiceField(
        label=_("Dates like 1/2/2024 mean"),
        choices=[("", _("(no such dates)")), ("day_first", _("day first: 1 February")), ("month_first", _("month first: January 2"))],
        required=False,
    )
    keep_extra_columns = forms.BooleanField(label=_("Keep the other columns as properties of each event"), required=False)

    def __init__(self, *args: object, columns: list[str], encodings: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["encoding"].choices = [(name, name) for name in encodings]
        options = [("", "—"), *((column, column) for column in columns)]
        for role in ROLES:
            self.fields[role] = forms.ChoiceField(label=ROLE_LABELS[role], choices=options, required=role in REQUIRED_ROLES)
        self.order_fields(["encoding", *ROLES, "date_order", "keep_extra_columns"])

    def mapping(self) -> dict[str, str]:
        return {role: self.cleaned_data[role] for role in ROLES if self.cleaned_data.get(role)}
