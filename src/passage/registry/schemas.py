"""The registry's JSON shapes: people, households, consent, locations and imports out; a registration, a
person's corrections and what happens to them afterwards in.

Choice fields are plain strings checked by the registration itself (passage.registry.registration), so
that the API and the form refuse the same values with the same field names ("members[1].phones[0]").
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from passage.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from passage.api.problems import Problem
from passage.core.schemas import JobOut
from passage.registry.models import AdminArea, Consent, Household, Person, RegistrationImport, Site

# --- people ---------------------------------------------------------------------------------------


class PersonFields(Schema):
    id: uuid.UUID
    reference: str = Field(description="The registration number, e.g. P-7K3M-Q9XD")
    operation_id: uuid.UUID
    office_id: uuid.UUID | None
    display_name: str = Field(description="The name as written, in any script")
    display_name_latin: str
    sex: str
    birth_date: dt.date | None
    birth_date_precision: str = Field(description="day, month, year or estimated; empty without a date")
    status: str
    admin_area: str | None = Field(description="P-code of where the person lives")


class PersonSummaryOut(PersonFields):
    """A person in a list: names and key facts, never phones or documents."""

    @staticmethod
    def resolve_display_name(obj: Person) -> str:
        return obj.display_name

    @staticmethod
    def resolve_display_name_latin(obj: Person) -> str:
        return obj.display_name_latin

    @staticmethod
    def resolve_admin_area(obj: Person) -> str | None:
        return obj.admin_area.pcode if obj.admin_area is not None else None


class PhoneOut(Schema):
    number: str = Field(description="E.164; masked but for the last digits unless the role may see it")
    is_primary: bool


class DocumentOut(Schema):
    type: str
    number: str = Field(description="Masked but for the last digits unless the role may see it")
    issuing_country: str
    expiry_date: dt.date | None


class ConsentOut(Schema):
    id: uuid.UUID
    purpose: str
    granted: bool
    method: str
    proxy_name: str
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None


class HouseholdMembershipOut(Schema):
    """One household a person belongs or belonged to."""

    household_id: uuid.UUID
    household_reference: str
    relationship: str = Field(description="Relationship to the head of household")
    joined_on: dt.date
    left_on: dt.date | None


class PersonOut(PersonFields):
    """A person's full record. Reading it is recorded in the audit trail."""

    version: int = Field(description="Send it back with a correction (PATCH): a stale one is refused with 409")
    status_on: dt.date | None = Field(description="Since when the status holds, e.g. the date of death")
    status_reason: str
    given_name: str
    father_name: str
    grandfather_name: str
    family_name: str
    full_name: str
    given_name_latin: str
    father_name_latin: str
    grandfather_name_latin: str
    family_name_latin: str
    full_name_latin: str
    other_names: list[str]
    age_estimated_on: dt.date | None
    nationalities: list[str]
    languages: list[str]
    marital_status: str
    disability: dict[str, int] = Field(description="Washington Group answers by domain")
    site_id: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime
    sensitive_shown: bool = Field(description="False: phones and document numbers are masked for this role")
    phones: list[PhoneOut]
    documents: list[DocumentOut]
    consents: list[ConsentOut]
    households: list[HouseholdMembershipOut]


# --- households -----------------------------------------------------------------------------------


class MemberOut(Schema):
    person_id: uuid.UUID
    reference: str
    display_name: str
    display_name_latin: str
    relationship: str
    joined_on: dt.date
    left_on: dt.date | None


class HouseholdOut(Schema):
    id: uuid.UUID
    reference: str = Field(description="The household number, e.g. HH-4D2R-8KQP")
    operation_id: uuid.UUID
    office_id: uuid.UUID | None
    admin_area: str | None = Field(description="P-code")
    site_id: uuid.UUID | None
    address: str = Field(description="Masked unless the role may see it")
    sensitive_shown: bool
    created_at: dt.datetime
    members: list[MemberOut] = Field(description="Current members, the head first, then former members")


