"""Issue 5's end to end in a real browser (Debian's chromium via Playwright) against a real `passage run`: a
caseworker walks a protection case through its workflow's procedure, with the buttons a caseworker uses, from
intake to closure. Screening: the intake form filled in the browser and the signed consent uploaded, then the
escalation the periodic task makes once the state is overdue, and "Screening complete". Individual assessment: the
DoMV vulnerability assessment with its score, and "Plan the assistance". Case and assistance plan: the plan's form,
an approval asked for, which the caseworker who asked is not offered to give, given by a second caseworker in
another browser (four eyes), and "Plan approved". Referral and direct assistance: a referral to a clinic that
acknowledges through its one-time link in a third browser, and "Assistance delivered". Monitoring: the monitoring
and closure forms, and "Close the case". The timeline shows every step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Made in the server's database by a `passage manage shell`: the forms the workflow's steps require, as an
# administrator uploads them (the library's intake and DoMV forms; the plan, monitoring and closure forms a
# programme writes itself, here small ones), a second caseworker of the same operation for the four-eyes approval,
# a clinic reached by link, and a person who agreed to share their name.
SETUP = """
import json
from passage.cases import provider_actions, referral_actions
from passage.cases.assessment_actions import upload_form
from passage.cases.xlsform.library.build import LIBRARY, xlsform_bytes
from passage.core.actions import create_user
from passage.core.demo import demo_password
from passage.core.models import Office, Role, User
from passage.registry.actions import register_household
from passage.registry.registration import ConsentInput, PersonInput

caseworker = User.objects.get(username="caseworker")
office = Office.objects.filter(name="Baghdad", operation__memberships__user=caseworker).first()
operation = office.operation
for name in ("protection_intake", "vulnerability_domv"):
    upload_form(
        acting_user=None, operation=operation, filename=f"{name}.xlsx",
        content=(LIBRARY / f"{name}.xlsx").read_bytes(),
    )
own_forms = {
    "assistance_plan": ("Case and assistance plan", [
        {"type": "text", "name": "objectives", "label": "Objectives agreed with the person", "required": "yes"},
        {"type": "select_multiple service", "name": "services", "label": "Services in the plan", "required": "yes"},
        {"type": "date", "name": "review_on", "label": "Review the plan on", "required": "yes"},
    ], [
        {"list_name": "service", "name": "shelter", "label": "Safe accommodation"},
        {"list_name": "service", "name": "health", "label": "Health care"},
        {"list_name": "service", "name": "legal", "label": "Legal aid"},
    ]),
    "case_monitoring": ("Case monitoring visit", [
        {"type": "date", "name": "visit_date", "label": "Date of the visit", "required": "yes"},
        {"type": "select_one progress", "name": "progress", "label": "Is the plan on track?", "required": "yes"},
    ], [
        {"list_name": "progress", "name": "on_track", "label": "On track"},
        {"list_name": "progress", "name": "behind", "label": "Behind"},
    ]),
    "case_closure": ("Case closure", [
        {"type": "select_one reason", "name": "closure_reason", "label": "Why is the case closed?", "required": "yes"},
        {"type": "text", "name": "situation", "label": "Her situation at closure", "required": "yes"},
    ], [
        {"list_name": "reason", "name": "objectives_met", "label": "The plan's objectives are met"},
        {"list_name": "reason", "name": "moved", "label": "She moved away"},
    ]),
}
for code, (title, survey, choices) in own_forms.items():
    upload_form(
        acting_user=None, operation=operation, filename=f"{code}.xlsx",
        content=xlsform_bytes(survey, choices, {"form_title": title, "form_id": code, "version": "1"}),
    )
