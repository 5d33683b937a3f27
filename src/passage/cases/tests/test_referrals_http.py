"""Referrals through the browser's requests: who may open what (the caseworker, a colleague of the same office,
one of another office, an outsider, a provider's user, an anonymous visitor with and without a token), the form
that shows exactly what the provider will see, the office's list, the inbox, and the one-time link: single use,
expiring, revocable, audited on every view, rate limited, minimal and right to left."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from passage.cases import referral_actions, referral_links, referral_views
from passage.cases.models import Sensitivity
from passage.cases.models.referrals import Referral, ReferralState
from passage.cases.tests.referral_helpers import send
from passage.conftest import sign_in
from passage.core.models import AuditEvent
from passage.registry.person_actions import current_decisions, withdraw_consent

pytest_plugins = ["passage.cases.tests.referral_fixtures"]


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


def client_of(user) -> Client:
    return sign_in(Client(), user)


def link_events(referral: Referral, *actions: str) -> int:
    return AuditEvent.objects.filter(object_id=str(referral.pk), action__in=actions).count()


@pytest.fixture
def sent(shared_case, clinic, owner):
    """A referral to the clinic (by link) and the link's token, as the caseworker passes it on."""
    return send(shared_case, clinic, owner)


def open_link(client: Client, token: str):
    return client.post(f"/cases/referral-link/{token}/")


# --- personas -----------------------------------------------------------------------------------------------


def test_who_opens_a_referral(sent, owner, colleague, far_colleague, outsider, lawyer, client):
    url = f"/cases/referrals/{sent.referral.pk}/"
    expected = {owner: 200, colleague: 200, far_colleague: 404, outsider: 404, lawyer: 404}
    for user, status in expected.items():
        assert client_of(user).get(url).status_code == status, user
    assert client.get(url).status_code == 302  # to sign in
    reads = AuditEvent.objects.filter(action="cases.referral.read", object_id=str(sent.referral.pk))
    assert set(reads.values_list("actor_id", flat=True)) == {owner.pk, colleague.pk}


