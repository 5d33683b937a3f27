"""The name, date, phone, document and area comparisons, one hazard at a time."""

import numpy as np
import pytest

from passage.matching.compare import name_rarity
from passage.matching.names import name_forms
from passage.matching.records import prepare
from passage.matching.tests.helpers import level, people_frame

SAME = {"exact", "same spelling key"}
CLOSE = {"exact", "same spelling key", "close"}


@pytest.mark.parametrize("other", ["Muhammad", "Mohamed", "Maxamed", "Mohamud", "MOHAMMED", "Mohammed"])
def test_latin_spellings_of_mohammed_share_a_spelling_key(other):
    assert level("given_name", {"given_name": "Mohammed"}, {"given_name": other}) in SAME


def test_arabic_script_meets_its_latin_spelling():
    assert level("given_name", {"given_name": "محمد"}, {"given_name": "Mohammed"}) in SAME
    assert level("given_name", {"given_name": "مُحَمَّد"}, {"given_name": "محمد"}) == "exact"  # diacritics folded


def test_arabic_letter_variants_and_tatweel_are_folded():
    assert level("given_name", {"given_name": "أحمد"}, {"given_name": "احمد"}) == "exact"
    assert level("given_name", {"given_name": "فاطمة"}, {"given_name": "فاطمه"}) == "exact"
    assert level("given_name", {"given_name": "مـحـمـد"}, {"given_name": "محمد"}) == "exact"


def test_arabic_name_outside_the_table_meets_latin_by_its_consonants():
    # كحام is k-h-m, not the kh of خ: letters transliterated apart.
    assert level("given_name", {"given_name": "كحام"}, {"given_name": "Kahham"}) == "close"
    assert level("given_name", {"given_name": "خالد"}, {"given_name": "Khalid"}) in SAME


def test_ethiopic_and_abbreviated_compounds():
    for other in ("Gebre Medhin", "G/Medhin", "Gebremedhin", "ገብረመድህን"):
        assert level("given_name", {"given_name": "Gebremedhin"}, {"given_name": other}) in CLOSE, other


def test_cyrillic_is_transliterated():
    assert level("given_name", {"given_name": "Олександр"}, {"given_name": "Oleksandr"}) == "exact"
    assert level("family_name", {"family_name": "Шевченко"}, {"family_name": "Shevchenko"}) == "exact"


@pytest.mark.parametrize("other", ["Abdulrahman", "Abd al-Rahman", "Abdel Rahman", "عبد الرحمن", "عبدالرحمن"])
def test_compound_names_split_or_joined(other):
    assert level("father_name", {"father_name": "Abdul Rahman"}, {"father_name": other}) == "exact"


@pytest.mark.parametrize("other", ["Tamimi", "Al Tamimi", "Altamimi", "al-Tamimi", "التميمي", "El-Tamimi"])
def test_article_prefixes(other):
    assert level("family_name", {"family_name": "Al-Tamimi"}, {"family_name": other}) == "exact"


def test_bin_and_abu_in_full_names():
    assert [w.latin for w in name_forms("Ali bin Hassan").words] == ["ali", "hassan"]
    assert name_forms("Abu Bakr").joined == name_forms("Abubakr").joined
    assert level("name_words", {"full_name": "Ali bin Hassan Tamimi"}, {"full_name": "Ali Hassan Al-Tamimi"}) == (
        "all words (3 or more)"
    )


def test_distinct_names_stay_distinct():
    assert level("given_name", {"given_name": "Ahmed"}, {"given_name": "Hamid"}) == "different"
    assert level("given_name", {"given_name": "Hassan"}, {"given_name": "Hussein"}) == "different"
    assert level("given_name", {"given_name": "Mohammed"}, {"given_name": "Mahmoud"}) not in CLOSE


def test_a_typo_is_close():
    assert level("given_name", {"given_name": "Mustafa"}, {"given_name": "Mustfafa"}) == "close"