class HeadOut(Schema):
    person_id: uuid.UUID
    reference: str
    display_name: str
    display_name_latin: str


class HouseholdSummaryOut(Schema):
    """A household in a list: never its address."""

    id: uuid.UUID
    reference: str
    operation_id: uuid.UUID
    office_id: uuid.UUID | None
    admin_area: str | None = Field(description="P-code")
    site_id: uuid.UUID | None
    created_at: dt.datetime
    size: int = Field(description="Current members")
    head: HeadOut | None = Field(description="The current head, if the household has one")

    @staticmethod
    def resolve_admin_area(obj: Household) -> str | None:
        return obj.admin_area.pcode if obj.admin_area is not None else None

    @staticmethod
    def resolve_head(obj: Household) -> dict[str, Any] | None:
        heads = getattr(obj, "heads", [])
        if not heads:
            return None
        person = heads[0].person
        return {
            "person_id": person.pk,
            "reference": person.reference,
            "display_name": person.display_name,
            "display_name_latin": person.display_name_latin,
        }


class DocumentIn(Schema):
    type: str = Field(description="passport, national_id, birth_certificate, refugee_certificate, …")
    number: str = Field(max_length=80)
    issuing_country: str = Field("", max_length=2, description="ISO 3166 two-letter code")
    expiry_date: dt.date | None = None


class ConsentIn(Schema):
    granted: bool = Field(description="Consent to registration; without it nobody is registered")
    method: str = Field(description="verbal, written or proxy")
    proxy_name: str = Field("", max_length=200, description="For consent by proxy: their name and relationship")
    other_purposes: dict[str, bool] = Field(
        default_factory=dict, description="Decisions for other purposes: sharing, research, follow_up"
    )
    note: str = Field("", max_length=2000)


class MemberIn(Schema):
    relationship: str = Field(description="Relationship to the head: head, spouse, son, daughter, …")
    consent: ConsentIn | None = Field(None, description="Required: the person's decision on registration")
    given_name: str = Field("", max_length=100)
    father_name: str = Field("", max_length=100)
    grandfather_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100)
    full_name: str = Field("", max_length=400)
    given_name_latin: str = Field("", max_length=100)
    father_name_latin: str = Field("", max_length=100)
    grandfather_name_latin: str = Field("", max_length=100)
    family_name_latin: str = Field("", max_length=100)
    full_name_latin: str = Field("", max_length=400)
    other_names: list[str] = Field(default_factory=list)
    sex: str = Field("unknown", description="female, male, other or unknown")
    birth_date: dt.date | None = None
    birth_date_precision: str = Field("", description="day (the default with a date), month, year")
    age_years: int | None = Field(None, description="Instead of a date of birth: the age, as estimated today")
    nationalities: list[str] = Field(default_factory=list, description="ISO 3166 two-letter codes")
    languages: list[str] = Field(default_factory=list, description="ISO 639 codes")
    marital_status: str = "unknown"
    phones: list[str] = Field(default_factory=list, description="As given; the first is the primary number")
    documents: list[DocumentIn] = Field(default_factory=list)
    disability: dict[str, int] = Field(default_factory=dict, description="Washington Group answers by domain")


class HouseholdIn(Schema):
    operation: uuid.UUID
    office: uuid.UUID | None = Field(None, description="The office registering them, if any")
    admin_area: str | None = Field(None, max_length=32, description="P-code of where they live")
    address: str = Field("", max_length=1000)
    members: list[MemberIn] = Field(description="Exactly one member is the head")


# --- after registration: corrections, status, households over time, consent ------------------------


