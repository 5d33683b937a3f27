"""The people of the demo registry, generated in memory a chunk at a time (no database here; demo_registry
writes them).

Households of the five communities of demo_names, each named the way its community names people: Iraqi and
Syrian Arabic in four parts, Somali and Tigrinya as a chain of given, father's and grandfather's names, Dari and
Pashto with the father's name, Ukrainian with a family name. Names are kept as written (Arabic script, Ge'ez,
Cyrillic, Somali Latin) and in the Latin spelling the registering clerk chose, the same way for a whole household.
Children carry their father's and grandfather's names (name chains); some sons are named after their
grandfather; some children are twins. Dates of birth are exact, month only, year only, a 1 January that is only
a default, or estimated from an age. A household often shares one phone; adults carry documents in their
country's formats. Every member has a consent decision for registration (by proxy for children).

A known share of people are registered again later, in another household or office, by another clerk: another
spelling, a typing slip, a missing name part, names only in Latin letters, day and month swapped, a year only or
an estimated age, the same phone written another way or another phone. Each such pair, and each pair of hard
non-duplicates (twins, siblings, father and son, grandfather and the grandson named after him), is reported
with the chunk that completes it, for the truth file.

Everything, identifiers and registration numbers included, is drawn from one random.Random(seed) in a fixed
order: the same seed, number of people and day give the same registry.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any

from passage.registry.demo_names import COMMUNITIES, PHONE_PLANS, Community, Entry

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as passage.registry.actions.new_reference
Part = tuple[Entry, str]  # a name: its table entry (as written, Latin spellings) and the spelling written down
Names = list[Part | None]  # given, father, grandfather, family
REGISTRATION_WINDOW = dt.timedelta(days=730)  # households were registered over the last two years
TWINS = 0.025  # of children born, the share who are a twin
REGISTERED_THRICE = 0.1
WASHINGTON_GROUP = (
    "seeing",
    "hearing",
    "walking",
    "remembering",
    "self_care",
    "communicating",
)  # of people registered again, the share registered a third time
# Where each community mostly lives (P-codes of the demo COD-AB extract); other operations use all their areas.
SETTLED_IN = {
    "dari_pashto": ("IQD035", "IQD036", "IQD057", "IQD009"),
    "somali": ("IQD035", "IQD036", "IQD009", "IQD057"),
    "tigrinya": ("IQD057", "IQD035", "IQD036"),
    "ukrainian": ("IQD057", "IQD051", "IQD035"),
}


@dataclass(frozen=True)
class Places:
    """Where the operation registers people: areas (P-code, id), the office that covers each area, the offices,
    and the sites (camps, collective centres) in each area."""

    areas: list[tuple[str, Any]] = field(default_factory=list)
    office_of_area: dict[Any, Any] = field(default_factory=dict)
    offices: list[Any] = field(default_factory=list)
    sites_of_area: dict[Any, list[Any]] = field(default_factory=dict)


@dataclass(slots=True)
class DemoPerson:
    id: uuid.UUID
    reference: str
    community: str
    names: Names
    latin_only: bool  # names written down in Latin letters only
    sex: str
    age: int  # on the day of the household's registration
    born: dt.date  # the true date, of which the record may hold only a part
    birth_date: dt.date | None
    precision: str
    estimated_on: dt.date | None
    nationality: str
    languages: list[str]
    marital_status: str
    disability: dict[str, int]
    relationship: str
    phones: list[tuple[str, str]]  # (E.164, as given)
    documents: list[tuple[str, str, str, dt.date | None]]  # (type, normalised number, issuing country, expiry)
    consents: list[tuple[str, bool, str, str]]  # (purpose, granted, method, proxy's name)
    registered_at: dt.datetime

    def age_on(self, day: dt.date) -> int:
        """Age in whole years on `day` (from the true date of birth)."""
        return day.year - self.born.year - ((day.month, day.day) < (self.born.month, self.born.day))


@dataclass(slots=True)
class DemoHousehold:
    id: uuid.UUID
    reference: str
    office_id: Any
    area_id: Any
    site_id: Any
    address: str
    registered_at: dt.datetime
    members: list[DemoPerson] = field(default_factory=list)


@dataclass
class DemoChunk:
    households: list[DemoHousehold] = field(default_factory=list)
    # (kind, same person?, reference a, reference b, what differs or what they share)
    pairs: list[tuple[str, bool, str, str, str]] = field(default_factory=list)
    people: int = 0
    duplicates: int = 0


@dataclass(slots=True)
class _Again:
    """A person to register again in a later chunk: the registrations of them so far, and how many are to come."""

    original: DemoPerson
    household: DemoHousehold
    cluster: list[str]
    times: int


def _cumulative(table: list[Entry]) -> list[float]:
    """Earlier names are more common (roughly Zipf, as given names are); normalised to end at 1."""
    weights = list(accumulate(1 / (rank + 2) ** 0.9 for rank in range(len(table))))
    return [weight / weights[-1] for weight in weights] if weights else []


class DemoPeople:
    """Draws the registry: iterate chunks() for DemoChunk objects of about `chunk_people` people each."""

    def __init__(
        self,
        *,
        seed: int,
        people: int,
        places: Places,
        duplicate_share: float = 0.03,
        today: dt.date,
        chunk_people: int = 10000,
    ) -> None:
        if not 0 <= duplicate_share < 0.5:
            raise ValueError("duplicate_share is a share of people, between 0 and 0.5")
        self.rng = random.Random(seed)  # noqa: S311  (made-up people, not secrets)
        self.total = people
        self.places = places
        self.today = today
        self.chunk_people = chunk_people
        # Each original is registered again with this chance (some of them twice), so that registrations of someone
        # already registered make up `duplicate_share` of everybody.
        self.again = duplicate_share / ((1 + REGISTERED_THRICE) * (1 - duplicate_share))
        # The last registrations were yesterday afternoon (nobody is registered later than now).
        self.anchor = dt.datetime(today.year, today.month, today.day, 16, tzinfo=dt.UTC) - dt.timedelta(days=1)
        self.day = self.anchor.date()
        self.clock = self.anchor  # when the household being drawn is registered
        self.count = 0  # people drawn so far
        self.promised = 0  # registrations again still to draw (they count towards `people`)
        self.communities = list(COMMUNITIES.items())
        self.community_weights = list(accumulate(spec.share for _name, spec in self.communities))
        self.tables = {id(t): (t, _cumulative(t)) for _n, c in self.communities for t in (c.male, c.female, c.family)}
        self.areas_of = {name: self._areas_for(name) for name in COMMUNITIES}

    def _areas_for(self, community: str) -> list[Any]:
        preferred = [area_id for pcode, area_id in self.places.areas if pcode in SETTLED_IN.get(community, ())]
        return preferred or [area_id for _pcode, area_id in self.places.areas]

    # Chunks ---------------------------------------------------------------------------------------------------

    def chunks(self) -> Iterator[DemoChunk]:
        pending: list[_Again] = []  # to register again in the next chunk
        while self.count < self.total:
            chunk = DemoChunk()
            waiting, pending = pending, []
            while chunk.people < self.chunk_people and self.total - self.count - self.promised > 0:
                self._household(chunk, pending)
            last = self.total - self.count - self.promised <= 0
            if last:  # no chunk follows: register them again here, after the originals
                waiting, pending = waiting + pending, []
            regular = len(chunk.households)
            while waiting:
                again = waiting.pop(0)
                self._register_again(chunk, again, regular)
                if again.times:
                    (waiting if last else pending).append(again)
            yield chunk

    # Households -----------------------------------------------------------------------------------------------

    def _household(self, chunk: DemoChunk, pending: list[_Again]) -> None:
        rng = self.rng
        name, community = self.communities[bisect(self.community_weights, rng.random() * self.community_weights[-1])]
        size = min(rng.choice(community.household_sizes), self.total - self.count - self.promised)
        when = self._when()
        household = self._new_household(name, when)
        spelling: dict[str, str] = {}  # one clerk spells a name one way for the whole household
        head_sex = "male" if rng.random() < 0.78 else "female"
        head_age = int(rng.triangular(19, 76, 34))
        chain = self._chain(community, spelling)  # the head's father's, grandfather's and family name
        head = self._person(name, community, [self._given(community, head_sex, spelling), *chain], head_sex, head_age)
        head.relationship = "head"
        members = [head]
        # The children's father: the head, a husband in the household, or one who is not (dead, missing, away).
        father: Names = head.names
        mother_age = head_age - 3
        if head_sex == "female":
            father = [self._given(community, "male", spelling), *self._chain(community, spelling)]
            if community.naming == "family":
                father[3] = chain[2]
            mother_age = head_age
        if size > 1 and rng.random() < (0.85 if head_sex == "male" else 0.08):
            sex = "female" if head_sex == "male" else "male"
            age = max(16, head_age + (rng.randint(-10, 2) if sex == "female" else rng.randint(-2, 10)))
            spouse = self._person(
                name, community, [self._given(community, sex, spelling), *self._chain(community, spelling)], sex, age
            )
            if community.naming == "family" and rng.random() < 0.85:
                spouse.names[3] = chain[2]  # most Ukrainian couples share the family name
            spouse.relationship = "spouse"
            members.append(spouse)
            if sex == "female":
                mother_age = age
            else:
                father = spouse.names
        if len(members) < size and rng.random() < 0.08 and head_age < 55:
            members.append(self._parent_of_head(name, community, head, spelling))
        if len(members) < size and rng.random() < 0.05:
            sex = rng.choice(("male", "female"))
            sibling = self._person(
                name,
                community,
                [self._given(community, sex, spelling), *chain],
                sex,
                max(16, head_age + rng.randint(-8, 8)),
            )
            sibling.relationship = "brother" if sex == "male" else "sister"
            members.append(sibling)
        self._children(name, community, members, father, mother_age, size, spelling, chunk)
        nationality = self._nationality(community)
        for person in members:
            person.registered_at = when
            person.nationality = nationality
            person.marital_status = _marital(
                rng, person, has_spouse=len(members) > 1 and members[1].relationship == "spouse"
            )
        self._contacts(community, members, when.date())
        for person in members:
            self._consents(person, head)
        household.members = members
        chunk.households.append(household)
        chunk.people += len(members)
        self.count += len(members)
        for person in members:
            if rng.random() < self.again:
                times = 2 if rng.random() < REGISTERED_THRICE else 1
                if self.total - self.count - self.promised >= times:
                    pending.append(_Again(person, household, [person.reference], times))
                    self.promised += times

    def _chain(self, community: Community, spelling: dict[str, str]) -> Names:
        """Father's name, grandfather's name and family name, as the community's naming has them."""
        naming = community.naming
        father = self._name(community.male, spelling) if naming != "family" else None
        grandfather = self._name(community.male, spelling) if naming in ("four_parts", "chain") else None
        family = None
        if naming in ("four_parts", "family") or (naming == "father" and self.rng.random() < 0.5):
            family = self._name(community.family, spelling)
        return [father, grandfather, family]

    def _given(self, community: Community, sex: str, spelling: dict[str, str]) -> Part | None:
        return self._name(community.male if sex == "male" else community.female, spelling)

    def _parent_of_head(
        self, name: str, community: Community, head: DemoPerson, spelling: dict[str, str]
    ) -> DemoPerson:
        rng = self.rng
        age = min(95, head.age + rng.randint(20, 35))
        if rng.random() < 0.35 and community.naming != "family":
            # The head's father: his name is the head's father's name, his father's the head's grandfather's.
            grandfather = self._name(community.male, spelling) if community.naming != "father" else None
            names = [head.names[1], head.names[2], grandfather, head.names[3]]
            parent = self._person(name, community, names, "male", age)
            parent.relationship = "father"
        else:
            names = [self._given(community, "female", spelling), *self._chain(community, spelling)]
            parent = self._person(name, community, names, "female", age)
            parent.relationship = "mother"
        return parent

    def _children(
        self,
        name: str,
        community: Community,
        members: list[DemoPerson],
        father: Names,
        mother_age: int,
        size: int,
        spelling: dict[str, str],
        chunk: DemoChunk,
    ) -> None:
        rng = self.rng
        age = mother_age - rng.randint(17, 26)
        children: list[DemoPerson] = []
        grandfather = next((m for m in members if m.relationship == "father"), None)
        while len(members) < size:
            sex = "male" if rng.random() < 0.51 else "female"
            given = self._given(community, sex, spelling)
            after_grandfather = sex == "male" and father[1] is not None and rng.random() < 0.12
            if after_grandfather:
                given = father[1]  # a son named after his grandfather
            child = self._child(name, community, given, father, sex, max(0, age))
            members.append(child)
            children.append(child)
            if after_grandfather and grandfather is not None and grandfather.names[0] == given:
                chunk.pairs.append(
                    ("grandfather_grandson", False, grandfather.reference, child.reference, "named after him")
                )
            if len(members) < size and rng.random() < TWINS:
                sex = sex if rng.random() < 0.5 else rng.choice(("male", "female"))
                twin_given = self._given(community, sex, spelling)
                for _ in range(20):  # twins are given different names
                    if twin_given is None or given is None or twin_given[0] != given[0]:
                        break
                    twin_given = self._given(community, sex, spelling)
                twin = self._child(name, community, twin_given, father, sex, max(0, age))
                twin.born, twin.birth_date, twin.precision, twin.estimated_on = (
                    child.born,
                    child.birth_date,
                    child.precision,
                    child.estimated_on,
                )
                members.append(twin)
                children.append(twin)
                chunk.pairs.append(("twin", False, child.reference, twin.reference, "same birth date and father"))
            age -= rng.randint(1, 4)
        if len(children) >= 2 and children[1].born != children[0].born:
            chunk.pairs.append(("sibling", False, children[0].reference, children[1].reference, "same father"))
        sons = [child for child in children if child.sex == "male"]
        if sons and members[0].sex == "male":
            chunk.pairs.append(("father_son", False, members[0].reference, sons[0].reference, "name chain"))

    def _child(
        self, name: str, community: Community, given: Part | None, father: Names, sex: str, age: int
    ) -> DemoPerson:
        if community.naming == "family":
            names = [given, None, None, father[3]]
        elif community.naming == "father":
            names = [given, father[0], None, father[3]]
        else:
            names = [given, father[0], father[1], father[3]]
        child = self._person(name, community, names, sex, age)
        child.relationship = "son" if sex == "male" else "daughter"
        return child

    # People -----------------------------------------------------------------------------------------------

    def _person(self, community_name: str, community: Community, names: Names, sex: str, age: int) -> DemoPerson:
        """A person `age` years old on the day of registration (set later by the household): ids, names, birth."""
        rng = self.rng
        day = self.day
        born = dt.date.fromordinal(day.toordinal() - int(age * 365.2425) - rng.randint(1, 364))
        birth, precision, estimated_on = self._recorded_birth(born, day, young=age < 5)
        return DemoPerson(
            id=self._uuid(),
            reference=self._reference("P"),
            community=community_name,
            names=names,
            latin_only=False,
            sex=sex,
            age=age,
            born=born,
            birth_date=birth,
            precision=precision,
            estimated_on=estimated_on,
            nationality="",
            languages=list(community.languages[: 1 + (rng.random() < 0.3)]),
            marital_status="unknown",
            disability=self._disability(age),
            relationship="",
            phones=[],
            documents=[],
            consents=[],
            registered_at=self.anchor,
        )

    def _recorded_birth(self, born: dt.date, day: dt.date, *, young: bool) -> tuple[dt.date, str, dt.date | None]:
        """What the form holds: the day; a 1 January written for want of the day; the month; the year; an age."""
        roll = self.rng.random()
        if young and roll < 0.85:
            roll *= 0.5 / 0.85  # small children mostly have a birth certificate
        if roll < 0.5:
            return born, "day", None
        if roll < 0.62:
            return dt.date(born.year, 1, 1), "day", None
        if roll < 0.72:
            return born.replace(day=1), "month", None
        if roll < 0.87:
            return dt.date(born.year, 1, 1), "year", None
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        return dt.date(day.year - age, 1, 1), "estimated", day

    def _disability(self, age: int) -> dict[str, int]:
        """Washington Group short set answers for some people (1 no difficulty … 4 cannot do at all, 9 don't know)."""
        rng = self.rng
        if age < 5 or rng.random() > (0.3 if age >= 60 else 0.1):
            return {}
        answers = dict.fromkeys(WASHINGTON_GROUP, 1)
        answers[rng.choice(WASHINGTON_GROUP)] = rng.choice((2, 2, 2, 3, 3, 4))
        if rng.random() < 0.2:
            answers[rng.choice(WASHINGTON_GROUP)] = rng.choice((2, 3, 9))
        return answers

    def _contacts(self, community: Community, members: list[DemoPerson], day: dt.date) -> None:
        """A household phone on the head, often shared with the spouse; some adults their own; documents."""
        rng = self.rng
        household_phone = self._phone(community) if rng.random() < 0.9 else None
        for person in members:
            adult = person.age >= 18
            if person.relationship == "head" and household_phone:
                person.phones.append(household_phone)
            elif person.relationship == "spouse" and household_phone and rng.random() < 0.5:
                person.phones.append((household_phone[0], _written(rng, household_phone[0])))
            elif adult and rng.random() < 0.25:
                person.phones.append(self._phone(community))
            if adult:
                person.documents.extend(self._documents(person, day))

    def _consents(self, person: DemoPerson, head: DemoPerson) -> None:
        """Consent to registration (a parent or the head decides for a child), and to other purposes when asked."""
        rng = self.rng
        if person is not head and person.age < 18:
            parent = {"male": "father", "female": "mother"}[head.sex]
            relation = parent if person.relationship in ("son", "daughter") else "head of household"
            who = " ".join(part[1] for part in (head.names[0], head.names[1], head.names[3]) if part)
            method, proxy = "proxy", f"{who} ({relation})"
        else:
            method, proxy = ("verbal", "") if rng.random() < 0.7 else ("written", "")
        person.consents = [("registration", True, method, proxy)]
        for purpose, granted, asked in (("sharing", 0.65, 0.8), ("follow_up", 0.55, 0.6), ("research", 0.05, 0.1)):
            roll = rng.random()
            if roll < asked:
                person.consents.append((purpose, roll < granted, method, proxy))

    # Registered again ------------------------------------------------------------------------------------

    def _register_again(self, chunk: DemoChunk, again: _Again, regular: int) -> None:
        """The same person, registered later by another clerk, in another household or office."""
        rng = self.rng
        original = again.original
        community = COMMUNITIES[original.community]
        later = dt.timedelta(days=rng.randint(7, 400), seconds=rng.randrange(6 * 3600))
        when = self.clock = min(original.registered_at + later, self.anchor)
        differences: list[str] = []
        names = [self._respelled(part, differences, index) for index, part in enumerate(original.names)]
        present = [index for index in (2, 1, 3) if names[index] is not None]
        if len(present) >= 2 and rng.random() < 0.3:
            dropped = present[0] if rng.random() < 0.7 else rng.choice(present)
            names[dropped] = None
            differences.append(("", "missing_father", "missing_grandfather", "missing_family")[dropped])
        age = original.age_on(when.date())
        person = self._person(original.community, community, names, original.sex, age)
        person.born, person.nationality, person.languages = original.born, original.nationality, original.languages
        person.registered_at = when
        person.marital_status = original.marital_status
        if rng.random() < 0.7:
            person.disability = original.disability
        person.latin_only = original.community != "somali" and rng.random() < 0.25
        if person.latin_only:
            differences.append("latin_only")
        self._birth_again(original, person, when.date(), differences)
        self._contacts_again(original, person, community, differences)
        target = rng.randrange(regular) if regular and (age < 16 or rng.random() < 0.4) else None
        if target is not None and chunk.households[target] is again.household:
            target = (target + 1) % regular
        if target is not None and chunk.households[target] is not again.household:
            household = chunk.households[target]
            if age < 16:
                person.relationship = rng.choice(("grandchild", "other_relative"))
            else:
                person.relationship = rng.choice(
                    (("brother", "sister")[person.sex == "female"], "other_relative", "not_related")
                )
            person.registered_at = max(when, household.registered_at)
            self._consents(person, household.members[0])
            household.members.append(person)
            differences.append("joined_household")
        else:
            household = self._new_household(original.community, when, like=again.household, differences=differences)
            person.relationship = "head"
            household.members = [person]
            self._consents(person, person)
            chunk.households.append(household)
        chunk.people += 1
        chunk.duplicates += 1
        self.count += 1
        self.promised -= 1
        for earlier in again.cluster:
            chunk.pairs.append(("duplicate", True, earlier, person.reference, ";".join(differences)))
        again.cluster.append(person.reference)
        again.times -= 1

    def _respelled(self, part: Part | None, differences: list[str], index: int) -> Part | None:
        rng = self.rng
        if part is None:
            return None
        entry, latin = part
        if rng.random() < (0.6 if index in (0, 3) else 0.4):
            others = [spelling for spelling in entry[1] if spelling != latin]
            if others:
                latin = rng.choice(others)
                if "spelling" not in differences:
                    differences.append("spelling")
        if index == 0 and rng.random() < 0.05 and len(latin) > 4:
            cut = rng.randrange(1, len(latin) - 2)  # two letters swapped by a typing slip
            latin = latin[:cut] + latin[cut + 1] + latin[cut] + latin[cut + 2 :]
            differences.append("typo")
        return entry, latin

    def _birth_again(self, original: DemoPerson, person: DemoPerson, day: dt.date, differences: list[str]) -> None:
        rng = self.rng
        born = original.born
        roll = rng.random()
        if roll < 0.4:  # as the first registration has it
            person.birth_date, person.precision, person.estimated_on = (
                original.birth_date,
                original.precision,
                original.estimated_on,
            )
            return
        note = ""
        if roll < 0.55 and born.day <= 12 and born.day != born.month:
            person.birth_date, person.precision, person.estimated_on = (
                dt.date(born.year, born.day, born.month),
                "day",
                None,
            )
            note = "day_month_swapped"
        elif roll < 0.7:
            person.birth_date, person.precision, person.estimated_on = born, "day", None
        elif roll < 0.8:
            person.birth_date, person.precision, person.estimated_on = dt.date(born.year, 1, 1), "year", None
        elif roll < 0.87:
            age = max(0, original.age_on(day) + rng.choice((-1, 0, 0, 1)))
            person.birth_date, person.precision, person.estimated_on = dt.date(day.year - age, 1, 1), "estimated", day
        elif roll < 0.93 and born.year < day.year - 1:
            moved = born.replace(year=born.year + rng.choice((-1, 1)), day=min(born.day, 28))
            person.birth_date, person.precision, person.estimated_on = moved, "day", None
            note = "year_off_by_one"
        else:
            person.birth_date, person.precision, person.estimated_on = None, "", None
            note = "no_birth_date"
        if not note and (person.birth_date, person.precision) != (original.birth_date, original.precision):
            note = f"birth_date_{person.precision}"  # the same birth, known more or less precisely
        if note:
            differences.append(note)

    def _contacts_again(
        self, original: DemoPerson, twin: DemoPerson, community: Community, differences: list[str]
    ) -> None:
        rng = self.rng
        if original.phones and rng.random() < 0.45:
            e164, as_given = original.phones[0]
            other = _written(rng, e164, not_as=as_given)
            twin.phones.append((e164, other))
            differences.append("same_phone_other_format" if other != as_given else "same_phone")
        elif rng.random() < 0.35:
            twin.phones.append(self._phone(community))
            differences.append("other_phone")
        if original.documents and rng.random() < 0.4:
            twin.documents.append(original.documents[0])
            differences.append("same_document")

    # Small draws ----------------------------------------------------------------------------------------

    def _name(self, table: list[Entry], spelling: dict[str, str]) -> Part | None:
        if not table:
            return None
        rng = self.rng
        entries, weights = self.tables[id(table)]
        entry = entries[bisect(weights, rng.random())]
        latin = spelling.get(entry[0])
        if latin is None or latin not in entry[1]:
            spellings = entry[1]
            latin = spellings[0] if len(spellings) == 1 or rng.random() < 0.6 else rng.choice(spellings)
            spelling[entry[0]] = latin
        return entry, latin

    def _when(self) -> dt.datetime:
        """Registrations run over the two years before today, in the order households are drawn, in office
        hours. Ages are drawn for this day too."""
        day = self.anchor - REGISTRATION_WINDOW * (1 - self.count / self.total)
        self.day = day.date()
        self.clock = day.replace(hour=8, minute=0, second=0, microsecond=0) + dt.timedelta(
            seconds=self.rng.randrange(8 * 3600)
        )
        return self.clock

    def _new_household(
        self,
        community: str,
        when: dt.datetime,
        *,
        like: DemoHousehold | None = None,
        differences: list[str] | None = None,
    ) -> DemoHousehold:
        rng = self.rng
        places = self.places
        areas = self.areas_of[community]
        area = rng.choice(areas) if areas else None
        if like is not None and rng.random() < 0.5:
            area = like.area_id
        office = places.office_of_area.get(area) if area is not None else None
        if office is None and places.offices:
            office = rng.choice(places.offices)
        if like is not None and differences is not None:
            if office == like.office_id and len(places.offices) > 1:
                office = rng.choice([o for o in places.offices if o != like.office_id])
            if office != like.office_id:
                differences.append("other_office")
            if area != like.area_id:
                differences.append("other_area")
        sites = places.sites_of_area.get(area, ())
        site = rng.choice(sites) if sites and rng.random() < 0.35 else None
        if site is not None:
            address = f"Block {rng.choice('ABCDEFGH')}, shelter {rng.randint(1, 400)}"
        else:
            address = f"Mahalla {rng.randint(100, 999)}, zuqaq {rng.randint(1, 60)}, house {rng.randint(1, 120)}"
        return DemoHousehold(self._uuid(), self._reference("HH"), office, area, site, address, when)

    def _nationality(self, community: Community) -> str:
        roll = self.rng.random()
        for code, share in community.nationalities:
            roll -= share
            if roll < 0:
                return code
        return community.nationalities[-1][0]

    def _phone(self, community: Community) -> tuple[str, str]:
        rng = self.rng
        region = community.home_phone if rng.random() < 0.25 else "IQ"
        code, _trunk, prefixes, digits, _groups = PHONE_PLANS[region]
        e164 = f"+{code}{rng.choice(prefixes)}{rng.randrange(10 ** (digits - 1), 10**digits)}"
        return e164, _written(rng, e164)

    def _documents(self, person: DemoPerson, day: dt.date) -> list[tuple[str, str, str, dt.date | None]]:
        rng = self.rng
        nationality = person.nationality
        documents: list[tuple[str, str, str, dt.date | None]] = []

        def expiry(years: int) -> dt.date:
            return day + dt.timedelta(days=rng.randint(-400, 365 * years))

        if nationality == "IQ":
            if rng.random() < 0.6:
                documents.append(("national_id", str(rng.randrange(10**11, 10**12)), "IQ", None))
            if rng.random() < 0.15:
                documents.append(("passport", f"A{rng.randrange(10**7, 10**8)}", "IQ", expiry(8)))
        elif nationality == "UA":
            if rng.random() < 0.6:
                series = rng.choice(("FA", "FE", "FK", "FP", "FR", "FT", "GA"))
                documents.append(("passport", f"{series}{rng.randrange(10**5, 10**6)}", "UA", expiry(10)))
            if rng.random() < 0.5:
                documents.append(("national_id", _rntrc(rng, person.born, person.sex), "UA", None))
        else:
            if nationality == "AF" and rng.random() < 0.45:
                year = rng.randint(1398, 1402)  # e-tazkira numbers begin with the (solar hijri) year of issue
                documents.append(("national_id", f"{year}{rng.randrange(10**8, 10**9)}", "AF", None))
            if rng.random() < 0.65:
                office = rng.choice(("245", "246", "247"))
                number = f"{office}{rng.randint(14, 24)}C{rng.randrange(10**4, 10**5)}"
                documents.append(("refugee_certificate", number, "IQ", expiry(3)))
            if rng.random() < 0.15:
                documents.append(("passport", f"P{rng.randrange(10**7, 10**8)}", nationality, expiry(6)))
        return documents

    def _uuid(self) -> uuid.UUID:
        return time_ordered_uuid(int(self.clock.timestamp() * 1000), self.rng.getrandbits(74))

    def _reference(self, prefix: str) -> str:
        bits = self.rng.getrandbits(60)
        body = "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(55, -1, -5))
        return f"{prefix}-{body[:4]}-{body[4:8]}-{body[8:]}"


