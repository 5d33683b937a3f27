"""Our own evaluator for the XPath that XLSForm writes in relevant, constraint, calculation, required,
choice_filter and repeat_count: a tokenizer and a Pratt parser build a tree that is walked; Python's eval is
never used, so a form cannot run code on the server.

The subset: `${name}` (inside a repeat, the answer in the same instance; from outside, every instance's
answer, for sum() or count()), `.` (the answer being checked), numbers and 'text', `+ - * div mod`,
`= != < <= > >=`, `and or`, unary minus, parentheses, and the functions in functions.FUNCTIONS.
Paths (`/data/x`, `../x`), predicates (`[…]`) and unions (`|`) are refused when the form is read."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from passage.cases.xlsform.functions import FUNCTIONS, UNSUPPORTED_FUNCTIONS, Context, compile_pattern
from passage.cases.xlsform.values import (
    Nodes,
    Value,
    compare,
    equal,
    not_equal,
    to_boolean,
    to_number,
    to_string,
)

NAME = re.compile(r"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?")
FIELD_NAME = re.compile(r"[A-Za-z_][\w.\-]*")
_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>\d+(?:\.\d*)?|\.\d+)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<ref>\$\{[^}]*\})
      | (?P<op>!=|<=|>=|\.\.|[=<>+\-*|(),./\[\]@])
      | (?P<name>[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)""",
    re.VERBOSE,
)
_WORD_OPERATORS = ("and", "or", "div", "mod")
_REF_IN_TEXT = re.compile(r"\s*\$\{([^}]*)\}\s*")


class ExpressionError(ValueError):
    """An expression Passage cannot read; `position` is the character (from 0) where the problem is."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


class UnsupportedExpression(ExpressionError):
    """Well-formed XPath that Passage does not evaluate (pulldata(), paths, unions…)."""


# The tree --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    value: float
    position: int


@dataclass(frozen=True)
class Text:
    value: str
    position: int


@dataclass(frozen=True)
class Ref:
    name: str
    position: int


@dataclass(frozen=True)
class Current:
    position: int


@dataclass(frozen=True)
class Parent:
    position: int


@dataclass(frozen=True)
class Name:
    """A bare name: in a choice_filter, a column of the choices sheet (`country = ${country}`)."""

    name: str
    position: int


@dataclass(frozen=True)
class Negate:
    operand: Node
    position: int


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node
    position: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    position: int


Node = Number | Text | Ref | Current | Parent | Name | Negate | Binary | Call


# Tokens ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, ref, op, name, end
    text: str
    position: int


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            char = source[position]
            if char in "'\"":
                raise ExpressionError(f"the text starting with {char} is not closed", position)
            if source.startswith("${", position):
                raise ExpressionError("${ is not closed with }", position)
            raise ExpressionError(f"unexpected character {char!r}", position)
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "name" and text in _WORD_OPERATORS and _ends_operand(tokens):
            kind = "op"
        if kind != "space":
            tokens.append(Token(kind, text, position))
        position = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


def _ends_operand(tokens: list[Token]) -> bool:
    """XPath's rule: `and`, `or`, `div`, `mod` are operators only after something that ends an operand."""
    if not tokens:
        return False
    last = tokens[-1]
    return last.kind in ("number", "string", "ref", "name") or last.text in (")", ".", "..", "]")


# Parser ----------------------------------------------------------------------------------------------------

