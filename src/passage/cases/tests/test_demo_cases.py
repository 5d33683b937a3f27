"""Demo cases: opened through open_case in every programme that runs on a workflow, spread over states,
priorities and sensitivities, with history, tasks and notes; deterministic and safe to build again."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from passage.cases.demo import build_demo_cases
from passage.cases.models import Case, CaseStateChange, Sensitivity
from passage.core.demo import load_demo
from passage.registry.actions import import_admin_areas
from passage.registry.demo_registry import build_demo_registry
from passage.registry.tabular import read_table

DEMO_AREAS = Path(__file__).resolve().parents[2] / "registry" / "demo" / "irq_adm2.csv"


@pytest.fixture
def demo_operation(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    operation = load_demo()
    import_admin_areas(table=read_table(DEMO_AREAS), country="IQ", acting_user=None, source="demo extract")
    build_demo_registry(operation=operation, people=400, seed=5)
    return operation


def test_demo_cases_cover_programmes_states_and_sensitivities(demo_operation):
    built = build_demo_cases(operation=demo_operation, count=40, seed=5)
    cases = Case.objects.filter(operation=demo_operation)
    assert built.opened == cases.count() == 40
    assert len({case.programme_id for case in cases}) >= 6
    assert len(set(cases.values_list("state", flat=True))) >= 8
    assert 0 < cases.filter(closed_at__isnull=False).count() < 20
    sensitivities = Counter(cases.values_list("sensitivity", flat=True))
    assert sensitivities[Sensitivity.NORMAL] > 25 and sensitivities[Sensitivity.NORMAL] < 40
    assert cases.values("reference").distinct().count() == 40
    moved = cases.exclude(state__in=["screening", "received", "counselling", "referral", "registration"])
    assert CaseStateChange.objects.filter(case__in=moved, kind="transition").exists()
    assert all(change.at <= case.updated_at for case in cases[:10] for change in case.state_changes.all())
    assert built.escalated > 0


def test_demo_cases_are_built_once(demo_operation):
    build_demo_cases(operation=demo_operation, count=8, seed=5)
    again = build_demo_cases(operation=demo_operation, count=8, seed=5)
    assert again.opened == 0 and Case.objects.count() == 8
    call_command("demo_cases", "--operation", demo_operation.code, "--cases", "10")
    assert Case.objects.count() == 10
