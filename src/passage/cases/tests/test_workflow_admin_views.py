"""The workflow pages over HTTP: the list, a workflow's diagram, tables, YAML and history (read by those who work
on cases, mirrored in Arabic), the editor with its check as an htmx fragment, saving, publishing and comparing
(administrators only)."""

from __future__ import annotations

import re

import pytest

from passage.cases import workflow_actions as actions
from passage.cases import workflow_queries as queries
from passage.cases.models.workflows import WorkflowVersion
from passage.cases.tests.test_workflow_admin import CODE, FAST_TRACK, edited
from passage.conftest import sign_in
from passage.core.models import AuditEvent

LIST, PAGE, EDIT = "/cases/workflows/", f"/cases/workflows/{CODE}/", f"/cases/workflows/{CODE}/edit/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_admin(client, administrator):
    return sign_in(client, administrator)


def test_the_list_shows_every_shipped_workflow_and_the_version_in_use(as_admin):
    page = as_admin.get(LIST).content.decode()
    assert page.count('data-testid="in-use">v1<') == 7
    assert "Protection and direct assistance" in page and "Reparation" in page
    assert f'href="{PAGE}"' in page


def test_a_workflow_page_draws_the_diagram_and_lists_states_transitions_and_the_yaml(as_admin):
    page = as_admin.get(PAGE).content.decode()
    assert page.count("<svg") == 1 and 'data-workflow="protection_assistance"' in page
    assert "<script" not in page.split('data-testid="diagram"')[1].split("</svg>")[0]
    states = page.split('data-testid="states"')[1].split("</table>")[0]
    assert "Screening" in states and "3 days" in states and "Administrator told" in states
    transitions = page.split('data-testid="transitions"')[1].split("</table>")[0]
    assert "Screening complete" in transitions and "Caseworker" in transitions
    assert "a document: Consent form" in transitions or "a document: " in transitions
    assert 'id="L6"' in page and "version: 1" in page
    assert f'href="{EDIT}"' in page  # an administrator may edit


def test_the_diagram_reads_right_to_left_in_arabic(client, caseworker):
    sign_in(client, caseworker)
    client.cookies["django_language"] = "ar"
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    svg = page.split('data-testid="diagram"')[1].split("</svg>")[0]
    assert "الحماية والمساعدة المباشرة" in svg and 'direction="rtl"' in svg


def test_a_case_page_can_point_at_the_state_a_case_is_in(as_admin):
    page = as_admin.get(PAGE + "?state=assistance").content.decode()
    assert 'aria-current="true"' in page and "The highlighted state is where the case is." in page


def test_a_caseworker_reads_workflows_but_may_not_edit_them(client, caseworker, operation, administrator):
    actions.save_draft(operation=operation, code=CODE, text=edited(operation), acting_user=administrator)
    sign_in(client, caseworker)
    page = client.get(PAGE).content.decode()
    assert "<svg" in page and f'href="{EDIT}"' not in page and "draft" not in page.lower().split("<main")[1]
    assert client.get(f"/cases/workflows/{CODE}/v2/").status_code == 404  # the draft
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, {"text": edited(operation), "intent": "save"}).status_code == 403
    assert client.post(EDIT + "check/", {"text": "x"}).status_code == 403


def test_an_unknown_workflow_or_version_is_not_found(as_admin):
    assert as_admin.get("/cases/workflows/no_such_thing/").status_code == 404
    assert as_admin.get(f"/cases/workflows/{CODE}/v9/").status_code == 404


def test_the_editor_starts_from_the_version_in_use_as_the_next_version(as_admin):
    page = as_admin.get(EDIT).content.decode()
    text = page.split('id="workflow-text"')[1].split(">", 1)[1].split("</textarea>")[0]
    assert "\nversion: 2\n" in text and "code: protection_assistance" in text
    assert not WorkflowVersion.objects.exists()  # nothing saved by opening the editor


def test_the_check_shows_each_problem_by_line_and_saves_nothing(as_admin, operation):
    text = edited(operation, extra=FAST_TRACK.replace("[caseworker]", "[caseworkr]"))
    response = as_admin.post(EDIT + "check/", {"text": text}, **HTMX)
    fragment = response.content.decode()
    line = next(n for n, source in enumerate(text.splitlines(), 1) if "caseworkr" in source)
    assert 'id="workflow-check"' in fragment[:80] and "<html" not in fragment
    assert f'data-goto-line="{line}"' in fragment and "unknown role &#x27;caseworkr&#x27;" in fragment
    assert "2 errors" in fragment and "no role may take this transition" in fragment
    assert 'data-testid="preview"' not in fragment
    assert (
        not WorkflowVersion.objects.exists() and not AuditEvent.objects.filter(action__startswith="workflow").exists()
    )


