"""XPath values as XLSForm expressions see them, and the conversions between them.

XPath 1.0 has numbers, strings, booleans and node-sets; ODK adds dates and date-times, which convert to
numbers as days since 1970-01-01 (so `today() - ${date_of_birth}` is a number of days). An empty answer is
the empty string, whose number is NaN: NaN spreads through arithmetic and makes every comparison false,
as in ODK Collect and Enketo."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal

EPOCH = dt.date(1970, 1, 1)
_NUMBER = re.compile(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*")
_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})\s*")
_DATETIME = re.compile(r"\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\s*")


@dataclass(frozen=True)
class Nodes:
    """The answers of one field across the instances of a repeat (`${age}` seen from outside `members`)."""

    values: tuple[Value, ...]

    def __len__(self) -> int:
        return len(self.values)


Value = float | str | bool | dt.date | dt.datetime | Nodes


def is_empty(value: Value | None) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, Nodes):
        return all(is_empty(item) for item in value.values)
    if isinstance(value, float):
        return math.isnan(value)
    return False


def to_string(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number_to_string(float(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return to_string(value.values[0]) if value.values else ""


def number_to_string(number: float) -> str:
    """XPath's string(): no exponent, no trailing .0."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer():
        return str(int(number))
    text = format(Decimal(repr(number)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def to_number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, dt.datetime):
        return datetime_to_days(value)
    if isinstance(value, dt.date):
        return float((value - EPOCH).days)
    if isinstance(value, Nodes):
        return to_number(to_string(value))
    if _NUMBER.fullmatch(value):
        return float(value)
    parsed = parse_date_or_datetime(value)
    if parsed is not None:
        return to_number(parsed)
    return math.nan


def to_boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    if isinstance(value, Nodes):
        return len(value.values) > 0
    return True


def to_date(value: Value) -> dt.date | None:
    """A date from a date, a date-time, a number of days, or text written YYYY-MM-DD…; None if it is none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, Nodes):
        return to_date(to_string(value))
    if isinstance(value, str):
        parsed = parse_date_or_datetime(value)
        if parsed is not None or not _NUMBER.fullmatch(value):
            return to_date(parsed) if parsed is not None else None
    number = to_number(value)
    if math.isnan(number) or math.isinf(number) or abs(number) > 3_000_000:
        return None
    return EPOCH + dt.timedelta(days=math.floor(number))


def to_datetime(value: Value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        parsed = parse_date_or_datetime(value)
        if parsed is not None or not _NUMBER.fullmatch(value):
            return to_datetime(parsed) if parsed is not None else None
    number = to_number(value)
    if math.isnan(number) or math.isinf(number) or abs(number) > 3_000_000:
        return None
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=number)


def datetime_to_days(value: dt.datetime) -> float:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return (value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds() / 86400


def parse_date_or_datetime(text: str) -> dt.date | dt.datetime | None:
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            return None
    if _DATETIME.fullmatch(text):
        try:
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            return None
    return None


def equal(left: Value, right: Value) -> bool:
    """XPath `=`: node-sets compare each of their values; then booleans, numbers and dates, and text."""
    if isinstance(left, Nodes):
        return any(equal(item, right) for item in left.values)
    if isinstance(right, Nodes):
        return any(equal(left, item) for item in right.values)
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, float | int | dt.date) or isinstance(right, float | int | dt.date):
        return to_number(left) == to_number(right)
    return to_string(left) == to_string(right)


def not_equal(left: Value, right: Value) -> bool:
    if isinstance(left, Nodes):
        return any(not_equal(item, right) for item in left.values)
    if isinstance(right, Nodes):
        return any(not_equal(left, item) for item in right.values)
    return not equal(left, right)


def compare(op: str, left: Value, right: Value) -> bool:
    """XPath `<`, `<=`, `>`, `>=`: always on numbers (dates as days)."""
    if isinstance(left, Nodes):
        return any(compare(op, item, right) for item in left.values)
    if isinstance(right, Nodes):
        return any(compare(op, left, item) for item in right.values)
    a, b = to_number(left), to_number(right)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b
