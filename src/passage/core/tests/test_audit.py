"""The audit trail: append-only, hash-chained, redacted, and verifiable."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from passage.core import actions, audit
from passage.core.models import AuditEvent
from passage.core.models.audit import AppendOnlyError


def test_every_action_leaves_a_chained_event(administrator, operation):
    actions.create_office(operation=operation, acting_user=administrator, code="erb", name="Erbil")
    actions.create_office(operation=operation, acting_user=administrator, code="msl", name="Mosul")
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events][-2:] == ["office.create", "office.create"]
    assert events[-1].prev_hash == events[-2].hash
    assert events[-1].actor_username == administrator.username
    assert events[-1].changes["name"] == [None, "Mosul"]
    report = audit.verify_chain(audit.iter_chain())
    assert report.ok and report.checked == len(events)


def test_the_orm_refuses_to_change_or_delete_events(administrator, operation):
    event = audit.record(administrator, "test.event", operation)
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_raw_updates_and_deletes(administrator, operation):
    event = audit.record(administrator, "test.event", operation)
    for statement in (
        "UPDATE core_auditevent SET note = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_verify_names_the_first_altered_event(administrator, operation):
    events = [audit.record(administrator, f"test.{n}", operation) for n in range(5)]
    tampered = list(AuditEvent.objects.order_by("id"))
    tampered[2].note = "changed after the fact"
    report = audit.verify_chain(tampered)
    assert not report.ok
    assert report.broken_at == events[2].pk
    assert "altered" in report.problem


def test_verify_names_the_event_after_a_removed_one(administrator, operation):
    for n in range(4):
        audit.record(administrator, f"test.{n}", operation)
    chain = list(AuditEvent.objects.order_by("id"))
    del chain[1]
    report = audit.verify_chain(chain)
    assert report.broken_at == chain[1].pk
    assert "removed" in report.problem


def test_secrets_are_redacted_but_the_change_is_recorded(administrator, operation):
    event = audit.record(
        administrator,
        "user.update",
        administrator,
        changes={"password": ["old", "new"], "email": ["a@x.org", "b@x.org"], "phone": ["1", "2"]},
        sensitive=["phone"],
    )
    assert event.changes["password"] == [audit.REDACTED, audit.REDACTED]
    assert event.changes["phone"] == [audit.REDACTED, audit.REDACTED]
    assert event.changes["email"] == ["a@x.org", "b@x.org"]


def test_request_id_and_address_are_recorded(client, administrator, operation):
    from passage.conftest import sign_in

    sign_in(client, administrator)
    client.post(
        "/manage/offices/new/",
        {"code": "bsr", "name": "Basra", "place": "", "is_active": "on"},
        HTTP_X_REQUEST_ID="req-123",
        REMOTE_ADDR="10.1.2.3",
    )
    event = AuditEvent.objects.filter(action="office.create").get()
    assert event.request_id == "req-123"
    assert event.ip_address == "10.1.2.3"


def test_reading_the_audit_trail_is_itself_recorded(client, dpo, operation):
    from passage.conftest import sign_in

    sign_in(client, dpo)
    assert client.get("/audit/?actor=omar").status_code == 200
    looked = AuditEvent.objects.get(action="audit.search")
    assert looked.actor_id == dpo.pk and looked.note == "actor=omar"


def _chain(notes: list[str]) -> list[AuditEvent]:
    """An in-memory chain built the way `record` builds one."""
    import datetime as dt

    events, prev = [], audit.GENESIS
    for n, note in enumerate(notes, start=1):
        event = AuditEvent(id=n, at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), action="test", note=note, prev_hash=prev)
        event.hash = event.compute_hash()
        events.append(event)
        prev = event.hash
    return events


@given(
    notes=st.lists(st.text(max_size=20), min_size=1, max_size=30),
    data=st.data(),
)
def test_any_single_edit_is_caught_at_that_event(notes, data):
    events = _chain(notes)
    assert audit.verify_chain(events).ok
    victim = data.draw(st.integers(min_value=0, max_value=len(events) - 1))
    field = data.draw(st.sampled_from(["note", "action", "actor_username", "object_id"]))
    setattr(events[victim], field, getattr(events[victim], field) + "\u200b")  # even an invisible character
    report = audit.verify_chain(events)
    assert report.broken_at == events[victim].id
    assert report.checked == victim
