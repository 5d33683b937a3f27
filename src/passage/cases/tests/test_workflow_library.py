"""The shipped workflows: every one valid against the catalogue, following domain.md's stages, and drawable."""

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from passage.cases.workflows.definition import LANGUAGES, PROGRAMME_TYPES
from passage.cases.workflows.diagram import workflow_svg
from passage.cases.workflows.loader import Known, check_workflow
from passage.cases.workflows.shipped import catalogue, shipped_workflows, workflow_files
from passage.core.models import ProgrammeType

SVG = "{http://www.w3.org/2000/svg}"
SHIPPED = [path.stem for path in workflow_files()]


def test_seven_workflows_ship():
    assert sorted(SHIPPED) == [
        "avrr",
        "counter_trafficking",
        "medical_evacuation",
        "protection_assistance",
        "reintegration_former_combatants",
        "reparation_claims",
        "resettlement",
    ]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_workflow_is_valid_without_warnings(name):
    path = next(path for path in workflow_files() if path.stem == name)
    checked = check_workflow(path.read_text(encoding="utf-8"), source=str(path), known=catalogue().known)
    assert [str(problem) for problem in checked.problems] == []
    workflow = checked.workflow
    assert workflow is not None and workflow.code == name  # the file is named after its code
    assert workflow.programme_types and set(workflow.programme_types) <= set(PROGRAMME_TYPES)
    assert all(workflow.name.get(language) != workflow.name.get("en") for language in ("fr", "es", "ar"))


def test_the_catalogue_lists_only_codes_a_workflow_uses():
    used: dict[str, set[str]] = {"forms": set(), "documents": set(), "fields": set()}
    for code in shipped_workflows().codes():
        workflow = shipped_workflows().latest(code)
        for transition in workflow.transitions:
            used["forms"] |= set(transition.requires.forms)
            used["documents"] |= set(transition.requires.documents)
            used["fields"] |= set(transition.requires.fields)
        used["forms"] |= {a.form for s in workflow.states for a in s.on_entry if a.form}
    listed = catalogue()
    assert {entry.code for entry in listed.forms} == used["forms"]
    assert {entry.code for entry in listed.documents} == used["documents"]
    assert {entry.code for entry in listed.fields} == used["fields"]
    assert {"vulnerability_domv", "rss", "htcds_screening", "protection_intake"} <= used["forms"]


def test_stages_follow_domain_reference():
    registry = shipped_workflows()
    reparations = [state.code for state in registry.latest("reparation_claims").states]
    for stage in (
        "received",
        "completeness_check",
        "deficiency_notice",
        "verification",
        "eligibility",
        "decided",
        "appeal_window",
        "appeal",
        "award",
        "payment",
        "closed",
    ):
        assert stage in reparations
    resettlement = [state.code for state in registry.latest("resettlement").states]
    assert resettlement[:12] == [
        "referral", "prescreening", "security_screening", "selection_interview", "decision", "health_assessment",
        "cultural_orientation", "sponsorship_assurance", "exit_permits_and_travel_documents", "travel_booking",
        "pre_embarkation_check", "departure_transit_arrival",
    ]  # fmt: skip
    avrr = [state.code for state in registry.latest("avrr").states]
    assert avrr[:8] == [
        "counselling", "eligibility", "travel_documents", "pre_departure", "movement", "post_arrival_reception",
        "reintegration_assistance", "monitoring",
    ]  # fmt: skip


def test_definition_constants_match_django():
    assert tuple(ProgrammeType.values) == PROGRAMME_TYPES
    assert tuple(code for code, _name in settings.LANGUAGES) == LANGUAGES


def _boxes(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    boxes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("data-state"):
            rect = group.find(f"{SVG}rect")
            assert rect is not None
            x, y, w, h = (float(rect.get(k, 0)) for k in ("x", "y", "width", "height"))
            boxes[group.get("data-state", "")] = (x, y, x + w, y + h)
    return boxes


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_workflow_is_drawn(name):
    workflow = shipped_workflows().latest(name)
    svg = workflow_svg(workflow)
    root = ET.fromstring(svg)  # noqa: S314  (well formed; our own SVG)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert not re.search(r"\sstyle=", svg)  # presentation attributes only: a strict CSP allows the drawing
    boxes = _boxes(root)
    assert set(boxes) == {state.code for state in workflow.states}
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        overlap = min(box_a[2], box_b[2]) > max(box_a[0], box_b[0]) and min(box_a[3], box_b[3]) > max(
            box_a[1], box_b[1]
        )
        assert not overlap, f"{a} and {b} overlap"
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    assert all(box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height for box in boxes.values())
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for state in workflow.states:
        assert state.label.get("en").split()[0] in texts
    finals = [g for g in root.iter(f"{SVG}g") if "state-final" in (g.get("class") or "")]
    assert len(finals) == len(workflow.final_states)
    assert all(len(g.findall(f"{SVG}rect")) == 2 for g in finals)  # double border
    drawn = {g.get("data-transition") for g in root.iter(f"{SVG}g") if g.get("class") == "transition"}
    assert drawn == {transition.code for transition in workflow.transitions}
    labels = [g for g in root.iter(f"{SVG}g") if g.get("class") == "transition-label"]
    assert len(labels) == sum(1 if t.from_any else len(t.sources) for t in workflow.transitions)


def test_right_to_left_drawing_is_mirrored_with_text_direction():
    workflow = shipped_workflows().latest("avrr")
    left_to_right = ET.fromstring(workflow_svg(workflow, language="en"))  # noqa: S314
    right_to_left = ET.fromstring(workflow_svg(workflow, language="ar"))  # noqa: S314
    width = float(left_to_right.get("width", 0))
    ltr, rtl = _boxes(left_to_right), _boxes(right_to_left)
    for code, (_x0, _y0, x1, _y1) in ltr.items():
        assert rtl[code][0] == pytest.approx(width - x1, abs=0.2)
    title = right_to_left.find(f"{SVG}title")
    assert title is not None and title.get("direction") == "rtl"
    assert title.text == "العودة الطوعية المدعومة وإعادة الإدماج (v1)"


def test_two_diagrams_on_one_page_do_not_share_ids():
    registry = shipped_workflows()
    ids = [
        found for code in registry.codes() for found in re.findall(r'id="([^"]+)"', workflow_svg(registry.latest(code)))
    ]
    assert len(ids) == len(set(ids))


def test_the_example_in_the_language_reference_is_valid():
    reference = Path(__file__).resolve().parents[4] / "docs" / "workflows.md"
    if not reference.exists():
        pytest.skip("the docs are not beside an installed package")
    example = reference.read_text(encoding="utf-8").split("## A complete example")[1].split("```yaml\n")[1]
    example = example.split("```")[0]
    known = Known(forms=["grant_application"], documents=["identity_document", "payment_details"])
    checked = check_workflow(example, known=known)
    assert checked.ok and checked.problems == ()


def test_a_case_page_can_show_where_the_case_is():
    workflow = shipped_workflows().latest("protection_assistance")
    root = ET.fromstring(workflow_svg(workflow, current="assistance_plan"))  # noqa: S314
    current = [g for g in root.iter(f"{SVG}g") if g.get("aria-current") == "step"]
    assert [g.get("data-state") for g in current] == ["assistance_plan"]
    assert "state-current" in (current[0].get("class") or "")
