"""What a referral may carry about a person, and what it carried.

SHAREABLE is the catalogue of items of information a person may agree to share with service providers. What
they agreed to is their current consent to sharing (the latest "sharing" decision, given and not withdrawn) and
its scope (SharingScope): nothing is shareable without both. A referral carries the items the caseworker
chose among those; `take_snapshot` reads their values from the registry at sending, and `rows` turns a
snapshot into what a page shows — the same function for the caseworker's preview, the provider's inbox and the
one-time link page, so the preview is exactly what the provider sees.

Items holding identifiers (phone, documents, address) and the Washington Group answers are "sensitive": only
someone who may see them unmasked (person.view_sensitive) may share them, so nobody sends what they may not
read themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from passage.cases.models.referrals import SharingScope
from passage.core.access import can
from passage.registry.iso_codes import country_name, language_name
from passage.registry.models import (
    Consent,
    ConsentPurpose,
    DatePrecision,
    DocumentType,
    Person,
    Relationship,
    Sex,
)


@dataclass(frozen=True)
class Item:
    code: str
    label: Any
    sensitive: bool = False


SHAREABLE: tuple[Item, ...] = (
    Item("name", gettext_lazy("Name")),
    Item("sex", gettext_lazy("Sex")),
    Item("birth_date", gettext_lazy("Date of birth")),
    Item("nationalities", gettext_lazy("Nationalities")),
    Item("languages", gettext_lazy("Languages")),
    Item("location", gettext_lazy("Where they live (area and site)")),
    Item("household", gettext_lazy("Household size and relationship")),
    Item("phone", gettext_lazy("Phone number"), sensitive=True),
    Item("address", gettext_lazy("Address"), sensitive=True),
    Item("documents", gettext_lazy("Identity documents"), sensitive=True),
    Item("disability", gettext_lazy("Functioning (Washington Group answers)"), sensitive=True),
)
ITEMS: dict[str, Item] = {item.code: item for item in SHAREABLE}
ITEM_CODES = tuple(ITEMS)


class SharingRefused(Exception):
    """Nothing may be shared about this person now; the message says why, in words a caseworker can act on."""


@dataclass(frozen=True)
class Consented:
    """The person's current consent to sharing and what it covers."""

    consent: Consent
    scope: SharingScope | None

    @property
    def items(self) -> list[str]:
        if self.scope is None:
            return []
        return [code for code in ITEM_CODES if code in set(self.scope.items)]


def sharing_decision(person: Person) -> Consent | None:
    """The person's latest decision on sharing with partners (a later decision replaces an earlier one)."""
    return Consent.objects.filter(person=person, purpose=ConsentPurpose.SHARING).order_by("-recorded_at", "-id").first()


def consented(person: Person) -> Consented | None:
    """The current consent to sharing and its scope, or None when the person has not given it (never asked,
    refused, or withdrew it)."""
    decision = sharing_decision(person)
    if decision is None or not decision.granted or decision.withdrawn_at is not None:
        return None
    scope = SharingScope.objects.filter(consent=decision).order_by("-recorded_at", "-id").first()
    return Consented(decision, scope)


def require_consent(person: Person) -> Consented:
    """The consent to rely on for a referral, or SharingRefused saying what is missing."""
    decision = sharing_decision(person)
    if decision is None:
        raise SharingRefused(
            _("%(ref)s has not been asked for consent to share their information with partners: record it first.")
            % {"ref": person.reference}
        )
    if not decision.granted:
        raise SharingRefused(
            _("%(ref)s refused to have their information shared with partners: nothing can be sent.")
            % {"ref": person.reference}
        )
    if decision.withdrawn_at is not None:
        raise SharingRefused(
            _("%(ref)s withdrew their consent to share their information with partners: nothing can be sent.")
            % {"ref": person.reference}
        )
    found = consented(person)
    if found is None or not found.items:
        raise SharingRefused(
            _("Record what %(ref)s agreed to share with service providers before referring them.")
            % {"ref": person.reference}
        )
    return found


def may_share(user: Any, person: Person, code: str) -> bool:
    """A sensitive item only for someone who may see it unmasked."""
    item = ITEMS.get(code)
    if item is None:
        return False
    return not item.sensitive or user is None or can(user, "person.view_sensitive", person)


# --- snapshot -----------------------------------------------------------------------------------------------


