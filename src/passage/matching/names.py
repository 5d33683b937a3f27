"""Names as the engine compares them: folded, written in Latin letters, compound names joined, articles
and "son of" words dropped, and three keys per name that spellings of one name share.

- fold(): case, accents, Arabic diacritics and tatweel folded away; alef, ya, ta marbuta, waw/ya hamza and
  Persian kaf/ya variants written one way.
- words written in Arabic script are looked up in a table of common names (NAME_TABLE) and otherwise
  transliterated with anyascii (which writes no short vowels: محمد -> "mhmd"); Ethiopic (Ge'ez) and Cyrillic
  are transliterated with anyascii too (ገብረመድህን -> "gebremedhn", Олександр -> "oleksandr").
- compound names are joined: Abdul Rahman, Abd al-Rahman, Abdulrahman and عبد الرحمن are one word
  "abdrahman"; G/Medhin, Gebre Medhin and Gebremedhin are "gebremedhin"; Najib Ullah is "najibullah".
- articles (al-, el-, and assimilated ash-, ad-, ...) and bin / ibn / bint / ould between names are dropped.
- keys of a word: its Latin form; its spelling key (passage.registry.names.spelling_key, with diphthongs kept
  apart so that Hassan and Hussein differ: Mohammed, Muhammad, Maxamed -> "mahamad"); its consonant key
  (the spelling key without vowels: "mhmd"), which is how a word written without vowels (Arabic script)
  meets its Latin spellings.
Everything here runs once per distinct name, never per pair."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from passage.registry.names import spelling_key

TATWEEL = "\u0640"
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian ya
        "ې": "ي",  # Pashto
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ۀ": "ه",
        "ک": "ك",  # Persian kaf
        "ء": "",
    }
)
_SPLIT = re.compile(r"[\s\-_.,;:()\"'’`ʿʾ]+")
# Words that join the word after them into one name (canonical spelling of the joiner on the right).
_JOIN_NEXT = {
    **dict.fromkeys(("abd", "abdul", "abdel", "abdal", "abdil", "abdol", "abdur", "abdu", "abdi"), "abd"),
    **dict.fromkeys(("abu", "abou", "abo"), "abu"),
    **dict.fromkeys(("gebre", "gabre", "gebra", "gabra"), "gebre"),
    **dict.fromkeys(("wolde", "welde", "walda", "wold"), "wolde"),
    **dict.fromkeys(("haile", "hayle"), "haile"),
    **dict.fromkeys(("tekle", "tekla"), "tekle"),
    "habte": "habte",
    "kidane": "kidane",
    "gul": "gul",
}
# Before "/": G/Medhin, W/Mariam, H/Selassie.
_ABBREVIATIONS = {"g": "gebre", "w": "wolde", "h": "haile", "t": "tekle", "ha": "habte", "k": "kidane"}
# Joined forms written as one word: Abdulrahman -> abd + rahman.
_JOINED_PREFIXES = (
    ("abdul", "abd"),
    ("abdel", "abd"),
    ("abdal", "abd"),
    ("abdol", "abd"),
    ("abdil", "abd"),
    ("abdi", "abd"),
    ("abdu", "abd"),
    ("abd", "abd"),
    ("abou", "abu"),
)
_JOIN_PREVIOUS = {"ullah", "ulla", "allah", "ollah", "uddin", "addin", "aldin", "eddin", "eddine", "shah"}
_ARTICLES = {"al", "el", "ul", "il"}
_ASSIMILATED = {"ar", "ash", "as", "ad", "adh", "at", "ath", "az", "an", "ez", "es", "er", "ed", "et", "en"}
_SON_OF = {"bin", "ibn", "bint", "ben", "bn", "ould", "wad", "ibnat"}
_VOWELS = re.compile(r"[aeiouyY]")
_DIPHTHONG = re.compile(r"[ae][iy](?![aeiou])")

# Common names written in Arabic script (letters as fold() writes them, compounds joined and the article
# dropped as name_words() does) -> their usual Latin spelling. Words not here are transliterated without
# vowels and meet their Latin spellings at the consonant-key level.
_TABLE = {
    "محمد": "muhammad",
    "احمد": "ahmad",
    "محمود": "mahmud",
    "مصطفي": "mustafa",
    "علي": "ali",
    "حسن": "hasan",
    "حسين": "husayn",
    "عمر": "umar",
    "عثمان": "uthman",
    "خالد": "khalid",
    "يوسف": "yusuf",
    "ابراهيم": "ibrahim",
    "اسماعيل": "ismail",
    "يعقوب": "yaqub",
    "موسي": "musa",
    "عيسي": "isa",
    "عبدله": "abdullah",
    "عبدرحمن": "abdulrahman",
    "عبدعزيز": "abdulaziz",
    "عبدكريم": "abdulkarim",
    "عبدقادر": "abdulqadir",
    "عبدرزاق": "abdulrazzaq",
    "عبدجبار": "abduljabbar",
    "كريم": "karim",
    "سامي": "sami",
    "جاسم": "jasim",
    "قاسم": "qasim",
    "حامد": "hamid",
    "حميد": "hamid",
    "سعيد": "said",
    "فيصل": "faisal",
    "ناصر": "nasir",
    "منصور": "mansur",
    "طارق": "tariq",
    "زياد": "ziyad",
    "وليد": "walid",
    "رشيد": "rashid",
    "جمال": "jamal",
    "كمال": "kamal",
    "صالح": "salih",
    "صلاح": "salah",
    "مهدي": "mahdi",
    "جعفر": "jafar",
    "عباس": "abbas",
    "رضا": "rida",
    "فاطمه": "fatima",
    "زينب": "zaynab",
    "مريم": "maryam",
    "نور": "nur",
    "عايشه": "aisha",
    "عائشه": "aisha",
    "هدي": "huda",
    "ساره": "sara",
    "ليلي": "layla",
    "امل": "amal",
    "رنا": "rana",
    "خديجه": "khadija",
    "ايمان": "iman",
    "رقيه": "ruqaya",
    "سلمي": "salma",
    "هاله": "hala",
    "جبوري": "jubouri",
    "تميمي": "tamimi",
    "دليمي": "dulaimi",
    "عبيدي": "ubaidi",
    "شمري": "shammari",
    "حداد": "haddad",
    "زبيدي": "zubaidi",
    "خزرجي": "khazraji",
    "بياتي": "bayati",
    "جنابي": "janabi",
    "كبيسي": "kubaisi",
    "گل": "gul",
    "نجيبله": "najibullah",
    "ذبيحله": "zabihullah",
    "فريد": "farid",
    "زهرا": "zahra",
    "مرسل": "mursal",
    "پروانه": "parwana",
    "شكيلا": "shakila",
    "احمدزي": "ahmadzai",
    "پوپلزي": "popalzai",
    "هزاره": "hazara",
    "نوري": "nuri",
    "صافي": "safi",
}


def fold(text: str) -> str:
    """Lower case, no accents or Arabic diacritics or tatweel, Arabic letter variants written one way."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and c != TATWEEL)
    return unicodedata.normalize("NFKC", kept).casefold().translate(_ARABIC_LETTERS)