create_user(
    acting_user=None, operation=operation, username="caseworker2", role=Role.objects.get(code="caseworker"),
    first_name="Rana", last_name="Saleh", password=demo_password(),
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
print(json.dumps({"person": str(person.pk)}))
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

# A form's answers go to the server on every change, which sends the form back with relevance and choices worked
# out again: counting the swaps lets a test wait for each one before it answers the next question.
COUNT_REFRESHES = """
window.__refreshes = 0;
document.addEventListener("htmx:afterSettle", () => { window.__refreshes += 1; });
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


def refreshed(page: Page, change: Callable[[], object]) -> None:
    """Make a change to the form, then wait until the server has sent the form back."""
    before = page.evaluate("window.__refreshes")
    change()
    page.wait_for_function("n => window.__refreshes > n", arg=before)


def answer(page: Page, name: str, value: str) -> None:
    field = page.locator(f"[name='{name}']")
    expect(field.first).to_be_visible()
    if field.first.evaluate("e => e.tagName") == "SELECT":
        refreshed(page, lambda: field.select_option(value))
    else:
        refreshed(page, lambda: page.locator(f"[name='{name}'][value='{value}']").check())


def write(page: Page, name: str, text: str) -> None:
    field = page.locator(f"[name='{name}']")
    expect(field).to_be_visible()

    def type_and_leave() -> None:
        field.fill(text)
        field.dispatch_event("change")

    refreshed(page, type_and_leave)


def fill_in(page: Page, code: str) -> None:
    """From the case's page, the Forms tab's "Fill in" of the form `code`."""
    page.get_by_test_id("case-tabs").get_by_role("link", name="Forms and assessments").click()
    page.get_by_test_id(f"form-{code}").get_by_role("link", name="Fill in").click()
    expect(page.get_by_test_id("fill-form")).to_be_visible()


def submit(page: Page) -> None:
    page.get_by_role("button", name="Submit").click()
    errors = page.get_by_test_id("form-errors")
    expect(page.get_by_test_id("answers").or_(errors)).to_be_visible()
    assert not errors.count(), errors.inner_text()


def take_step(page: Page, code: str, label: str, to: str, reason: str = "") -> None:
    """The step's button on the case's page, then the step's page with its optional reason."""
    page.get_by_test_id(f"step-{code}").get_by_role("link", name=label).click()
    if reason:
        page.get_by_label("Reason").fill(reason)
    page.get_by_test_id("take-step").click()
    if to == "Closed":
        expect(page.get_by_test_id("closed")).to_be_visible()
    else:
        expect(page.get_by_test_id("state")).to_have_text(to)


def test_a_protection_case_from_intake_to_closure(server: dict[str, str], page: Page, tmp_path: Path) -> None:
    made = json.loads(in_server(server, SETUP))
    page.context.add_init_script(COUNT_REFRESHES)
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
    screening = page.get_by_test_id("step-complete_screening")
    expect(screening).to_contain_text("no document of the kind Signed consent")
    expect(screening.get_by_role("link")).to_have_count(0)

    # Screening: the intake form, filled in the browser; the rest of it shows once she consents.
    fill_in(page, "protection_intake")
    answer(page, "consent", "yes")
    write(page, "full_name", "Nadia Hamid")
    answer(page, "sex", "female")
    write(page, "age", "34")
    answer(page, "governorate", "gov_a")
    answer(page, "district", "gov_a_2")  # offered once the governorate is chosen
    answer(page, "needs", "shelter")
    answer(page, "needs", "health")
    answer(page, "safety_risk", "medium")
    submit(page)
    expect(page.get_by_test_id("answers")).to_contain_text("Nadia Hamid")
    page.goto(case_url)
    expect(screening).to_contain_text("no document of the kind Signed consent")

    # The signed consent, uploaded.
    page.get_by_text("Add a document").click()
    page.get_by_label("Kind").select_option(label="Signed consent")
    scan = tmp_path / "consent.pdf"
    scan.write_bytes(PDF)
    page.get_by_label("File").set_input_files(str(scan))
    page.get_by_role("button", name="Add the document").click()
    expect(page.get_by_test_id("documents")).to_contain_text("consent.pdf")
    expect(screening).not_to_contain_text("no document of the kind")

    # Overdue in screening: the escalation the periodic task runs leaves a task on the case.
    assert in_server(server, OVERDUE.replace("{case}", case_id)) == "1"
    page.goto(case_url)
    expect(page.get_by_test_id("open-tasks")).to_contain_text("overdue")
    expect(page.get_by_test_id("timeline")).to_contain_text("escalated")

    take_step(page, "complete_screening", "Screening complete", "Individual assessment")
    expect(page.get_by_test_id("timeline")).to_contain_text("Screening → Individual assessment")

    # Individual assessment: the DoMV vulnerability assessment, two factors rated, the others not assessed; its
    # score.
    fill_in(page, "vulnerability_domv")
    answer(page, "levels", "individual")
    answer(page, "age_polarity", "risk")
    answer(page, "age_severity", "3")
    answer(page, "personal_history_polarity", "protective")
    answer(page, "personal_history_severity", "1")
    names = page.locator("[name$='_polarity']:visible").evaluate_all("fields => [...new Set(fields.map(f => f.name))]")
    for name in names:
        if name not in ("age_polarity", "personal_history_polarity"):
            answer(page, name, "not_assessed")
    submit(page)
    expect(page.get_by_test_id("answers")).to_contain_text("Age: severity3 – high")
    expect(page.get_by_test_id("submission-meta")).to_contain_text("· 2")  # net score: risk 3, protective 1
    page.goto(case_url)
    expect(page.get_by_test_id("timeline")).to_contain_text("vulnerability_domv")
    take_step(page, "plan_assistance", "Plan the assistance", "Case and assistance plan")
    expect(page.get_by_test_id("timeline")).to_contain_text("Individual assessment → Case and assistance plan")

    # The plan, agreed with her.
    fill_in(page, "assistance_plan")
    write(page, "objectives", "A safe place to stay and a health check.")
    answer(page, "services", "shelter")
    answer(page, "services", "health")
    write(page, "review_on", "2030-01-15")
    submit(page)
    page.goto(case_url)

    # Four eyes: the caseworker asks for the approval and is not offered to give it himself.
    approve = page.get_by_test_id("step-approve_plan")
    expect(approve.get_by_role("link")).to_have_count(0)
    approve.get_by_role("button", name="Ask for approval").click()
    pending = page.get_by_test_id("pending-approval")
    expect(pending).to_contain_text("waits for approval")
    expect(pending.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_test_id("timeline")).to_contain_text("Approval asked for: approve_plan")
    expect(approve.get_by_role("link")).to_have_count(0)

    # A second caseworker, in another browser, approves it.
    second = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    sign_in(second, server, "caseworker2")
    second.goto(case_url)
    second.get_by_test_id("pending-approval").get_by_role("button", name="Approve").click()
    expect(second.get_by_test_id("pending-approval")).to_have_count(0)
    expect(second.get_by_test_id("timeline")).to_contain_text("Approval of approve_plan: approved")
    second.context.close()

    page.goto(case_url)
    take_step(page, "approve_plan", "Plan approved", "Referral and direct assistance")
    expect(page.get_by_test_id("timeline")).to_contain_text("Case and assistance plan → Referral and direct assistance")

    # Assistance: a referral to the clinic, acknowledged through its one-time link in another browser.
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
    provider.context.close()
    page.get_by_role("link", name="Go to the referral").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("Acknowledged")
    page.goto(case_url)
    take_step(page, "begin_monitoring", "Assistance delivered", "Monitoring")
    expect(page.get_by_test_id("timeline")).to_contain_text("Referral and direct assistance → Monitoring")

    # Monitoring: the visit and the closure forms; then the case is closed.
    fill_in(page, "case_monitoring")
    write(page, "visit_date", "2026-01-10")
    answer(page, "progress", "on_track")
    submit(page)
    page.goto(case_url)
    fill_in(page, "case_closure")
    answer(page, "closure_reason", "objectives_met")
    write(page, "situation", "Housed and in good health.")
    submit(page)
    page.goto(case_url)
    take_step(page, "close", "Close the case", "Closed", reason="Safe and settled; she asked us to close.")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Monitoring → Closed")
    expect(timeline).to_contain_text("Safe and settled; she asked us to close.")
    expect(timeline).to_contain_text("Referral and direct assistance → Monitoring")
    expect(timeline).to_contain_text("Case and assistance plan → Referral and direct assistance")
