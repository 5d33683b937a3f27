"""The XPath subset of XLSForm rules: what forms written for ODK Collect expect, evaluated without eval()."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passage.cases.xlsform.expressions import (
    Binary,
    Call,
    ExpressionError,
    MappingContext,
    Negate,
    Number,
    Ref,
    Text,
    UnsupportedExpression,
    evaluate,
    evaluate_text,
    format_node,
    parse,
    references,
)
from passage.cases.xlsform.values import Nodes


def test_arithmetic_follows_xpath_precedence():
    assert evaluate_text("1 + 2 * 3") == 7
    assert evaluate_text("(1 + 2) * 3") == 9
    assert evaluate_text("2 - 3 - 4") == -5
    assert evaluate_text("10 div 4") == 2.5
    assert evaluate_text("-7 mod 3") == -1  # XPath's mod keeps the dividend's sign
    assert evaluate_text("-2 * 3") == -6
    assert evaluate_text("1 + 2 = 3 and 2 > 1 or false()") is True


@given(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6))
def test_integer_arithmetic_agrees_with_python(a, b, c):
    assert evaluate_text(f"{a} + {b} * {c}") == a + b * c
    assert evaluate_text(f"{a} - {b} - {c}") == a - b - c
    assert evaluate_text(f"({a} + {b}) * {c}") == (a + b) * c
    assert evaluate_text(f"{a} < {b}") is (a < b)
    assert evaluate_text(f"{a} >= {b}") is (a >= b)
    assert evaluate_text(f"{a} = {b}") is (a == b)
    assert evaluate_text(f"{a} != {b}") is (a != b)
    if b != 0:
        assert evaluate_text(f"{a} div {b}") == a / b
        assert evaluate_text(f"{a} mod {b}") == math.fmod(a, b)


@given(st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_field_values_are_numbers_in_arithmetic(a, b):
    assert evaluate_text("${a} + ${b}", {"a": float(a), "b": str(b)}) == a + b


_leaves = st.one_of(
    st.integers(0, 999).map(lambda n: Number(float(n), 0)),
    st.sampled_from(["a", "b", "c"]).map(lambda name: Ref(name, 0)),
    st.text(alphabet="xyz ", max_size=4).map(lambda text: Text(text, 0)),
)
_trees = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "div", "mod", "=", "!=", "<", ">=", "and", "or"]), inner, inner).map(
            lambda t: Binary(t[0], t[1], t[2], 0)
        ),
        inner.map(lambda node: Negate(node, 0)),
        st.lists(inner, min_size=1, max_size=3).map(lambda args: Call("concat", tuple(args), 0)),
    ),
    max_leaves=12,
)


@given(_trees)
def test_written_back_expressions_read_the_same(tree):
    written = format_node(tree)
    assert format_node(parse(written)) == written


@given(st.text(max_size=40))
def test_any_text_either_parses_or_is_refused_with_a_position(source):
    try:
        parse(source)
    except ExpressionError as exc:
        assert 0 <= exc.position <= len(source)


def test_empty_answers_follow_xpath():
    empty = {"x": ""}
    assert math.isnan(evaluate_text("${x} + 1", empty))
    assert evaluate_text("${x} = ''", empty) is True
    assert evaluate_text("${x} > 3", empty) is False
    assert evaluate_text("${x} < 3", empty) is False
    assert evaluate_text("not(${x})", empty) is True
    assert evaluate_text("coalesce(${x}, 'none')", empty) == "none"
    assert evaluate_text("${x} != ''", {"x": 0.0}) is True  # a number 0 is an answer


def test_text_and_number_comparisons():
    assert evaluate_text("${a} = '5'", {"a": 5.0}) is True
    assert evaluate_text("${a} = 5", {"a": "5"}) is True
    assert evaluate_text("'abc' = 'abc'") is True
    assert evaluate_text("'10' > '9'") is True  # relational comparisons are on numbers
    assert evaluate_text("1 div 0") == math.inf
    assert math.isnan(evaluate_text("0 div 0"))
    assert math.isnan(evaluate_text("5 mod 0"))


def test_dates_are_days():
    today = dt.date(2025, 3, 1)
    context = MappingContext(values={"dob": dt.date(2000, 3, 1)}, today=today)
    assert evaluate(parse("today() - ${dob}"), context) == (today - dt.date(2000, 3, 1)).days
    assert evaluate(parse("int((today() - ${dob}) div 365.25)"), context) == 24  # 24.9993…: ODK forms do the same
    assert evaluate(parse("${dob} < today()"), context) is True
    assert evaluate(parse("${dob} > '1999-12-31'"), context) is True
    assert evaluate(parse("date(today() + 1)"), context) == dt.date(2025, 3, 2)
    assert evaluate(parse("format-date(${dob}, '%d/%m/%Y %b %a')"), context) == "01/03/2000 Mar Wed"
    assert evaluate(parse("format-date('', '%Y')"), context) == ""


def test_selects():
    values = {"needs": "food shelter", "one": "food"}
    assert evaluate_text("selected(${needs}, 'shelter')", values) is True
    assert evaluate_text("selected(${needs}, 'cash')", values) is False
    assert evaluate_text("count-selected(${needs})", values) == 2
    assert evaluate_text("selected-at(${needs}, 1)", values) == "shelter"
    context = MappingContext(values=values, labels={"one": {"food": "Food"}})
    assert evaluate(parse("jr:choice-name(${one}, '${one}')"), context) == "Food"


def test_text_functions():
    assert evaluate_text("concat('a', 1, true())") == "a1true"
    assert evaluate_text("string-length('abc')") == 3
    assert evaluate_text("substr('abcdef', 1, 3)") == "bc"
    assert evaluate_text("substring('abcdef', 2, 3)") == "bcd"
    assert evaluate_text("contains('abc', 'b') and starts-with('abc', 'a') and ends-with('abc', 'c')") is True
    assert evaluate_text("normalize-space('  a   b ')") == "a b"
    assert evaluate_text("translate('abc', 'ab', 'AB')") == "ABc"
    assert evaluate_text("regex('ET SO', '^[A-Z]{2}( [A-Z]{2})*$')") is True
    assert evaluate_text("regex('et', '^[A-Z]{2}$')") is False


def test_numbers():
    assert evaluate_text("round(2.5)") == 3
    assert evaluate_text("round(2.345, 2)") == 2.35
    assert evaluate_text("int(-3.7)") == -3
    assert evaluate_text("number('4.5') + 1") == 5.5
    assert math.isnan(evaluate_text("number('x')"))
    assert evaluate_text("pow(2, 10)") == 1024
    assert evaluate_text("max(1, 7, 3)") == 7
    assert evaluate_text("0.1 + 0.2 > 0.3") is True


def test_repeats_are_seen_as_node_sets():
    ages = {"age": Nodes((30.0, 8.0, 41.0)), "name": Nodes(("a", "", "c"))}
    assert evaluate_text("sum(${age})", ages) == 79
    assert evaluate_text("count(${age})", ages) == 3
    assert evaluate_text("max(${age})", ages) == 41
    assert evaluate_text("min(${age})", ages) == 8
    assert evaluate_text("count-non-empty(${name})", ages) == 2
    assert evaluate_text("join(', ', ${name})", ages) == "a, , c"
    assert evaluate_text("${age} < 18", ages) is True  # someone is a child
    assert evaluate_text("sum(${age})", {"age": Nodes(())}) == 0


def test_if_evaluates_only_the_branch_taken():
    assert evaluate_text("if(${a} > 3, 'big', 'small')", {"a": 4.0}) == "big"
    assert evaluate_text("if(${a} > 3, 'big', 'small')", {"a": ""}) == "small"


def test_current_value_and_position():
    assert evaluate(parse(". >= 0 and . < 130"), MappingContext(value=42.0)) is True
    assert evaluate(parse("position(..)"), MappingContext(index=3)) == 3


def test_a_sibling_written_as_pyxform_writes_it_is_a_reference():
    assert parse("selected(../colour, 'other')") == parse("selected(${colour}, 'other')")


def test_references_lists_fields_read():
    node = parse("${a} + sum(${b}) + if(jr:choice-name(${c}, '${c}') = 'x', 1, 0)")
    assert references(node) == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("source", "position", "words"),
    [
        ("1 +", 3, "ends too soon"),
        ("(1 + 2", 6, "expected ')'"),
        ("1 2", 2, "operator is missing"),
        ("${age", 0, "not closed"),
        ("'abc", 0, "not closed"),
        ("${} = 1", 0, "does not name a field"),
        ("round()", 0, "takes 1 to 2 arguments"),
        ("regex(., '(')", 0, "regular expression"),
        ("", 0, "empty"),
    ],
)
def test_parse_errors_name_the_position(source, position, words):
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert caught.value.position == position
    assert words in str(caught.value)
    assert f"at character {position + 1}" in str(caught.value)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("pulldata('f', 'c', 'k', ${x})", "pulldata() is not supported"),
        ("search('f')", "search() is not supported"),
        ("instance('x')/root/item", "instance() is not supported"),
        ("/data/age > 3", "paths"),
        ("../group/age > 3", "paths"),
        ("${a} | ${b}", "unions"),
        ("position(.)", "position(..)"),
        ("__import__('os')", "__import__() is not supported"),
    ],
)
def test_xpath_we_do_not_run_is_refused(source, words):
    with pytest.raises(UnsupportedExpression, match=words.replace("(", r"\(").replace(")", r"\)").replace("|", r"\|")):
        parse(source)
