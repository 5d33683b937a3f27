"""A form as Passage keeps it after reading its XLSForm: fields (with their groups and repeats), choices with
their labels per language, the rules (required, constraint, relevant, calculation) already parsed, and
what the reader had to say about it (problems).

Answers are stored by field name: names are unique in a form (the reader refuses a form where they are
not), groups do not appear in stored answers, and a repeat is a list of instances, each a dict of its own
answers. A path names one answer for people and machines: `age`, `members[2].age` (instances from 1)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from passage.cases.xlsform.expressions import Node, parse

DEFAULT_LANGUAGE = "default"  # pyxform's name for label columns written without ::language
SCORE_PREFIX = "score_"  # a calculate named score_… is a score (docs/decisions/0020-xlsform-engine.md)
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ps", "ur", "ckb", "dv", "sd", "ug", "yi"})
_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\)\s*$")

# Kinds of field. A group or repeat holds others; metadata is filled by the device or the page (start, end…).
QUESTION_KINDS = (
    "text",
    "integer",
    "decimal",
    "date",
    "time",
    "datetime",
    "select_one",
    "select_multiple",
    "geopoint",
    "image",
)
KINDS = (*QUESTION_KINDS, "note", "calculate", "metadata", "group", "repeat")
METADATA = ("start", "end", "today", "deviceid", "username", "phonenumber", "email", "simserial", "subscriberid")


def language_code(language: str) -> str:
    """`Arabic (ar)` -> `ar`; a language written without a code is matched by its name in lower case."""
    match = _CODE.search(language)
    if match:
        return match.group(1).lower().replace("_", "-")
    return language.strip().lower()


def pick(texts: Mapping[str, str], language: str, default_language: str = DEFAULT_LANGUAGE) -> str:
    """The text for `language` (a code such as `ar`, or a name as in the form), else the form's default
    language, else the one without a language, else any."""
    if not texts:
        return ""
    if language in texts:
        return texts[language]
    code = language.lower().split("-")[0] if language else ""
    for name, text in texts.items():
        if code and language_code(name).split("-")[0] == code and text:
            return text
    for name in (default_language, DEFAULT_LANGUAGE):
        if texts.get(name):
            return texts[name]
    return next((text for text in texts.values() if text), "")


@dataclass(frozen=True)
class Choice:
    name: str
    labels: Mapping[str, str]
    columns: Mapping[str, str] = field(default_factory=dict)  # other columns, read by choice_filter

    def label(self, language: str = "", default_language: str = DEFAULT_LANGUAGE) -> str:
        return pick(self.labels, language, default_language) or self.name


@dataclass(frozen=True)
class Problem:
    """Something the reader found: `error` refuses the form, `unsupported` refuses it too (a feature Passage
    does not run), `warning` keeps it (something Passage ignores, named so that nothing is lost silently)."""

    severity: str  # error | unsupported | warning
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    field: str = ""

    @property
    def refuses(self) -> bool:
        return self.severity in ("error", "unsupported")

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        place = " ".join(where)
        if self.column:
            place = f"{place}, column '{self.column}'" if place else f"column '{self.column}'"
        text = f"{place}, {self.message}" if place else self.message
        if self.field:
            text = f"{text} (field '{self.field}')"
        return f"{self.severity}: {text}"


@dataclass
class Field:
    name: str
    kind: str
    row: int | None = None  # the survey sheet's row, as a spreadsheet shows it
    labels: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    required: str = ""  # an expression ("true()" for yes); "" when not required
    required_message: dict[str, str] = field(default_factory=dict)
    constraint: str = ""
    constraint_message: dict[str, str] = field(default_factory=dict)
    relevant: str = ""
    calculation: str = ""
    read_only: str = ""  # an expression ("true()" for yes)
    default: str = ""
    dynamic_default: bool = False  # the default is an expression (today(), ${other}…), evaluated on first load
    appearance: str = ""
    list_name: str = ""
    choices: tuple[Choice, ...] = ()
    choice_filter: str = ""
    repeat_count: str = ""
    metadata: str = ""  # for kind "metadata": start, end, today, deviceid, username…
    children: list[Field] = field(default_factory=list)
    # Set by the reader: where the field sits, and its rules parsed (column -> tree).
    group_path: tuple[str, ...] = ()  # enclosing groups and repeats, outermost first (as in Kobo headers)
    repeats: tuple[str, ...] = ()  # enclosing repeats, outermost first
    parent: str = ""  # the enclosing group or repeat ("" at the top)
    rules: dict[str, Node] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_container(self) -> bool:
        return self.kind in ("group", "repeat")

    @property
    def is_question(self) -> bool:
        return self.kind in QUESTION_KINDS

    @property
    def holds_answer(self) -> bool:
        """Whether the field has a value of its own in stored answers."""
        return self.kind in (*QUESTION_KINDS, "calculate", "metadata")

    @property
    def is_score(self) -> bool:
        return self.kind == "calculate" and self.name.startswith(SCORE_PREFIX)

    @property
    def xml_path(self) -> str:
        return "/".join((*self.group_path, self.name))

    def label(self, language: str = "", default_language: str = DEFAULT_LANGUAGE) -> str:
        return pick(self.labels, language, default_language)

    def hint(self, language: str = "", default_language: str = DEFAULT_LANGUAGE) -> str:
        return pick(self.hints, language, default_language)

    def choice(self, name: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.name == name), None)


@dataclass
class FormDefinition:
    id_string: str
    version: str
    title: str
    default_language: str
    languages: tuple[str, ...]
    children: list[Field]
    choices: dict[str, tuple[Choice, ...]] = field(default_factory=dict)
    instance_name: str = ""  # settings' instance_name: an expression naming each submission
    problems: list[Problem] = field(default_factory=list)  # warnings (a form with errors is not returned)
    order: tuple[str, ...] = ()  # field names in the order their relevance and calculations are evaluated
    instance_name_rule: Node | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.fields: dict[str, Field] = {item.name: item for item in self.walk()}

    def walk(self) -> Iterator[Field]:
        """Every field, groups and repeats before what they hold, in the survey sheet's order."""

        def visit(items: list[Field]) -> Iterator[Field]:
            for item in items:
                yield item
                yield from visit(item.children)

        return visit(self.children)

    @cached_property
    def scores(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.walk() if item.is_score)

    @cached_property
    def scope_fields(self) -> dict[str, list[Field]]:
        """The fields held directly by the top of a submission ("") and by each repeat (by its name)."""
        out: dict[str, list[Field]] = {}
        for item in self.walk():
            out.setdefault(item.repeats[-1] if item.repeats else "", []).append(item)
        return out

    @property
    def direction(self) -> str:
        return "rtl" if language_code(self.default_language).split("-")[0] in RTL_LANGUAGES else "ltr"


