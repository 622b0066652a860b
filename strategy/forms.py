from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms import modelform_factory
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from strategy import labels
from strategy.resources import RESOURCES, Resource

FORM_FIELDS = {"first_id": "first", "second_id": "second", "owner_id": "owner"}


def row_form_class(resource: Resource) -> type[forms.ModelForm]:
    """A form for one kind of row: its editable fields, plus the version it was loaded at (hidden)."""
    fields = [FORM_FIELDS.get(name, name) for name in resource.fields]
    base = modelform_factory(resource.model, fields=fields, formfield_callback=_formfield)
    return type(
        f"{resource.model.__name__}Form", (base,), {"version": forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)}
    )


def _formfield(field: models.Field, **kwargs: object) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # "example.com" means https://example.com (Django 6's default)
    low = next((v.limit_value for v in field.validators if isinstance(v, MinValueValidator)), None)
    high = next((v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)), None)
    if isinstance(field, models.IntegerField) and low is not None and high is not None:
        # A score on a scale (probability, impact, weight…): the input says the scale and keeps to it (min/max).
        kwargs.update(min_value=low, max_value=high, help_text=format_lazy(_("From {low} (low) to {high} (high)."), low=low, high=high))
    return field.formfield(**kwargs)


ROW_FORMS = {key: row_form_class(resource) for key, resource in RESOURCES.items()}


def row_form(resource: Resource, *, team_members: object, insights: object, language: str, **kwargs: object) -> forms.ModelForm:
    form = ROW_FORMS[resource.key](**kwargs)
    if "owner" in form.fields:
        form.fields["owner"].queryset = team_members
    for name in ("first", "second"):
        if name in form.fields:
            form.fields[name].queryset = insights
    for name, coded in labels.CODED.items():  # choices in the reader's language, from the same table as the pages
        if name in form.fields:
            names = {label.key: label.name(language) for label in coded}
            form.fields[name].choices = [(value, names.get(value, text)) for value, text in form.fields[name].choices]
    return form


def form_to_service_fields(resource: Resource, cleaned: dict) -> dict:
    """Form values → service keyword arguments (foreign keys by id)."""
    fields = {}
    for name in resource.fields:
        source = FORM_FIELDS.get(name, name)
        if source in cleaned:
            value = cleaned[source]
            fields[name] = value.pk if name in FORM_FIELDS and value is not None else value
    return fields