NAME_TABLE = {fold(arabic): latin for arabic, latin in _TABLE.items()}


def _script(word: str) -> str:
    first = word[0]
    if first.isascii():
        return "latin"
    if "\u0600" <= first <= "\u06ff" or "\u0750" <= first <= "\u077f" or "\ufb50" <= first <= "\ufeff":
        return "arabic"
    if "\u1200" <= first <= "\u139f" or "\u2d80" <= first <= "\u2ddf":
        return "ethiopic"
    return "other"


@dataclass(frozen=True)
class Word:
    """One name word in Latin letters; vowelless when written in a script that leaves vowels out."""

    latin: str
    vowelless: bool


def _arabic_words(words: list[str]) -> list[str]:
    """Join عبد with the next word and drop the attached article, as the Latin rules do."""
    joined: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("ال") and len(word) >= 4:
            word = word[2:]
        if word.startswith("عبدال") and len(word) > 5:
            word = "عبد" + word[5:]
        if word in ("عبد", "ابو", "ع") and index + 1 < len(words):
            following = words[index + 1]
            if following.startswith("ال") and len(following) >= 3:
                following = following[2:]
            word = ("عبد" if word == "ع" else word) + following
            index += 1
        if word.endswith("الله") and len(word) > 4 and not word.startswith("عبد"):
            word = word[:-4] + "له"
        joined.append(word)
        index += 1
    return joined


_DOUBLED = re.compile(r"(.)\1+")
_DIGRAPHS = ("ph", "kh", "gh", "dh", "th", "sh", "ks")


def _letters_apart(word: str) -> str:
    """Arabic script letter by letter, keeping letters apart that would read as one sound in Latin (كح is
    k + h, not the kh of خ): an "a" goes between them, which the consonant key drops again."""
    out = ""
    for letter in word:
        latin = _latin_letters(letter)
        if out and latin and (out[-1] + latin[0]) in _DIGRAPHS:
            out += "a"
        out += latin
    return out


_NOT_LETTERS = re.compile(r"[^a-z]")
_ABBREVIATED = re.compile(r"\b([a-z]{1,2})\s*/\s*")
_ABBREVIATED_ABD = re.compile(r"(?<![\w])ع\s*/\s*")


def _latin_letters(text: str) -> str:
    return _NOT_LETTERS.sub("", (text if text.isascii() else anyascii(text)).lower())


def _somali(word: str) -> str:
    """Somali c is the Arabic ʿayn: Cabdi is Abdi, Cali is Ali, Jaamac is Jama."""
    if len(word) > 2 and word[0] == "c" and word[1] in "aeiou":
        word = word[1:]
    if len(word) > 3 and word[-1] == "c" and word[-2] in "aeiou":
        word = word[:-1]
    return word


