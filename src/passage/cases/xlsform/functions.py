"""The XPath and ODK functions Passage evaluates, with the number of arguments each takes.

A function missing from FUNCTIONS is not evaluated: a form using it is refused at upload with the row and
column (see reader.py), never run with a guess. `if`, `position(..)`, `indexed-repeat` and
`jr:choice-name` need more than their arguments' values and are evaluated in expressions.py."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Protocol

from passage.cases.xlsform.values import (
    Nodes,
    Value,
    datetime_to_days,
    is_empty,
    to_boolean,
    to_date,
    to_datetime,
    to_number,
    to_string,
)


class Context(Protocol):
    """What an expression can see: the answers around it, its own value, and the clock."""

    today: dt.date
    now: dt.datetime

    def ref(self, name: str) -> Value: ...  # ${name}

    def ref_all(self, name: str) -> Value: ...  # ${name} in every instance of its repeat (indexed-repeat)

    def current(self) -> Value: ...  # .

    def position(self) -> int: ...  # position(..): this repeat instance's number, from 1

    def child(self, name: str) -> Value: ...  # a bare name: a column of the choice being filtered

    def choice_label(self, field: str, value: str) -> str: ...  # jr:choice-name


@dataclass(frozen=True)
class Function:
    minimum: int
    maximum: int | None  # None: any number
    run: Callable[[Context, list[Value]], Value]


def _values(args: list[Value]) -> list[Value]:
    """Arguments with node-sets opened, for functions over several values (max, concat…)."""
    out: list[Value] = []
    for arg in args:
        out.extend(arg.values if isinstance(arg, Nodes) else [arg])
    return out


def _round(ctx: Context, args: list[Value]) -> Value:
    number = to_number(args[0])
    if math.isnan(number) or math.isinf(number):
        return number
    if len(args) == 1:
        return float(math.floor(number + 0.5))
    digits = to_number(args[1])
    if math.isnan(digits):
        return math.nan
    try:
        exponent = Decimal(1).scaleb(-int(digits))
        return float(Decimal(repr(number)).quantize(exponent, rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return math.nan


def _int(ctx: Context, args: list[Value]) -> Value:
    number = to_number(args[0])
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


def _math(function: Callable[..., float]) -> Callable[[Context, list[Value]], Value]:
    def run(ctx: Context, args: list[Value]) -> Value:
        try:
            return float(function(*(to_number(arg) for arg in args)))
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan

    return run


def _sum(ctx: Context, args: list[Value]) -> Value:
    return float(sum(to_number(value) for value in _values(args)))


def _count(ctx: Context, args: list[Value]) -> Value:
    return float(len(args[0])) if isinstance(args[0], Nodes) else 1.0


def _count_non_empty(ctx: Context, args: list[Value]) -> Value:
    return float(sum(1 for value in _values(args) if not is_empty(value)))


def _extreme(pick: Callable[[list[float]], float]) -> Callable[[Context, list[Value]], Value]:
    def run(ctx: Context, args: list[Value]) -> Value:
        numbers = [to_number(value) for value in _values(args)]
        if not numbers or any(math.isnan(number) for number in numbers):
            return math.nan
        return pick(numbers)

    return run


def _choices(value: Value) -> list[str]:
    return to_string(value).split()


def _selected(ctx: Context, args: list[Value]) -> Value:
    return to_string(args[1]).strip() in _choices(args[0])


def _selected_at(ctx: Context, args: list[Value]) -> Value:
    chosen, index = _choices(args[0]), to_number(args[1])
    if math.isnan(index) or not 0 <= int(index) < len(chosen):
        return ""
    return chosen[int(index)]


def _coalesce(ctx: Context, args: list[Value]) -> Value:
    return args[1] if is_empty(args[0]) else args[0]


def _concat(ctx: Context, args: list[Value]) -> Value:
    return "".join(to_string(value) for value in _values(args))


def _join(ctx: Context, args: list[Value]) -> Value:
    return to_string(args[0]).join(to_string(value) for value in _values(args[1:]))


def _string_length(ctx: Context, args: list[Value]) -> Value:
    return float(len(to_string(args[0] if args else ctx.current())))


def _substr(ctx: Context, args: list[Value]) -> Value:
    """ODK's substr(text, start, end): 0-based, end excluded."""
    text = to_string(args[0])
    start = to_number(args[1])
    end = to_number(args[2]) if len(args) > 2 else float(len(text))
    if math.isnan(start) or math.isnan(end):
        return ""
    return text[max(int(start), 0) : max(int(end), 0)]