def take_snapshot(person: Person, items: list[str]) -> dict[str, Any]:
    """The values of `items` as the registry holds them now: plain JSON, choice codes kept as codes (labels are
    read in the reader's language when shown)."""
    readers = {
        "name": _name,
        "sex": lambda p: p.sex,
        "birth_date": _birth_date,
        "nationalities": lambda p: list(p.nationalities or []),
        "languages": lambda p: list(p.languages or []),
        "location": _location,
        "household": _household,
        "phone": lambda p: [phone.number for phone in p.phones.all()],
        "address": _address,
        "documents": _documents,
        "disability": lambda p: dict(p.disability or {}),
    }
    return {code: readers[code](person) for code in ITEM_CODES if code in items}


def _name(person: Person) -> dict[str, str]:
    return {"written": person.display_name, "latin": person.display_name_latin}


def _birth_date(person: Person) -> dict[str, str] | None:
    if person.birth_date is None:
        return None
    return {"date": person.birth_date.isoformat(), "precision": person.birth_date_precision}


def _location(person: Person) -> dict[str, str]:
    from passage.registry.queries import place_path

    return {"area": place_path(person.admin_area), "site": person.site.name if person.site else ""}


def _current_membership(person: Person) -> Any:
    return person.household_memberships.filter(left_on__isnull=True).select_related("household").first()


def _household(person: Person) -> dict[str, Any] | None:
    membership = _current_membership(person)
    if membership is None:
        return None
    size = membership.household.members.filter(left_on__isnull=True).count()
    return {"size": size, "relationship": membership.relationship}


def _address(person: Person) -> str:
    membership = _current_membership(person)
    return membership.household.address if membership is not None else ""


def _documents(person: Person) -> list[dict[str, str]]:
    return [
        {"type": document.type, "number": document.number, "country": document.issuing_country}
        for document in person.documents.all()
    ]


def digest(snapshot: dict[str, Any]) -> str:
    """A keyed digest of a snapshot (HMAC under the blind-index key): the audit trail keeps it, so what was sent
    can be proven later without the trail holding personal data, or a guessable hash of it."""
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False)
    key = (settings.BLIND_INDEX_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, b"referral-snapshot\x1f" + text.encode(), hashlib.sha256).hexdigest()


def seal(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False)


def unseal(text: str) -> dict[str, Any]:
    return dict(json.loads(text)) if text else {}


# --- what a page shows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    lines: list[str]


def rows(snapshot: dict[str, Any], *, only: list[str] | None = None) -> list[Row]:
    """The snapshot as labelled lines, in the catalogue's order; `only` narrows it (to what the person still
    agrees to share)."""
    shown = []
    for code in ITEM_CODES:
        if code not in snapshot or (only is not None and code not in only):
            continue
        shown.append(Row(code, str(ITEMS[code].label), _lines(code, snapshot[code]) or ["—"]))
    return shown


def _lines(code: str, value: Any) -> list[str]:
    if value in (None, "", [], {}):
        return []
    if code == "name":
        written, latin = value.get("written", ""), value.get("latin", "")
        return [written] + ([latin] if latin and latin != written else []) if written else [latin]
    if code == "sex":
        return [str(Sex(value).label) if value in Sex.values else str(value)]
    if code == "birth_date":
        precision = value.get("precision", "")
        date = value.get("date", "")
        if precision == DatePrecision.YEAR:
            date = date[:4]
        elif precision == DatePrecision.MONTH:
            date = date[:7]
        label = DatePrecision(precision).label if precision in DatePrecision.values else ""
        return [f"{date} ({label})" if label else date]
    if code == "nationalities":
        return [", ".join(country_name(country) for country in value)]
    if code == "languages":
        return [", ".join(language_name(language) for language in value)]
    if code == "location":
        return [part for part in (value.get("area", ""), value.get("site", "")) if part]
    if code == "household":
        relationship = value.get("relationship", "")
        related = Relationship(relationship).label if relationship in Relationship.values else relationship
        return [_("%(n)s people; %(relationship)s") % {"n": value.get("size", "?"), "relationship": related}]
    if code == "phone":
        return [str(number) for number in value]
    if code == "address":
        return [str(value)]
    if code == "documents":
        return [
            " ".join(
                part
                for part in (
                    str(DocumentType(doc["type"]).label) if doc.get("type") in DocumentType.values else "",
                    doc.get("number", ""),
                    f"({doc['country']})" if doc.get("country") else "",
                )
                if part
            )
            for doc in value
        ]
    if code == "disability":
        from passage.registry.form_fields import WASHINGTON_GROUP_LABELS, WASHINGTON_GROUP_QUESTIONS

        return [
            f"{WASHINGTON_GROUP_QUESTIONS.get(domain, domain)}: {WASHINGTON_GROUP_LABELS.get(int(answer), answer)}"
            for domain, answer in value.items()
        ]
    return [str(value)]
