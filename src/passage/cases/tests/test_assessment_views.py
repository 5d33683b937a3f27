"""Assessment pages over HTTP: the form library (upload refused or kept, downloads for Kobo and Collect, an
import with a result per row), filling a form on a case (relevance from the server at each change, errors by
answer, Arabic labels for an Arabic reader), the DoMV page (factors by level, context, a determination and its
review), the RSS chart on the case and the person, and who sees any of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from passage.cases import actions, procedure
from passage.cases.assessment_actions import save_submission, upload_form
from passage.cases.models import FormImport, FormVersion, Sensitivity, Submission, VulnerabilityDetermination
from passage.cases.tests.assessment_helpers import DOMV, RSS, VISIT, WORKFLOW, domv_answers, kobo_csv, rss_answers
from passage.cases.vulnerability_actions import FactorInput, determine_vulnerability, record_assessment
from passage.cases.workflows.engine import WorkflowRegistry
from passage.cases.workflows.loader import load_workflow
from passage.conftest import sign_in
from passage.core.models import AuditEvent
from passage.core.tests.factories import member_of
from passage.registry.models import AdminArea


@pytest.fixture
def workflows() -> Iterator[WorkflowRegistry]:
    """Cases run on a workflow whose step requires the DoMV form."""
    with procedure.using(WorkflowRegistry([load_workflow(WORKFLOW)])) as registry:
        yield registry


@pytest.fixture
def admin(operation):
    return member_of(operation, "administrator")


@pytest.fixture
def domv(admin, operation) -> FormVersion:
    return upload_form(acting_user=admin, operation=operation, filename="vulnerability_domv.xlsx", content=DOMV)


def post_upload(client, content: bytes, name: str = "form.xlsx", **data: str) -> Any:
    return client.post("/cases/forms/upload/", {"file": SimpleUploadedFile(name, content), **data})


# --- the form library ---------------------------------------------------------------------------------------


def test_the_library_refuses_a_form_showing_each_problem_and_keeps_a_good_one(client, admin, owner, programme):
    from passage.cases.xlsform.library.build import xlsform_bytes

    sign_in(client, admin)
    bad = xlsform_bytes([{"type": "geotrace", "name": "route", "label": "Route"}])
    refused = client.post("/cases/forms/upload/", {"file": SimpleUploadedFile("route.xlsx", bad)})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'data-testid="refused-problems"' in page and "geotrace" in page and "route" in page

    library = client.get("/cases/forms/").content.decode()
    assert 'data-testid="scoring-links"' in library and 'href="/cases/forms/"' in library  # the nav entry
    kept = post_upload(client, DOMV, "vulnerability_domv.xlsx")
    assert kept.status_code == 302
    form_page = client.get(kept["Location"]).content.decode()
    assert "vulnerability_domv" in form_page and 'data-testid="version-1"' in form_page

    sign_in(client, owner)  # a caseworker sees the library, and may not upload
    assert client.get("/cases/forms/").status_code == 200
    assert post_upload(client, VISIT, "visit.xlsx").status_code == 403


def test_a_form_downloads_as_xlsform_for_kobo_and_xform_for_collect(client, domv, admin):
    sign_in(client, admin)
    xlsform = client.get(f"/cases/forms/versions/{domv.pk}/xlsform/")
    assert xlsform.status_code == 200 and xlsform.content == DOMV
    assert "attachment" in xlsform["Content-Disposition"]
    xform = client.get(f"/cases/forms/versions/{domv.pk}/xform/")
    assert xform.status_code == 200 and xform["Content-Type"].startswith("application/xml")
    text = xform.content.decode()
    assert "<h:html" in text and "passage_vulnerability_domv" in text and "age_polarity" in text


def test_an_import_page_shows_the_result_of_each_row(client, admin, operation, new_case):
    template = upload_form(acting_user=admin, operation=operation, filename="visit.xlsx", content=VISIT).template
    case = new_case()
    rows = [
        {"_uuid": "a1", "case_number": case.reference, "household_size": "2", "safe": "yes"},
        {"_uuid": "a2", "case_number": "nothing", "household_size": "2", "safe": "yes"},
    ]
    sign_in(client, admin)
    response = client.post(
        f"/cases/forms/{template.pk}/imports/",
        {"file": SimpleUploadedFile("visit.csv", kobo_csv(rows)), "link_field": "case_number"},
    )
    assert response.status_code == 302
    form_import = FormImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'data-testid="created">1<', page) and re.search(r'data-testid="not-linked">1<', page)
    assert "neither a case number" in page
    assert Submission.objects.get().form_import == form_import


# --- filling a form on a case -------------------------------------------------------------------------------


def test_filling_a_form_redraws_relevance_on_the_server_and_submitting_unlocks_the_step(client, domv, owner, case):
    sign_in(client, owner)
    url = f"/cases/{case.pk}/assessments/{domv.template_id}/fill/"
    page = client.get(url).content.decode()
    assert 'hx-post="' in page and "fill/refresh/" in page
    severity = re.search(r'<fieldset class="mb-3" id="xf-age_severity"[^>]*>', page)
    assert severity and "hidden" in severity.group(0)  # not relevant before the polarity is chosen

    refreshed = client.post(
        f"{url}refresh/", {"form_version": domv.pk, "levels": "individual", "age_polarity": "risk"}
    ).content.decode()
    severity = re.search(r'<fieldset class="mb-3" id="xf-age_severity"[^>]*>', refreshed)
    assert severity and "hidden" not in severity.group(0)
    assert refreshed.lstrip().startswith('<div class="xlsform"')  # the fragment only

    invalid = client.post(url, {"form_version": domv.pk, "levels": "individual", "age_polarity": "risk", "submit": "1"})
    assert invalid.status_code == 400
    page = invalid.content.decode()
    assert 'data-testid="form-errors"' in page and 'href="#xf-age_severity"' in page
    assert not Submission.objects.filter(status="complete").exists()

    answers = {k: v for k, v in domv_answers(age=("risk", 2)).items()}
    done = client.post(url, {**answers, "form_version": domv.pk, "submit": "1"})
    assert done.status_code == 302
    submission = Submission.objects.get(status="complete")
    assert done["Location"] == f"/cases/{case.pk}/assessments/submissions/{submission.pk}/"
    shown = client.get(done["Location"]).content.decode()
    assert 'data-testid="answers"' in shown and "Risk factor" in shown
    assert AuditEvent.objects.filter(action="cases.case.read", note=f"submission {submission.pk}").exists()
    assert "Form submitted: vulnerability_domv v1" in client.get(f"/cases/{case.pk}/").content.decode()  # timeline
    moved = actions.transition_case(case=case, transition="assess", acting_user=owner, version=None)
    assert moved.state == "assessed"


def test_a_draft_is_saved_as_typed_and_continued(client, domv, owner, case):
    sign_in(client, owner)
    url = f"/cases/{case.pk}/assessments/{domv.template_id}/fill/"
    saved = client.post(url, {"form_version": domv.pk, "levels": "individual", "age_polarity": "risk", "save": "1"})
    assert saved.status_code == 302
    draft = Submission.objects.get()
    assert draft.status == "draft" and draft.answers["age_polarity"] == "risk"
    page = client.get(url).content.decode()
    assert f'name="draft" value="{draft.pk}"' in page
    assert re.search(r'id="xf-age_polarity-0" value="risk" checked', page)


def test_an_arabic_reader_fills_the_form_in_arabic_right_to_left(client, domv, owner, case):
    owner.preferred_language = "ar"
    owner.save(update_fields=["preferred_language"])
    sign_in(client, owner)
    page = client.get(f"/cases/{case.pk}/assessments/{domv.template_id}/fill/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert 'lang="ar" dir="rtl"' in page.split('class="xlsform"', 1)[1][:300]
    assert "العوامل الفردية" in page and "تاريخ التقييم" in page
    assert "Individual factors" not in page


# --- vulnerability ------------------------------------------------------------------------------------------


def test_the_vulnerability_page_shows_factors_by_level_the_place_and_the_four_eyes_review(
    client, domv, operation, owner, colleague, case
):
    country = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    area = AdminArea.objects.create(country="IQ", level=1, pcode="IQ01", name="Ninewa", parent=country)
    case.person.admin_area = area
    case.person.save(update_fields=["admin_area"])
    place = record_assessment(
        acting_user=colleague,
        operation=operation,
        admin_area=area,
        assessed_on=timezone.localdate(),
        factors=[FactorInput("livelihood_opportunities", "risk", 2)],
    )
    save_submission(
        acting_user=owner,
        template=domv.template,
        answers=domv_answers(age=("risk", 3), family_size=("protective", 1)),
        complete=True,
        case=case,
    )
    sign_in(client, owner)
    page = client.get(f"/cases/{case.pk}/vulnerability/").content.decode()
    assert 'data-testid="level-individual"' in page and 'data-testid="level-household"' in page
    assert 'id="level-chart-data"' in page and "echarts.min.js" in page
    assert f'data-testid="context-{place.pk}"' in page and "Livelihood opportunities" in page
    assert 'data-testid="determination-form"' in page

    response = client.post(f"/cases/{case.pk}/vulnerability/determine/", {"band": "low", "rationale": "Net 2."})
    assert response.status_code == 302
    determination = VulnerabilityDetermination.objects.get()
    page = client.get(f"/cases/{case.pk}/vulnerability/").content.decode()
    assert 'data-testid="review-form"' not in page  # not by the person who determined it
    assert (
        client.post(
            f"/cases/{case.pk}/vulnerability/determinations/{determination.pk}/review/", {"decision": "confirm"}
        ).status_code
        == 400
    )

    sign_in(client, colleague)
    assert 'data-testid="review-form"' in client.get(f"/cases/{case.pk}/vulnerability/").content.decode()
    returned = client.post(
        f"/cases/{case.pk}/vulnerability/determinations/{determination.pk}/review/", {"decision": "return"}
    )
    assert returned.status_code == 400  # a return says why
    confirmed = client.post(
        f"/cases/{case.pk}/vulnerability/determinations/{determination.pk}/review/", {"decision": "confirm"}
    )
    assert confirmed.status_code == 302
    determination.refresh_from_db()
    assert (determination.status, determination.reviewed_by) == ("confirmed", colleague)


def test_factors_entered_as_a_table_name_the_factor_in_error(client, owner, case):
    sign_in(client, owner)
    url = f"/cases/{case.pk}/vulnerability/factors/"
    assert client.get(url).status_code == 200
    data = {"assessed_on": timezone.localdate().isoformat(), "age__kind": "risk", "sex__kind": "neutral"}
    refused = client.post(url, data)
    assert refused.status_code == 400 and "Give Age a severity" in refused.content.decode()
    done = client.post(url, {**data, "age__severity": "2", "age__note": "Sixteen"})
    assert done.status_code == 302
    assert case.vulnerability_assessments.get().score == 2


def test_a_place_is_assessed_by_its_p_code(client, owner):
    AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    sign_in(client, owner)
    data = {"assessed_on": timezone.localdate().isoformat(), "conflict__kind": "risk", "conflict__severity": "3"}
    unknown = client.post("/cases/places/new/", {**data, "pcode": "XX99"})
    assert unknown.status_code == 400 and "XX99" in unknown.content.decode()
    done = client.post("/cases/places/new/", {**data, "pcode": "iq"})
    assert done.status_code == 302
    assert "Iraq" in client.get("/cases/places/").content.decode()


# --- RSS ----------------------------------------------------------------------------------------------------


def test_the_rss_chart_is_drawn_on_the_case_and_on_the_person(client, admin, operation, owner, case):
    template = upload_form(acting_user=admin, operation=operation, filename="rss.xlsx", content=RSS).template
    for when, economic in (("2025-01-10", "dissatisfied"), ("2025-07-10", "satisfied")):
        save_submission(
            acting_user=owner, template=template, answers=rss_answers(when, economic), complete=True, case=case
        )
    sign_in(client, owner)
    page = client.get(f"/cases/{case.pk}/assessments/").content.decode()
    assert 'data-assessment-chart="rss"' in page and "cases/assessments.js" in page
    assert '"dates": ["2025-01-10", "2025-07-10"]' in page
    person_page = client.get(f"/cases/people/{case.person_id}/assessments/").content.decode()
    assert '"dates": ["2025-01-10", "2025-07-10"]' in person_page
    registry_page = client.get(f"/registry/people/{case.person_id}/").content.decode()
    assert 'data-testid="person-assessments"' in registry_page and "person-rss-chart-data" in registry_page


def test_a_programme_sets_its_bands_and_weights_as_new_versions(client, admin, owner, programme):
    sign_in(client, admin)
    url = f"/cases/programmes/{programme.pk}/scoring/"
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "which": "bands",
            "band_1_code": "low",
            "band_1_label": "Low",
            "band_2_code": "high",
            "band_2_label": "High",
            "band_2_from": "x",
        },
    )
    assert bad.status_code == 400 and "Enter a number." in bad.content.decode()
    good = client.post(
        url,
        {
            "which": "bands",
            "band_1_code": "low",
            "band_1_label": "Low",
            "band_2_code": "high",
            "band_2_label": "High",
            "band_2_from": "6",
        },
    )
    assert good.status_code == 302
    assert programme.vulnerability_bands.get().bands[1] == {"code": "high", "label": "High", "from": 6.0}
    sign_in(client, owner)
    assert client.get(url).status_code == 404


# --- who sees what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "normal", "restricted"),
    [("owner", 200, 200), ("colleague", 200, 404), ("far_colleague", 404, 404), ("outsider", 404, 404)],
)
def test_assessment_pages_follow_the_case_visibility(
    client, request, domv, owner, new_case, persona, normal, restricted
):
    cases = {"normal": new_case(), "restricted": new_case(sensitivity=Sensitivity.RESTRICTED)}
    submissions = {
        name: save_submission(
            acting_user=owner, template=domv.template, answers=domv_answers(age=("risk", 1)), complete=True, case=case
        )
        for name, case in cases.items()
    }
    determine_vulnerability(case=cases["restricted"], band="low", rationale="r", acting_user=owner)
    sign_in(client, request.getfixturevalue(persona))
    for name, expected in (("normal", normal), ("restricted", restricted)):
        case, submission = cases[name], submissions[name]
        for url in (
            f"/cases/{case.pk}/assessments/",
            f"/cases/{case.pk}/assessments/submissions/{submission.pk}/",
            f"/cases/{case.pk}/vulnerability/",
        ):
            assert client.get(url).status_code == expected, (persona, url)
        fill = client.get(f"/cases/{case.pk}/assessments/{domv.template_id}/fill/")
        assert fill.status_code == expected, (persona, "fill")
    if persona == "colleague":  # the person's page lists what they may see: not the restricted case's
        person_page = client.get(f"/cases/people/{cases['restricted'].person_id}/assessments/").content.decode()
        assert str(submissions["restricted"].pk) not in person_page


def test_the_case_page_leads_to_its_forms_and_vulnerability(client, owner, case):
    sign_in(client, owner)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/assessments/"' in page and f'href="/cases/{case.pk}/vulnerability/"' in page
