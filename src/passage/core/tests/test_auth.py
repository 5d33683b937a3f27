"""Signing in: generic failures, lockout, two-factor for roles that need it, sign out, CSRF."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from passage.core.models import AuditEvent


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_caseworker_signs_in_and_out(client, caseworker):
    response = client.post("/login/", {"username": caseworker.username, "password": "correct horse battery"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor_id=caseworker.pk).exists()
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_gets_one_generic_message_and_an_audit_event(client, caseworker):
    wrong_password = client.post("/login/", {"username": caseworker.username, "password": "nope"})
    unknown_user = client.post("/login/", {"username": "nobody-here", "password": "nope"})
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert "do not match an active account" in response.content.decode()
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert {e.actor_username for e in failures} == {caseworker.username, "nobody-here"}
    assert all("nope" not in str(e.changes) for e in failures)


def test_repeated_failures_lock_the_account_out(client, caseworker, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": caseworker.username, "password": "nope"})
    locked = client.post("/login/", {"username": caseworker.username, "password": "correct horse battery"})
    assert locked.status_code in (403, 429)
    assert "Too many failed attempts" in locked.content.decode()
    assert client.get("/").status_code == 302  # still not signed in


def test_administrator_must_enrol_two_factor_before_using_the_site(client, administrator):
    response = client.post("/login/", {"username": administrator.username, "password": "correct horse battery"})
    assert response.url.startswith("/two-factor/")
    assert client.get("/manage/users/").status_code == 302  # redirected back to the two-factor step
    page = client.get("/two-factor/")
    assert "Set up two-factor authentication" in page.content.decode()
    device = TOTPDevice.objects.get(user=administrator, confirmed=False)
    assert client.post("/two-factor/", {"token": "000000"}).status_code == 200
    done = client.post("/two-factor/", {"token": _code(device), "next": "/manage/users/"})
    assert done.status_code == 302 and done.url == "/manage/users/"
    assert client.get("/manage/users/").status_code == 200
    assert AuditEvent.objects.filter(action="user.two_factor_enrol").exists()


def test_enrolled_dpo_enters_a_code_at_each_sign_in(client, dpo, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the back-off after a wrong code is django-otp's, tested there
    device = TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)
    client.post("/login/", {"username": dpo.username, "password": "correct horse battery"})
    assert client.get("/audit/").status_code == 302
    assert client.post("/two-factor/", {"token": "123456"}).status_code == 200
    assert client.post("/two-factor/", {"token": _code(device)}).status_code == 302
    assert client.get("/audit/").status_code == 200


def test_forms_need_a_csrf_token(caseworker):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(caseworker)
    assert strict.post("/jobs/start/", {"kind": "core.selftest"}).status_code == 403
    assert strict.post("/login/", {"username": "x", "password": "y"}).status_code == 403


def test_next_cannot_send_people_to_another_site(client, caseworker):
    response = client.post(
        "/login/",
        {"username": caseworker.username, "password": "correct horse battery", "next": "https://evil.example/phish"},
    )
    assert response.url == "/"