_BINDING = {
    "or": 10,
    "and": 20,
    "=": 30,
    "!=": 30,
    "<": 40,
    "<=": 40,
    ">": 40,
    ">=": 40,
    "+": 50,
    "-": 50,
    "*": 60,
    "div": 60,
    "mod": 60,
}
_UNARY = 70


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.index = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.take()
        if token.text != text or token.kind not in ("op",):
            raise ExpressionError(f"expected {text!r} but found {_describe(token)}", token.position)
        return token

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise ExpressionError("the expression is empty", 0)
        node = self.expression(0)
        token = self.peek()
        if token.kind != "end":
            raise ExpressionError(f"unexpected {_describe(token)}", token.position)
        return node

    def expression(self, right_binding: int) -> Node:
        left = self.prefix(self.take())
        while True:
            token = self.peek()
            if token.kind != "op":
                if token.kind in ("number", "string", "ref", "name"):
                    raise ExpressionError(f"an operator is missing before {_describe(token)}", token.position)
                break
            binding = _BINDING.get(token.text)
            if binding is None:
                if token.text == "|":
                    raise UnsupportedExpression("unions (|) are not supported", token.position)
                if token.text in ("/", "["):
                    raise UnsupportedExpression(_PATHS, token.position)
                break
            if binding <= right_binding:
                break
            self.take()
            left = Binary(token.text, left, self.expression(binding), token.position)
        return left

    def prefix(self, token: Token) -> Node:
        if token.kind == "number":
            return Number(float(token.text), token.position)
        if token.kind == "string":
            return Text(token.text[1:-1], token.position)
        if token.kind == "ref":
            name = token.text[2:-1].strip()
            if not FIELD_NAME.fullmatch(name):
                raise ExpressionError(f"{token.text} does not name a field", token.position)
            return Ref(name, token.position)
        if token.kind == "name":
            if self.peek().text == "(":
                return self.call(token)
            return Name(token.text, token.position)
        if token.text == "-":
            return Negate(self.expression(_UNARY), token.position)
        if token.text == "(":
            node = self.expression(0)
            self.expect(")")
            return node
        if token.text == ".":
            return Current(token.position)
        if token.text == "..":
            return self.relative(token)
        if token.text in ("/", "[", "@"):
            raise UnsupportedExpression(_PATHS, token.position)
        if token.kind == "end":
            raise ExpressionError("the expression ends too soon", token.position)
        raise ExpressionError(f"unexpected {_describe(token)}", token.position)

    def relative(self, token: Token) -> Node:
        """`..`, or `../name` (`../../name`…) as pyxform writes for or_other: with names unique in a form, the
        field named is the one ${name} finds."""
        if self.peek().text != "/":
            return Parent(token.position)
        while self.peek().text == "/":
            self.take()
            step = self.take()
            if step.text == ".." and self.peek().text == "/":
                continue
            if step.kind == "name" and FIELD_NAME.fullmatch(step.text) and self.peek().text not in ("/", "["):
                return Ref(step.text, token.position)
            break
        raise UnsupportedExpression(_PATHS, token.position)

    def call(self, name: Token) -> Node:
        self.expect("(")
        args: list[Node] = []
        if self.peek().text != ")":
            while True:
                args.append(self.expression(0))
                if self.peek().text != ",":
                    break
                self.take()
        self.expect(")")
        return _checked_call(name, tuple(args))


_PATHS = "XPath paths (/, [ ], @) are not supported: refer to a field as ${name}"


def _checked_call(token: Token, args: tuple[Node, ...]) -> Call:
    name = token.text
    function = FUNCTIONS.get(name)
    if function is None:
        reason = UNSUPPORTED_FUNCTIONS.get(name)
        if reason:
            raise UnsupportedExpression(f"the function {name}() is not supported: {reason}", token.position)
        raise UnsupportedExpression(f"the function {name}() is not supported", token.position)
    if len(args) < function.minimum or (function.maximum is not None and len(args) > function.maximum):
        expected = _arity(function.minimum, function.maximum)
        raise ExpressionError(f"{name}() takes {expected}, not {len(args)}", token.position)
    if name == "position" and not isinstance(args[0], Parent):
        raise UnsupportedExpression("position() is supported only as position(..)", token.position)
    if name == "jr:choice-name" and not (isinstance(args[1], Text) and _REF_IN_TEXT.fullmatch(args[1].value)):
        raise ExpressionError("jr:choice-name() needs the field as its second argument: '${name}'", token.position)
    if name == "indexed-repeat" and not (isinstance(args[0], Ref) and isinstance(args[1], Ref)):
        raise ExpressionError(
            "indexed-repeat() needs a field and its repeat: indexed-repeat(${x}, ${r}, 1)", token.position
        )
    if name == "regex" and isinstance(args[1], Text):
        try:
            compile_pattern(args[1].value)
        except re.error as exc:
            raise ExpressionError(
                f"the regular expression {args[1].value!r} is not valid: {exc}", token.position
            ) from exc
    return Call(name, args, token.position)


def _arity(minimum: int, maximum: int | None) -> str:
    if maximum is None:
        return f"at least {minimum} argument{'s' if minimum != 1 else ''}"
    if minimum == maximum:
        return f"{minimum} argument{'s' if minimum != 1 else ''}"
    return f"{minimum} to {maximum} arguments"


def _describe(token: Token) -> str:
    return "the end of the expression" if token.kind == "end" else repr(token.text)


def parse(source: str) -> Node:
    """The tree of an expression, or ExpressionError (UnsupportedExpression for XPath we do not run)."""
    node = _Parser(source).parse()
    _check_parents(node, inside_position=False)
    return node


def _check_parents(node: Node, *, inside_position: bool) -> None:
    if isinstance(node, Parent) and not inside_position:
        raise UnsupportedExpression("'..' is supported only in position(..)", node.position)
    for child in children(node):
        _check_parents(child, inside_position=isinstance(node, Call) and node.name == "position")


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> list[Node]:
    out = [node]
    for child in children(node):
        out.extend(walk(child))
    return out


