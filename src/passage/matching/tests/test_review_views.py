"""The review queue over HTTP: the queue and its filters, the comparison, merging and undoing through the pages,
escalations, bulk decisions with their quality checks, the bands; and who gets which answer."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from passage.conftest import sign_in
from passage.core.tests.factories import OfficeFactory, member_of
from passage.matching.models import BulkDecision, CandidatePair, MatchRun, PersonMerge, QualityCheck
from passage.matching.tests.review_world import build_review, head, pair_of, single
from passage.registry.models import Person
from passage.registry.person_actions import update_person


@pytest.fixture
def office(operation):
    return OfficeFactory(operation=operation)


@pytest.fixture
def world(operation, office):
    return build_review(operation, office)


@pytest.fixture
def officer(operation):
    return member_of(operation, "data_officer")


def _merge_form(world, **extra):
    return {
        "people": [str(world.father.pk), str(world.again.pk)],
        "survivor": str(world.father.pk),
        f"version-{world.father.pk}": "1",
        f"version-{world.again.pk}": "1",
        "choice-given_name": str(world.again.pk),
        "note": "same passport",
        **extra,
    }


def test_the_queue_lists_open_pairs_most_probable_first_with_counts_and_filters(client, world, officer, operation):
    other = single(operation, head("Layla", "Haddad", dt.date(1990, 5, 4), "0771 555 0101", sex="female"))
    again = single(operation, head("Laila", "Hadad", dt.date(1990, 5, 4), "0771 555 0101", sex="female"))
    low = pair_of(other, again, 0.62)
    page = sign_in(client, officer).get("/duplicates/").content.decode()
    assert page.index(str(world.pair.pk)) < page.index(str(low.pk))
    assert 'data-count="open">2<' in page and "Find duplicates now" in page
    assert "/duplicates/" in page and "Duplicates" in page  # the navigation entry
    only_review = client.get("/duplicates/", {"band": "review"}).content.decode()
    assert str(low.pk) in only_review and str(world.pair.pk) not in only_review
    different = client.get("/duplicates/", {"view": "different"}).content.decode()
    assert 'data-testid="empty"' in different


def test_an_empty_queue_says_why(client, operation, officer):
    page = sign_in(client, officer).get("/duplicates/").content.decode()
    assert "no search has run" in page and 'data-testid="no-runs"' in page


def test_the_comparison_colours_fields_and_draws_their_weights(client, world, officer):
    page = sign_in(client, officer).get(f"/duplicates/pairs/{world.pair.pk}/").content.decode()
    assert re.search(r'data-field="given_name" data-tone="agree"', page)  # Mohammed / محمد: weighs for
    assert re.search(r'data-field="phones" data-tone="disagree"', page)
    assert page.count('class="mweight"') >= 5 and "inline-size:" in page
    assert f'name="choice-given_name" value="{world.again.pk}"' in page  # only the Arabic record has it: chosen
    assert re.search(rf'name="survivor" value="{world.father.pk}"[^>]*checked', page)
    assert "•" in page  # a data officer sees phones masked


def test_a_reviewer_merges_then_undoes_through_the_pages(client, world, officer):
    sign_in(client, officer)
    response = client.post(f"/duplicates/pairs/{world.pair.pk}/merge/", _merge_form(world))
    merge = PersonMerge.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/duplicates/merges/{merge.pk}/"
    again = Person.objects.get(pk=world.again.pk)
    assert (again.status, again.merged_into_id) == ("merged", world.father.pk)
    assert Person.objects.get(pk=world.father.pk).given_name == "محمد"
    person_page = client.get(f"/registry/people/{again.pk}/").content.decode()
    assert 'data-testid="merged-into-link"' in person_page and world.father.reference in person_page
    assert 'data-testid="person-actions"' not in person_page
    assert world.again.reference not in client.get("/registry/people/").content.decode()
    merge_page = client.get(f"/duplicates/merges/{merge.pk}/").content.decode()
    assert 'data-testid="undo"' in merge_page and "given name" in merge_page
    assert client.get("/duplicates/merges/").status_code == 200
    undone = client.post(f"/duplicates/merges/{merge.pk}/undo/", {"note": "two brothers"})
    assert undone.status_code == 302
    assert Person.objects.get(pk=world.again.pk).status == "active"
    assert 'data-testid="undone"' in client.get(f"/duplicates/merges/{merge.pk}/").content.decode()


def test_undo_over_a_later_correction_asks_for_confirmation(client, world, officer, operation):
    clerk = member_of(operation, "registration_clerk")
    sign_in(client, officer).post(f"/duplicates/pairs/{world.pair.pk}/merge/", _merge_form(world))
    merge = PersonMerge.objects.get()
    father = Person.objects.get(pk=world.father.pk)
    update_person(person=father, acting_user=clerk, version=father.version, values={"given_name": "محمود"})
    refused = client.post(f"/duplicates/merges/{merge.pk}/undo/", {"note": "wrong"})
    page = refused.content.decode()
    assert refused.status_code == 409 and clerk.username in page and 'name="keep_later_changes"' in page
    done = client.post(f"/duplicates/merges/{merge.pk}/undo/", {"note": "wrong", "keep_later_changes": "on"})
    assert done.status_code == 302 and Person.objects.get(pk=father.pk).given_name == "محمود"


def test_a_record_changed_since_the_page_opened_is_not_merged(client, world, officer, operation):
    clerk = member_of(operation, "registration_clerk")
    update_person(person=world.again, acting_user=clerk, version=1, values={"given_name_latin": "Mohamed"})
    response = sign_in(client, officer).post(f"/duplicates/pairs/{world.pair.pk}/merge/", _merge_form(world))
    assert response.status_code == 409 and clerk.username in response.content.decode()
    assert not PersonMerge.objects.exists()


def test_different_people_and_escalations(client, world, officer, operation):
    sign_in(client, officer)
    no_note = client.post(f"/duplicates/pairs/{world.pair.pk}/decide/", {"decision": "unsure"})
    assert no_note.status_code == 400 and "Say why" in no_note.content.decode()
    client.post(f"/duplicates/pairs/{world.pair.pk}/decide/", {"decision": "unsure", "note": "ask Mosul office"})
    escalated = client.get("/duplicates/", {"view": "unsure"}).content.decode()
    assert "ask Mosul office" in escalated and str(world.pair.pk) in escalated
    client.post(f"/duplicates/pairs/{world.pair.pk}/decide/", {"decision": "different"})
    assert CandidatePair.objects.get(pk=world.pair.pk).decision == "different"


def test_a_group_of_linked_records_is_compared_and_merged_together(client, world, officer, operation, office):
    third = single(operation, head("Mohamad", "Jubouri", dt.date(1985, 3, 17), "0770 123 4567"), office)
    pair_of(world.again, third, 0.93)
    sign_in(client, officer)
    pair_page = client.get(f"/duplicates/pairs/{world.pair.pk}/").content.decode()
    assert 'data-testid="open-group"' in pair_page
    group_page = client.get(f"/duplicates/pairs/{world.pair.pk}/", {"group": "1"}).content.decode()
    assert 'data-testid="record-C"' in group_page and group_page.count('name="people"') == 3
    form = _merge_form(world, group="1", people=[str(world.father.pk), str(world.again.pk), str(third.pk)])
    assert client.post(f"/duplicates/pairs/{world.pair.pk}/merge/", form).status_code == 302
    assert set(PersonMerge.objects.get().merged.values_list("pk", flat=True)) == {world.again.pk, third.pk}


def test_find_duplicates_now_starts_a_run_whose_progress_the_queue_shows(
    client, world, officer, django_capture_on_commit_callbacks
):
    sign_in(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/duplicates/runs/start/").status_code == 302
    run = MatchRun.objects.get()
    assert run.state == "done" and run.started_by == officer
    panel = client.get("/duplicates/", {"panel": "runs"}).content.decode()
    assert panel.lstrip().startswith('<section id="runs-panel"') and 'data-testid="job-progress"' in panel


def test_a_bulk_decision_sets_a_sample_aside_for_another_person(
    client, world, officer, operation, django_capture_on_commit_callbacks
):
    for n in range(3):
        a = single(operation, head(f"Ahmad{n}", "Salih", dt.date(1980 + n, 1, 2), f"0790 000 00{n}0"))
        b = single(operation, head(f"Ahmed{n}", "Saleh", dt.date(1980 + n, 1, 2), f"0790 000 00{n}0"))
        pair_of(a, b, 0.99)
    sign_in(client, officer)
    form = {"decision": "same", "min_probability": "0.98", "sample_percent": "25", "seed": "7", "note": "obvious"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/duplicates/bulk/", form)
    bulk = BulkDecision.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/duplicates/bulk/{bulk.pk}/"
    assert (bulk.pairs_decided, bulk.pairs_set_aside, bulk.pairs_skipped) == (2, 1, 0)
    assert PersonMerge.objects.filter(bulk=bulk).count() == 2
    assert client.get(f"/duplicates/bulk/{bulk.pk}/").status_code == 200
    check = QualityCheck.objects.get()
    own = client.get(f"/duplicates/pairs/{check.pair_id}/").content.decode()
    assert "another person must decide it" in own
    refused = client.post(f"/duplicates/pairs/{check.pair_id}/decide/", {"decision": "different"})
    assert refused.status_code == 409
    second = member_of(operation, "administrator")
    checks = sign_in(client, second).get("/duplicates/", {"view": "to_check"}).content.decode()
    assert str(check.pair_id) in checks
    client.post(f"/duplicates/pairs/{check.pair_id}/merge/", {"survivor": str(check.pair.person_a_id)})
    check.refresh_from_db()
    assert (check.state, check.checked_by) == ("confirmed", second)


def test_the_bands_are_for_those_who_manage_the_operation(client, officer, administrator):
    assert sign_in(client, officer).get("/duplicates/settings/").status_code == 403
    sign_in(client, administrator)
    form = {"probable_threshold": "0.85", "review_threshold": "0.4", "import_ceiling_share": "0.1"}
    assert client.post("/duplicates/settings/", form).status_code == 302
    wrong = client.post("/duplicates/settings/", form | {"review_threshold": "0.9"})
    assert wrong.status_code == 200 and "at or below" in wrong.content.decode()


def test_who_sees_the_queue_and_the_pairs(client, world, operation, outsider):
    clerk = member_of(operation, "registration_clerk")
    assert sign_in(client, clerk).get("/duplicates/").status_code == 403
    assert client.get(f"/duplicates/pairs/{world.pair.pk}/").status_code == 404
    assert sign_in(client, outsider).get(f"/duplicates/pairs/{world.pair.pk}/").status_code == 404
    elsewhere = member_of(operation, "data_officer", offices=[OfficeFactory(operation=operation)])
    sign_in(client, elsewhere)
    assert str(world.pair.pk) not in client.get("/duplicates/").content.decode()
    assert client.get(f"/duplicates/pairs/{world.pair.pk}/").status_code == 404
    assert client.post(f"/duplicates/pairs/{world.pair.pk}/merge/", _merge_form(world)).status_code == 404


def test_the_queue_costs_the_same_queries_for_many_pairs(client, operation, officer, django_assert_max_num_queries):
    for n in range(30):
        a = single(operation, head(f"Karim{n}", "Aziz", dt.date(1970 + n, 3, 3), f"0750 100 {n:04d}"))
        b = single(operation, head(f"Kareem{n}", "Aziz", dt.date(1970 + n, 3, 3), f"0750 100 {n:04d}"))
        pair_of(a, b, 0.9 + n / 1000)
    sign_in(client, officer)
    client.get("/duplicates/")
    with django_assert_max_num_queries(20):
        assert client.get("/duplicates/").status_code == 200


def test_the_comparison_reads_right_to_left_in_arabic(client, world, officer):
    sign_in(client, officer)
    client.post("/switch/language/", {"language": "ar", "next": "/"})
    page = client.get(f"/duplicates/pairs/{world.pair.pk}/").content.decode()
    assert 'dir="rtl"' in page and "matching.css" in page


def test_the_demo_leaves_a_finished_search_for_the_queue(world, operation):
    from passage.matching.demo import demo_match_run

    run = demo_match_run(operation, again=False)
    assert run is not None and run.state == "done" and run.people_read == 3
    assert demo_match_run(operation, again=False) is None  # one finished run is enough
    assert demo_match_run(operation, again=True) is not None  # the registry grew: search again
