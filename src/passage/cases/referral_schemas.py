"""The JSON shapes of referrals: a referral as staff and as its provider see it, what was shared, the one-time
link's address once; sending one and the provider's answers in."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Field, Schema

# --- referrals ------------------------------------------------------------------------------------------------


class ReferralListQuery(Schema):
    operation: uuid.UUID
    status: Literal["active", "overdue", "finished", "all"] = "active"
    mine: bool = Field(False, description="Only the referrals of the caller's own cases")


class ReferralIn(Schema):
    """Refer a person of the case to a provider of the directory for a service."""

    provider: uuid.UUID
    service: str = Field(description="One of the services the provider offers (health, legal_aid, mhpss…)")
    reason: str = Field(max_length=4000, description="Why, and what is asked of the provider")
    items: list[str] = Field(description="What to share (name, sex, languages, phone…): only what the person agreed to")
    person: uuid.UUID | None = Field(None, description="Someone the case is about; its person when not given")
    urgency: str = Field("routine", description="routine, urgent or emergency")
    email_link: bool = Field(False, description="Email a one-time link to a provider that receives them by link")


class ReferralAcceptIn(Schema):
    note: str = Field("", max_length=2000)


class ReferralRejectIn(Schema):
    reason: str = Field(description="not_eligible, no_capacity, not_offered, … or other (with a note)")
    note: str = Field("", max_length=2000)


class ReferralDeliveryIn(Schema):
    delivered_on: dt.date
    service: str = Field(max_length=2000, description="What was provided")


class ReceivedReferralOut(Schema):
    """A referral as its provider sees it: never its case."""

    id: uuid.UUID
    reference: str
    provider_id: uuid.UUID
    provider: str = Field(description="The provider's name")
    service: str
    urgency: str
    reason: str
    state: str = Field(description="sent, acknowledged, accepted, rejected, delivered, closed or cancelled")
    shared_items: list[str] = Field(description="What was shared, by item (the values only in GET /referrals/{id})")
    sent_at: dt.datetime
    acknowledge_by: dt.datetime
    respond_by: dt.datetime
    acknowledged_at: dt.datetime | None
    accepted_at: dt.datetime | None
    rejected_at: dt.datetime | None
    rejection_reason: str
    rejection_note: str
    delivered_on: dt.date | None
    delivered_service: str
    closed_at: dt.datetime | None
    overdue: bool

    @staticmethod
    def resolve_provider(obj: Any) -> str:
        return str(obj.provider.name)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue)


class ReferralOut(ReceivedReferralOut):
    """A referral; its case and person are given to staff who see the case, None for the provider's users."""

    case_id: uuid.UUID | None
    case_reference: str | None
    person_id: uuid.UUID | None
    person_reference: str | None

    @staticmethod
    def resolve_case_id(obj: Any) -> Any:
        return obj.case_id if getattr(obj, "staff", False) else None

    @staticmethod
    def resolve_case_reference(obj: Any) -> str | None:
        return str(obj.case.reference) if getattr(obj, "staff", False) else None

    @staticmethod
    def resolve_person_id(obj: Any) -> Any:
        return obj.person_id if getattr(obj, "staff", False) else None

    @staticmethod
    def resolve_person_reference(obj: Any) -> str | None:
        return str(obj.person.reference) if getattr(obj, "staff", False) else None


class SharedOut(Schema):
    code: str
    label: str
    lines: list[str]


class ReferralDetailOut(ReferralOut):
    shared: list[SharedOut] = Field(description="What the provider sees: the values as sent, less any no longer agreed")
    consent_withdrawn: bool = Field(description="The person withdrew consent to sharing: nothing is shown")

    @staticmethod
    def resolve_shared(obj: Any) -> list[dict[str, Any]]:
        return [{"code": row.code, "label": str(row.label), "lines": list(row.lines)} for row in obj.shown.rows]

    @staticmethod
    def resolve_consent_withdrawn(obj: Any) -> bool:
        return bool(obj.shown.withdrawn)


class ReferralSentOut(ReferralOut):
    link_url: str | None = Field(
        description="The one-time link's address, given this once, to pass on to the provider (None when emailed)"
    )
    emailed_to: list[str] = Field(description="Where the one-time link was emailed")
