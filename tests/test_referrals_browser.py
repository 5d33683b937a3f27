"""A referral in a real browser (Debian's chromium via Playwright) against a real `passage run`: the caseworker
previews exactly what the clinic will see and sends it; the clinic, without an account, opens the one-time link
in another browser, reads only what was shared (in Arabic, right to left, no script) and acknowledges it; the
link does not open a second time; the caseworker sees the answer and every look in the referral's history."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

# Made in the server's database by a `passage manage shell`: a clinic reached by link, a person who agreed to
# share their name and languages (not their phone), and a protection case of theirs.
SETUP = """
import json
from passage.cases import actions, provider_actions, referral_actions
from passage.core.models import Office, Programme, User
from passage.registry.actions import register_household
from passage.registry.registration import ConsentInput, PersonInput

caseworker = User.objects.get(username="caseworker")
office = Office.objects.filter(name="Baghdad", operation__memberships__user=caseworker).first()
operation = office.operation
programme = Programme.objects.filter(operation=operation, type="protection").first()
provider = provider_actions.create_provider(
    acting_user=None, operation=operation, name="Hope Clinic (browser)", type="ngo", channel="link",
    services=["health"],
)
consent = ConsentInput(granted=True, method="verbal", other_purposes={"sharing": True})
household = register_household(
    acting_user=None, operation=operation, office=office,
    members=[PersonInput(relationship="head", consent=consent, given_name_latin="Salwa", family_name_latin="Karim",
                         languages=["ar"], phones=["0770 555 9876"])],
)
person = household.members.get().person
referral_actions.record_sharing_scope(person=person, acting_user=None, items=["name", "languages"])
case = actions.open_case(acting_user=caseworker, programme=programme, office=office, person=person)
print(json.dumps({"case": str(case.pk), "person": str(person.pk), "provider": str(provider.pk)}))
"""


def made_in(server: dict[str, str]) -> dict[str, str]:
    env = {
        **os.environ,
        "PASSAGE_DATA_DIR": server["data_dir"],
        "PASSAGE_TESTING": "false",
        "DJANGO_SETTINGS_MODULE": "passage.config.settings",
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "passage.cli", "manage", "shell", "-c", SETUP],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def sign_in(page: Page, server: dict[str, str], username: str) -> None:
    page.goto(server["base"] + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()


def fresh_page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1100, "height": 800}).new_page()


def test_a_referral_is_sent_and_acknowledged_through_a_one_time_link(server: dict[str, str], page: Page) -> None:
    made = made_in(server)
    sign_in(page, server, "caseworker")
    page.goto(f"{server['base']}/cases/{made['case']}/referrals/")
    page.get_by_test_id("refer").click()
    page.get_by_label("Service").select_option("health")
    page.get_by_role("button", name="Find providers").click()

    # Only what she agreed to is offered; the phone is named as never shared.
    form = page.get_by_test_id("referral-form")
    expect(form.get_by_label("Name")).to_be_visible()
    expect(page.get_by_test_id("not-agreed")).to_contain_text("Phone number")
    form.get_by_label("Hope Clinic (browser)").check()
    form.get_by_label("Urgency").select_option("priority")
    form.get_by_label("Reason for the referral (the provider reads it)").fill("Follow-up of her diabetes.")
    form.get_by_label("Languages").uncheck()
    page.get_by_test_id("preview").click()
    preview = page.get_by_test_id("preview-card")
    expect(preview).to_contain_text("Salwa Karim")
    expect(preview).to_contain_text("Follow-up of her diabetes.")
    expect(preview.locator("[data-item='languages']")).to_have_count(0)
    page.get_by_test_id("send").click()
    url = page.get_by_test_id("link-url").input_value()
    assert "/cases/referral-link/" in url

    # The clinic, in another browser and without an account, in Arabic.
    clinic = fresh_page(page.context.browser)  # type: ignore[arg-type]
    clinic.goto(url)
    expect(clinic.get_by_role("heading")).to_contain_text("Hope Clinic (browser)")
    expect(clinic.locator("body")).not_to_contain_text("Salwa")  # nothing before it is opened
    clinic.get_by_label("Language").select_option("ar")
    clinic.get_by_role("button", name="Change").click()
    expect(clinic.locator("html")).to_have_attribute("dir", "rtl")
    clinic.get_by_test_id("open").click()
    expect(clinic.get_by_test_id("shared-data")).to_contain_text("Salwa Karim")
    expect(clinic.get_by_test_id("shared-data").locator("[data-item='languages']")).to_have_count(0)
    assert clinic.locator("script").count() == 0
    clinic.get_by_test_id("acknowledge").click()
    expect(clinic.get_by_test_id("referral-state")).not_to_have_text("Sent")

    # Opened once: a second browser is refused.
    other = fresh_page(page.context.browser)  # type: ignore[arg-type]
    other.goto(url)
    expect(other.get_by_test_id("link-refused")).to_be_visible()

    # The caseworker sees the answer and every look.
    page.get_by_role("link", name="Go to the referral").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("Acknowledged")
    history = page.get_by_test_id("history")
    for action in ("referral.link_landed", "referral.link_opened", "referral.link_viewed", "referral.acknowledged"):
        expect(history).to_contain_text(action)
    expect(history).to_contain_text("referral.link_refused")
