"""A seeded synthetic registry with known truth and the hazards of ours (for tests and `make bench`).

Households of five communities (Arabic, Somali, Tigrinya, Dari/Pashto, Ukrainian) with names drawn with
common names far more common than rare ones (Zipf), written in their own script or in one of several Latin
spellings; children carry their father's given and father names as their father and grandfather names, so
siblings and twins share everything but a given name (and twins a birth date too), and a father registered
in his own household forms a father/son name chain with his son. One household phone is given by several
members.

Some people are registered again (once to three times), each time with the hazards: another spelling or
script, a typo, parts missing, a full name only (sometimes family name first), given and family names
swapped, compound names split or joined, al- and bin added or dropped, a birth date reduced to its year,
defaulted to 1 January, a year off or with day and month swapped, the phone in another format or missing or
changed, the document missing or mistyped, another district.

generate(records, seed=...) returns a Polars table with the columns of `passage match` plus entity_id."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import polars as pl

from passage.matching.synthetic_names import (
    ARABIC_FAMILY,
    ARABIC_FEMALE,
    ARABIC_MALE,
    DARI_PASHTO_FAMILY,
    DARI_PASHTO_FEMALE,
    DARI_PASHTO_MALE,
    SOMALI_FAMILY,
    SOMALI_FEMALE,
    SOMALI_MALE,
    TIGRINYA_FAMILY,
    TIGRINYA_FEMALE,
    TIGRINYA_MALE,
    UKRAINIAN_FAMILY,
    UKRAINIAN_FEMALE,
    UKRAINIAN_MALE,
)


@dataclass(frozen=True)
class Name:
    original: str  # as written in the community's own script
    latin: tuple[str, ...]  # Latin spellings, the usual one first


_ARABIC_CONSONANTS = [
    ("b", "ب"),
    ("t", "ت"),
    ("th", "ث"),
    ("j", "ج"),
    ("h", "ح"),
    ("kh", "خ"),
    ("d", "د"),
    ("r", "ر"),
    ("z", "ز"),
    ("s", "س"),
    ("sh", "ش"),
    ("s", "ص"),
    ("t", "ط"),
    ("gh", "غ"),
    ("f", "ف"),
    ("q", "ق"),
    ("k", "ك"),
    ("l", "ل"),
    ("m", "م"),
    ("n", "ن"),
    ("w", "و"),
]
_DIVINE = ["Rahman", "Karim", "Aziz", "Qadir", "Razzaq", "Jabbar", "Hamid", "Majid", "Latif", "Wahab", "Salam", "Hadi"]
_DIVINE_AR = ["رحمن", "كريم", "عزيز", "قادر", "رزاق", "جبار", "حميد", "مجيد", "لطيف", "وهاب", "سلام", "هادي"]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _arabic_generated(rng: random.Random, count: int, *, family: bool) -> list[Name]:
    names: dict[str, Name] = {}
    while len(names) < count:
        spellings: tuple[str, ...]
        (l1, a1), (l2, a2), (l3, a3) = rng.sample(_ARABIC_CONSONANTS, 3)
        pattern = rng.randrange(4)
        if family:
            latin = f"{l1}u{l2}ai{l3}i"
            original = f"ال{a1}{a2}ي{a3}ي"
            spellings = (f"Al-{_cap(latin)}", _cap(latin), f"Al {_cap(l1)}o{l2}ai{l3}i", f"{_cap(l1)}o{l2}ei{l3}i")
        elif pattern == 0:
            original = f"{a1}{a2}ي{a3}"
            spellings = (f"{_cap(l1)}a{l2}i{l3}", f"{_cap(l1)}a{l2}ee{l3}", f"{_cap(l1)}e{l2}i{l3}")
        elif pattern == 1:
            original = f"{a1}ا{a2}{a3}"
            spellings = (f"{_cap(l1)}a{l2}i{l3}", f"{_cap(l1)}aa{l2}i{l3}", f"{_cap(l1)}a{l2}e{l3}")
        elif pattern == 2:
            original = f"{a1}{a2}ا{a3}"
            spellings = (f"{_cap(l1)}a{l2}{l2}a{l3}", f"{_cap(l1)}a{l2}a{l3}", f"{_cap(l1)}e{l2}{l2}a{l3}")
        else:
            original = f"م{a1}{a2}و{a3}"
            spellings = (f"Ma{l1}{l2}u{l3}", f"Ma{l1}{l2}ou{l3}", f"Me{l1}{l2}o{l3}")
        names.setdefault(original, Name(original, spellings))
    return list(names.values())


def _compound(rng: random.Random) -> list[Name]:
    out = []
    for latin, arabic in zip(_DIVINE, _DIVINE_AR, strict=True):
        low = latin.lower()
        out.append(
            Name(
                f"عبد ال{arabic}",
                (f"Abdul {latin}", f"Abdul{low}", f"Abd al-{latin}", f"Abdel {latin}", f"Abdel{low}"),
            )
        )
    return out


_ETHIOPIC_ROWS = [("h", 0x1200), ("l", 0x1208), ("m", 0x1218), ("r", 0x1228), ("s", 0x1230), ("b", 0x1260)]
_ETHIOPIC_ROWS += [("t", 0x1270), ("n", 0x1290), ("k", 0x12A8), ("w", 0x12C8), ("z", 0x12D8), ("y", 0x12E8)]
_ETHIOPIC_ROWS += [("d", 0x12F0), ("g", 0x1308), ("f", 0x1348), ("ts", 0x1338)]
_ORDERS = [("e", "a"), ("u", "u"), ("i", "i"), ("a", "a"), ("e", "ie"), ("", "i"), ("o", "o")]
_ETHIOPIC_PREFIXES = [("ገብረ", "Gebre", "G/"), ("ወልደ", "Wolde", "W/"), ("ሃይለ", "Haile", "H/"), ("ተኽለ", "Tekle", "T/")]


def _ethiopic_generated(rng: random.Random, count: int) -> list[Name]:
    names: dict[str, Name] = {}
    while len(names) < count:
        original, usual, other = "", "", ""
        for position in range(rng.choice((2, 3, 3))):
            sound, row = rng.choice(_ETHIOPIC_ROWS)
            order = rng.choice((0, 0, 2, 3, 3, 5, 6)) if position else rng.choice((0, 2, 3, 6))
            original += chr(row + order)
            vowel, alternative = _ORDERS[order]
            usual += sound + vowel
            other += sound + alternative
        base = Name(original, (_cap(usual), _cap(other)))
        if rng.random() < 0.25:
            prefix_original, prefix, short = rng.choice(_ETHIOPIC_PREFIXES)
            base = Name(
                prefix_original + original,
                (prefix + usual, f"{prefix} {_cap(usual)}", f"{short}{_cap(usual)}", prefix + other),
            )
        names.setdefault(original, base)
    return list(names.values())


_UKR_ROOTS = ["Ковал", "Бондар", "Ткач", "Шевч", "Мельнич", "Кравч", "Олійн", "Лисен", "Мороз", "Павл", "Савч"]
_UKR_ROOTS += ["Руд", "Марч", "Гончар", "Петр", "Кузьм", "Сидор", "Лук", "Ярош", "Гриц", "Дмитр", "Стеф", "Тимош"]
_UKR_SUFFIXES = ["енко", "ук", "чук", "ко", "ишин", "ець", "ак", "ик"]
_UKR_MALE_MORE = ["Іван", "Петро", "Василь", "Богдан", "Тарас", "Юрій", "Дмитро", "Максим", "Віктор", "Олег"]
_UKR_FEMALE_MORE = ["Оксана", "Тетяна", "Ганна", "Марія", "Світлана", "Людмила", "Галина", "Вікторія", "Дарина"]


def _cyrillic(words: list[str]) -> list[Name]:
    from anyascii import anyascii

    out = []
    for word in words:
        usual = anyascii(word)
        variants = {usual, usual.replace("kh", "h").replace("iy", "i"), usual.replace("i", "y", 1)}
        out.append(Name(word, (usual, *sorted(variants - {usual}))))
    return out


def _table(rows: list[tuple[str, list[str]]]) -> list[Name]:
    return [Name(original, tuple(spellings)) for original, spellings in rows]


@dataclass
class Community:
    name: str
    share: float
    male: list[Name]
    female: list[Name]
    family: list[Name]
    own_script: bool  # names also written in a non-Latin script
    parts: bool  # names registered in parts (given, father, grandfather, family)
    country_code: str


def _communities(rng: random.Random) -> list[Community]:
    somali_style = [
        Name(somali, (somali, *n.latin))
        for n in _arabic_generated(rng, 60, family=False)
        for somali in [re.sub(r"(?<![kstdgcz])h", "x", n.latin[0]).replace("ee", "ii")]
    ]
    return [
        Community(
            "arabic",
            0.5,
            _table(ARABIC_MALE) + _compound(rng) + _arabic_generated(rng, 220, family=False),
            _table(ARABIC_FEMALE) + _arabic_generated(rng, 160, family=False),
            _table(ARABIC_FAMILY) + _arabic_generated(rng, 700, family=True),
            True,
            True,
            "964",
        ),
        Community(
            "somali",
            0.12,
            _table(SOMALI_MALE) + somali_style,
            _table(SOMALI_FEMALE) + _arabic_generated(rng, 40, family=False),
            _table(SOMALI_FAMILY) + somali_style[::-1],
            False,
            True,
            "252",
        ),
        Community(
            "tigrinya",
            0.13,
            _table(TIGRINYA_MALE) + _ethiopic_generated(rng, 150),
            _table(TIGRINYA_FEMALE) + _ethiopic_generated(rng, 120),
            _table(TIGRINYA_FAMILY) + _ethiopic_generated(rng, 300),
            True,
            True,
            "291",
        ),
        Community(
            "dari_pashto",
            0.12,
            _table(DARI_PASHTO_MALE) + _arabic_generated(rng, 120, family=False),
            _table(DARI_PASHTO_FEMALE) + _arabic_generated(rng, 80, family=False),
            _table(DARI_PASHTO_FAMILY) + _arabic_generated(rng, 300, family=True),
            True,
            False,
            "93",
        ),
        Community(
            "ukrainian",
            0.13,
            _table(UKRAINIAN_MALE) + _cyrillic(_UKR_MALE_MORE),
            _table(UKRAINIAN_FEMALE) + _cyrillic(_UKR_FEMALE_MORE),
            _table(UKRAINIAN_FAMILY) + _cyrillic([r + s for r in _UKR_ROOTS for s in _UKR_SUFFIXES]),
            True,
            False,
            "380",
        ),
    ]


@dataclass
class Person:
    entity: int
    community: Community
    given: Name
    father: Name | None
    grandfather: Name | None
    family: Name
    sex: str
    birth: tuple[int, int, int]
    phone: str  # national significant digits, '' none
    document: str
    admin1: str
    admin2: str


class _Zipf:
    """Draws from a list with the first items far more common than the last (weight 1 / rank)."""

    def __init__(self, items: list[Name]) -> None:
        self.items = items
        self.weights = [1 / (rank + 1) for rank in range(len(items))]

    def draw(self, rng: random.Random) -> Name:
        return rng.choices(self.items, self.weights)[0]


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (made-up people, not secrets)
        self.communities = _communities(self.rng)
        self.pools = {c.name: (_Zipf(c.male), _Zipf(c.female), _Zipf(c.family)) for c in self.communities}
        self.people: list[Person] = []
        self.areas = [(f"IQ{a:02d}", [f"IQ{a:02d}{b:02d}" for b in range(1, 7)]) for a in range(1, 19)]

    def _birth(self, low: int, high: int) -> tuple[int, int, int]:
        return (self.rng.randrange(low, high), self.rng.randrange(1, 13), self.rng.randrange(1, 29))

    def _phone(self) -> str:
        return f"7{self.rng.randrange(10**8, 10**9)}"

    def _add(self, **fields: object) -> Person:
        person = Person(entity=len(self.people), **fields)  # type: ignore[arg-type]
        self.people.append(person)
        return person

    def household(self, head_of: Person | None = None) -> Person:
        """A household: head, spouse, children; sometimes the head's father in a household of his own."""
        rng = self.rng
        community = (
            head_of.community if head_of else rng.choices(self.communities, [c.share for c in self.communities])[0]
        )
        male, female, family_pool = self.pools[community.name]
        admin1, districts = rng.choice(self.areas)
        admin2 = rng.choice(districts)
        phone = self._phone()
        if head_of is not None:  # the father of an earlier head: his given and father names are fixed
            head = self._add(
                community=community,
                given=head_of.father or male.draw(rng),
                father=head_of.grandfather or male.draw(rng),
                grandfather=male.draw(rng),
                family=head_of.family,
                sex="M",
                birth=self._birth(head_of.birth[0] - 35, head_of.birth[0] - 18),
                phone=phone,
                document=self._document(),
                admin1=admin1,
                admin2=admin2,
            )
        else:
            head = self._add(
                community=community,
                given=male.draw(rng),
                father=male.draw(rng),
                grandfather=male.draw(rng),
                family=family_pool.draw(rng),
                sex="M",
                birth=self._birth(1950, 1998),
                phone=phone,
                document=self._document(),
                admin1=admin1,
                admin2=admin2,
            )
        if rng.random() < 0.85:
            self._add(
                community=community,
                given=female.draw(rng),
                father=male.draw(rng),
                grandfather=male.draw(rng),
                family=head.family if community.name == "ukrainian" else family_pool.draw(rng),
                sex="F",
                birth=self._birth(head.birth[0] - 3, min(head.birth[0] + 12, 2004)),
                phone=phone if rng.random() < 0.5 else (self._phone() if rng.random() < 0.5 else ""),
                document=self._document(),
                admin1=admin1,
                admin2=admin2,
            )
        children = rng.choice((0, 1, 2, 3, 3, 4, 5, 6))
        given_names: set[str] = {head.given.original}
        twin_birth: tuple[int, int, int] | None = None
        first_year = max(head.birth[0] + 18, 1975)
        for number in range(children):
            sex = rng.choice("MF")
            pool = male if sex == "M" else female
            name = (
                head.father if (number == 0 and sex == "M" and rng.random() < 0.2 and head.father) else pool.draw(rng)
            )
            while name.original in given_names:
                name = pool.draw(rng)
            given_names.add(name.original)
            if twin_birth is not None:
                birth, twin_birth = twin_birth, None
            else:
                birth = self._birth(min(first_year, 2024), 2026)
                if rng.random() < 0.12:
                    twin_birth = birth
            self._add(
                community=community,
                given=name,
                father=head.given,
                grandfather=head.father,
                family=head.family,
                sex=sex,
                birth=birth,
                phone=phone if rng.random() < 0.4 else "",
                document=self._document() if birth[0] < 2006 else "",
                admin1=admin1,
                admin2=admin2,
            )
        if head_of is None and rng.random() < 0.2:
            self.household(head_of=head)
        return head

    def _document(self) -> str:
        return f"{self.rng.choice('ABN')}{self.rng.randrange(10**7, 10**8)}" if self.rng.random() < 0.4 else ""

    # --- writing a person down, once or again ------------------------------------------------------------

    def _spelling(self, name: Name | None, community: Community, own_script: bool) -> str:
        if name is None:
            return ""
        if own_script and community.own_script:
            return name.original
        rng = self.rng
        return name.latin[0] if rng.random() < 0.6 or len(name.latin) == 1 else rng.choice(name.latin[1:])

    def _typo(self, text: str) -> str:
        rng = self.rng
        if len(text) < 4 or not text.isascii():
            return text
        at = rng.randrange(1, len(text) - 1)
        kind = rng.randrange(4)
        letter = rng.choice("aeioulnrst")
        if kind == 0:
            return text[:at] + text[at + 1 :]
        if kind == 1:
            return text[:at] + letter + text[at:]
        if kind == 2:
            return text[:at] + letter + text[at + 1 :]
        return text[: at - 1] + text[at] + text[at - 1] + text[at + 1 :]

    def record(self, person: Person, number: int, *, again: bool) -> dict[str, str]:
        rng = self.rng
        c = person.community
        script = rng.random() < {"arabic": 0.3, "tigrinya": 0.25, "dari_pashto": 0.4, "ukrainian": 0.4}.get(c.name, 0)
        parts = [
            self._spelling(person.given, c, script),
            self._spelling(person.father, c, script),
            self._spelling(person.grandfather, c, script) if c.parts else "",
            self._spelling(person.family, c, script),
        ]
        if again and rng.random() < 0.08:  # one part in the other script
            slot = rng.randrange(4)
            name = (person.given, person.father, person.grandfather, person.family)[slot]
            parts[slot] = self._spelling(name, c, not script) if parts[slot] else ""
        if again and rng.random() < 0.15:
            slot = rng.randrange(4)
            parts[slot] = self._typo(parts[slot])
        if again:
            if rng.random() < 0.3:
                parts[2] = ""
            if rng.random() < 0.12:
                parts[1] = ""
            if rng.random() < 0.08:
                parts[3] = ""
            if rng.random() < 0.03:
                parts[0], parts[3] = parts[3], parts[0]
        full = ""
        only_full = (not c.parts and rng.random() < 0.5) or (again and rng.random() < 0.12)
        if only_full:
            words = [w for w in parts if w]
            if words and rng.random() < 0.3:
                words = words[-1:] + words[:-1]  # family name first
            elif len(words) >= 2 and c.name == "arabic" and rng.random() < 0.2 and not script:
                words.insert(1, "bin")
            full = " ".join(words)
            parts = ["", "", "", ""]
        year, month, day = person.birth
        dob = f"{year}-{month:02d}-{day:02d}"
        roll = rng.random()
        if roll < (0.25 if again else 0.12):
            dob = str(year)
        elif roll < (0.33 if again else 0.18):
            dob = f"{year}-01-01"
        elif roll < (0.40 if again else 0.2) and month != day and day <= 12:
            dob = f"{year}-{day:02d}-{month:02d}"
        elif roll < (0.47 if again else 0.2):
            dob = f"{year + rng.choice((-1, 1))}-{month:02d}-{day:02d}"
        elif roll < (0.55 if again else 0.25):
            dob = ""
        phone = person.phone
        if again and phone and rng.random() < 0.25:
            phone = ""
        elif again and rng.random() < 0.08:
            phone = self._phone()
        if phone:
            style = rng.randrange(4)
            code = c.country_code
            phone = (
                f"+{code} {phone[:3]} {phone[3:6]} {phone[6:]}",
                f"00{code}{phone}",
                f"0{phone[:3]}-{phone[3:]}",
                f"0{phone}",
            )[style]
        document = person.document
        if again and document:
            roll = rng.random()
            document = "" if roll < 0.4 else (self._typo(document) if roll < 0.5 else document.lower())
        admin1, admin2 = person.admin1, person.admin2
        if again and rng.random() < 0.15:
            admin1, districts = rng.choice(self.areas) if rng.random() < 0.3 else (admin1, None)
            admin2 = rng.choice(districts or [d for a, ds in self.areas if a == admin1 for d in ds])
        sex = person.sex if rng.random() > 0.02 else ""
        return {
            "record_id": f"r{number:07d}",
            "given_name": parts[0],
            "father_name": parts[1],
            "grandfather_name": parts[2],
            "family_name": parts[3],
            "full_name": full,
            "sex": sex,
            "date_of_birth": dob,
            "phone": phone,
            "document_number": document,
            "admin1": admin1,
            "admin2": admin2,
            "entity_id": f"p{person.entity:07d}",
        }


def generate(records: int, *, seed: int = 7, duplicate_share: float = 0.2) -> pl.DataFrame:
    """About `records` records (exactly that many), a share of the people registered more than once,
    shuffled; entity_id is the truth."""
    builder = _Builder(seed)
    rng = builder.rng
    expected_per_person = 1 + duplicate_share * 1.4
    while len(builder.people) * expected_per_person < records:
        builder.household()
    rows: list[dict[str, str]] = []
    for person in builder.people:
        copies = 1
        if rng.random() < duplicate_share:
            copies += rng.choices((1, 2, 3), (0.7, 0.2, 0.1))[0]
        for copy in range(copies):
            rows.append(builder.record(person, len(rows), again=copy > 0))
    rng.shuffle(rows)
    rows = rows[:records]
    for number, row in enumerate(rows):
        row["record_id"] = f"r{number:07d}"
    return pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))