def _substring(ctx: Context, args: list[Value]) -> Value:
    """XPath's substring(text, start, length): 1-based, positions rounded."""
    text = to_string(args[0])
    start = math.floor(to_number(args[1]) + 0.5) if not math.isnan(to_number(args[1])) else math.nan
    if math.isnan(start):
        return ""
    if len(args) > 2:
        length = to_number(args[2])
        if math.isnan(length):
            return ""
        end = start + math.floor(length + 0.5)
    else:
        end = len(text) + 1
    return "".join(char for position, char in enumerate(text, start=1) if start <= position < end)


def _substring_before(ctx: Context, args: list[Value]) -> Value:
    text, part = to_string(args[0]), to_string(args[1])
    return text.split(part, 1)[0] if part in text else ""


def _substring_after(ctx: Context, args: list[Value]) -> Value:
    text, part = to_string(args[0]), to_string(args[1])
    return text.split(part, 1)[1] if part in text else ""


def _translate(ctx: Context, args: list[Value]) -> Value:
    text, source, target = (to_string(arg) for arg in args)
    table: dict[int, int | None] = {}
    for index, char in enumerate(source):
        table.setdefault(ord(char), ord(target[index]) if index < len(target) else None)
    return text.translate(table)


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regex(ctx: Context, args: list[Value]) -> Value:
    try:
        return compile_pattern(to_string(args[1])).search(to_string(args[0])) is not None
    except re.error:
        return False


def _date(ctx: Context, args: list[Value]) -> Value:
    value = to_date(args[0])
    return "" if value is None else value


def _date_time(ctx: Context, args: list[Value]) -> Value:
    value = to_datetime(args[0])
    return "" if value is None else value


def _decimal_date_time(ctx: Context, args: list[Value]) -> Value:
    value = to_datetime(args[0])
    return math.nan if value is None else datetime_to_days(value)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _format_date(ctx: Context, args: list[Value]) -> Value:
    """ODK's format-date: %Y %y %m %n %b %d %e %a %H %h %M %S %3; other text is kept."""
    value = args[0]
    moment = to_datetime(value) if not isinstance(value, dt.date) or isinstance(value, dt.datetime) else None
    day = to_date(value)
    if day is None:
        return ""
    if moment is None:
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    codes = {
        "Y": f"{day.year:04d}",
        "y": f"{day.year % 100:02d}",
        "m": f"{day.month:02d}",
        "n": str(day.month),
        "b": MONTHS[day.month - 1],
        "d": f"{day.day:02d}",
        "e": str(day.day),
        "a": DAYS[day.weekday()],
        "H": f"{moment.hour:02d}",
        "h": str(moment.hour),
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}",
    }
    return re.sub(r"%(.)", lambda match: codes.get(match.group(1), match.group(0)), to_string(args[1]))


def _once(ctx: Context, args: list[Value]) -> Value:
    current = ctx.current()
    return args[0] if is_empty(current) else current


def _boolean_from_string(ctx: Context, args: list[Value]) -> Value:
    return to_string(args[0]).strip() in ("true", "1")


