from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import LanguageForm, OutboxPasswordResetForm, SignupForm
from accounts.selectors import user_has_api_token
from accounts.services import (
    password_reset_allowed,
    user_activate,
    user_activation_find,
    user_api_token_rotate,
    user_language_set,
    user_login_throttle_clear,
    user_sign_up,
)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` parameter if it points into this site, else `fallback` (no open redirects)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return fallback


def signup(request: HttpRequest) -> HttpResponse:
    """Sign up: the answer is "check your inbox" whether or not the address has an account (it tells nobody which);
    the link in the mail confirms the account, signs in and continues where the visitor was going (an invitation)."""
    if request.user.is_authenticated:
        return redirect(_safe_next(request, reverse("home")))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_sign_up(
                **form.cleaned_data,
                language=request.LANGUAGE_CODE,
                site_url=request.build_absolute_uri("/"),
                next_url=_safe_next(request, ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("signup_sent")
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request, "")})


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


@never_cache
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the sign-up mail. Opening it shows a button (a mail scanner fetching links activates nothing);
    pressing it confirms the account and signs in."""
    user = user_activation_find(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/activate.html", {"valid": False}, status=400)
    if request.method != "POST":
        return render(request, "accounts/activate.html", {"valid": True, "next": _safe_next(request, "")})
    user_activate(user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    next_url = _safe_next(request, "")
    if next_url:
        messages.success(request, _("Welcome to bizcanvas, %(name)s.") % {"name": user.username})
        return redirect(next_url)
    messages.success(request, _("Welcome to bizcanvas, %(name)s. Start by creating a team.") % {"name": user.username})
    return redirect("teams:list")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language: saved on the account when signed in, in a cookie always."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(_safe_next(request, reverse("home")))
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            user_language_set(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@login_required
@never_cache
def account_settings(request: HttpRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST" and request.POST.get("action") == "rotate_token":
        new_token = user_api_token_rotate(user=request.user).key
        messages.success(request, _("A new API token was created. Copy it now: this page will not show it again."))
    context = {"has_token": new_token is not None or user_has_api_token(user=request.user), "new_token": new_token}
    return render(request, "accounts/settings.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, rate-limited per address and per IP. Over the limit nothing is sent, but the visitor
    sees the same "check your inbox" page as always: the answer tells nothing about accounts or limits."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if password_reset_allowed(email=form.cleaned_data["email"], ip_address=get_client_ip_address(self.request) or ""):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        user_login_throttle_clear(user=form.user)
        return response


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account_settings")
    success_message = gettext_lazy("Your password was changed.")
