"""Turn a form and the answers typed so far into widgets that templates/cases/xlsform/form.html draws, and
read the posted page back into answers.

The page never runs the form's rules itself: on each change it posts the answers (htmx) and the server
answers with the form drawn again, relevance and calculations worked out by submission.evaluate(), the same
function that checks the final submission. Irrelevant fields are drawn hidden, with their values kept
until the submission drops them, as ODK Collect and Enketo do while a form is filled.

HTML names are answer paths with the page's prefix: `age`, `members[2].age`; a geopoint posts
`PATH__lat` and `PATH__lon`; an image posts its file as `PATH__file` (the page stores it and puts its
reference in the answers) and keeps the reference already stored in `PATH`; each instance of a repeat
posts its number under the repeat's path, so an instance with nothing typed in it is not lost."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from passage.cases.xlsform.definition import RTL_LANGUAGES, Field, FormDefinition, language_code
from passage.cases.xlsform.submission import MAX_INSTANCES, Evaluation, evaluate, initial_answers

ACTION = "xlsform_action"  # the name of the add/remove buttons of repeats
_REF = re.compile(r"\$\{([^}]+)\}")
_INDEX = re.compile(r"^(.*)\[(\d+)\]$")

_INPUT_TYPES = {
    "text": "text",
    "integer": "number",
    "decimal": "number",
    "date": "date",
    "time": "time",
    "datetime": "datetime-local",
}


@dataclass
class Option:
    value: str
    label: str
    selected: bool
    html_id: str


@dataclass
class Instance:
    index: int  # from 1
    path: str  # members[2]
    html_id: str
    widgets: list[Widget]


@dataclass
class Widget:
    kind: str  # the field's kind (group, repeat, text, integer, select_one…)
    control: (
        str  # how it is drawn: group, repeat, note, input, textarea, radio, select, checkbox, geopoint, image, hidden
    )
    name: str
    path: str
    html_name: str
    html_id: str
    label: str = ""
    hint: str = ""
    required: bool = False
    read_only: bool = False
    relevant: bool = True
    value: str = ""
    input_type: str = "text"
    step: str = ""
    options: list[Option] = field(default_factory=list)
    latitude: str = ""
    longitude: str = ""
    errors: list[str] = field(default_factory=list)
    children: list[Widget] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    can_add: bool = False
    can_remove: bool = False
    appearance: str = ""
    inline: bool = False  # choices side by side (appearance horizontal or horizontal-compact)

    @property
    def described_by(self) -> str:
        ids = [f"{self.html_id}-hint"] if self.hint else []
        if self.errors:
            ids.append(f"{self.html_id}-error")
        return " ".join(ids)


@dataclass
class RenderedForm:
    title: str
    language: str  # the form's language the labels are in
    language_code: str
    direction: str  # ltr or rtl
    widgets: list[Widget]
    evaluation: Evaluation
    prefix: str = ""
    refresh_url: str = ""
    action_name: str = ACTION
    id_string: str = ""


class PostedData(Protocol):
    def getlist(self, key: str) -> list[Any]: ...


def choose_language(form: FormDefinition, language: str) -> str:
    """The form's language closest to the user's (`ar`, `fr-ca`…), else its default language."""
    code = language.lower().split("-")[0] if language else ""
    for name in form.languages:
        if code and language_code(name).split("-")[0] == code:
            return name
    return form.default_language if form.default_language in form.languages or not form.languages else form.languages[0]


def build_form(
    form: FormDefinition,
    answers: Mapping[str, Any] | None = None,
    *,
    language: str = "",
    evaluation: Evaluation | None = None,
    show_errors: bool = False,
    prefix: str = "",
    refresh_url: str = "",
) -> RenderedForm:
    """The widgets for `answers` (a new submission's defaults when None); errors only with show_errors."""
    if answers is None:
        answers = initial_answers(form)
    flat = flatten_groups(form, answers)
    chosen = choose_language(form, language)
    evaluation = evaluation or evaluate(form, flat, language=chosen)
    errors: dict[str, list[str]] = {}
    if show_errors:
        for error in evaluation.errors:
            errors.setdefault(error.path, []).append(error.message(chosen, form.default_language))
    builder = _Builder(form, chosen, evaluation, errors, prefix)
    code = language_code(chosen)
    return RenderedForm(
        title=form.title,
        language=chosen,
        language_code=code,
        direction="rtl" if code.split("-")[0] in RTL_LANGUAGES else "ltr",
        widgets=builder.widgets(form.children, flat, "", [evaluation.values]),
        evaluation=evaluation,
        prefix=prefix,
        refresh_url=refresh_url,
        id_string=form.id_string,
    )


def form_state(form: FormDefinition, answers: Mapping[str, Any]) -> tuple[dict[str, bool], dict[str, Any]]:
    """Which fields are relevant and what the calculations give, by path, for the answers so far."""
    evaluation = evaluate(form, flatten_groups(form, answers))
    return evaluation.relevant, evaluation.calculated


def flatten_groups(form: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers with groups given as nested dicts opened up (stored answers are by name, groups left out)."""
    out: dict[str, Any] = {}
    for key, value in answers.items():
        item = form.fields.get(key)
        if item is not None and item.kind == "group" and isinstance(value, Mapping):
            out.update(flatten_groups(form, value))
        elif item is not None and item.kind == "repeat" and isinstance(value, list | tuple):
            out[key] = [flatten_groups(form, entry) if isinstance(entry, Mapping) else entry for entry in value]
        else:
            out[key] = value
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Builder:
    def __init__(
        self, form: FormDefinition, language: str, evaluation: Evaluation, errors: dict[str, list[str]], prefix: str
    ) -> None:
        self.form = form
        self.language = language
        self.evaluation = evaluation
        self.errors = errors
        self.prefix = prefix

    def html_id(self, path: str) -> str:
        return "xf-" + re.sub(r"[^A-Za-z0-9_-]+", "-", f"{self.prefix}{path}").strip("-")

    def interpolate(self, text: str, scopes: list[Mapping[str, Any]]) -> str:
        """ODK's ${name} in a label or hint, shown with the answer as it stands."""

        def value(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            for scope in reversed(scopes):
                if name in scope:
                    return _text(scope[name])
            return ""

        return _REF.sub(value, text) if "${" in text else text

    def widgets(
        self, items: list[Field], answers: Mapping[str, Any], base: str, scopes: list[Mapping[str, Any]]
    ) -> list[Widget]:
        return [self.widget(item, answers, base, scopes) for item in items if item.kind != "metadata"]

    def widget(self, item: Field, answers: Mapping[str, Any], base: str, scopes: list[Mapping[str, Any]]) -> Widget:
        path = f"{base}.{item.name}" if base else item.name
        html_name = f"{self.prefix}{path}"
        widget = Widget(
            kind=item.kind,
            control="input",
            name=item.name,
            path=path,
            html_name=html_name,
            html_id=self.html_id(path),
            label=self.interpolate(item.label(self.language, self.form.default_language), scopes),
            hint=self.interpolate(item.hint(self.language, self.form.default_language), scopes),
            required=self.evaluation.required.get(path, False),
            read_only=bool(item.read_only or item.calculation),
            relevant=self.evaluation.relevant.get(path, True),
            errors=self.errors.get(path, []),
            appearance=item.appearance,
        )
        if item.kind == "group":
            widget.control = "group"
            widget.children = self.widgets(item.children, answers, base, scopes)
        elif item.kind == "repeat":
            self.repeat(widget, item, answers, path, scopes)
        elif item.kind == "note":
            widget.control = "note"
        else:
            raw = (
                self.evaluation.calculated.get(path, answers.get(item.name))
                if item.calculation
                else answers.get(item.name)
            )
            self.answer(widget, item, raw, path)
        return widget

    def repeat(
        self, widget: Widget, item: Field, answers: Mapping[str, Any], path: str, scopes: list[Mapping[str, Any]]
    ) -> None:
        widget.control = "repeat"
        entries = [entry for entry in answers.get(item.name) or [] if isinstance(entry, Mapping)]
        size = self.evaluation.repeat_sizes.get(path, len(entries)) if widget.relevant else len(entries)
        entries = (entries + [{} for _ in range(size - len(entries))])[:size] if item.repeat_count else entries
        kept = self._kept(scopes[-1], item.name)
        for index, entry in enumerate(entries, start=1):
            instance_path = f"{path}[{index}]"
            inner = [*scopes, kept[index - 1] if index <= len(kept) else {}]
            widget.instances.append(
                Instance(
                    index,
                    instance_path,
                    self.html_id(instance_path),
                    self.widgets(item.children, entry, instance_path, inner),
                )
            )
        widget.can_add = not item.repeat_count and len(entries) < MAX_INSTANCES
        widget.can_remove = not item.repeat_count

    @staticmethod
    def _kept(scope: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
        value = scope.get(name)
        return [entry for entry in value if isinstance(entry, Mapping)] if isinstance(value, list) else []

    def answer(self, widget: Widget, item: Field, raw: Any, path: str) -> None:
        widget.value = _text(raw)
        if item.kind == "calculate":
            widget.control = "hidden"
        elif item.kind in ("select_one", "select_multiple"):
            chosen = (
                set(raw if isinstance(raw, list | tuple) else _text(raw).split())
                if item.kind == "select_multiple"
                else {_text(raw)}
            )
            allowed = self.evaluation.choices.get(path)
            widget.options = [
                Option(
                    choice.name,
                    choice.label(self.language, self.form.default_language),
                    choice.name in chosen,
                    f"{widget.html_id}-{number}",
                )
                for number, choice in enumerate(item.choices)
                if allowed is None or choice.name in allowed or choice.name in chosen
            ]
            minimal = "minimal" in item.appearance.split()
            widget.control = "checkbox" if item.kind == "select_multiple" else ("select" if minimal else "radio")
            widget.inline = any(word.startswith("horizontal") for word in item.appearance.split())
        elif item.kind == "geopoint":
            widget.control = "geopoint"
            parts = _text(raw).split()
            widget.latitude = parts[0] if parts else ""
            widget.longitude = parts[1] if len(parts) > 1 else ""
        elif item.kind == "image":
            widget.control = "image"
        elif item.kind == "text" and "multiline" in item.appearance.split():
            widget.control = "textarea"
        else:
            widget.input_type = _INPUT_TYPES.get(item.kind, "text")
            widget.step = {"integer": "1", "decimal": "any"}.get(item.kind, "")
            if item.kind == "datetime":
                widget.value = widget.value[:16]


def answers_from_post(
    form: FormDefinition, data: PostedData | Mapping[str, Any], *, prefix: str = ""
) -> dict[str, Any]:
    """The answers in a posted page (a QueryDict, or a dict of lists), nested as submission.evaluate() reads them."""

    def getlist(key: str) -> list[Any]:
        if hasattr(data, "getlist"):
            return list(data.getlist(key))
        value = data.get(key) if isinstance(data, Mapping) else None
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]

    def first(key: str) -> str:
        values = getlist(key)
        return str(values[-1]) if values else ""

    scope_fields = form.scope_fields

    def read(repeat: str, base: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in scope_fields.get(repeat, []):
            path = f"{base}.{item.name}" if base else item.name
            key = f"{prefix}{path}"
            if item.kind == "repeat":
                numbers = [int(value) for value in getlist(key) if str(value).isdigit()][:MAX_INSTANCES]
                if numbers:
                    out[item.name] = [read(item.name, f"{path}[{number}]") for number in dict.fromkeys(numbers)]
            elif item.kind == "select_multiple":
                chosen = [str(value) for value in getlist(key) if str(value)]
                if chosen:
                    out[item.name] = chosen
            elif item.kind == "geopoint":
                latitude, longitude = first(f"{key}__lat").strip(), first(f"{key}__lon").strip()
                if latitude or longitude:
                    out[item.name] = f"{latitude} {longitude}".strip() if latitude and longitude else "?"
            elif item.holds_answer and item.kind != "metadata":
                value = first(key)
                if value != "":
                    out[item.name] = value
        return out

    return read("", "")


def apply_action(form: FormDefinition, answers: Mapping[str, Any], action: str) -> dict[str, Any]:
    """Answers after a repeat's add or remove button: `add:members`, `remove:members[2]`,
    `add:members[1].children`. An unknown action changes nothing."""
    verb, _, path = action.partition(":")
    answers = flatten_groups(form, answers)
    if verb == "add":
        target = _locate(form, answers, path)
        if target is not None:
            container, name = target
            instances = list(container.get(name) or [])
            if len(instances) < MAX_INSTANCES:
                instances.append(initial_answers(form, repeat=name))
            container[name] = instances
    elif verb == "remove":
        match = _INDEX.match(path)
        target = _locate(form, answers, match.group(1)) if match else None
        if match and target is not None:
            container, name = target
            instances = list(container.get(name) or [])
            index = int(match.group(2))
            if 1 <= index <= len(instances):
                del instances[index - 1]
            container[name] = instances
    return answers


def _locate(form: FormDefinition, answers: dict[str, Any], path: str) -> tuple[dict[str, Any], str] | None:
    """The dict holding the repeat at `path` (copied on the way down, so the caller's answers stay as
    they were) and the repeat's name."""
    parts = path.split(".")
    container = answers
    for part in parts[:-1]:
        match = _INDEX.match(part)
        if not match:
            return None
        name, index = match.group(1), int(match.group(2))
        instances = [dict(entry) for entry in container.get(name) or [] if isinstance(entry, Mapping)]
        if not 1 <= index <= len(instances):
            return None
        container[name] = instances
        container = instances[index - 1]
    name = parts[-1]
    item = form.fields.get(name)
    if item is None or item.kind != "repeat":
        return None
    return container, name