class PersonPatchIn(Schema):
    """A correction: only the fields sent change (phones and documents, when sent, replace the stored ones).
    The same rules as registration and the browser's correction page; problems name the field."""

    version: int = Field(description="The version the correction started from (as GET /people/{id} gave it)")
    note: str = Field("", max_length=2000, description="Why, for the record's history")
    given_name: str = Field("", max_length=100)
    father_name: str = Field("", max_length=100)
    grandfather_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100)
    full_name: str = Field("", max_length=400)
    given_name_latin: str = Field("", max_length=100)
    father_name_latin: str = Field("", max_length=100)
    grandfather_name_latin: str = Field("", max_length=100)
    family_name_latin: str = Field("", max_length=100)
    full_name_latin: str = Field("", max_length=400)
    other_names: list[str] = Field(default_factory=list)
    sex: str = Field("unknown", description="female, male, other or unknown")
    birth_date: dt.date | None = Field(None, description="Send with birth_date_precision; null clears it")
    birth_date_precision: str = Field("", description="day, month, year or estimated")
    age_years: int | None = Field(None, description="Instead of a date of birth: the age, as estimated today")
    nationalities: list[str] = Field(default_factory=list, description="ISO 3166 two-letter codes")
    languages: list[str] = Field(default_factory=list, description="ISO 639 codes")
    marital_status: str = "unknown"
    disability: dict[str, int] = Field(default_factory=dict, description="Washington Group answers by domain")
    phones: list[str] = Field(
        default_factory=list, description="Replace the phones (the first is primary); needs person.view_sensitive"
    )
    documents: list[DocumentIn] = Field(
        default_factory=list, description="Replace the identity documents; needs person.view_sensitive"
    )


class ChangedMeanwhileOut(Schema):
    at: dt.datetime
    by: str = Field(description="Username of who changed the record")
    fields: list[str]


class ConflictProblem(Problem):
    """409: the record changed after the version the request started from. Nothing was saved."""

    current_version: int
    changes: list[ChangedMeanwhileOut] = Field(description="Who changed which fields since that version, oldest first")


class StatusIn(Schema):
    status: str = Field(description="active, deceased or withdrawn (merging is the duplicate review's)")
    on: dt.date | None = Field(None, description="For a death: the date of death (the best date known)")
    reason: str = Field("", max_length=2000, description="Required for withdrawn and for active again")
    version: int | None = Field(None, description="The version the change started from; a stale one is a 409")


class MoveIn(Schema):
    """To another registered household of the operation (household_id, or its number as `household`), or to a
    new household of their own (neither: the person is its head)."""

    relationship: str = Field(description="Relationship to the head there; head in a new household")
    on: dt.date = Field(description="The date of the move")
    household_id: uuid.UUID | None = None
    household: str = Field("", max_length=32, description="The household's number, e.g. HH-4D2R-8KQP")
    address: str = Field("", max_length=500, description="Address of a new household")
    note: str = Field("", max_length=2000)


class LeaveIn(Schema):
    on: dt.date = Field(description="The date the person left their household")
    note: str = Field("", max_length=2000)


class HeadIn(Schema):
    new_head: uuid.UUID = Field(description="A current member's person id")
    former_head_relationship: str = Field(
        "", description="How the former head is related to the new head (needed when there is a former head)"
    )
    note: str = Field("", max_length=2000)


class ConsentRecordOut(ConsentOut):
    """A consent decision as the person's page shows it."""

    recorded_by: str | None = Field(description="Username; None when recorded by an import or the system")
    withdrawn_by: str | None
    withdrawal_note: str
    current: bool = Field(description="The latest decision for its purpose (a later one replaces it)")

    @staticmethod
    def resolve_recorded_by(obj: Consent) -> str | None:
        return obj.recorded_by.get_username() if obj.recorded_by else None

    @staticmethod
    def resolve_withdrawn_by(obj: Consent) -> str | None:
        return obj.withdrawn_by.get_username() if obj.withdrawn_by else None

    @staticmethod
    def resolve_current(obj: Consent) -> bool:
        return bool(getattr(obj, "current", False))


