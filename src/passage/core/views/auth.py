"""Sign in (password, then a code for roles that need two factors), sign out, change password."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from passage.core import access, actions
from passage.core.forms import LoginForm, PasswordChangeForm, TokenForm
from passage.core.views._util import add_action_errors, me


def _next_url(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return render(request, "core/auth/locked_out.html", status=403)
        if user is None:
            # One message for every failure: it must not tell which of the two was wrong.
            form.add_error(None, _("That username and password do not match an active account."))
        else:
            login(request, user)
            if access.requires_two_factor(user) or user_has_device(user):
                return redirect(f"/two-factor/?next={_next_url(request)}")
            return redirect(_next_url(request))
    return render(request, "core/auth/login.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Verify a code from the user's authenticator app, or enrol one if they have none yet."""
    user = me(request)  # is_verified() is added by django-otp's middleware
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = TokenForm(request.POST or None)
    if confirmed is not None:
        if request.method == "POST" and form.is_valid():
            allowed, _why = confirmed.verify_is_allowed()
            if not allowed:
                form.add_error("token", _("Too many wrong codes: wait a few seconds, then enter the newest one."))
            elif confirmed.verify_token(form.cleaned_data["token"].strip().replace(" ", "")):
                otp_login(request, confirmed)
                return redirect(_next_url(request))
            else:
                form.add_error("token", _("That code is not right, or it has expired. Try the newest one."))
        return render(request, "core/auth/two_factor.html", {"form": form, "next": _next_url(request)})

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
    if request.method == "POST" and form.is_valid():
        try:
            actions.confirm_two_factor_device(
                acting_user=user,
                device=device,
                token=form.cleaned_data["token"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on for your account."))
            return redirect(_next_url(request))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    qr = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
    return render(
        request,
        "core/auth/two_factor_enrol.html",
        {"form": form, "secret": secret, "qr": qr, "next": _next_url(request)},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(
                user=me(request),
                acting_user=me(request),
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            update_session_auth_hash(request, me(request))
            messages.success(request, _("Your password has been changed."))
            return redirect("profile")
    return render(request, "core/auth/password_change.html", {"form": form})
