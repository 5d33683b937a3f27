"""Check a submission against its form: each answer's type, relevance (an irrelevant answer is dropped),
calculations in the order the reader worked out, required where relevant, constraints with the form's
messages, choices (after any choice_filter), and the form's scores.

A submission is a dict of answers by field name; a repeat is a list of dicts, one per instance; a group
may be given as a nested dict or flattened. Errors name the answer by path (`members[2].age`, instances
counted from 1). The same evaluate() serves the page: it says which fields are relevant and what the
calculations give for the answers typed so far, so the rules exist once, on the server."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from passage.cases.xlsform import expressions
from passage.cases.xlsform.definition import Field, FormDefinition, pick
from passage.cases.xlsform.values import (
    Nodes,
    Value,
    is_empty,
    parse_date_or_datetime,
    to_boolean,
    to_date,
    to_datetime,
    to_number,
    to_string,
)

MAX_INSTANCES = 500  # instances of one repeat in one submission
MAX_INTEGER = 2_147_483_647  # ODK's integers are 32-bit
MAX_TEXT = 10_000
_INTEGER = re.compile(r"\s*[-+]?\d+(?:\.0*)?\s*")
_DECIMAL = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)\s*")
_TIME = re.compile(r"\s*([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\s*")


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one answer. `text` is English with %(name)s placeholders (give it to gettext, then
    fill it with `params`); `form_messages` is the form's own message by language, when it has one."""

    path: str
    code: str  # type, required, constraint, choice, unknown, repeat
    text: str
    params: Mapping[str, str] = field(default_factory=dict)
    form_messages: Mapping[str, str] = field(default_factory=dict)

    def message(
        self, language: str = "", default_language: str = "", translate: Callable[[str], str] | None = None
    ) -> str:
        if self.form_messages:
            return pick(self.form_messages, language, default_language)
        template = translate(self.text) if translate else self.text
        return template % dict(self.params) if self.params else template

    def __str__(self) -> str:
        return f"{self.path}: {self.message()}"


@dataclass
class Evaluation:
    values: dict[str, Any]  # the answers to keep: relevant, typed for JSON, calculations included
    scores: dict[str, int | float | None]
    errors: list[FieldError]
    relevant: dict[str, bool]  # every field's path (groups and repeats too) -> relevant now
    required: dict[str, bool]  # path -> required now (relevant questions only)
    calculated: dict[str, Any]  # path -> what its calculation gives
    choices: dict[str, list[str]]  # path -> the choices a choice_filter leaves
    repeat_sizes: dict[str, int]  # path of a repeat -> its number of instances
    instance_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_path(self) -> dict[str, list[FieldError]]:
        out: dict[str, list[FieldError]] = {}
        for error in self.errors:
            out.setdefault(error.path, []).append(error)
        return out


