"""Pages of groups and communities, through HTTP, as the people who use them: a clerk of the Erbil office and a
colleague there, a clerk of the Mosul office, a finance officer who only reads, an administrator of another
operation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from passage.conftest import sign_in
from passage.core.models import AuditEvent
from passage.core.tests.factories import OfficeFactory, member_of
from passage.registry import group_actions as actions
from passage.registry.actions import register_household
from passage.registry.models import AdminArea, Group, GroupMembership, Household, Site
from passage.registry.registration import ConsentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal")
TODAY = dt.date.today
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "registry" / "groups"


@pytest.fixture
def office(operation):
    return OfficeFactory(operation=operation, name="Erbil")


@pytest.fixture
def clerk(operation, office):
    return member_of(operation, "registration_clerk", offices=[office])


@pytest.fixture
def colleague(operation, office):
    return member_of(operation, "registration_clerk", offices=[office])


@pytest.fixture
def mosul_clerk(operation):
    return member_of(operation, "registration_clerk", offices=[OfficeFactory(operation=operation, name="Mosul")])


@pytest.fixture
def reader(operation):
    return member_of(operation, "finance_officer")


@pytest.fixture
def sinjar(db):
    iraq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=iraq)
    return AdminArea.objects.create(
        country="IQ", level=2, pcode="IQD086", name="Sinjar", names={"ar": "سنجار"}, parent=ninewa
    )


@pytest.fixture
def camp(operation, sinjar):
    return Site.objects.create(operation=operation, code="DAH-01", name="Sharya camp", type="camp", admin_area=sinjar)


def household_of(operation, office, *names: str) -> Household:
    return register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[
            PersonInput(
                relationship="head" if n == 0 else "spouse", consent=YES, given_name_latin=name, given_name=name
            )
            for n, name in enumerate(names)
        ],
    )


@pytest.fixture
def family(operation, office):
    return household_of(operation, office, "Layla", "Khalil")


@pytest.fixture
def layla(family):
    return family.members.get(relationship="head").person


@pytest.fixture
def community(operation, office, camp):
    return actions.create_group(
        acting_user=None,
        operation=operation,
        office=office,
        kind="community",
        name="نازحو سنجار",
        name_latin="Displaced from Sinjar",
        site=camp,
        estimated_size=3400,
    )


def _as(client, user):
    sign_in(client, user)
    return client


# --- list -----------------------------------------------------------------------------------------------------


def test_empty_list_invites_the_clerk_to_record_the_first_group(client, clerk):
    page = _as(client, clerk).get("/registry/groups/").content.decode()
    assert 'data-testid="empty"' in page and "/registry/groups/new/" in page


def test_list_searches_and_filters_by_kind_and_area(client, clerk, community, operation, office, sinjar):
    actions.create_group(acting_user=None, operation=operation, office=office, kind="cooperative", name_latin="Tailors")
    _as(client, clerk)
    both = client.get("/registry/groups/").content.decode()
    assert "Displaced from Sinjar" in both and "Tailors" in both
    by_kind = client.get("/registry/groups/?kind=cooperative").content.decode()
    assert "Tailors" in by_kind and "Displaced from Sinjar" not in by_kind
    by_area = client.get("/registry/groups/?area=IQG15").content.decode()  # the province: the camp is in it
    assert "Displaced from Sinjar" in by_area and "Tailors" not in by_area
    searched = client.get("/registry/groups/?q=سنجار", headers={"HX-Request": "true"}).content.decode()
    assert searched.lstrip().startswith('<div id="groups-table">') and "Displaced from Sinjar" in searched
    nothing = client.get("/registry/groups/?q=nowhere").content.decode()
    assert 'data-testid="empty"' in nothing and "Show all groups" in nothing


def test_list_is_paginated_keeping_the_filters_and_its_query_count_is_flat(
    client, clerk, operation, office, django_assert_max_num_queries
):
    for n in range(55):
        actions.create_group(
            acting_user=None, operation=operation, office=office, kind="association", name_latin=f"Association {n:02d}"
        )
    _as(client, clerk)
    with django_assert_max_num_queries(15):
        first = client.get("/registry/groups/?kind=association").content.decode()
    assert "Page 1 of 2" in first
    assert re.search(r'href="\?kind=association&amp;page=2"', first)
    second = client.get("/registry/groups/?kind=association&page=2").content.decode()
    assert "Association 54" in second and "Association 00" not in second


def test_html_in_a_group_name_is_shown_as_text(client, clerk, operation, office, layla):
    group = actions.create_group(
        acting_user=None,
        operation=operation,
        office=office,
        kind="association",
        name="<script>alert(1)</script>",
        name_latin="<b>Survivors</b>",
        description="<img src=x onerror=alert(2)>",
    )
    actions.add_member(group=group, person=layla, acting_user=None)
    _as(client, clerk)
    for url in ("/registry/groups/", f"/registry/groups/{group.pk}/", f"/registry/people/{layla.pk}/"):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
        assert "<b>Survivors</b>" not in page
    detail = client.get(f"/registry/groups/{group.pk}/").content.decode()
    assert "<img src=x" not in detail and "&lt;img src=x onerror=alert(2)&gt;" in detail


# --- a group's page ---------------------------------------------------------------------------------------------


def test_group_page_shows_members_households_place_and_history(client, clerk, community, layla, family):
    actions.add_member(group=community, person=layla, acting_user=clerk, role="representative")
    actions.add_household(group=community, household=family, acting_user=clerk)
    page = _as(client, clerk).get(f"/registry/groups/{community.pk}/").content.decode()
    assert layla.reference in page and "Representative" in page
    assert family.reference in page and "Sharya camp" in page and "IQD086" in page
    assert "group.member_added" in page and "group.household_added" in page  # the history, from audit events
    assert 'data-testid="group-actions"' in page


def test_who_sees_a_group_and_who_may_change_it(client, community, reader, mosul_clerk, outsider):
    page = _as(client, reader).get(f"/registry/groups/{community.pk}/")
    assert page.status_code == 200 and 'data-testid="group-actions"' not in page.content.decode()
    assert client.get(f"/registry/groups/{community.pk}/edit/").status_code == 404
    for user in (mosul_clerk, outsider):
        _as(client, user)
        assert client.get(f"/registry/groups/{community.pk}/").status_code == 404
        assert client.get("/registry/groups/").content.decode().count(community.reference) == 0


def test_person_page_lists_their_groups(client, clerk, community, layla):
    actions.add_member(group=community, person=layla, acting_user=clerk, role="focal_point")
    page = _as(client, clerk).get(f"/registry/people/{layla.pk}/").content.decode()
    assert 'id="groups"' in page and community.reference in page and "Focal point" in page


# --- creating and correcting ------------------------------------------------------------------------------------


def test_clerk_creates_a_community_and_errors_name_the_field(client, clerk, office, camp):
    _as(client, clerk)
    refused = client.post("/registry/groups/new/", {"kind": "community", "name_latin": "Village", "office": office.pk})
    assert refused.status_code == 200 and "A community is tied to a place" in refused.content.decode()
    response = client.post(
        "/registry/groups/new/",
        {"kind": "community", "name": "نازحو سنجار", "name_latin": "Sinjar IDPs", "office": office.pk, "site": camp.pk},
    )
    group = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/registry/groups/{group.pk}/"
    assert (group.office, group.site, group.admin_area.pcode) == (office, camp, "IQD086")


def test_a_stale_edit_is_refused_then_saved_on_top_of_the_other_change(client, clerk, colleague, community, office):
    _as(client, clerk)
    form = client.get(f"/registry/groups/{community.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in form
    actions.update_group(group=community, acting_user=colleague, version=1, values={"estimated_size": 3600})
    posted = {
        "kind": "community",
        "name": "نازحو سنجار",
        "name_latin": "Displaced from Sinjar district",
        "office": office.pk,
        "site": community.site_id,
        "admin_area": community.admin_area_id,
        "estimated_size": "3400",
        "description": "",
        "version": "1",
    }
    refused = client.post(f"/registry/groups/{community.pk}/edit/", posted)
    page = refused.content.decode()
    assert refused.status_code == 200 and colleague.username in page and "Nothing was saved" in page
    community.refresh_from_db()
    assert (community.name_latin, community.estimated_size, community.version) == ("Displaced from Sinjar", 3600, 2)
    # The form now holds the colleague's value for what they changed, the clerk's for the rest.
    assert 'name="version" value="2"' in page and 'value="3600"' in page
    again = client.post(f"/registry/groups/{community.pk}/edit/", {**posted, "estimated_size": "3600", "version": "2"})
    assert again.status_code == 302
    community.refresh_from_db()
    assert (community.name_latin, community.estimated_size, community.version) == (
        "Displaced from Sinjar district",
        3600,
        3,
    )


# --- members ------------------------------------------------------------------------------------------------------


def test_clerk_finds_a_person_with_the_picker_and_adds_them(client, clerk, community, layla):
    _as(client, clerk)
    found = client.get(f"/registry/groups/{community.pk}/members/find/?find=layla").content.decode()
    assert layla.reference in found and 'data-testid="picker-results"' in found
    picked = client.get(f"/registry/groups/{community.pk}/members/find/?pick={layla.reference}").content.decode()
    assert f'value="{layla.reference}"' in picked and 'data-testid="picked"' in picked
    page = client.get(f"/registry/groups/{community.pk}/members/add/?find=layla").content.decode()
    assert layla.reference in page  # the same results without JavaScript
    response = client.post(
        f"/registry/groups/{community.pk}/members/add/",
        {"reference": layla.reference.lower(), "role": "chair", "joined_on": TODAY().isoformat()},
    )
    assert response.status_code == 302 and response["Location"].endswith("#members")
    assert community.memberships.get().role == "chair"


def test_a_person_of_another_operation_is_refused_as_member(client, clerk, community, other_operation):
    stranger = household_of(other_operation, None, "Salem").members.get().person
    _as(client, clerk)
    found = client.get(f"/registry/groups/{community.pk}/members/find/?find=Salem").content.decode()
    assert stranger.reference not in found
    response = client.post(
        f"/registry/groups/{community.pk}/members/add/",
        {"reference": stranger.reference, "role": "member", "joined_on": TODAY().isoformat()},
    )
    assert response.status_code == 200 and "No person with this registration number" in response.content.decode()
    assert not GroupMembership.objects.exists()


def test_a_second_representative_is_refused_on_the_form(client, clerk, community, layla, family):
    actions.add_member(group=community, person=layla, acting_user=clerk, role="representative")
    khalil = family.members.get(relationship="spouse").person
    _as(client, clerk)
    response = client.post(
        f"/registry/groups/{community.pk}/members/add/",
        {"reference": khalil.reference, "role": "representative", "joined_on": TODAY().isoformat()},
    )
    assert response.status_code == 200 and "already has a representative" in response.content.decode()


def test_clerk_changes_a_role_then_ends_the_membership(client, clerk, community, layla):
    joined = actions.add_member(
        group=community, person=layla, acting_user=clerk, joined_on=TODAY() - dt.timedelta(days=3)
    )
    _as(client, clerk)
    assert client.get(f"/registry/groups/{community.pk}/members/{joined.pk}/").status_code == 200
    url = f"/registry/groups/{community.pk}/members/{joined.pk}/role/"
    assert client.post(url, {"role-role": "treasurer", "role-on": TODAY().isoformat()}).status_code == 302
    current = community.memberships.get(left_on__isnull=True)
    assert current.role == "treasurer"
    too_early = client.post(
        f"/registry/groups/{community.pk}/members/{current.pk}/end/",
        {"end-on": (TODAY() - dt.timedelta(days=10)).isoformat()},
    )
    assert too_early.status_code == 200 and "before" in too_early.content.decode()
    ended = client.post(
        f"/registry/groups/{community.pk}/members/{current.pk}/end/",
        {"end-on": TODAY().isoformat(), "end-note": "left"},
    )
    assert ended.status_code == 302
    assert community.memberships.count() == 2 and not community.memberships.filter(left_on__isnull=True).exists()
    page = client.get(f"/registry/groups/{community.pk}/").content.decode()
    assert 'data-testid="former-members"' in page and "Treasurer" in page


def test_a_colleague_names_a_new_representative(client, clerk, colleague, community, layla, family):
    khalil = family.members.get(relationship="spouse").person
    start = TODAY() - dt.timedelta(days=10)
    actions.add_member(group=community, person=layla, acting_user=clerk, role="representative", joined_on=start)
    actions.add_member(group=community, person=khalil, acting_user=clerk, joined_on=start)
    _as(client, colleague)
    response = client.post(
        f"/registry/groups/{community.pk}/representative/",
        {"person": str(khalil.pk), "former_role": "member", "on": TODAY().isoformat()},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="group.representative")
    assert event.actor_username == colleague.username


def test_households_join_and_leave_a_community(client, clerk, community, family):
    _as(client, clerk)
    response = client.post(
        f"/registry/groups/{community.pk}/households/add/",
        {"household": family.reference.lower(), "joined_on": TODAY().isoformat()},
    )
    assert response.status_code == 302
    link = community.household_links.get()
    unknown = client.post(
        f"/registry/groups/{community.pk}/households/add/",
        {"household": "HH-0000-0000-0000", "joined_on": TODAY().isoformat()},
    )
    assert "No household with this number" in unknown.content.decode()
    ended = client.post(f"/registry/groups/{community.pk}/households/{link.pk}/end/", {"on": TODAY().isoformat()})
    assert ended.status_code == 302
    link.refresh_from_db()
    assert link.left_on == TODAY()


def test_dissolving_a_group(client, clerk, community, layla):
    actions.add_member(group=community, person=layla, acting_user=clerk)
    _as(client, clerk)
    form = client.get(f"/registry/groups/{community.pk}/dissolve/").content.decode()
    assert "1 current member" in form
    refused = client.post(f"/registry/groups/{community.pk}/dissolve/", {"on": TODAY().isoformat(), "version": "1"})
    assert refused.status_code == 200
    done = client.post(
        f"/registry/groups/{community.pk}/dissolve/",
        {"on": TODAY().isoformat(), "reason": "Camp closed", "version": "1"},
    )
    assert done.status_code == 302
    page = client.get(f"/registry/groups/{community.pk}/").content.decode()
    assert 'data-testid="dissolved"' in page and "Camp closed" in page and 'data-testid="group-actions"' not in page
    assert client.get(f"/registry/groups/{community.pk}/edit/").status_code == 302  # back to the page


# --- right to left ------------------------------------------------------------------------------------------------


def test_arabic_pages_are_right_to_left(client, clerk, community, layla):
    actions.add_member(group=community, person=layla, acting_user=clerk)
    _as(client, clerk)
    client.post("/switch/language/", {"language": "ar", "next": "/"})
    for url in (
        "/registry/groups/",
        f"/registry/groups/{community.pk}/",
        f"/registry/groups/{community.pk}/members/add/",
    ):
        page = client.get(url).content.decode()
        assert 'dir="rtl"' in page and "bootstrap.rtl.min.css" in page, url
    detail = client.get(f"/registry/groups/{community.pk}/").content.decode()
    assert "سنجار" in detail  # the area's Arabic name, in the Arabic interface


def test_templates_use_logical_bootstrap_classes():
    """Left and right would not flip in Arabic: the templates say start and end."""
    physical = re.compile(
        r"\b(ml|mr|pl|pr)-\d|\btext-(left|right)\b|\bfloat-(left|right)\b|\bdropdown-menu-(left|right)\b"
    )
    for template in TEMPLATES.glob("*.html"):
        assert not physical.search(template.read_text(encoding="utf-8")), template.name
