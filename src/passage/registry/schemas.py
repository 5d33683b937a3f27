"""The registry's JSON shapes: people, households and administrative areas out; a registration in.

Choice fields are plain strings checked by the registration itself (passage.registry.registration), so
that the API and the form refuse the same values with the same field names ("members[1].phones[0]").
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from passage.registry.models import AdminArea, Person

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