class _Scope:
    """The answers at one level: the top of the submission, or one instance of a repeat."""

    def __init__(self, parent: _Scope | None, repeat: str, index: int, path: str) -> None:
        self.parent = parent
        self.repeat = repeat
        self.index = index  # from 1
        self.path = path  # "" at the top, "members[2]" for an instance
        self.values: dict[str, Value] = {}
        self.raw: dict[str, Any] = {}
        self.instances: dict[str, list[_Scope]] = {}
        self.relevant: dict[str, bool] = {}
        self.type_errors: dict[str, FieldError] = {}

    @property
    def chain(self) -> list[_Scope]:
        scopes: list[_Scope] = []
        scope: _Scope | None = self
        while scope is not None:
            scopes.append(scope)
            scope = scope.parent
        return scopes[::-1]

    def at(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def instance(self, repeat: str, index: int) -> _Scope:
        return _Scope(self, repeat, index, f"{self.at(repeat)}[{index}]")


def coerce(item: Field, raw: Any) -> tuple[Value, FieldError | None]:
    """An answer as its type's value ("" when empty), or the error saying what was expected."""
    path = item.name
    if raw is None or (isinstance(raw, str) and raw.strip() == "") or (isinstance(raw, list | tuple) and not raw):
        return "", None
    kind = item.kind
    if kind == "integer":
        whole = (
            (isinstance(raw, int) and not isinstance(raw, bool))
            or (isinstance(raw, float) and raw.is_integer())
            or (isinstance(raw, str) and _INTEGER.fullmatch(raw) is not None)
        )
        if not whole:
            return "", FieldError(path, "type", "Enter a whole number.")
        number = float(str(raw).strip()) if not isinstance(raw, int | float) else float(raw)
        if abs(number) > MAX_INTEGER:
            return "", FieldError(
                path,
                "type",
                "Enter a whole number between %(min)s and %(max)s.",
                {"min": str(-MAX_INTEGER), "max": str(MAX_INTEGER)},
            )
        return number, None
    if kind == "decimal":
        if isinstance(raw, bool) or not (isinstance(raw, int | float) or _DECIMAL.fullmatch(str(raw))):
            return "", FieldError(path, "type", "Enter a number.")
        number = float(raw) if isinstance(raw, int | float) else float(str(raw).strip())
        if math.isnan(number) or math.isinf(number):
            return "", FieldError(path, "type", "Enter a number.")
        return number, None
    if kind == "date":
        parsed = raw if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime) else None
        if parsed is None and isinstance(raw, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", raw):
            parsed = to_date(raw)
        if parsed is None:
            return "", FieldError(path, "type", "Enter a date as YYYY-MM-DD.")
        return parsed, None
    if kind == "datetime":
        moment = raw if isinstance(raw, dt.datetime) else parse_date_or_datetime(str(raw))
        if not isinstance(moment, dt.datetime):
            return "", FieldError(path, "type", "Enter a date and time as YYYY-MM-DDTHH:MM.")
        return moment, None
    if kind == "time":
        text = raw.isoformat() if isinstance(raw, dt.time) else str(raw)
        if not _TIME.fullmatch(text):
            return "", FieldError(path, "type", "Enter a time as HH:MM.")
        return text.strip(), None
    if kind == "select_multiple":
        names = [str(name).strip() for name in raw] if isinstance(raw, list | tuple) else str(raw).split()
        return " ".join(dict.fromkeys(name for name in names if name)), None
    if kind == "geopoint":
        return _geopoint(path, raw)
    if isinstance(raw, dict | list | tuple):
        return "", FieldError(path, "type", "Enter text.")
    text = str(raw).strip() if kind != "text" else str(raw)
    if len(text) > MAX_TEXT:
        return "", FieldError(path, "type", "Enter at most %(max)s characters.", {"max": str(MAX_TEXT)})
    return text, None


def _geopoint(path: str, raw: Any) -> tuple[Value, FieldError | None]:
    parts = [str(part) for part in raw] if isinstance(raw, list | tuple) else str(raw).split()
    numbers: list[float] = []
    for part in parts:
        if not _DECIMAL.fullmatch(part):
            numbers = []
            break
        numbers.append(float(part))
    if not 2 <= len(numbers) <= 4 or not -90 <= numbers[0] <= 90 or not -180 <= numbers[1] <= 180:
        return "", FieldError(path, "type", "Enter a location as latitude (-90 to 90) and longitude (-180 to 180).")
    numbers.extend([0.0] * (4 - len(numbers)))
    return " ".join(to_string(number) for number in numbers), None


def as_json(item: Field, value: Value) -> Any:
    """A value as stored: numbers as numbers, dates as ISO text, a select_multiple as a list."""
    if item.kind == "integer" and isinstance(value, float):
        return int(value)
    if item.kind == "select_multiple":
        return to_string(value).split()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Nodes):
        return to_string(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _calculated(item: Field, value: Value) -> Value:
    """A calculation's result as the field's type; NaN, infinity and empty node-sets become empty."""
    if isinstance(value, Nodes):
        value = to_string(value)
    if item.kind in ("integer", "decimal") or (isinstance(value, float) and item.kind == "calculate"):
        number = to_number(value)
        if math.isnan(number) or math.isinf(number):
            return ""
        return float(math.trunc(number)) if item.kind == "integer" else number
    if item.kind == "date":
        day = to_date(value)
        return "" if day is None else day
    if item.kind == "datetime":
        moment = to_datetime(value)
        return "" if moment is None else moment
    if item.kind == "calculate":
        return value
    return to_string(value)


class _Context:
    """What an expression sees from one field in one scope."""

    def __init__(self, run: _Run, scope: _Scope, item: Field, columns: Mapping[str, str] | None = None) -> None:
        self.run = run
        self.scope = scope
        self.item = item
        self.columns = columns or {}
        self.today = run.today
        self.now = run.now

    def _scopes(self, target: Field, *, all_instances: bool) -> tuple[list[_Scope], bool]:
        chain = self.scope.chain
        shared = 0
        while (
            shared < len(target.repeats)
            and shared + 1 < len(chain)
            and chain[shared + 1].repeat == target.repeats[shared]
        ):
            shared += 1
        if all_instances and target.repeats:
            shared = min(shared, len(target.repeats) - 1)
        scopes = [chain[shared]]
        for repeat in target.repeats[shared:]:
            scopes = [instance for scope in scopes for instance in scope.instances.get(repeat, [])]
        return scopes, shared < len(target.repeats)

    def _lookup(self, name: str, *, all_instances: bool) -> Value:
        target = self.run.form.fields.get(name)
        if target is None or target.kind == "group":
            return ""
        if not target.repeats and target.kind != "repeat":  # a top-level answer: the common case
            return self.run.root.values.get(name, "")
        scopes, many = self._scopes(target, all_instances=all_instances)
        if target.kind == "repeat":
            return Nodes(tuple("" for scope in scopes for _ in scope.instances.get(name, [])))
        values = tuple(scope.values.get(name, "") for scope in scopes)
        if many:
            return Nodes(values)
        return values[0] if values else ""

    def ref(self, name: str) -> Value:
        return self._lookup(name, all_instances=False)

    def ref_all(self, name: str) -> Value:
        return self._lookup(name, all_instances=True)

    def current(self) -> Value:
        return self.scope.values.get(self.item.name, "")

    def position(self) -> int:
        return self.scope.index

    def child(self, name: str) -> Value:
        return self.columns.get(name, "")

    def choice_label(self, field_name: str, value: str) -> str:
        target = self.run.form.fields.get(field_name)
        choice = target.choice(value) if target else None
        return choice.label(self.run.language, self.run.form.default_language) if choice else ""


class _Run:
    def __init__(self, form: FormDefinition, today: dt.date, now: dt.datetime, language: str) -> None:
        self.form = form
        self.today = today
        self.now = now
        self.language = language
        self.errors: list[FieldError] = []
        self.calculated: dict[str, Any] = {}
        self.relevant: dict[str, bool] = {}
        self.required: dict[str, bool] = {}
        self.choices: dict[str, list[str]] = {}
        self.root = _Scope(None, "", 1, "")
        self.scope_fields = form.scope_fields  # groups add no scope

    def error(
        self,
        scope: _Scope,
        item: Field,
        code: str,
        text: str,
        params: Mapping[str, str] | None = None,
        form_messages: Mapping[str, str] | None = None,
    ) -> None:
        self.errors.append(FieldError(scope.at(item.name), code, text, dict(params or {}), dict(form_messages or {})))

    # Reading the answers -----------------------------------------------------------------------------------

    def load(self, scope: _Scope, answers: Mapping[str, Any], repeat: str) -> None:
        known = {item.name: item for item in self.scope_fields.get(repeat, [])}
        for key, raw in answers.items():
            item = known.get(key)
            if item is None:
                self.errors.append(FieldError(scope.at(key), "unknown", "This is not a field of this form."))
            elif item.kind == "group":
                if isinstance(raw, Mapping):
                    self.load(scope, raw, repeat)
                elif raw not in (None, ""):
                    self.error(scope, item, "type", "A group holds other fields: give its answers by their names.")
            elif item.kind == "repeat":
                self.load_instances(scope, item, raw)
            elif item.holds_answer:
                value, problem = coerce(item, raw)
                scope.values[key] = value
                scope.raw[key] = raw
                if problem is not None:
                    scope.type_errors[key] = FieldError(scope.at(key), problem.code, problem.text, problem.params)

    def load_instances(self, scope: _Scope, item: Field, raw: Any) -> None:
        if raw in (None, ""):
            return
        if not isinstance(raw, list | tuple) or not all(isinstance(entry, Mapping) for entry in raw):
            self.error(scope, item, "type", "Give a repeat as a list of entries.")
            return
        if len(raw) > MAX_INSTANCES:
            self.error(scope, item, "repeat", "At most %(max)s entries.", {"max": str(MAX_INSTANCES)})
            raw = raw[:MAX_INSTANCES]
        instances = []
        for index, entry in enumerate(raw, start=1):
            instance = scope.instance(item.name, index)
            self.load(instance, entry, item.name)
            instances.append(instance)
        scope.instances[item.name] = instances

    # Relevance and calculations ----------------------------------------------------------------------------

    def scopes_of(self, item: Field) -> list[_Scope]:
        scopes = [self.root]
        for repeat in item.repeats:
            scopes = [instance for scope in scopes for instance in scope.instances.get(repeat, [])]
        return scopes

    def evaluate_in_order(self) -> None:
        for name in self.form.order:
            item = self.form.fields[name]
            for scope in self.scopes_of(item):
                self.settle(scope, item)

    def settle(self, scope: _Scope, item: Field) -> None:
        parent = self.form.fields.get(item.parent)
        relevant = scope.relevant.get(item.parent, True) if parent is not None and parent.kind == "group" else True
        if relevant and "relevant" in item.rules:
            relevant = expressions.evaluate_boolean(item.rules["relevant"], _Context(self, scope, item))
        scope.relevant[item.name] = relevant
        self.relevant[scope.at(item.name)] = relevant
        if item.kind == "repeat":
            self.settle_instances(scope, item, relevant)
        elif not relevant:
            scope.values[item.name] = ""
        elif "calculation" in item.rules:
            value = expressions.evaluate(item.rules["calculation"], _Context(self, scope, item))
            scope.values[item.name] = _calculated(item, value)
            self.calculated[scope.at(item.name)] = as_json(item, scope.values[item.name])

    def settle_instances(self, scope: _Scope, item: Field, relevant: bool) -> None:
        instances = scope.instances.get(item.name, []) if relevant else []
        if relevant and "repeat_count" in item.rules:
            count = to_number(expressions.evaluate(item.rules["repeat_count"], _Context(self, scope, item)))
            wanted = 0 if math.isnan(count) else max(0, min(int(count), MAX_INSTANCES))
            instances = instances[:wanted]
            instances.extend(scope.instance(item.name, index) for index in range(len(instances) + 1, wanted + 1))
        scope.instances[item.name] = instances

    # Checks ------------------------------------------------------------------------------------------------

    def all_scopes(self) -> Iterator[tuple[_Scope, str]]:
        def visit(scope: _Scope, repeat: str) -> Iterator[tuple[_Scope, str]]:
            yield scope, repeat
            for name, instances in scope.instances.items():
                for instance in instances:
                    yield from visit(instance, name)

        return visit(self.root, "")

    def check(self) -> None:
        for scope, repeat in self.all_scopes():
            for item in self.scope_fields.get(repeat, []):
                if scope.relevant.get(item.name, True) and item.is_question:
                    self.check_answer(scope, item)

    def check_answer(self, scope: _Scope, item: Field) -> None:
        type_error = scope.type_errors.get(item.name)
        if type_error is not None:
            self.errors.append(type_error)
            return
        value = scope.values.get(item.name, "")
        context = _Context(self, scope, item)
        required = "required" in item.rules and expressions.evaluate_boolean(item.rules["required"], context)
        self.required[scope.at(item.name)] = required
        if is_empty(value):
            if required:
                self.error(scope, item, "required", "This field is required.", form_messages=item.required_message)
            return
        if item.kind in ("select_one", "select_multiple") and item.choices:
            allowed = self.allowed_choices(scope, item)
            chosen = to_string(value).split() if item.kind == "select_multiple" else [to_string(value)]
            wrong = [name for name in chosen if name not in allowed]
            if wrong:
                self.error(scope, item, "choice", "%(value)s is not one of the choices.", {"value": ", ".join(wrong)})
                return
        if "constraint" in item.rules and not expressions.evaluate_boolean(item.rules["constraint"], context):
            self.error(
                scope,
                item,
                "constraint",
                "This answer is not allowed by the form's rule.",
                form_messages=item.constraint_message,
            )

    def allowed_choices(self, scope: _Scope, item: Field) -> list[str]:
        names = [choice.name for choice in item.choices]
        rule = item.rules.get("choice_filter")
        if rule is None:
            return names
        path = scope.at(item.name)
        if path in self.choices:
            return self.choices[path]
        allowed = []
        for choice in item.choices:
            columns = {
                "name": choice.name,
                "label": choice.label(self.language, self.form.default_language),
                **choice.columns,
            }
            if to_boolean(expressions.evaluate(rule, _Context(self, scope, item, columns))):
                allowed.append(choice.name)
        self.choices[path] = allowed
        return allowed

    def filtered_choices(self) -> None:
        for scope, repeat in self.all_scopes():
            for item in self.scope_fields.get(repeat, []):
                if "choice_filter" in item.rules:
                    self.allowed_choices(scope, item)

    # The result --------------------------------------------------------------------------------------------

    def kept(self, scope: _Scope, repeat: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in self.scope_fields.get(repeat, []):
            if not scope.relevant.get(item.name, True):
                continue
            if item.kind == "repeat":
                instances = scope.instances.get(item.name, [])
                if instances:
                    out[item.name] = [self.kept(instance, item.name) for instance in instances]
            elif item.holds_answer and item.name not in scope.type_errors:
                value = scope.values.get(item.name, "")
                if not is_empty(value):
                    out[item.name] = as_json(item, value)
        return out

    def repeat_sizes(self) -> dict[str, int]:
        return {
            scope.at(name): len(instances)
            for scope, _ in self.all_scopes()
            for name, instances in scope.instances.items()
        }

    def scores(self) -> dict[str, int | float | None]:
        out: dict[str, int | float | None] = {}
        for name in self.form.scores:
            number = to_number(self.root.values.get(name, "")) if self.root.relevant.get(name, False) else math.nan
            out[name] = (
                None if math.isnan(number) or math.isinf(number) else (int(number) if number.is_integer() else number)
            )
        return out

    def instance_name(self) -> str:
        rule = self.form.instance_name_rule
        if rule is None:
            return ""
        meta = Field(name="instanceName", kind="calculate")
        return to_string(expressions.evaluate(rule, _Context(self, self.root, meta)))


def evaluate(
    form: FormDefinition,
    answers: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    language: str = "",
) -> Evaluation:
    """Check `answers` against `form`: the answers to keep, the scores, and every error by path."""
    now = now or dt.datetime.now(dt.UTC)
    run = _Run(form, today or now.date(), now, language)
    run.load(run.root, answers, "")
    run.evaluate_in_order()
    run.check()
    run.filtered_choices()
    return Evaluation(
        values=run.kept(run.root, ""),
        scores=run.scores(),
        errors=run.errors,
        relevant=run.relevant,
        required=run.required,
        calculated=run.calculated,
        choices=run.choices,
        repeat_sizes=run.repeat_sizes(),
        instance_name=run.instance_name(),
    )


validate_submission = evaluate


def initial_answers(
    form: FormDefinition, *, repeat: str = "", today: dt.date | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The answers a new submission (or a new instance of `repeat`) starts with: the form's defaults."""
    now = now or dt.datetime.now(dt.UTC)
    run = _Run(form, today or now.date(), now, "")
    out: dict[str, Any] = {}
    for item in run.scope_fields.get(repeat, []):
        if not item.default or not item.holds_answer:
            continue
        if item.dynamic_default and "default" in item.rules:
            value: Value = expressions.evaluate(item.rules["default"], _Context(run, run.root, item))
            out[item.name] = as_json(item, _calculated(item, value))
        elif not item.dynamic_default:
            value, problem = coerce(item, item.default)
            if problem is None and not is_empty(value):
                out[item.name] = as_json(item, value)
    return out


def with_metadata(form: FormDefinition, answers: Mapping[str, Any], *, username: str, started: dt.datetime,
                  now: dt.datetime | None = None) -> dict[str, Any]:  # fmt: skip
    """Answers with the form's metadata questions (start, end, today, username, deviceid) filled as a web
    page fills them: what Collect would record on a device. Values already there (imported) are kept."""
    now = now or dt.datetime.now(dt.UTC)
    filled = dict(answers)
    values = {"start": started.isoformat(), "end": now.isoformat(), "today": now.date().isoformat(),
              "username": username, "deviceid": "passage"}  # fmt: skip
    for item in form.walk():
        if item.kind == "metadata" and not item.repeats and item.metadata in values and not filled.get(item.name):
            filled[item.name] = values[item.metadata]
    return filled
