"""Turn what people write into values Passage can compare: phones in E.164, document numbers without
spaces and dashes (checked where python-stdnum knows the format), codes in upper case."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError

from passage.core import crypto

# Identity numbers whose format python-stdnum can check, by issuing country.
NATIONAL_ID_FORMATS = {
    "ES": "stdnum.es.dni",
    "FR": "stdnum.fr.nir",
    "TR": "stdnum.tr.tckimlik",
    "UA": "stdnum.ua.rntrc",
    "IT": "stdnum.it.codicefiscale",
    "BE": "stdnum.be.nn",
    "EG": "stdnum.eg.tn",
}


class NormaliseError(ValueError):
    """The value cannot be read; the message says why, in words a clerk understands."""


@dataclass(frozen=True)
class NormalisedPhone:
    e164: str
    as_given: str

    @property
    def index(self) -> str:
        return phone_index(self.e164)


def normalise_phone(raw: str, *, default_region: str | None) -> NormalisedPhone:
    text = raw.strip()
    if not text:
        raise NormaliseError(_("The phone number is empty."))
    try:
        parsed = phonenumbers.parse(text, (default_region or "").upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise NormaliseError(_("“%(value)s” is not a phone number.") % {"value": text}) from exc
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        # Dialled within one town at best ("0770 12"): digits are missing for a number anyone could call back.
        raise NormaliseError(_("“%(value)s” is too short: digits are missing.") % {"value": text})
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise NormaliseError(_("“%(value)s” has the wrong number of digits for its country.") % {"value": text})
    return NormalisedPhone(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), text)


def phone_index(e164: str) -> str:
    return crypto.blind_index(e164, purpose="registry.phone")


def normalise_document_number(raw: str, *, document_type: str, issuing_country: str = "") -> str:
    compact = re.sub(r"[\s\-./]", "", raw).upper()
    if not compact:
        raise NormaliseError(_("The document number is empty."))
    if not re.fullmatch(r"[0-9A-Z]{2,40}", compact):
        raise NormaliseError(
            _("“%(value)s” contains characters a document number does not have.") % {"value": raw.strip()}
        )
    module_name = NATIONAL_ID_FORMATS.get(issuing_country.upper()) if document_type == "national_id" else None
    if module_name:
        module = importlib.import_module(module_name)
        try:
            compact = module.validate(compact)
        except StdnumError as exc:
            raise NormaliseError(
                _("“%(value)s” is not a valid national identity number for %(country)s: %(why)s")
                % {"value": raw.strip(), "country": issuing_country.upper(), "why": exc}
            ) from exc
    return compact


def document_index(number: str) -> str:
    """Of the normalised number alone: a clerk searching "A1234567" need not know the type or issuer."""
    return crypto.blind_index(number, purpose="registry.document")