def time_ordered_uuid(ms: int, bits: int) -> uuid.UUID:
    """A version 7 UUID (RFC 9562): milliseconds since 1970 first, then 74 of the random `bits`. Rows of people
    registered later sort later, so a bulk load adds to the end of primary-key and foreign-key indexes instead of
    all over them (much faster on SQLite once the tables outgrow its page cache)."""
    return uuid.UUID(int=(ms << 80) | (0x7 << 76) | ((bits >> 62) << 64) | (0b10 << 62) | (bits & ((1 << 62) - 1)))


def _marital(rng: random.Random, person: DemoPerson, *, has_spouse: bool) -> str:
    relationship = person.relationship
    if relationship == "spouse" or (relationship == "head" and has_spouse):
        return "married"
    if relationship == "head":
        if person.sex == "female":
            return rng.choice(("widowed", "widowed", "widowed", "divorced", "separated", "unknown"))
        return rng.choice(("single", "widowed", "divorced", "unknown"))
    if relationship in ("father", "mother"):
        return rng.choice(("widowed", "married"))
    if person.age < 16:
        return "single"
    return rng.choice(("single", "single", "married", "unknown"))


def _written(rng: random.Random, e164: str, not_as: str = "") -> str:
    """A number as people write it: +9647701234567, +964 770 123 4567, 07701234567, 0770 123 4567, 00964…
    (a number from abroad always with its country code: written without it, it would be read as Iraqi)."""
    styles = (0, 1, 2, 3, 4) if e164.startswith("+964") else (0, 1, 4)
    for _attempt in range(4):
        written = _format(e164, rng.choice(styles))
        if written != not_as:
            return written
    return written


