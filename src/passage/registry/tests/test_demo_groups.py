"""Demo groups and communities: displaced communities at camps and in districts, associations with members in
their roles, households in communities; built through the group actions, and safe to build again."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from passage.registry.actions import import_admin_areas, register_household
from passage.registry.demo_groups import GROUPS, build_demo_groups
from passage.registry.models import AdminArea, Group, GroupHousehold, GroupMembership, Site
from passage.registry.registration import ConsentInput, PersonInput
from passage.registry.tabular import read_table

DEMO_AREAS = Path(__file__).resolve().parents[1] / "demo" / "irq_adm2.csv"
YES = ConsentInput(granted=True, method="verbal")


@pytest.fixture
def demo_areas(db):
    import_admin_areas(table=read_table(DEMO_AREAS), country="IQ", acting_user=None, source="demo extract")


def register_people(operation, count: int) -> None:
    districts = list(AdminArea.objects.filter(level=2).order_by("pcode"))
    for n in range(count):
        register_household(
            acting_user=None,
            operation=operation,
            admin_area=districts[n % len(districts)],
            members=[
                PersonInput(
                    relationship="head", consent=YES, given_name_latin=f"Head {n}", birth_date=dt.date(1980, 1, 1)
                ),
                PersonInput(
                    relationship="spouse", consent=YES, given_name_latin=f"Spouse {n}", birth_date=dt.date(1982, 1, 1)
                ),
            ],
        )


def test_demo_groups_are_communities_at_sites_and_associations_with_members(operation, demo_areas):
    register_people(operation, 60)
    built = build_demo_groups(operation=operation, seed=3)
    assert built.groups == len(GROUPS) and built.sites == 4
    communities = Group.objects.filter(operation=operation, kind="community")
    assert communities.filter(site__type="camp").count() >= 3 and communities.filter(site__isnull=True).exists()
    assert all(c.admin_area_id for c in communities) and all(c.estimated_size for c in communities)
    kinds = set(Group.objects.filter(operation=operation).values_list("kind", flat=True))
    assert {"community", "association", "victims_association", "cooperative", "womens_group", "youth_group"} <= kinds
    members = GroupMembership.objects.filter(group__operation=operation)
    assert members.count() == built.members > 40
    assert members.filter(role="representative").count() >= 5
    assert GroupHousehold.objects.filter(group__kind="community").count() == built.households > 10
    assert {m.person.operation_id for m in members.select_related("person")} == {operation.pk}


def test_building_again_completes_and_changes_nothing_else(operation, demo_areas):
    first = build_demo_groups(operation=operation)  # no one registered yet: groups without members
    assert first.groups == len(GROUPS) and first.members == 0
    register_people(operation, 40)
    second = build_demo_groups(operation=operation)
    assert second.groups == 0 and second.sites == 0 and second.members > 0
    third = build_demo_groups(operation=operation)
    assert (third.groups, third.members, third.households) == (0, 0, 0)
    assert Site.objects.filter(operation=operation).count() == 4


def test_the_command_passage_demo_calls(operation, demo_areas):
    out = io.StringIO()
    call_command("demo_groups", "--operation", operation.code, stdout=out)
    assert "Groups and communities:" in out.getvalue()
    assert Group.objects.filter(operation=operation).count() == len(GROUPS)


def test_a_camp_the_operation_already_has_in_the_district_is_used(operation, demo_areas):
    domiz = Site.objects.create(
        operation=operation,
        code="CMP-052-01",
        name="Domiz 1",
        type="camp",
        admin_area=AdminArea.objects.get(pcode="IQD052"),
    )
    built = build_demo_groups(operation=operation)
    assert built.sites == 3
    assert Group.objects.get(name_latin="Sinjar IDPs in Dahuk").site == domiz