FUNCTIONS: dict[str, Function] = {
    # logic
    "true": Function(0, 0, lambda ctx, args: True),
    "false": Function(0, 0, lambda ctx, args: False),
    "not": Function(1, 1, lambda ctx, args: not to_boolean(args[0])),
    "boolean": Function(1, 1, lambda ctx, args: to_boolean(args[0])),
    "boolean-from-string": Function(1, 1, _boolean_from_string),
    "if": Function(3, 3, lambda ctx, args: args[1] if to_boolean(args[0]) else args[2]),  # lazy in expressions
    "coalesce": Function(2, 2, _coalesce),
    "once": Function(1, 1, _once),
    # selects
    "selected": Function(2, 2, _selected),
    "count-selected": Function(1, 1, lambda ctx, args: float(len(_choices(args[0])))),
    "selected-at": Function(2, 2, _selected_at),
    "jr:choice-name": Function(2, 2, lambda ctx, args: ""),  # evaluated in expressions
    # text
    "string": Function(1, 1, lambda ctx, args: to_string(args[0])),
    "concat": Function(1, None, _concat),
    "join": Function(2, None, _join),
    "string-length": Function(0, 1, _string_length),
    "substr": Function(2, 3, _substr),
    "substring": Function(2, 3, _substring),
    "substring-before": Function(2, 2, _substring_before),
    "substring-after": Function(2, 2, _substring_after),
    "contains": Function(2, 2, lambda ctx, args: to_string(args[1]) in to_string(args[0])),
    "starts-with": Function(2, 2, lambda ctx, args: to_string(args[0]).startswith(to_string(args[1]))),
    "ends-with": Function(2, 2, lambda ctx, args: to_string(args[0]).endswith(to_string(args[1]))),
    "translate": Function(3, 3, _translate),
    "normalize-space": Function(1, 1, lambda ctx, args: " ".join(to_string(args[0]).split())),
    "regex": Function(2, 2, _regex),
    "uuid": Function(0, 0, lambda ctx, args: str(uuid.uuid4())),
    # numbers
    "number": Function(1, 1, lambda ctx, args: to_number(args[0])),
    "int": Function(1, 1, _int),
    "round": Function(1, 2, _round),
    "floor": Function(1, 1, _math(math.floor)),
    "ceiling": Function(1, 1, _math(math.ceil)),
    "abs": Function(1, 1, _math(abs)),
    "pow": Function(2, 2, _math(math.pow)),
    "sqrt": Function(1, 1, _math(math.sqrt)),
    "exp": Function(1, 1, _math(math.exp)),
    "exp10": Function(1, 1, _math(lambda x: math.pow(10, x))),
    "log": Function(1, 1, _math(math.log)),
    "log10": Function(1, 1, _math(math.log10)),
    "pi": Function(0, 0, lambda ctx, args: math.pi),
    "sin": Function(1, 1, _math(math.sin)),
    "cos": Function(1, 1, _math(math.cos)),
    "tan": Function(1, 1, _math(math.tan)),
    "asin": Function(1, 1, _math(math.asin)),
    "acos": Function(1, 1, _math(math.acos)),
    "atan": Function(1, 1, _math(math.atan)),
    "atan2": Function(2, 2, _math(math.atan2)),
    # repeats
    "sum": Function(1, 1, _sum),
    "count": Function(1, 1, _count),
    "count-non-empty": Function(1, 1, _count_non_empty),
    "max": Function(1, None, _extreme(max)),
    "min": Function(1, None, _extreme(min)),
    "position": Function(1, 1, lambda ctx, args: float(ctx.position())),  # position(..) only
    "indexed-repeat": Function(3, 3, lambda ctx, args: ""),  # evaluated in expressions
    # dates
    "today": Function(0, 0, lambda ctx, args: ctx.today),
    "now": Function(0, 0, lambda ctx, args: ctx.now),
    "date": Function(1, 1, _date),
    "date-time": Function(1, 1, _date_time),
    "decimal-date-time": Function(1, 1, _decimal_date_time),
    "format-date": Function(2, 2, _format_date),
    "format-date-time": Function(2, 2, _format_date),
}

# Functions field teams use that Passage cannot evaluate, with the reason shown at upload.
UNSUPPORTED_FUNCTIONS = {
    "pulldata": "it reads a CSV file attached to the form on the device",
    "search": "it searches a CSV file attached to the form on the device",
    "instance": "secondary instances (external choices, entities) are not supported",
    "current": "it is only meaningful with instance()",
    "random": "a random number would change at every evaluation",
    "randomize": "choice order is kept as written",
    "digest": "hashing in forms is not supported",
    "base64-decode": "it is not supported",
    "area": "geoshapes are not supported",
    "distance": "geotraces and geoshapes are not supported",
    "version": "it is not supported",
    "checklist": "it is not supported",
    "weighted-checklist": "it is not supported",
    "property": "it is not supported",
    "last": "XPath paths are not supported; use ${name}",
    "name": "XPath paths are not supported; use ${name}",
    "local-name": "XPath paths are not supported; use ${name}",
}
