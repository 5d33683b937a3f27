"""Issue 5's end to end in a real browser (Debian's chromium via Playwright) against a real `passage run`: a
caseworker opens a protection case from a person's page, fills the DoMV vulnerability assessment and reads its
score, refers the person to a clinic that acknowledges through its one-time link in another browser, sees the
case escalated once its state is overdue, and closes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Made in the server's database by a `passage manage shell`: the library's DoMV form as an administrator uploads
# it, a clinic reached by link, and a person who agreed to share their name.
SETUP = """
import json
from passage.cases import provider_actions, referral_actions
from passage.cases.assessment_actions import upload_form
from passage.cases.xlsform.library.build import LIBRARY
from passage.core.models import Office, User
from passage.registry.actions import register_household
from passage.registry.registration import ConsentInput, PersonInput

caseworker = User.objects.get(username="caseworker")
office = Office.objects.filter(name="Baghdad", operation__memberships__user=caseworker).first()
operation = office.operation
domv = upload_form(
    acting_user=None, operation=operation, filename="vulnerability_domv.xlsx",
    content=(LIBRARY / "vulnerability_domv.xlsx").read_bytes(),
)
provider = provider_actions.create_provider(
    acting_user=None, operation=operation, name="Safe House (browser)", type="ngo", channel="link",
    services=["health"],
)
consent = ConsentInput(granted=True, method="verbal", other_purposes={"sharing": True})
household = register_household(
    acting_user=None, operation=operation, office=office,
    members=[PersonInput(relationship="head", consent=consent, given_name_latin="Nadia", family_name_latin="Hamid")],
)
person = household.members.get().person
referral_actions.record_sharing_scope(person=person, acting_user=None, items=["name"])
print(json.dumps({"person": str(person.pk), "domv": str(domv.template_id)}))
"""

# Puts the case's state past its deadline, then runs what the periodic task runs.
OVERDUE = """
import datetime as dt
from django.utils import timezone
from passage.cases.escalation import escalate_overdue
from passage.cases.models import Case

past = timezone.now() - dt.timedelta(days=30)
Case.objects.filter(pk="{case}").update(state_entered_at=past, state_due_at=past + dt.timedelta(days=3))
print(escalate_overdue().cases)
"""


def in_server(server: dict[str, str], code: str) -> str:
    env = {
        **os.environ,
        "PASSAGE_DATA_DIR": server["data_dir"],
        "PASSAGE_TESTING": "false",
        "DJANGO_SETTINGS_MODULE": "passage.config.settings",
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "passage.cli", "manage", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def sign_in(page: Page, server: dict[str, str], username: str) -> None:
    page.goto(server["base"] + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()


def answer(page: Page, name: str, value: str) -> None:
    field = page.locator(f"[name='{name}']")
    expect(field.first).to_be_attached()
    if field.first.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        page.locator(f"[name='{name}'][value='{value}']").check()


def test_a_protection_case_from_intake_to_closure(server: dict[str, str], page: Page) -> None:
    made = json.loads(in_server(server, SETUP))
    sign_in(page, server, "caseworker")

    # A protection case, opened from the person's page.
    page.goto(f"{server['base']}/registry/people/{made['person']}/")
    page.get_by_test_id("subject-cases").get_by_test_id("open-case").click()
    page.get_by_label("Programme").select_option(label="Protection and direct assistance to vulnerable migrants")
    page.get_by_label("Office").select_option(label="Baghdad")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_test_id("state")).to_have_text("Screening")
    case_url = page.url.split("?")[0]
    case_id = case_url.rstrip("/").rsplit("/", 1)[-1]

    # The DoMV vulnerability assessment: two factors rated, the others not assessed; its score.
    page.goto(f"{server['base']}/cases/{case_id}/assessments/{made['domv']}/fill/")
    answer(page, "levels", "individual")
    answer(page, "age_polarity", "risk")
    answer(page, "age_severity", "3")
    answer(page, "personal_history_polarity", "protective")
    answer(page, "personal_history_severity", "1")
    names = page.locator("[name$='_polarity']:visible").evaluate_all("fields => [...new Set(fields.map(f => f.name))]")
    for name in names:
        if name not in ("age_polarity", "personal_history_polarity"):
            answer(page, name, "not_assessed")
    page.get_by_role("button", name="Submit").click()
    errors = page.get_by_test_id("form-errors")
    expect(page.get_by_test_id("answers").or_(errors)).to_be_visible()
    assert not errors.count(), errors.inner_text()
    expect(page.get_by_test_id("answers")).to_contain_text("Age: severity3 – high")
    expect(page.get_by_test_id("submission-meta")).to_contain_text("· 2")  # net score: risk 3, protective 1
    page.goto(case_url)
    expect(page.get_by_test_id("timeline")).to_contain_text("vulnerability_domv")

    # A referral to the clinic, acknowledged through its one-time link in another browser.
    page.goto(f"{case_url}referrals/")
    page.get_by_test_id("refer").click()
    page.get_by_label("Service").select_option("health")
    page.get_by_role("button", name="Find providers").click()
    form = page.get_by_test_id("referral-form")
    form.get_by_label("Safe House (browser)").check()
    form.get_by_label("Reason for the referral (the provider reads it)").fill("A safe place to stay.")
    page.get_by_test_id("preview").click()
    page.get_by_test_id("send").click()
    url = page.get_by_test_id("link-url").input_value()
    provider = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    provider.goto(url)
    provider.get_by_test_id("open").click()
    expect(provider.get_by_test_id("shared-data")).to_contain_text("Nadia Hamid")
    provider.get_by_test_id("acknowledge").click()
    expect(provider.get_by_test_id("referral-state")).not_to_have_text("Sent")
    page.get_by_role("link", name="Go to the referral").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("Acknowledged")

    # Overdue in screening: the escalation the periodic task runs leaves a task on the case.
    assert in_server(server, OVERDUE.replace("{case}", case_id)) == "1"
    page.goto(case_url)
    expect(page.get_by_test_id("open-tasks")).to_contain_text("overdue")
    expect(page.get_by_test_id("timeline")).to_contain_text("escalated")

    # Closed.
    page.get_by_test_id("step-withdraw").get_by_role("link").click()
    page.get_by_label("Reason").fill("Safe and settled; she asked us to close.")
    page.get_by_test_id("take-step").click()
    expect(page.get_by_test_id("closed")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text("Safe and settled; she asked us to close.")
