from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from accounts.services import user_registration_errors
from outbox.services import email_queue


class SignupForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password; not only digits."),
    )

    def clean(self) -> dict:
        """Show every problem at once: the field checks above, then the account rules for what was entered."""
        data = super().clean()
        fields = {name: data.get(name) or self.data.get(name, "") for name in ("username", "email", "password")}
        for field, messages in user_registration_errors(**fields).items():
            if field not in self.errors:
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through the outbox (a Celery worker) instead of inside the request."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None) -> None:
        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        email_queue(to=to_email, subject=subject, body=body, sensitive=True)
