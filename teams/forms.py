from django import forms
from django.utils.translation import gettext_lazy as _

from teams.models import Role
from teams.services import LINK_ROLES


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)


class InviteForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        help_text=_("People with an account join at once; a new e-mail address receives an invitation link."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class InviteLinkForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[(role.value, role.label) for role in LINK_ROLES], initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