def test_a_clean_check_draws_the_preview(as_admin, operation):
    fragment = as_admin.post(EDIT + "check/", {"text": edited(operation)}, **HTMX).content.decode()
    assert (
        "No problem found." in fragment and 'data-testid="preview"' in fragment and "Fast track to a plan" in fragment
    )


def test_saving_with_errors_shows_them_and_keeps_the_text(as_admin, operation):
    text = edited(operation, extra=FAST_TRACK.replace("to: assistance_plan", "to: nowhere"))
    page = as_admin.post(EDIT, {"text": text, "intent": "save"}).content.decode()
    assert "Not saved:" in page and "unknown state &#x27;nowhere&#x27;" in page
    assert "to: nowhere" in page.split('id="workflow-text"')[1]
    assert not WorkflowVersion.objects.exists()


def test_an_administrator_saves_a_draft_then_publishes_it(as_admin, operation):
    response = as_admin.post(EDIT, {"text": edited(operation), "intent": "save"})
    assert response.status_code == 302 and response["Location"] == EDIT
    draft = WorkflowVersion.objects.get()
    assert draft.is_draft and draft.version == 2
    page = as_admin.get(EDIT).content.decode()
    assert 'name="revision" value="1"' in page and "Discard the draft of version 2" in page

    response = as_admin.post(EDIT, {"text": draft.text, "intent": "publish", "revision": "1"})
    assert response.status_code == 302 and response["Location"] == f"/cases/workflows/{CODE}/v2/"
    assert queries.in_use(operation, CODE).version == 2
    page = as_admin.get(response["Location"]).content.decode()
    assert "In use for new cases" in page and "Fast track to a plan" in page


def test_a_stale_editor_is_told_who_saved_meanwhile(as_admin, operation, administrator):
    actions.save_draft(operation=operation, code=CODE, text=edited(operation), acting_user=administrator)
    actions.save_draft(operation=operation, code=CODE, text=edited(operation) + "\n", acting_user=administrator)
    page = as_admin.post(EDIT, {"text": edited(operation), "intent": "save", "revision": "1"}).content.decode()
    assert 'data-testid="refusal"' in page and "saved this draft" in page


def test_starting_again_from_the_shipped_version_and_discarding(as_admin, operation):
    response = as_admin.post(f"/cases/workflows/{CODE}/new/", {"base": "shipped"})
    assert response.status_code == 302 and response["Location"] == EDIT
    assert WorkflowVersion.objects.get().version == 2
    response = as_admin.post(EDIT + "discard/")
    assert response.status_code == 302 and not WorkflowVersion.objects.exists()


def test_two_versions_are_compared_side_by_side(as_admin, operation, administrator):
    draft = actions.save_draft(operation=operation, code=CODE, text=edited(operation), acting_user=administrator)
    actions.publish_draft(draft=draft, acting_user=administrator)
    page = as_admin.get(f"/cases/workflows/{CODE}/compare/?a=1&b=2").content.decode()
    assert "7 lines added, 1 line removed" in page
    assert re.search(r"<del>version: 1</del>.*<ins>version: 2</ins>", page, re.S)
    assert "<ins>    label: Fast track to a plan</ins>" in page


def test_the_list_costs_a_few_queries_whatever_the_versions(
    as_admin, operation, administrator, django_assert_max_num_queries
):
    as_admin.get(LIST)
    draft = actions.save_draft(operation=operation, code=CODE, text=edited(operation), acting_user=administrator)
    actions.publish_draft(draft=draft, acting_user=administrator)
    actions.save_draft(
        operation=operation, code=CODE, text=edited(operation, version=3, extra=""), acting_user=administrator
    )
    with django_assert_max_num_queries(14):
        assert as_admin.get(LIST).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_case_page_links_to_its_workflow_with_where_the_case_is(client, operation, office):
    from passage.cases.tests.test_workflow_admin import opened
    from passage.core.tests.factories import ProgrammeFactory, member_of

    owner = member_of(operation, "caseworker", offices=[office])
    case = opened(ProgrammeFactory(operation=operation, type="protection"), office, owner)
    sign_in(client, owner)
    link = f"/cases/workflows/{CODE}/v1/?state=screening"
    assert f'href="{link}"' in client.get(f"/cases/{case.pk}/").content.decode()
    page = client.get(link).content.decode()
    here = page.split('<tr class="table-warning" aria-current="true">')[1].split("</th>")[0]
    assert "Screening" in here and "<code>screening</code>" in here
    assert 'class="state state-initial state-current" data-state="screening"' in page  # the diagram too