# Storing a definition -------------------------------------------------------------------------------------
# Reading an XLSForm runs pyxform (about half a second for the DoMV form); a page that shows the form many
# times keeps this JSON beside the uploaded file instead, and rebuilds the definition from it in a few ms.

_RULE_COLUMNS = ("relevant", "constraint", "calculation", "required", "read_only", "choice_filter", "repeat_count")


def _field_to_dict(item: Field) -> dict[str, Any]:
    data = {key: value for key, value in vars(item).items() if key not in ("rules", "children", "choices")}
    data["choices"] = [{"name": c.name, "labels": dict(c.labels), "columns": dict(c.columns)} for c in item.choices]
    data["children"] = [_field_to_dict(child) for child in item.children]
    data["group_path"] = list(item.group_path)
    data["repeats"] = list(item.repeats)
    return data


def _field_from_dict(data: Mapping[str, Any]) -> Field:
    values = dict(data)
    values["choices"] = tuple(Choice(c["name"], c["labels"], c.get("columns", {})) for c in data.get("choices", ()))
    values["children"] = [_field_from_dict(child) for child in data.get("children", ())]
    values["group_path"] = tuple(data.get("group_path", ()))
    values["repeats"] = tuple(data.get("repeats", ()))
    item = Field(**values)
    for column in _RULE_COLUMNS:
        source = getattr(item, column)
        if source:
            item.rules[column] = parse(source)
    if item.dynamic_default and item.default:
        item.rules["default"] = parse(item.default)
    return item


def definition_to_dict(form: FormDefinition) -> dict[str, Any]:
    """The definition as JSON-ready data (rules as written; they are parsed again on the way back)."""
    return {
        "format": 1,
        "id_string": form.id_string,
        "version": form.version,
        "title": form.title,
        "default_language": form.default_language,
        "languages": list(form.languages),
        "children": [_field_to_dict(item) for item in form.children],
        "choices": {
            name: [{"name": c.name, "labels": dict(c.labels), "columns": dict(c.columns)} for c in choices]
            for name, choices in form.choices.items()
        },
        "instance_name": form.instance_name,
        "problems": [vars(problem) for problem in form.problems],
        "order": list(form.order),
    }


def definition_from_dict(data: Mapping[str, Any]) -> FormDefinition:
    """A definition stored by definition_to_dict(), ready to evaluate."""
    form = FormDefinition(
        id_string=data["id_string"],
        version=data["version"],
        title=data["title"],
        default_language=data["default_language"],
        languages=tuple(data["languages"]),
        children=[_field_from_dict(item) for item in data["children"]],
        choices={
            name: tuple(Choice(c["name"], c["labels"], c.get("columns", {})) for c in choices)
            for name, choices in data.get("choices", {}).items()
        },
        instance_name=data.get("instance_name", ""),
        problems=[Problem(**problem) for problem in data.get("problems", ())],
        order=tuple(data.get("order", ())),
    )
    if form.instance_name:
        form.instance_name_rule = parse(form.instance_name)
    return form