@lru_cache(maxsize=200_000)
def name_words(text: str) -> tuple[Word, ...]:
    """The words of one name as written (any part, or a full name), ready to compare."""
    folded = fold(text)
    if not folded.strip():
        return ()
    # G/Medhin, W/Mariam: a letter before "/" stands for Gebre, Wolde, ...
    if "/" in folded:
        folded = _ABBREVIATED.sub(lambda m: _ABBREVIATIONS.get(m.group(1), m.group(1)) + " ", folded)
        folded = _ABBREVIATED_ABD.sub("عبد ", folded).replace("/", " ")
    raw = [w for w in _SPLIT.split(folded) if w]
    arabic = [w for w in raw if _script(w) == "arabic"]
    if arabic and len(arabic) == len(raw):
        raw = _arabic_words(raw)
    latin = [converted for converted in map(_in_latin, raw) if converted is not None]
    return tuple(_join_compounds(latin))


@lru_cache(maxsize=200_000)
def _in_latin(word: str) -> Word | None:
    """One folded word in Latin letters (once per distinct word)."""
    script = _script(word)
    if script == "arabic":
        known = NAME_TABLE.get(word)
        if known is not None:
            return Word(known, False)
        letters = _letters_apart(word)
        return Word(letters, True) if letters else None
    letters = _latin_letters(word)
    if not letters:
        return None
    return Word(letters, True) if script == "ethiopic" else Word(_somali(letters), False)


def _join_compounds(words: list[Word]) -> list[Word]:
    out: list[Word] = []
    index = 0
    while index < len(words):
        word = words[index]
        text = word.latin
        following = words[index + 1].latin if index + 1 < len(words) else ""
        if text in _ARTICLES and following:
            index += 1
            continue
        if text in _ASSIMILATED and following and following.startswith(text[1:]):
            index += 1
            continue
        if text in _SON_OF and out and following:
            index += 1
            continue
        if text in _JOIN_NEXT and following:
            nxt = following
            if nxt in _ARTICLES and index + 2 < len(words):
                index += 1
                nxt = words[index + 1].latin
            nxt = _strip_article(nxt)
            out.append(Word(_canonical_joined(_JOIN_NEXT[text] + nxt), word.vowelless or words[index + 1].vowelless))
            index += 2
            continue
        if text in _JOIN_PREVIOUS and out:
            previous = out.pop()
            out.append(Word(previous.latin + text, previous.vowelless))
            index += 1
            continue
        out.append(Word(_canonical_joined(_strip_article(text)), word.vowelless))
        index += 1
    return out


def _strip_article(text: str) -> str:
    """al-Tamimi written as one word (Altamimi): the article goes when a consonant follows it."""
    if len(text) >= 6 and text[:2] in ("al", "el") and text[2] not in "aeiouy" and text[2] != text[3:4]:
        return text[2:]
    return text


def _canonical_joined(text: str) -> str:
    if not text.startswith("ab"):
        return text
    for prefix, canonical in _JOINED_PREFIXES:
        if text.startswith(prefix) and len(text) - len(prefix) >= 3:
            rest = text[len(prefix) :]
            if rest[:2] in ("al", "el", "ul") and len(rest) > 4 and rest[2] not in "aeiou":
                rest = rest[2:]
            return canonical + rest
    return text


@lru_cache(maxsize=400_000)
def word_spelling(latin: str) -> str:
    """Spelling key of a Latin word, with ai/ay/ei/ey before a consonant kept as a sound of its own
    ("Y") so that Hussein and Hassan, Zainab and Zanab stay apart."""
    if not latin:
        return ""
    return spelling_key(_DIPHTHONG.sub("Y", latin)) or latin


@lru_cache(maxsize=400_000)
def word_consonants(latin: str) -> str:
    """Consonant key: the spelling key without vowels or a final h (Fatimah, فاطمة -> "ftm")."""
    spelling = word_spelling(latin)
    key = _DOUBLED.sub(lambda match: match.group(1), _VOWELS.sub("", spelling))
    key = key[:-1] if len(key) > 1 and key.endswith("h") else key
    return key or spelling  # a name of vowels only (Aya) is its own key


@dataclass(frozen=True)
class NameForms:
    """One name field as compared: its words, and the whole part as one word (so that split and joined
    compounds agree)."""

    words: tuple[Word, ...]
    joined: str
    spelling: str
    consonants: str
    vowelless: bool


@lru_cache(maxsize=200_000)
def name_forms(text: str) -> NameForms:
    words = name_words(text)
    joined = "".join(w.latin for w in words)
    return NameForms(
        words=words,
        joined=joined,
        spelling=word_spelling(joined),
        consonants=word_consonants(joined),
        vowelless=any(w.vowelless for w in words),
    )
