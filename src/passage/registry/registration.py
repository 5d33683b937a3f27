"""What a registration says, checked before anything is saved: every problem named by member and field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from passage.registry.iso_codes import is_country, is_language
from passage.registry.models import ConsentMethod, ConsentPurpose, DatePrecision, DocumentType, Relationship, Sex
from passage.registry.normalise import NormaliseError, normalise_document_number, normalise_phone

WASHINGTON_GROUP_DOMAINS = ("seeing", "hearing", "walking", "remembering", "self_care", "communicating")
# 1 no difficulty, 2 some difficulty, 3 a lot of difficulty, 4 cannot do at all, 7 refused, 9 don't know
WASHINGTON_GROUP_ANSWERS = (1, 2, 3, 4, 7, 9)
OLDEST_AGE = 120


@dataclass
class DocumentInput:
    type: str
    number: str
    issuing_country: str = ""
    expiry_date: dt.date | None = None


@dataclass
class ConsentInput:
    """The registration decision is required; other purposes are optional decisions."""

    granted: bool
    method: str
    proxy_name: str = ""
    other_purposes: dict[str, bool] = field(default_factory=dict)
    note: str = ""


@dataclass
class PersonInput:
    relationship: str
    consent: ConsentInput | None
    given_name: str = ""
    father_name: str = ""
    grandfather_name: str = ""
    family_name: str = ""
    full_name: str = ""
    given_name_latin: str = ""
    father_name_latin: str = ""
    grandfather_name_latin: str = ""
    family_name_latin: str = ""
    full_name_latin: str = ""
    other_names: list[str] = field(default_factory=list)
    sex: str = Sex.UNKNOWN
    birth_date: dt.date | None = None
    birth_date_precision: str = ""
    age_years: int | None = None
    nationalities: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    marital_status: str = "unknown"
    phones: list[str] = field(default_factory=list)
    documents: list[DocumentInput] = field(default_factory=list)
    disability: dict[str, int] = field(default_factory=dict)


@dataclass
class CheckedPerson:
    """A member whose input passed: normalised phones and documents, the birth date as it will be stored."""

    data: PersonInput
    birth_date: dt.date | None
    precision: str
    age_estimated_on: dt.date | None
    phones: list[Any]
    documents: list[tuple[DocumentInput, str]]


def check_members(members: list[PersonInput], *, region: str) -> tuple[list[CheckedPerson], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    checked: list[CheckedPerson] = []

    def problem(index: int, name: str, message: str) -> None:
        errors.setdefault(f"members[{index}].{name}", []).append(message)

    if not members:
        errors["members"] = [_("A household needs at least one member.")]
    heads = [i for i, m in enumerate(members) if m.relationship == Relationship.HEAD]
    if members and len(heads) != 1:
        errors["members"] = [_("A household has exactly one head (found %(n)s).") % {"n": len(heads)}]
    today = timezone.localdate()
    for i, member in enumerate(members):
        if member.relationship not in Relationship.values:
            problem(i, "relationship", _("Unknown relationship."))
        if member.sex not in Sex.values:
            problem(i, "sex", _("Unknown value for sex."))
        if not any(
            (
                member.given_name,
                member.family_name,
                member.full_name,
                member.given_name_latin,
                member.family_name_latin,
                member.full_name_latin,
            )
        ):
            problem(i, "given_name", _("Give at least one name, in any script."))
        _check_consent(i, member.consent, problem)
        birth, precision, estimated_on = _birth_date(i, member, today, problem)
        phones = []
        for n, raw in enumerate(member.phones):
            try:
                phones.append(normalise_phone(raw, default_region=region))
            except NormaliseError as exc:
                problem(i, f"phones[{n}]", str(exc))
        documents = []
        for n, document in enumerate(member.documents):
            if document.type not in DocumentType.values:
                problem(i, f"documents[{n}].type", _("Unknown document type."))
                continue
            try:
                documents.append(
                    (
                        document,
                        normalise_document_number(
                            document.number, document_type=document.type, issuing_country=document.issuing_country
                        ),
                    )
                )
            except NormaliseError as exc:
                problem(i, f"documents[{n}].number", str(exc))
        for domain, answer in member.disability.items():
            if domain not in WASHINGTON_GROUP_DOMAINS or answer not in WASHINGTON_GROUP_ANSWERS:
                problem(i, f"disability.{domain}", _("Not a Washington Group domain and answer (1–4, 7, 9)."))
        for code in member.nationalities:
            if not is_country(code):
                problem(i, "nationalities", _("%(code)r is not an ISO 3166 two-letter code.") % {"code": code})
        for code in member.languages:
            if not is_language(code):
                problem(i, "languages", _("%(code)r is not an ISO 639 language code (ar, ps, so…).") % {"code": code})
        checked.append(CheckedPerson(member, birth, precision, estimated_on, phones, documents))
    return checked, errors


def _check_consent(index: int, consent: ConsentInput | None, problem: Any) -> None:
    if consent is None:
        problem(index, "consent", _("Record the person's decision on consent to registration."))
        return
    if consent.method not in ConsentMethod.values:
        problem(index, "consent.method", _("Say how consent was given: verbal, written or by proxy."))
    if consent.method == ConsentMethod.PROXY and not consent.proxy_name.strip():
        problem(index, "consent.proxy_name", _("Name the proxy who decided, and their relationship."))
    if not consent.granted:
        problem(index, "consent", _("Without consent to registration the person cannot be registered."))
    for purpose in consent.other_purposes:
        if purpose not in ConsentPurpose.values or purpose == ConsentPurpose.REGISTRATION:
            problem(index, "consent.other_purposes", _("Unknown consent purpose %(p)r.") % {"p": purpose})


def _birth_date(
    index: int, member: PersonInput, today: dt.date, problem: Any
) -> tuple[dt.date | None, str, dt.date | None]:
    """The stored date: a year becomes 1 January and a month its first day, with the precision saying so;
    an age alone becomes an estimated year, remembering when it was estimated."""
    if member.birth_date is None and member.age_years is None:
        return None, "", None
    if member.birth_date is not None:
        precision = member.birth_date_precision or DatePrecision.DAY
        if precision not in DatePrecision.values:
            problem(index, "birth_date_precision", _("Unknown precision."))
            return None, "", None
        date = member.birth_date
        if precision == DatePrecision.YEAR:
            date = date.replace(month=1, day=1)
        elif precision == DatePrecision.MONTH:
            date = date.replace(day=1)
        if date > today:
            problem(index, "birth_date", _("The date of birth is in the future."))
        elif today.year - date.year > OLDEST_AGE:
            problem(index, "birth_date", _("The date of birth is more than %(n)s years ago.") % {"n": OLDEST_AGE})
        return date, precision, None
    age = member.age_years
    if age is None or not 0 <= age <= OLDEST_AGE:
        problem(index, "age_years", _("An age is between 0 and %(n)s.") % {"n": OLDEST_AGE})
        return None, "", None
    return dt.date(today.year - age, 1, 1), DatePrecision.ESTIMATED, today
