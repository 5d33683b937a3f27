"""Registration data import: map columns to registry fields, read values as people write them, stage and
check every row, then (after approval) register the households whose rows are all sound.

Values people send: sexes as "F", "female" or "أنثى"; dates as 1985-03-17, 17/03/1985, 03/1985, 1985 or
"00/00/1985" (unknown day and month: the year is kept, with its precision); consent as yes/no in English,
French, Spanish or Arabic. KoboToolbox group paths (`group_hh/member/given_name`) map by their last part.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from passage.registry.registration import ConsentInput, DocumentInput, PersonInput, check_members
from passage.registry.tabular import Table

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "reference": ("reference", "registration_number", "person_reference", "passage_id"),
    "household_id": (
        "household_id",
        "household",
        "hh_id",
        "hhid",
        "household_number",
        "family_id",
        "_submission_uid",
    ),
    "relationship": ("relationship", "relationship_to_head", "relation", "hh_relation"),
    "given_name": ("given_name", "first_name", "name", "member_name", "firstname"),
    "father_name": ("father_name", "fathers_name", "second_name"),
    "grandfather_name": ("grandfather_name", "grandfathers_name", "third_name"),
    "family_name": ("family_name", "last_name", "surname", "lastname"),
    "full_name": ("full_name", "fullname", "name_as_written"),
    "given_name_latin": ("given_name_latin", "given_name_en", "first_name_latin", "first_name_en"),
    "family_name_latin": ("family_name_latin", "family_name_en", "last_name_latin", "last_name_en"),
    "father_name_latin": ("father_name_latin", "father_name_en"),
    "grandfather_name_latin": ("grandfather_name_latin", "grandfather_name_en"),
    "full_name_latin": ("full_name_latin", "full_name_en"),
    "other_names": ("other_names", "aliases", "alias", "also_known_as"),
    "marital_status": ("marital_status", "civil_status"),
    "languages": ("languages", "language", "spoken_languages"),
    "admin_area": ("admin_area", "pcode", "p_code", "location_pcode", "admin2pcode", "admin3pcode", "admin4pcode"),
    "sex": ("sex", "gender"),
    "birth_date": ("birth_date", "date_of_birth", "dob", "birthdate"),
    "age": ("age", "age_years"),
    "phone": ("phone", "phone_number", "mobile", "telephone", "contact_number"),
    "document_type": ("document_type", "id_type"),
    "document_number": ("document_number", "id_number", "passport_number", "national_id"),
    "document_country": ("document_country", "issuing_country"),
    "nationality": ("nationality", "citizenship"),
    "consent": ("consent", "consent_registration", "consent_given"),
    "consent_method": ("consent_method",),
    "source_uid": ("_member_uid", "_uuid", "uuid", "instanceid", "meta_instanceid", "_submission_uuid"),
}
FIELDS = tuple(FIELD_ALIASES)
YES = {"yes", "y", "true", "1", "oui", "si", "sí", "نعم"}
NO = {"no", "n", "false", "0", "non", "لا"}
SEXES = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "girl": "female",
    "أنثى": "female",
    "انثى": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "boy": "male",
    "ذكر": "male",
    "other": "other",
    "unknown": "unknown",
    "": "unknown",
}


MARITAL_STATUSES = {"single", "married", "divorced", "separated", "widowed", "unknown"}


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,|]", text) if part.strip()]


def _key(header: str) -> str:
    last = re.split(r"[/.:]", header.strip())[-1]
    return re.sub(r"[^0-9a-z\u0600-\u06ff_]", "", last.lower().replace(" ", "_").replace("-", "_"))


def auto_map(header: list[str]) -> dict[str, str]:
    """Column -> field, by header name; columns it cannot place are left out (and ignored)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in header:
        key = _key(column)
        for name, aliases in FIELD_ALIASES.items():
            if name not in taken and (key == name or key in aliases):
                mapping[column] = name
                taken.add(name)
                break
    return mapping


class ValueProblem(ValueError):
    pass


