"""The live duplicate check through the JSON API: a person's fields as the registration sends them in, the
registered people they most likely are out, with probability and explanation (matching.live_registry).

Needs person.register in the operation (the check belongs to registering; 403 without, 404 for another
operation); candidates are only people the caller may see, filtered after scoring, so a hidden person is never
named, counted or scored. The runs, settings and pairs of matching are in api_runs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from passage.api.problems import PROBLEMS
from passage.core import access as core_access
from passage.core.models import User
from passage.matching.live_registry import bands, candidates_for, record_of
from passage.registry.models import AdminArea
from passage.registry.registration import DocumentInput, PersonInput, check_members
from passage.registry.schemas import DocumentIn

router = Router(tags=["matching"])
# What check_members says about fields the check reads; the rest (relationship, consent) is registration's.
_READ = ("given_name", "birth_date", "birth_date_precision", "age_years", "sex", "phones", "documents")


class CandidatesIn(Schema):
    """A person as the registration wizard or POST /households sends a member (the fields the check reads)."""

    operation: uuid.UUID
    admin_area: str | None = Field(None, max_length=32, description="P-code of where they live")
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
    sex: str = Field("unknown", description="female, male, other or unknown")
    birth_date: dt.date | None = None
    birth_date_precision: str = Field("", description="day (the default with a date), month, year")
    age_years: int | None = Field(None, description="Instead of a date of birth: the age, as estimated today")
    phones: list[str] = Field(default_factory=list, description="As given; the first is compared")
    documents: list[DocumentIn] = Field(default_factory=list)
    limit: int = Field(5, ge=1, le=20, description="At most this many candidates")


class FieldWeightOut(Schema):
    field: str
    level: str = Field(description="How the field agreed, e.g. 'same spelling key', 'a year apart'")
    weight: float = Field(description="What it added to the match weight, in bits (below 0: against)")


class CandidateOut(Schema):
    person_id: uuid.UUID
    reference: str
    display_name: str
    probability: float = Field(description="Probability that the two are one person")
    match_weight: float = Field(description="log2 of the odds that the two are one person")
    band: Literal["probable", "review"]
    explanation: list[FieldWeightOut]


class CandidatesOut(Schema):
    ready: bool = Field(description="False while the registry is still being read into memory: ask again shortly")
    candidates: list[CandidateOut]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.post("/matching/candidates", response={200: CandidatesOut, **PROBLEMS})
def post_candidates(request: HttpRequest, payload: CandidatesIn) -> dict[str, Any]:
    """The registered people this person most likely is, most likely first, from the operation's review band
    up, never one kept apart (siblings, twins, father and son); each with what every field added. Nothing is
    stored. Needs person.register."""
    user = _user(request)
    operation = core_access.require(
        user, "person.register", core_access.get_operation_for_user(user, payload.operation)
    )
    area = None
    if payload.admin_area:
        area = AdminArea.objects.visible_to(user).filter(pcode=payload.admin_area.strip().upper()).first()
        if area is None:
            raise ValidationError({"admin_area": _("Unknown P-code.")})
    fields = payload.dict(exclude={"operation", "admin_area", "documents", "limit"})
    documents = [DocumentInput(**document.dict(exclude={"expiry_date"})) for document in payload.documents]
    checked, errors = check_members(
        [PersonInput(relationship="", consent=None, **fields, documents=documents)], region=operation.country
    )
    read = {key.removeprefix("members[0]."): value for key, value in errors.items() if _reads(key)}
    if read:
        raise ValidationError(read)
    answer = candidates_for(user, operation, record_of(operation, checked[0], area), limit=payload.limit)
    probable = bands(operation)[0]
    return {
        "ready": answer.ready,
        "candidates": [
            {
                "person_id": person.pk,
                "reference": person.reference,
                "display_name": person.display_name or person.display_name_latin,
                "probability": candidate.probability,
                "match_weight": candidate.match_weight,
                "band": "probable" if candidate.probability >= probable else "review",
                "explanation": [{"field": f, "level": level, "weight": w} for f, level, w in candidate.explanation],
            }
            for person, candidate in answer.candidates
        ],
    }


def _reads(key: str) -> bool:
    """Whether a problem check_members found is about a field the check reads (members[0].phones[1] is)."""
    about = key.removeprefix("members[0].")
    return about != key and about.split(".")[0].split("[")[0] in _READ
