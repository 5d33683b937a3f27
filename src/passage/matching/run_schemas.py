"""Schemas of the matching API (api_runs): runs, the operation's settings, candidate pairs and decisions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Field, Schema

from passage.core.schemas import JobOut
from passage.matching.models import CandidatePair, MatchRun
from passage.registry.models import PersonStatus


class RunIn(Schema):
    operation: uuid.UUID
    registration_import: uuid.UUID | None = Field(
        None, description="Score one import's people against themselves and the registry; empty for the registry"
    )


class RunOut(Schema):
    """A search for duplicates: its scope, the thresholds it used, its counts, and its job's progress."""

    id: uuid.UUID
    operation_id: uuid.UUID
    scope: Literal["registry", "import"]
    registration_import_id: uuid.UUID | None
    state: Literal["queued", "running", "done", "failed"]
    state_label: str
    probable_threshold: float
    review_threshold: float
    import_ceiling_share: float
    people_read: int
    pairs_scored: int = Field(description="Candidate pairs the engine compared")
    pairs_probable: int
    pairs_review: int
    pairs_new: int = Field(description="Pairs stored by this run")
    pairs_known: int = Field(description="Pairs found again: open ones took this run's score, decided ones stayed")
    pairs_decided_different: int
    import_share: float | None = Field(description="For an import: share of its people in probable pairs")
    held_for_review: bool
    started_by: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    job: JobOut | None = Field(description="Progress (people read and scored) and counts")

    @staticmethod
    def resolve_state_label(obj: MatchRun) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_started_by(obj: MatchRun) -> str | None:
        return obj.started_by.get_username() if obj.started_by else None


class SettingsIn(Schema):
    operation: uuid.UUID
    probable_threshold: float = Field(description="A pair is a probable duplicate from this probability (0-1]")
    review_threshold: float = Field(description="A pair needs a look from this probability, at most the above")
    import_ceiling_share: float = Field(
        description="An import whose share of new people in probable pairs is above this is held for review"
    )


class SettingsOut(Schema):
    operation_id: uuid.UUID
    probable_threshold: float
    review_threshold: float
    import_ceiling_share: float
    saved: bool = Field(description="False while the operation uses the defaults")
    updated_at: dt.datetime | None
    updated_by: str | None


class PairsQuery(Schema):
    operation: uuid.UUID
    band: Literal["", "probable", "review"] = Field("", description="probable or review; empty for both")
    decision: Literal["", "open", "same", "different", "unsure"] = Field(
        "",
        description="open: still to review (a pair whose record was merged since is left aside); empty for all",
    )
    run: uuid.UUID | None = Field(None, description="Pairs last scored by this run")
    min_probability: float | None = Field(None, ge=0, le=1)


class PairPersonOut(Schema):
    id: uuid.UUID
    reference: str
    display_name: str
    office_id: uuid.UUID | None
    status: str


class PairOut(Schema):
    """A pair of people a run found alike (person_a the one with the smaller id)."""

    id: uuid.UUID
    operation_id: uuid.UUID
    person_a: PairPersonOut
    person_b: PairPersonOut
    probability: float
    match_weight: float = Field(description="log2 of the odds that the two are one person")
    band: Literal["probable", "review"]
    decision: Literal["open", "same", "different", "unsure"]
    set_aside: bool = Field(description="One of the records was merged since: out of the queue (an undo brings it)")
    same_cluster: bool
    run_id: uuid.UUID | None
    decided_by: str | None
    decided_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_set_aside(obj: CandidatePair) -> bool:
        return PersonStatus.MERGED in (obj.person_a.status, obj.person_b.status)

    @staticmethod
    def resolve_decided_by(obj: CandidatePair) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by else None


class ExplanationOut(Schema):
    field: str
    level: str = Field(description="How the two values compare, in the engine's words (exact, close, differ, ...)")
    weight: float = Field(description="What the field added to the match weight (negative: against)")


class PairPhoneOut(Schema):
    number: str = Field(description="Masked unless the role may see phone numbers")
    is_primary: bool


class PairDocumentOut(Schema):
    type: str
    number: str = Field(description="Masked unless the role may see document numbers")
    issuing_country: str


class ComparedPersonOut(Schema):
    """A person's fields as the engine compares them."""

    id: uuid.UUID
    reference: str
    status: str
    office_id: uuid.UUID | None
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
    sex: str
    birth_date: dt.date | None
    birth_date_precision: str
    phones: list[PairPhoneOut]
    documents: list[PairDocumentOut]
    admin_area: str | None = Field(description="P-code of the person's area, or of their household's")
    households: list[str] = Field(description="References of the households the person lives in now")
    sensitive_shown: bool


class PairDetailOut(PairOut):
    explanation: list[ExplanationOut]
    people: list[ComparedPersonOut] = Field(description="person_a, then person_b")


class DecisionIn(Schema):
    decision: Literal["same", "different", "unsure"]
    note: str = Field("", max_length=1000, description="Why (kept in the audit trail); say why when unsure")


class MergeIn(Schema):
    survivor: uuid.UUID = Field(description="The record kept")
    merged: list[uuid.UUID] = Field(min_length=1, description="The records merged into it (they end, pointing at it)")
    choices: dict[str, uuid.UUID] = Field(
        default_factory=dict,
        description="Field (names, sex, birth_date, phones, documents, office, household, ...) -> the id of the "
        "record whose value survives; the fullest value by default",
    )
    versions: dict[uuid.UUID, int] = Field(
        default_factory=dict, description="Person id -> the version read: a record changed since is refused"
    )
    note: str = Field("", max_length=1000)


class MergedPersonOut(Schema):
    id: uuid.UUID
    reference: str


class MergeOut(Schema):
    """A merge of records found to be one person, and whether it was undone."""

    id: uuid.UUID
    operation_id: uuid.UUID
    survivor_id: uuid.UUID
    survivor_reference: str
    merged: list[MergedPersonOut]
    choices: dict[str, str] = Field(description="Field -> the id of the record whose value survived")
    pairs_decided: int = Field(description="Pairs between these records the merge decided 'same'")
    warnings: list[str] = Field(description="What the merge left for a person to look at")
    note: str
    merged_by: str | None
    merged_at: dt.datetime
    undone_by: str | None
    undone_at: dt.datetime | None
    undo_note: str


class UndoIn(Schema):
    keep_later_changes: bool = Field(
        False, description="Undo even though someone changed the survivor since, keeping their changes"
    )
    note: str = Field("", max_length=1000)