class ConsentDecisionIn(Schema):
    purpose: str = Field(description="registration, sharing, research or follow_up")
    granted: bool
    method: str = Field("", description="verbal, written or proxy")
    proxy_name: str = Field("", max_length=200, description="For consent by proxy: their name and relationship")
    note: str = Field("", max_length=2000)


class WithdrawIn(Schema):
    note: str = Field("", max_length=2000)
    withdrawn_at: dt.datetime | None = Field(None, description="When the person withdrew it; now if not given")


# --- administrative areas -------------------------------------------------------------------------


class AdminAreaOut(Schema):
    id: uuid.UUID
    country: str
    level: int = Field(description="0 (the country) to 4")
    pcode: str
    name: str
    local_name: str = Field(description="The name in the request's language when the dataset has it")
    names: dict[str, Any]
    parent: str | None = Field(description="The parent's P-code")

    @staticmethod
    def resolve_local_name(obj: AdminArea) -> str:
        return obj.local_name

    @staticmethod
    def resolve_parent(obj: AdminArea) -> str | None:
        return obj.parent.pcode if obj.parent is not None else None


class SiteOut(Schema):
    """A place the operation works at: a camp, a collective or transit centre, a border or flow-monitoring point."""

    id: uuid.UUID
    operation_id: uuid.UUID
    code: str = Field(description="The site code (e.g. the DTM site id), unique in the operation")
    name: str
    kind: str = Field(description="camp, collective_centre, transit_centre, border_point or flow_monitoring_point")
    admin_area: str = Field(description="P-code of the area the site is in")
    latitude: float | None
    longitude: float | None
    is_active: bool

    @staticmethod
    def resolve_kind(obj: Site) -> str:
        return obj.type

    @staticmethod
    def resolve_admin_area(obj: Site) -> str:
        return obj.admin_area.pcode

    @staticmethod
    def resolve_latitude(obj: Site) -> float | None:
        return float(obj.latitude) if obj.latitude is not None else None

    @staticmethod
    def resolve_longitude(obj: Site) -> float | None:
        return float(obj.longitude) if obj.longitude is not None else None


# --- exports and counts -----------------------------------------------------------------------------


class PeopleExportIn(Schema):
    operation: uuid.UUID
    q: str = Field("", max_length=200, description="The people list's search (as GET /people?q=); empty for all")
    format: str = Field("csv", description="csv or xlsx")
    personal: bool = Field(False, description="Names, dates of birth, household number and relationship")
    sensitive: bool = Field(
        False, description="Phone numbers and identity documents; needs person.view_sensitive and a password"
    )
    password: str = Field(
        "",
        description="Protects the file (encrypted XLSX, or CSV in an AES zip); at least 12 characters. "
        "Send it to the recipient by another channel than the file.",
    )


class AggregateCellOut(Schema):
    pcode: str = Field(description="P-code of the area at the level asked for; empty when not known at that level")
    area: str
    sex: str
    age_group: str = Field(description="0-4, 5-11, 12-17, 18-59, 60+ or unknown")
    count: int | None = Field(description="None when suppressed")
    shown: str = Field(description='The count, or "<5" (the threshold) when suppressed')


class AggregatesOut(Schema):
    operation_id: uuid.UUID
    level: int
    threshold: int = Field(description="Counts under it are suppressed")
    as_of: dt.date
    suppressed: int = Field(description="How many cells are suppressed")
    cells: list[AggregateCellOut]


# --- registration imports ---------------------------------------------------------------------------


class ImportRowCountsOut(Schema):
    total: int
    invalid: int = Field(description="Rows with errors: they never reach the registry")
    new: int = Field(description="New people, added when the import is approved")
    update: int = Field(description="Registered people the rows would change, after approval")
    unchanged: int = Field(description="Already registered with these values: importing them adds nobody")


class ImportResultOut(Schema):
    households_created: int
    people_created: int
    people_updated: int