def test_a_provider_user_sees_the_shared_data_and_not_the_case(shared_case, legal, lawyer, owner, operation):
    referral = send(shared_case, legal, owner, service="legal_aid").referral
    page = client_of(lawyer).get(f"/cases/referrals/{referral.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Amal" in html and shared_case.reference not in html and "History" not in html
    assert 'data-testid="acknowledge"' in html
    response = client_of(lawyer).post(f"/cases/referrals/{referral.pk}/answer/", {"answer": "acknowledge"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACKNOWLEDGED
    assert client_of(lawyer).post(f"/cases/referrals/{referral.pk}/close/", {"note": "x"}).status_code == 404
    inbox = client_of(lawyer).get("/cases/referrals/inbox/")
    assert inbox.status_code == 200 and referral.reference in inbox.content.decode()


def test_the_inbox_holds_only_the_providers_referrals(shared_case, clinic, legal, lawyer, owner):
    to_clinic = send(shared_case, clinic, owner).referral
    to_legal = send(shared_case, legal, owner, service="legal_aid").referral
    html = client_of(lawyer).get("/cases/referrals/inbox/?status=all").content.decode()
    assert to_legal.reference in html and to_clinic.reference not in html
    assert client_of(owner).get("/cases/referrals/inbox/").status_code == 403


def test_a_restricted_cases_referral_is_invisible_to_others(sent, shared_case, owner, colleague):
    from passage.cases import actions

    actions.set_sensitivity(
        case=shared_case, sensitivity=Sensitivity.RESTRICTED, acting_user=owner, version=None, reason="Survivor"
    )
    assert client_of(colleague).get(f"/cases/referrals/{sent.referral.pk}/").status_code == 404
    listed = client_of(colleague).get("/cases/referrals/?status=all").content.decode()
    assert sent.referral.reference not in listed
    assert sent.referral.reference in client_of(owner).get("/cases/referrals/?status=all").content.decode()


# --- sending from the form ----------------------------------------------------------------------------------


def test_the_form_offers_only_what_was_agreed_and_previews_exactly_it(shared_case, clinic, owner):
    browser = client_of(owner)
    url = f"/cases/{shared_case.pk}/referrals/new/"
    page = browser.get(f"{url}?person={shared_case.person.pk}&service=health").content.decode()
    assert "Hope Clinic" in page
    assert 'value="phone"' in page and 'value="documents"' not in page and 'value="address"' not in page
    data = {
        "person": str(shared_case.person.pk),
        "service": "health",
        "provider": str(clinic.pk),
        "urgency": "priority",
        "reason": "Needs a check-up",
        "items": ["name"],
        "preview": "1",
    }
    preview = browser.post(url, data)
    html = preview.content.decode()
    assert 'data-testid="preview-card"' in html and 'data-item="name"' in html and 'data-item="phone"' not in html
    assert preview["Cache-Control"] == "no-store"
    fingerprint = preview.context["fingerprint"]
    changed = browser.post(url, {**data, "items": ["name", "phone"], "send": "1", "previewed": fingerprint})
    assert "changed the referral since the preview" in changed.content.decode()
    assert not Referral.objects.exists()
    done = browser.post(url, {**data, "send": "1", "previewed": fingerprint})
    referral = Referral.objects.get()
    assert referral.shared_items == ["name"] and referral.urgency == "priority"
    token_url = done.context["url"]
    assert "/cases/referral-link/" in token_url and done["Cache-Control"] == "no-store"
    # The link shown is the one that opens.
    token = token_url.rstrip("/").rsplit("/", 1)[1]
    assert referral_links.find(token) == referral.links.get()


def test_the_form_says_why_nothing_can_be_shared(case, clinic, owner):
    page = client_of(owner).get(f"/cases/{case.pk}/referrals/new/?person={case.person.pk}&service=health")
    assert 'data-testid="sharing-refused"' in page.content.decode()


def test_the_scope_is_recorded_from_the_case(case, owner):
    from passage.registry.person_actions import record_consent

    record_consent(person=case.person, acting_user=None, purpose="sharing", granted=True, method="verbal")
    url = f"/cases/{case.pk}/referrals/consent/?person={case.person.pk}"
    assert client_of(owner).get(url).status_code == 200
    response = client_of(owner).post(url, {"person": str(case.person.pk), "items": ["name", "sex"]})
    assert response.status_code == 302
    from passage.cases.referral_sharing import consented

    assert consented(case.person).items == ["name", "sex"]


def test_the_office_list_highlights_overdue_referrals(sent, owner):
    Referral.objects.filter(pk=sent.referral.pk).update(acknowledge_by=timezone.now() - dt.timedelta(hours=1))
    html = client_of(owner).get("/cases/referrals/?status=overdue").content.decode()
    assert sent.referral.reference in html and "table-danger" in html and 'data-testid="overdue"' in html
    assert (
        sent.referral.reference in client_of(owner).get(f"/cases/{sent.referral.case_id}/referrals/").content.decode()
    )


# --- the one-time link --------------------------------------------------------------------------------------


def test_the_landing_shows_nothing_about_the_person_and_uses_nothing_up(sent, client):
    landing = client.get(f"/cases/referral-link/{sent.token}/")
    assert landing.status_code == 200
    html = landing.content.decode()
    assert "Hope Clinic" in html and "Amal" not in html and "check-up" not in html
    assert sent.referral.links.get().opened_at is None
    assert link_events(sent.referral, "referral.link_landed") == 1


def test_a_link_opens_once_for_one_browser_for_a_while(sent):
    browser = Client()
    opened = open_link(browser, sent.token)
    assert opened.status_code == 302
    page = browser.get(opened["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "Amal" in html and "check-up" in html
    assert 'data-item="name"' in html and 'data-item="phone"' in html and 'data-item="sex"' not in html
    assert browser.get(opened["Location"]).status_code == 200  # reloading, in the session
    assert browser.get(f"/cases/referral-link/{sent.token}/").status_code == 302  # back to the page
    other = Client()
    refused = open_link(other, sent.token)
    assert refused.status_code == 410 and "already opened" in refused.content.decode()
    assert other.get(opened["Location"]).status_code == 404  # no session: nothing
    assert link_events(sent.referral, "referral.link_opened") == 1
    assert link_events(sent.referral, "referral.link_viewed") == 2
    assert link_events(sent.referral, "referral.link_refused") == 2
    link = sent.referral.links.get()
    assert link.views == 2 and link.session_hash and link.session_hash != link.token_hash
    link.session_ends_at = timezone.now() - dt.timedelta(seconds=1)
    link.save()
    over = browser.get(opened["Location"])
    assert over.status_code == 410 and "has ended" in over.content.decode()


def test_an_expired_or_revoked_or_unknown_link_is_refused(sent, owner, client):
    link = sent.referral.links.get()
    link.expires_at = timezone.now() - dt.timedelta(minutes=1)
    link.save()
    assert open_link(client, sent.token).status_code == 410
    assert "expired" in client.get(f"/cases/referral-link/{sent.token}/").content.decode()
    issued = referral_actions.issue_link(referral=sent.referral, acting_user=owner)
    browser = Client()
    opened = open_link(browser, issued.token)
    referral_actions.revoke_link(link=issued.link, acting_user=owner, reason="sent to the wrong address")
    assert browser.get(opened["Location"]).status_code == 410
    assert open_link(Client(), issued.token).status_code == 410
    assert client.get("/cases/referral-link/" + "x" * 43 + "/").status_code == 404
    assert AuditEvent.objects.filter(action="referral.link_refused", object_id="").exists()


def test_the_provider_answers_through_the_link(sent):
    browser = Client()
    page_url = open_link(browser, sent.token)["Location"]
    answer_url = page_url + "answer/"
    for answer in (
        {"answer": "acknowledge"},
        {"answer": "accept"},
        {"answer": "deliver", "delivered_on": timezone.localdate().isoformat(), "service": "Consultation"},
        {"answer": "feedback", "feedback": "Seen, doing well."},
    ):
        assert browser.post(answer_url, answer).status_code == 302
    referral = Referral.objects.get(pk=sent.referral.pk)
    assert referral.state == ReferralState.DELIVERED and referral.provider_feedback == "Seen, doing well."
    event = AuditEvent.objects.get(action="referral.accepted", object_id=str(referral.pk))
    assert event.actor_id is None and event.actor_username == "Hope Clinic (link)"
    refused = browser.post(answer_url, {"answer": "accept"}, follow=True)
    assert "already answered" in refused.content.decode()
    assert Client().post(answer_url, {"answer": "acknowledge"}).status_code == 404


def test_a_withdrawn_consent_empties_the_link_page(sent):
    browser = Client()
    page_url = open_link(browser, sent.token)["Location"]
    withdraw_consent(consent=current_decisions(sent.referral.person)["sharing"], acting_user=None)
    html = browser.get(page_url).content.decode()
    assert 'data-testid="consent-withdrawn"' in html and "Amal" not in html


def test_a_closed_referral_closes_its_link(sent, owner):
    browser = Client()
    page_url = open_link(browser, sent.token)["Location"]
    referral_actions.cancel_referral(referral=sent.referral, acting_user=owner, reason="Moved away")
    assert browser.get(page_url).status_code == 410


def test_the_link_pages_are_rate_limited(sent, monkeypatch):
    monkeypatch.setattr(referral_links, "LINK_TRIES", 3)
    guesser = Client()
    statuses = [guesser.get(f"/cases/referral-link/{'y' * 43}/").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert AuditEvent.objects.filter(action="referral.link_refused").count() == 3  # the 429 reads nothing


def test_the_link_pages_are_minimal_safe_and_right_to_left(sent):
    browser = Client()
    browser.cookies["django_language"] = "ar"
    landing = browser.get(f"/cases/referral-link/{sent.token}/")
    page = browser.get(open_link(browser, sent.token)["Location"])
    for response in (landing, page):
        html = response.content.decode()
        assert 'dir="rtl"' in html and "<script" not in html and "style=" not in html and "navbar" not in html
        assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "same-origin"
        assert "noindex" in response["X-Robots-Tag"] and "script-src 'self'" in response["Content-Security-Policy"]
    cookie = browser.cookies[referral_links.cookie_name(sent.referral.links.get())]
    assert cookie["httponly"] and cookie["path"] == "/cases/referral-link/" and cookie["samesite"] == "Lax"


def test_staff_issue_and_revoke_links_from_the_referral(sent, owner, colleague):
    browser = client_of(owner)
    issued = browser.post(f"/cases/referrals/{sent.referral.pk}/links/")
    assert issued.status_code == 200 and "/cases/referral-link/" in issued.context["url"]
    assert sent.referral.links.filter(revoked_at__isnull=True).count() == 1
    live = sent.referral.links.get(revoked_at__isnull=True)
    assert browser.post(f"/cases/referrals/{sent.referral.pk}/links/{live.pk}/revoke/").status_code == 302
    live.refresh_from_db()
    assert live.revoked_at is not None
    page = browser.get(f"/cases/referrals/{sent.referral.pk}/").content.decode()
    assert "referral.link_issued" in page  # the history


# --- the directory ------------------------------------------------------------------------------------------


def test_the_directory_pages(clinic, owner, administrator, operation):
    caseworker_view = client_of(owner).get("/cases/referrals/providers/?service=health").content.decode()
    assert "Hope Clinic" in caseworker_view and 'data-testid="add-provider"' not in caseworker_view
    assert client_of(owner).get("/cases/referrals/providers/new/").status_code == 403
    assert client_of(owner).get(f"/cases/referrals/providers/{clinic.pk}/edit/").status_code == 404
    admin = client_of(administrator)
    made = admin.post(
        "/cases/referrals/providers/new/",
        {"name": "Safe House", "type": "ngo", "services": ["shelter"], "channel": "link", "areas": ""},
    )
    assert made.status_code == 302
    refused = admin.post(
        "/cases/referrals/providers/new/",
        {"name": "safe house", "type": "ngo", "services": ["shelter"], "channel": "link", "areas": "XX99"},
    )
    html = refused.content.decode()
    assert "already has a provider" in html or "P-code XX99" in html
    page = client_of(owner).get(f"/cases/referrals/providers/{clinic.pk}/").content.decode()
    assert "Dr Salma" in page and "referrals@hope.example" in page


def test_answer_form_errors_name_the_field(sent, owner):
    response = client_of(owner).post(f"/cases/referrals/{sent.referral.pk}/answer/", {"answer": "deliver"}, follow=True)
    assert "Give the date the service was delivered" in response.content.decode()


def test_fingerprint_changes_with_the_choice():
    base = {"person": "p", "provider": "q", "service": "health", "reason": "r", "items": ["name"]}
    assert referral_views.fingerprint(base) == referral_views.fingerprint({**base, "items": ["name"]})
    assert referral_views.fingerprint(base) != referral_views.fingerprint({**base, "items": ["name", "phone"]})
    assert referral_views.fingerprint(base) != referral_views.fingerprint({**base, "reason": "other"})


def test_lists_cost_a_bounded_number_of_queries(
    shared_case, clinic, legal, lawyer, owner, django_assert_max_num_queries
):
    for _ in range(12):
        send(shared_case, legal, owner, service="legal_aid")
        send(shared_case, clinic, owner)
    browser, provider_browser = client_of(owner), client_of(lawyer)
    browser.get("/cases/referrals/")  # warm the session and the grants
    # Measured with 24 referrals: 12, 15, 14 and 9 queries, whatever their number.
    for who, url, most in (
        (browser, "/cases/referrals/?status=all", 13),
        (browser, f"/cases/{shared_case.pk}/referrals/", 16),
        (browser, "/cases/referrals/providers/", 15),
        (provider_browser, "/cases/referrals/inbox/?status=all", 10),
    ):
        with django_assert_max_num_queries(most):
            assert who.get(url).status_code == 200