def test_given_and_family_written_in_each_others_place():
    a = {"given_name": "Mahmoud", "family_name": "Al-Jubouri"}
    b = {"given_name": "Al-Jubouri", "family_name": "Mahmoud"}
    assert level("given_name", a, b) == "exact"
    assert level("family_name", a, b) == "exact"


def test_full_name_in_another_order_and_with_missing_parts():
    parts = {"given_name": "Ali", "father_name": "Hassan", "grandfather_name": "Omar", "family_name": "Tamimi"}
    assert level("name_words", parts, {"full_name": "Tamimi Ali Hassan Omar"}) == "all words (3 or more)"
    assert level("name_words", parts, {"full_name": "Ali Tamimi"}) == "all words (2)"
    assert level("name_words", parts, {"full_name": "Ali Hassan Karim Tamimi"}) == "all words but one"
    # both in parts: the parts are compared, not the bag of words
    assert level("name_words", parts, parts) == ""
    assert level("grandfather_name", parts, {"given_name": "Ali"}) == ""


def test_common_names_weigh_less_than_rare_ones():
    rows = [{"given_name": "Mohammed"} for _ in range(40)] + [{"given_name": f"Name{n}x"} for n in range(40)]
    rows += [{"given_name": "Tesfalidet"}, {"given_name": "Tesfalidet"}]
    people = prepare(people_frame(*rows))
    rarity = name_rarity(people, np.array([0, 80]), np.array([1, 81]))[:, 0]
    assert rarity[0] < 0 < rarity[1]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1985-03-12", "1985-03-12", "exact"),
        ("1985-03-12", "1985-12-03", "day and month swapped"),
        ("1985-03-12", "1985", "same year (partial date)"),
        ("1985-03-12", "1985-03", "same year (partial date)"),
        ("1985-03-12", "1985-01-01", "same year (partial date)"),  # 1 January: the usual default
        ("1985-03-12", "1985-07-20", "same year, other day"),
        ("1985-03-12", "1986-03-12", "a year apart"),
        ("1985-03-12", "1990-03-12", "different"),
        ("1985-03-12", "", ""),
    ],
)
def test_birth_dates(a, b, expected):
    assert level("date_of_birth", {"date_of_birth": a}, {"date_of_birth": b}) == expected


@pytest.mark.parametrize("other", ["07701234567", "+964 770 123 4567", "00964-770-123-4567", "0770 123 4567"])
def test_phone_formats(other):
    assert level("phone", {"phone": "+9647701234567"}, {"phone": other}) == "same, 1-2 people give it"


def test_a_phone_many_people_give_weighs_as_shared():
    rows = [{"phone": "0770 123 4567"} for _ in range(7)]
    people = prepare(people_frame(*rows))
    assert int(people.phone_sharing[0]) == 7
    from passage.matching.compare import FIELD_INDEX, compare

    levels = compare(people, np.array([0]), np.array([1]))
    assert levels[0, FIELD_INDEX["phone"]] == 2  # "same, 6+ people give it"


def test_documents_areas_and_sex():
    assert level("document_number", {"document_number": "A-1234567"}, {"document_number": "a1234567"}) == "same"
    assert level("document_number", {"document_number": "A1234567"}, {"document_number": "A1234568"}) == (
        "one character off"
    )
    assert level("area", {"admin1": "IQ01", "admin2": "IQ0101"}, {"admin1": "IQ01", "admin2": "IQ0101"}) == (
        "same admin2"
    )
    assert level("area", {"admin1": "IQ01", "admin2": "IQ0101"}, {"admin1": "IQ01", "admin2": "IQ0102"}) == (
        "same admin1"
    )
    assert level("sex", {"sex": "F"}, {"sex": "female"}) == "same"
    assert level("sex", {"sex": "M"}, {"sex": ""}) == ""


def test_a_bad_date_is_unknown_and_reported():
    people = prepare(people_frame({"date_of_birth": "1985-13-40"}, {"date_of_birth": "12/03/1985"}, {}))
    assert [(issue.row, issue.value) for issue in people.date_issues] == [(0, "1985-13-40"), (1, "12/03/1985")]
    assert list(people.year) == [0, 0, 0]