def references(node: Node) -> set[str]:
    """The fields an expression reads: every ${name}, and the field named in jr:choice-name."""
    names: set[str] = set()
    for item in walk(node):
        if isinstance(item, Ref):
            names.add(item.name)
        elif isinstance(item, Call) and item.name == "jr:choice-name" and isinstance(item.args[1], Text):
            match = _REF_IN_TEXT.fullmatch(item.args[1].value)
            if match:
                names.add(match.group(1).strip())
    return names


def bare_names(node: Node) -> set[str]:
    return {item.name for item in walk(node) if isinstance(item, Name)}


def uses_current(node: Node) -> bool:
    return any(isinstance(item, Current) for item in walk(node))


# Evaluation ------------------------------------------------------------------------------------------------


def evaluate(node: Node, ctx: Context) -> Value:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Text):
        return node.value
    if isinstance(node, Ref):
        return ctx.ref(node.name)
    if isinstance(node, Current):
        return ctx.current()
    if isinstance(node, Name):
        return ctx.child(node.name)
    if isinstance(node, Negate):
        return -to_number(evaluate(node.operand, ctx))
    if isinstance(node, Binary):
        return _binary(node, ctx)
    if isinstance(node, Call):
        return _call(node, ctx)
    raise ExpressionError("'..' is supported only in position(..)", node.position)


def evaluate_boolean(node: Node, ctx: Context) -> bool:
    return to_boolean(evaluate(node, ctx))


def _binary(node: Binary, ctx: Context) -> Value:
    op = node.op
    if op == "or":
        return evaluate_boolean(node.left, ctx) or evaluate_boolean(node.right, ctx)
    if op == "and":
        return evaluate_boolean(node.left, ctx) and evaluate_boolean(node.right, ctx)
    left, right = evaluate(node.left, ctx), evaluate(node.right, ctx)
    if op == "=":
        return equal(left, right)
    if op == "!=":
        return not_equal(left, right)
    if op in ("<", "<=", ">", ">="):
        return compare(op, left, right)
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        return _divide(a, b)
    return math.nan if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b) else math.fmod(a, b)


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1, b)
    return a / b


def _call(node: Call, ctx: Context) -> Value:
    name = node.name
    if name == "if":
        chosen = node.args[1] if evaluate_boolean(node.args[0], ctx) else node.args[2]
        return evaluate(chosen, ctx)
    if name == "jr:choice-name":
        text = node.args[1]
        match = _REF_IN_TEXT.fullmatch(text.value) if isinstance(text, Text) else None
        if match is None:
            return ""
        return ctx.choice_label(match.group(1).strip(), to_string(evaluate(node.args[0], ctx)))
    if name == "indexed-repeat":
        field = node.args[0]
        values = ctx.ref_all(field.name) if isinstance(field, Ref) else Nodes(())
        index = to_number(evaluate(node.args[2], ctx))
        items = values.values if isinstance(values, Nodes) else (values,)
        if math.isnan(index) or not 1 <= int(index) <= len(items):
            return ""
        return items[int(index) - 1]
    if name == "position":
        return float(ctx.position())
    return FUNCTIONS[name].run(ctx, [evaluate(arg, ctx) for arg in node.args])


def format_node(node: Node) -> str:
    """The expression written back (for messages and tests); parse(format_node(n)) gives the same tree."""
    if isinstance(node, Number):
        return to_string(node.value)
    if isinstance(node, Text):
        quote = "'" if "'" not in node.value else '"'
        return f"{quote}{node.value}{quote}"
    if isinstance(node, Ref):
        return f"${{{node.name}}}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, Parent):
        return ".."
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Negate):
        return f"-({format_node(node.operand)})"
    if isinstance(node, Binary):
        return f"({format_node(node.left)} {node.op} {format_node(node.right)})"
    return f"{node.name}({', '.join(format_node(arg) for arg in node.args)})"


@dataclass
class MappingContext:
    """A context over plain values, for evaluating an expression on its own (tests, the settings sheet)."""

    values: dict[str, Value] = field(default_factory=dict)
    value: Value = ""
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    columns: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> choice name -> label
    index: int = 1

    def ref(self, name: str) -> Value:
        return self.values.get(name, "")

    def ref_all(self, name: str) -> Value:
        return self.ref(name)

    def current(self) -> Value:
        return self.value

    def position(self) -> int:
        return self.index

    def child(self, name: str) -> Value:
        return self.columns.get(name, "")

    def choice_label(self, field: str, value: str) -> str:
        return self.labels.get(field, {}).get(value, "")


def evaluate_text(source: str, values: dict[str, Value] | None = None, *, current: Value = "") -> Value:
    """Parse and evaluate in one step over plain values."""
    return evaluate(parse(source), MappingContext(values=dict(values or {}), value=current))