def parse_date(text: str) -> tuple[dt.date, str]:
    """(date, precision) from the ways dates are written in registration forms."""
    value = text.strip()
    patterns: list[tuple[str, Callable[[re.Match[str]], tuple[int, int, int]]]] = [
        (r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", lambda m: (int(m[1]), int(m[2]), int(m[3]))),
        (r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", lambda m: (int(m[3]), int(m[2]), int(m[1]))),
        (r"(\d{4})-(\d{1,2})", lambda m: (int(m[1]), int(m[2]), 0)),
        (r"(\d{1,2})[/.](\d{4})", lambda m: (int(m[2]), int(m[1]), 0)),
        (r"(\d{4})", lambda m: (int(m[1]), 0, 0)),
    ]
    for pattern, parts in patterns:
        match = re.fullmatch(pattern, value)
        if not match:
            continue
        year, month, day = parts(match)
        precision = "day" if day else "month" if month else "year"
        try:
            return dt.date(year, month or 1, day or 1), precision
        except ValueError:
            raise ValueProblem(f"{value!r} is not a real date.") from None
    raise ValueProblem(f"{value!r} is not a date (write 1985-03-17, 17/03/1985, 1985-03 or 1985).")


@dataclass
class RowCheck:
    row_number: int
    household_key: str
    values: dict[str, str]
    fingerprint: str
    errors: list[dict[str, str]]


def map_row(number: int, raw: dict[str, str], mapping: dict[str, str]) -> RowCheck:
    """One row's values by registry field, its household key (a row without a household id is its own
    household) and its fingerprint: the Kobo member or submission uuid, else a hash of the row's content."""
    values = {field: raw.get(column, "").strip() for column, field in mapping.items()}
    key = values.get("household_id") or f"row-{number}"
    uid = values.get("source_uid")
    if uid:
        fingerprint = "kobo:" + (uid if len(uid) <= 59 else hashlib.sha256(uid.encode()).hexdigest()[:40])
    else:
        content = json.dumps({k: v for k, v in sorted(values.items()) if k != "source_uid"}, ensure_ascii=False)
        fingerprint = "row:" + hashlib.sha256(content.encode()).hexdigest()[:40]
    return RowCheck(number, key[:200], values, fingerprint, [])


def read_rows(table: Table, mapping: dict[str, str]) -> list[RowCheck]:
    """Every row of a (small) table, mapped. Imports stream instead: see import_engine."""
    return [map_row(number, raw, mapping) for number, raw in table.rows]


def person_input(values: dict[str, str], *, is_first: bool) -> tuple[PersonInput, list[dict[str, str]]]:
    """A PersonInput from one row's values, and the problems found while reading them."""
    problems: list[dict[str, str]] = []

    def problem(field: str, message: str) -> None:
        problems.append({"field": field, "message": message})

    sex = SEXES.get(values.get("sex", "").strip().lower())
    if sex is None:
        problem("sex", f"{values['sex']!r} is not a sex Passage knows (F, M, female, male, أنثى, ذكر).")
    birth_date = precision = None
    if values.get("birth_date"):
        try:
            birth_date, precision = parse_date(values["birth_date"])
        except ValueProblem as exc:
            problem("birth_date", str(exc))
    age = None
    if values.get("age") and birth_date is None:
        if values["age"].isdigit():
            age = int(values["age"])
        else:
            problem("age", f"{values['age']!r} is not an age in years.")
    consent_text = values.get("consent", "").strip().lower()
    consent = None
    if consent_text in YES or consent_text in NO:
        method = values.get("consent_method", "").strip().lower() or "verbal"
        consent = ConsentInput(granted=consent_text in YES, method=method)
    elif consent_text:
        problem("consent", f"{values['consent']!r} is not yes or no.")
    documents = []
    if values.get("document_number"):
        documents.append(
            DocumentInput(
                type=values.get("document_type", "").strip().lower() or "other",
                number=values["document_number"],
                issuing_country=values.get("document_country", "").strip().upper(),
            )
        )
    relationship = values.get("relationship", "").strip().lower().replace(" ", "_") or (
        "head" if is_first else "other_relative"
    )
    marital = values.get("marital_status", "").strip().lower() or "unknown"
    if marital not in MARITAL_STATUSES:
        problem("marital_status", f"{values['marital_status']!r} is not one of {', '.join(sorted(MARITAL_STATUSES))}.")
        marital = "unknown"
    person = PersonInput(
        relationship=relationship,
        marital_status=marital,
        other_names=_split_list(values.get("other_names", "")),
        languages=[code.lower() for code in _split_list(values.get("languages", ""))],
        consent=consent,
        sex=sex or "unknown",
        birth_date=birth_date,
        birth_date_precision=precision or "",
        age_years=age,
        phones=[values["phone"]] if values.get("phone") else [],
        documents=documents,
        nationalities=[values["nationality"].strip().upper()] if values.get("nationality") else [],
    )
    for name in (
        "given_name",
        "father_name",
        "grandfather_name",
        "family_name",
        "full_name",
        "given_name_latin",
        "father_name_latin",
        "grandfather_name_latin",
        "family_name_latin",
        "full_name_latin",
    ):
        text = values.get(name, "")
        limit = 400 if name.startswith("full") else 100
        if len(text) > limit:
            problem(name, f"{len(text)} characters; a name here holds at most {limit}.")
            text = ""
        setattr(person, name, text)
    return person, problems


# Errors from check_members name PersonInput attributes; these are the import fields they come from.
_INPUT_TO_FIELD = {
    "phones": "phone",
    "documents": "document_number",
    "birth_date": "birth_date",
    "age_years": "age",
    "consent": "consent",
    "nationalities": "nationality",
    "languages": "languages",
}


def check_households(rows: list[RowCheck], *, region: str) -> dict[str, list[PersonInput]]:
    """Fill each row's errors; return the PersonInputs of each household all of whose rows are sound."""
    groups: dict[str, list[RowCheck]] = {}
    for row in rows:
        groups.setdefault(row.household_key, []).append(row)
    sound: dict[str, list[PersonInput]] = {}
    for key, members in groups.items():
        inputs = []
        for index, row in enumerate(members):
            person, problems = person_input(row.values, is_first=index == 0)
            row.errors.extend(problems)
            inputs.append(person)
        _checked, errors = check_members(inputs, region=region)
        for name, messages in errors.items():
            match = re.match(r"members\[(\d+)\]\.([a-z_]+)", name)
            target = members[int(match[1])] if match else members[0]
            field = _INPUT_TO_FIELD.get(match[2], match[2]) if match else "household_id"
            if not any(e["field"] == field for e in target.errors):
                target.errors.extend({"field": field, "message": str(m)} for m in messages)
        if not any(row.errors for row in members):
            sound[key] = inputs
    return sound


def summarise(rows: Iterable[RowCheck]) -> dict[str, Any]:
    rows = list(rows)
    bad = [row for row in rows if row.errors]
    return {
        "rows": len(rows),
        "rows_with_errors": len(bad),
        "first_errors": [{"row": row.row_number, **error} for row in bad[:20] for error in row.errors[:3]],
    }