class ImportDuplicatesOut(Schema):
    """The check of an import's new people for duplicates, before approval."""

    checked_at: dt.datetime | None = Field(description="When the check ran; null if it has not (yet)")
    share: float | None = Field(description="Share of the new people who look like someone registered or in the file")
    ceiling: float | None = Field(description="The operation's ceiling when checked: above it the import is held")
    rows: int = Field(description="New people in probable pairs (GET /imports/{id}/rows?duplicates=true)")
    held: bool = Field(description="Held for review: approving it needs `accept_duplicates`, a reason")
    awaiting_decision: bool = Field(description="Held, and nobody has yet accepted its duplicates")
    accepted_by: str | None
    accepted_at: dt.datetime | None
    accepted_reason: str


class ImportOut(Schema):
    """A registration import: its state, its rows by outcome, and the job reading or committing it."""

    id: uuid.UUID
    operation_id: uuid.UUID
    office_id: uuid.UUID | None
    filename: str
    encoding: str
    state: str = Field(description="staging, validated (waiting for approval), committing, committed, rejected, failed")
    state_label: str
    running: bool = Field(description="Its job is reading and checking it, or adding it to the registry, now")
    problem: str = Field(description="Why it could not be read, notes on the file, or the reason it was rejected")
    mapping: dict[str, str] = Field(description="File column -> registry field")
    template: str | None = Field(description="The name of the saved column mapping it was read with")
    rows: ImportRowCountsOut
    result: ImportResultOut
    created_by: str | None
    created_at: dt.datetime
    decided_by: str | None = Field(description="Who approved or rejected it")
    decided_at: dt.datetime | None
    job: JobOut | None = Field(description="The latest job: checking the file, or adding it to the registry")
    duplicates: ImportDuplicatesOut


class ImportSummaryOut(Schema):
    """An import in a list; GET /imports/{id} has the rest."""

    id: uuid.UUID
    operation_id: uuid.UUID
    filename: str
    state: str
    rows_total: int
    rows_invalid: int = Field(description="Rows with errors")
    created_by: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_created_by(obj: RegistrationImport) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None


class ImportRowsQuery(Schema):
    outcome: Literal["", "invalid", "new", "update", "unchanged"] = Field(
        "", description="invalid, new, update or unchanged; empty for every row"
    )
    duplicates: bool = Field(False, description="Only the new people who look like someone (the duplicate check)")
    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"Rows per page; at most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, description="Rows to skip.")


class ImportRowLooksLikeOut(Schema):
    """Whom a new person looks like: a registered person (named only to those who may see them) or a row."""

    probability: float
    person_id: uuid.UUID | None = Field(description="The registered person, if the reader may see them")
    person_reference: str | None
    person_hidden: bool = Field(description="Someone registered whom the reader may not see")
    row: int | None = Field(description="Another row of the same file")


class ImportRowErrorOut(Schema):
    field: str = Field(description="The registry field the problem is about (as in `values`)")
    message: str


class ImportRowChangeOut(Schema):
    field: str
    old: Any
    new: Any


class ImportRowOut(Schema):
    """One row of the file as read and checked."""

    row: int = Field(description="The row number in the file (the header is row 1)")
    household: str = Field(description="The household the row belongs to in the file")
    outcome: str = Field(description="invalid, new, update or unchanged")
    person_id: uuid.UUID | None = Field(description="The registered person the row is (update and unchanged rows)")
    values: dict[str, Any] = Field(
        description="Registry field -> the value read; phones and document numbers masked unless the role may see them"
    )
    errors: list[ImportRowErrorOut]
    changes: list[ImportRowChangeOut] = Field(description="For a registered person: what the row would change")
    looks_like: ImportRowLooksLikeOut | None = Field(description="For a new person in a probable pair")


class ImportRowsPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ImportRowOut]


class ApproveIn(Schema):
    accept_duplicates: str = Field(
        "",
        max_length=1000,
        description="For an import held for its duplicates: why it should be added anyway (audited)",
    )


class RejectIn(Schema):
    reason: str = Field(max_length=1000, description="Why the import is rejected; shown on the import")