@lru_cache(maxsize=8)
def _plan_of(prefix: str) -> tuple[str, str, tuple[int, ...]]:
    for code, trunk, _prefixes, _digits, groups in PHONE_PLANS.values():
        if prefix.startswith(code):
            return code, trunk, groups
    raise ValueError(prefix)


def _format(e164: str, style: int) -> str:
    code, trunk, groups = _plan_of(e164[1:4])
    national = e164[1 + len(code) :]
    spaced, start = [], 0
    for size in groups:
        spaced.append(national[start : start + size])
        start += size
    if style == 0:
        return e164
    if style == 1:
        return f"+{code} {' '.join(spaced)}"
    if style == 2:
        return f"{trunk}{national}"
    if style == 3:
        return f"{trunk}{spaced[0]} {' '.join(spaced[1:])}"
    return f"00{code} {national}"


def _rntrc(rng: random.Random, born: dt.date, sex: str) -> str:
    """A Ukrainian taxpayer number: days since 31 December 1899, a serial whose last digit is odd for men,
    and a check digit (stdnum.ua.rntrc)."""
    days = (born - dt.date(1899, 12, 31)).days
    serial = rng.randrange(100, 1000) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "male" else (0, 2, 4, 6, 8))
    body = f"{days:05d}{serial:04d}"
    weights = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
    return body + str(sum(w * int(n) for w, n in zip(weights, body, strict=True)) % 11 % 10)
