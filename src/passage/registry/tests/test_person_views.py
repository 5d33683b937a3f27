"""After registration, through HTTP, as the people who do it.

A registration clerk of the Erbil office corrects a record, sets a status, moves people between households,
records consent and adds a photo; a caseworker of the same office (another role that may change people)
edits the same record at the same time; a data officer sees the person but may change nothing; an
administrator of another operation finds nothing. Forms are filled the way a browser fills them: read from
the page, changed where the person types, sent back whole.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from passage.conftest import sign_in
from passage.core.models import AuditEvent
from passage.core.tests.factories import OfficeFactory, UserFactory, member_of
from passage.registry.actions import register_household
from passage.registry.models import Consent, Household, HouseholdMember, Person
from passage.registry.person_actions import PHOTO_MAX_BYTES
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

YES = ConsentInput(granted=True, method="verbal", other_purposes={"sharing": True, "follow_up": True})


# --- a browser's way of filling a form ------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every form of a page, with what a browser would send for it (before anyone types)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"].append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""
        elif tag == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            # A browser drops the one line break that follows <textarea>.
            self._form["fields"].append((self._textarea, self._text.removeprefix("\r\n").removeprefix("\n")))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value = self._option["value"] if self._option["value"] is not None else self._option["text"].strip()
            self._options.append((value, self._option["selected"]))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [value for value, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self._form["fields"].extend((self._select, value) for value in chosen)
            self._select = None


def form_on(html: str, marker: str = "csrfmiddlewaretoken", *, action: str | None = None) -> dict[str, Any]:
    """What the first post form of the page with `action` (or with no action, the page itself) would send,
    as {name: value or [values]}."""
    reader = _Forms()
    reader.feed(html)
    for form in reader.forms:
        attrs = form["attrs"]
        if attrs.get("method", "get").lower() != "post" or attrs.get("action", "") != (action or ""):
            continue
        data: dict[str, Any] = {}
        for name, value in form["fields"]:
            if name in data:
                data[name] = [*(data[name] if isinstance(data[name], list) else [data[name]]), value]
            else:
                data[name] = value
        if marker in data:
            return data
    raise AssertionError(f"no post form to {action or 'the page'} on the page")


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def slot(html: str, name: str) -> str:
    """What the person reads under a field: its error slot (pages that check as one types), or the errors
    between the field and the next one (the plain forms)."""
    if f'id="err-{name}"' in html:
        return html.split(f'id="err-{name}"', 1)[1].split("</div></div>", 1)[0].split("<div id=", 1)[0]
    after = html.split(f'name="{name}"', 1)[1]
    return after.split('<div class="mb-3', 1)[0].split("</form>", 1)[0]


# --- the people and the records -------------------------------------------------------------------------------


@pytest.fixture
def office(operation):
    return OfficeFactory(operation=operation, name="Erbil")


@pytest.fixture
def clerk(operation, office):
    """A registration clerk of the Erbil office."""
    return member_of(operation, "registration_clerk", offices=[office], user=UserFactory(username="nadia"))


@pytest.fixture
def colleague(operation, office):
    """A caseworker of the same office: another role that may also change people."""
    return member_of(operation, "caseworker", offices=[office], user=UserFactory(username="karim"))


@pytest.fixture
def data_officer(operation):
    """Sees people (and counts them) but changes no record and sees no phone, document or photo."""
    return member_of(operation, "data_officer")


@pytest.fixture
def family(operation, office) -> Household:
    return register_household(
        acting_user=None,
        operation=operation,
        office=office,
        address="Ankawa, street 4",
        members=[
            PersonInput(
                relationship="head",
                consent=YES,
                given_name="محمد",
                given_name_latin="Mohammed",
                family_name_latin="Al-Jubouri",
                sex="male",
                birth_date=dt.date(1985, 3, 17),
                phones=["0770 123 4567"],
                documents=[DocumentInput(type="passport", number="A1234567", issuing_country="IQ")],
            ),
            PersonInput(relationship="spouse", consent=YES, given_name_latin="Fatima", sex="female", age_years=34),
            PersonInput(relationship="son", consent=YES, given_name_latin="Ali", sex="male", age_years=7),
        ],
    )


@pytest.fixture
def neighbours(operation, office) -> Household:
    return register_household(
        acting_user=None,
        operation=operation,
        office=office,
        members=[PersonInput(relationship="head", consent=YES, given_name_latin="Hassan", sex="male")],
    )


def member(household: Household, relationship: str) -> Person:
    return household.members.get(relationship=relationship, left_on__isnull=True).person


def as_(user: Any) -> Client:
    """A browser of its own for each person (two clerks can have the same page open)."""
    return sign_in(Client(), user)


def edit_url(person: Person) -> str:
    return f"/registry/people/{person.pk}/edit/"


# --- corrections --------------------------------------------------------------------------------------------


def test_clerk_corrects_a_name_and_a_phone(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(edit_url(head)).content.decode())
    assert data["person-family_name_latin"] == "Al-Jubouri" and data["person-phones"] == "+9647701234567"
    data["person-family_name_latin"] = "Al-Jabouri"
    data["person-phones"] = "0750 555 1234\n0770 123 4567"

    response = browser.post(edit_url(head), data, follow=True)

    assert response.redirect_chain == [(f"/registry/people/{head.pk}/", 302)]
    assert f"The record of {head.reference} is corrected." in messages_of(response)
    html = response.content.decode()
    assert "Al-Jabouri" in html and "+9647505551234" in html
    head.refresh_from_db()
    assert head.version == 2 and head.family_name_latin == "Al-Jabouri"
    assert [p.number for p in head.phones.order_by("-is_primary", "id")] == ["+9647505551234", "+9647701234567"]
    event = AuditEvent.objects.get(action="person.update", object_id=str(head.pk))
    assert event.actor_id == clerk.pk
    assert event.changes["family_name_latin"] == ["Al-Jubouri", "Al-Jabouri"]
    assert event.changes["version"] == [1, 2] and "phones" in event.changes
    assert "555" not in str(event.changes)  # the numbers themselves stay out of the audit trail
    # Only what was changed is saved: the Arabic name and the passport are as they were.
    assert head.given_name == "محمد" and head.documents.get().number == "A1234567"


def test_saving_the_page_unchanged_changes_nothing(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(edit_url(head)).content.decode())

    response = browser.post(edit_url(head), data, follow=True)

    assert "Nothing was changed." in messages_of(response)
    head.refresh_from_db()
    assert head.version == 1 and not AuditEvent.objects.filter(action="person.update").exists()


def test_live_check_answers_only_for_the_fields_already_touched(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(edit_url(head)).content.decode())
    data["person-phones"] = "12"
    data["person-birth_date"] = "1985-13-40"
    check = f"/registry/people/{head.pk}/edit/check/"

    html = browser.post(check, {**data, "touched": ["person-phones"]}).content.decode()

    assert "digits" in slot(html, "person-phones") or "not a phone number" in slot(html, "person-phones")
    assert '<div id="err-person-birth_date" class="invalid-feedback d-block" hx-swap-oob="true"></div>' in html
    html = browser.post(check, {**data, "touched": ["person-phones", "person-birth_date"]}).content.decode()
    assert slot(html, "person-birth_date").count("Write the date as YYYY-MM-DD.") == 1
    # Checking saves nothing and reads out nothing stored.
    head.refresh_from_db()
    assert head.version == 1 and "+9647701234567" not in html
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_live_check_is_quiet_for_a_correction_that_passes(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(edit_url(head)).content.decode())
    data["person-family_name_latin"] = "Al-Jabouri"
    html = browser.post(
        f"/registry/people/{head.pk}/edit/check/", {**data, "touched": ["person-family_name_latin"]}
    ).content.decode()
    assert 'role="alert"' not in html


def test_stale_edit_names_what_the_other_changed_keeps_what_was_typed_and_saves_next_time(clerk, colleague, family):
    head = member(family, "head")
    first, second = as_(clerk), as_(colleague)
    first_form = form_on(first.get(edit_url(head)).content.decode())
    second_form = form_on(second.get(edit_url(head)).content.decode())

    first_form["person-family_name_latin"] = "Al-Jabouri"
    assert first.post(edit_url(head), first_form).status_code == 302
    second_form["person-given_name_latin"] = "Muhammad"
    second_form["person-phones"] = "+964 750 555 1234"
    response = second.post(edit_url(head), second_form)

    # Refused, and told who changed what meanwhile.
    assert response.status_code == 200
    html = response.content.decode()
    conflict = html.split('data-testid="conflict"', 1)[1].split("</div></div>", 1)[0]
    assert "nadia" in conflict and "changed family name (Latin letters)" in conflict
    head.refresh_from_db()
    assert head.version == 2 and head.given_name_latin == "Mohammed"
    # The form shows the record as it is now, with what the second clerk typed kept.
    again = form_on(html)
    assert again["person-version"] == "2"
    assert again["person-family_name_latin"] == "Al-Jabouri"
    assert again["person-given_name_latin"] == "Muhammad" and again["person-phones"] == "+964 750 555 1234"

    saved = second.post(edit_url(head), again, follow=True)

    assert f"The record of {head.reference} is corrected." in messages_of(saved)
    head.refresh_from_db()
    assert (head.given_name_latin, head.family_name_latin, head.version) == ("Muhammad", "Al-Jabouri", 3)
    assert [p.number for p in head.phones.all()] == ["+9647505551234"]
    last = AuditEvent.objects.filter(action="person.update").order_by("-id").first()
    assert last is not None and last.actor_id == colleague.pk and "family_name_latin" not in last.changes


def test_an_impossible_date_and_a_bad_phone_come_back_beside_their_fields(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(edit_url(head)).content.decode())
    data["person-birth_date_precision"] = "day"
    data["person-birth_date"] = "00/00/1985"
    data["person-phones"] = "0770 123 4567 999"

    response = browser.post(edit_url(head), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert slot(html, "person-birth_date").count("Write the date as YYYY-MM-DD.") == 1
    phone = slot(html, "person-phones")
    assert "digits" in phone or "not a phone number" in phone
    # What was typed stays in the form; nothing was saved.
    again = form_on(html)
    assert again["person-birth_date"] == "00/00/1985" and again["person-phones"] == "0770 123 4567 999"
    head.refresh_from_db()
    assert head.version == 1 and head.birth_date == dt.date(1985, 3, 17)


def test_a_date_that_does_not_exist_is_refused(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(edit_url(head)).content.decode())
    data["person-birth_date"] = "1985-02-30"
    html = browser.post(edit_url(head), data).content.decode()
    assert "Write the date as YYYY-MM-DD." in slot(html, "person-birth_date")


def test_html_in_a_name_is_stored_as_text_and_escaped_on_the_person_page(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(edit_url(head)).content.decode())
    data["person-given_name"] = '<img src=x onerror="alert(1)">'

    response = browser.post(edit_url(head), data, follow=True)

    head.refresh_from_db()
    assert head.given_name == '<img src=x onerror="alert(1)">'
    html = response.content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    # And the edit page shows it back as a value, not as markup.
    edit_html = browser.get(edit_url(head)).content.decode()
    assert "<img src=x" not in edit_html and form_on(edit_html)["person-given_name"] == head.given_name


def test_birth_date_by_precision_and_by_age(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(edit_url(head)).content.decode())
    data["person-birth_date_precision"] = "year"
    data["person-birth_date"] = "1984"
    browser.post(edit_url(head), data)
    head.refresh_from_db()
    assert (head.birth_date, head.birth_date_precision) == (dt.date(1984, 1, 1), "year")
    data = form_on(browser.get(edit_url(head)).content.decode())
    assert data["person-birth_date"] == "1984"
    data["person-birth_date_precision"] = "age"
    data["person-age_years"] = "40"
    browser.post(edit_url(head), data)
    head.refresh_from_db()
    assert head.birth_date_precision == "estimated" and head.age_estimated_on is not None


# --- who may change a person ----------------------------------------------------------------------------------


def test_data_officer_sees_the_person_but_may_change_nothing(data_officer, family):
    head = member(family, "head")
    browser = as_(data_officer)
    html = browser.get(f"/registry/people/{head.pk}/").content.decode()
    assert "Al-Jubouri" in html and 'data-testid="person-actions"' not in html
    assert "+9647701234567" not in html
    data = {"person-version": "1", "person-family_name_latin": "X", "initial-person-family_name_latin": "Al-Jubouri"}
    for url in (
        edit_url(head),
        f"/registry/people/{head.pk}/edit/check/",
        f"/registry/people/{head.pk}/status/",
        f"/registry/people/{head.pk}/move/",
        f"/registry/people/{head.pk}/leave/",
        f"/registry/people/{head.pk}/consent/",
        f"/registry/people/{head.pk}/photo/change/",
        f"/registry/people/{head.pk}/photo/remove/",
        f"/registry/households/{family.pk}/head/",
    ):
        assert browser.post(url, data).status_code == 404, url
    head.refresh_from_db()
    assert head.version == 1 and head.family_name_latin == "Al-Jubouri"


def test_outsider_finds_no_such_person(outsider, family):
    head = member(family, "head")
    browser = as_(outsider)
    consent = head.consents.first()
    for url in (
        edit_url(head),
        f"/registry/people/{head.pk}/status/",
        f"/registry/people/{head.pk}/move/",
        f"/registry/people/{head.pk}/consent/",
        f"/registry/people/{head.pk}/consent/{consent.pk}/withdraw/",
        f"/registry/people/{head.pk}/photo/change/",
        f"/registry/households/{family.pk}/head/",
    ):
        assert browser.get(url).status_code == 404, url
        assert browser.post(url, {"status": "deceased", "on": "2024-01-01"}).status_code == 404, url
    head.refresh_from_db()
    assert head.status == "active" and head.version == 1


def test_a_clerk_of_another_office_finds_no_such_person(operation, family):
    elsewhere = member_of(operation, "registration_clerk", offices=[OfficeFactory(operation=operation, name="Duhok")])
    head = member(family, "head")
    assert as_(elsewhere).get(edit_url(head)).status_code == 404


# --- status -------------------------------------------------------------------------------------------------


def status_url(person: Person) -> str:
    return f"/registry/people/{person.pk}/status/"


def test_clerk_records_a_death_with_its_date(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(status_url(head)).content.decode())
    assert data["status"] == "active" and data["version"] == "1"
    data |= {"status": "deceased", "on": "2024-02-10"}

    response = browser.post(status_url(head), data, follow=True)

    assert f"{head.reference} is now Deceased." in messages_of(response)
    assert 'data-testid="deceased"' in response.content.decode() and "2024-02-10" in response.content.decode()
    head.refresh_from_db()
    assert (head.status, head.status_on, head.version) == ("deceased", dt.date(2024, 2, 10), 2)
    event = AuditEvent.objects.get(action="person.status")
    assert event.actor_id == clerk.pk and event.changes["status"] == ["active", "deceased"]


def test_a_death_without_its_date_is_refused_beside_the_date(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(status_url(head)).content.decode()) | {"status": "deceased", "on": ""}
    html = browser.post(status_url(head), data).content.decode()
    assert "Give the date of death" in html
    head.refresh_from_db()
    assert head.status == "active"


def test_clerk_records_a_withdrawal_with_its_reason(clerk, family):
    spouse = member(family, "spouse")
    browser = as_(clerk)
    data = form_on(browser.get(status_url(spouse)).content.decode()) | {"status": "withdrawn", "reason": ""}
    assert "Say why the person withdrew." in browser.post(status_url(spouse), data).content.decode()

    data["reason"] = "Asked at the office to leave the programme"
    response = browser.post(status_url(spouse), data, follow=True)

    assert f"{spouse.reference} is now Withdrawn." in messages_of(response)
    assert 'data-testid="withdrawn"' in response.content.decode()
    spouse.refresh_from_db()
    assert (spouse.status, spouse.status_reason) == ("withdrawn", "Asked at the office to leave the programme")


def test_a_status_set_from_a_page_opened_before_a_correction_is_refused(clerk, colleague, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(status_url(head)).content.decode()) | {"status": "deceased", "on": "2024-02-10"}
    other = as_(colleague)
    correction = form_on(other.get(edit_url(head)).content.decode()) | {"person-family_name_latin": "Al-Jabouri"}
    other.post(edit_url(head), correction)

    html = browser.post(status_url(head), data).content.decode()

    assert "Someone changed this record after you opened it" in html and "karim" in html
    head.refresh_from_db()
    assert head.status == "active"
    # The page now carries the current version: confirming saves.
    assert browser.post(status_url(head), form_on(html)).status_code == 302
    head.refresh_from_db()
    assert head.status == "deceased"


def test_the_date_of_an_earlier_status_is_not_offered_as_the_date_of_a_new_one(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(status_url(head)).content.decode())
    browser.post(status_url(head), data | {"status": "withdrawn", "on": "2024-01-05", "reason": "Left for Turkey"})
    data = form_on(browser.get(status_url(head)).content.decode())
    browser.post(status_url(head), data | {"status": "active", "on": "", "reason": "Came back"})

    data = form_on(browser.get(status_url(head)).content.decode())

    # A death recorded from this page must be dated by the clerk, not by the day the person came back.
    assert data["on"] == ""
    html = browser.post(status_url(head), data | {"status": "deceased"}).content.decode()
    assert "Give the date of death" in html


def test_choices_are_radio_buttons_with_their_errors_beside_them(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    for url, name in ((status_url(head), "status"), (move_url(head), "destination"), (consent_url(head), "granted")):
        html = browser.get(url).content.decode()
        radios = re.findall(rf'<input type="radio" name="{name}"[^>]*>', html)
        assert radios and all('class="form-check-input"' in radio for radio in radios), url
        assert f'id="err-{name}"' in html
    html = browser.post(consent_url(head), form_on(browser.get(consent_url(head)).content.decode())).content.decode()
    assert "This field is required." in slot(html, "granted")


# --- households -----------------------------------------------------------------------------------------------


def move_url(person: Person) -> str:
    return f"/registry/people/{person.pk}/move/"


def test_clerk_moves_a_person_to_another_household_by_its_number(clerk, family, neighbours):
    spouse = member(family, "spouse")
    browser = as_(clerk)
    page = browser.get(move_url(spouse)).content.decode()
    assert family.reference in page.split('data-testid="current-household"', 1)[1]
    data = form_on(page) | {"destination": "existing", "household": f" {neighbours.reference.lower()} "}
    data["relationship"] = "sister"

    response = browser.post(move_url(spouse), data, follow=True)

    assert response.redirect_chain[-1][0] == f"/registry/people/{spouse.pk}/#households"
    assert f"{spouse.reference} now lives in household {neighbours.reference}." in messages_of(response)
    now = HouseholdMember.objects.get(person=spouse, left_on__isnull=True)
    assert (now.household, now.relationship) == (neighbours, "sister")
    assert HouseholdMember.objects.get(person=spouse, household=family).left_on == timezone.localdate()
    event = AuditEvent.objects.get(action="person.move")
    assert event.changes["household"] == [family.reference, neighbours.reference]


def test_a_move_without_a_household_number_asks_for_it(clerk, family):
    spouse = member(family, "spouse")
    browser = as_(clerk)
    data = form_on(browser.get(move_url(spouse)).content.decode()) | {"relationship": "sister", "household": ""}
    html = browser.post(move_url(spouse), data).content.decode()
    assert "Give the number of the household the person moves to." in slot(html, "household")


def test_a_household_of_another_operation_is_not_found_and_not_revealed(clerk, family, other_operation):
    abroad = register_household(
        acting_user=None,
        operation=other_operation,
        members=[PersonInput(relationship="head", consent=YES, given_name_latin="Omar")],
    )
    spouse = member(family, "spouse")
    browser = as_(clerk)
    data = form_on(browser.get(move_url(spouse)).content.decode()) | {"relationship": "sister"}

    abroad_html = browser.post(move_url(spouse), data | {"household": abroad.reference}).content.decode()
    nowhere_html = browser.post(move_url(spouse), data | {"household": "HH-0000-0000-0000"}).content.decode()

    message = "No household with this number among those you may change."
    assert message in slot(abroad_html, "household") and message in slot(nowhere_html, "household")
    # The answer is the same as for a number that does not exist, save the number typed.
    assert abroad_html.replace(abroad.reference, "HH-0000-0000-0000") == nowhere_html.replace(
        _csrf(nowhere_html), _csrf(abroad_html)
    )
    assert not AuditEvent.objects.filter(object_id=str(abroad.pk)).exclude(action="household.register").exists()
    assert HouseholdMember.objects.get(person=spouse, left_on__isnull=True).household == family


def _csrf(html: str) -> str:
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def test_clerk_moves_a_person_into_a_new_household_of_their_own(clerk, family):
    son = member(family, "son")
    browser = as_(clerk)
    data = form_on(browser.get(move_url(son)).content.decode())
    data |= {"destination": "new", "relationship": "head", "address": "Ankawa, street 9"}
    response = browser.post(move_url(son), data, follow=True)
    own = HouseholdMember.objects.get(person=son, left_on__isnull=True).household
    assert own != family and own.address == "Ankawa, street 9"
    assert f"now lives in household {own.reference}" in " ".join(messages_of(response))


def test_clerk_records_that_a_person_left_and_a_head_cannot_leave_others_behind(clerk, family):
    son, head = member(family, "son"), member(family, "head")
    browser = as_(clerk)
    leave = f"/registry/people/{son.pk}/leave/"
    data = form_on(browser.get(move_url(son)).content.decode(), action=leave) | {"leave-note": "Moved to Baghdad"}

    response = browser.post(leave, data, follow=True)

    assert f"{son.reference} left household {family.reference}." in messages_of(response)
    assert HouseholdMember.objects.get(person=son).left_on == timezone.localdate()
    assert "Not a member of any household now." in browser.get(move_url(son)).content.decode()

    head_leave = f"/registry/people/{head.pk}/leave/"
    data = form_on(browser.get(move_url(head)).content.decode(), action=head_leave)
    html = browser.post(head_leave, data).content.decode()
    assert "name a new head there first" in html
    assert HouseholdMember.objects.get(person=head).left_on is None


def test_clerk_changes_the_head_of_household(clerk, family):
    head, spouse = member(family, "head"), member(family, "spouse")
    browser = as_(clerk)
    url = f"/registry/households/{family.pk}/head/"
    page = browser.get(url).content.decode()
    assert head.reference in page and spouse.reference in page
    data = form_on(page) | {"new_head": str(spouse.pk), "former_head_relationship": ""}
    assert "Say how the former head is related to the new head." in browser.post(url, data).content.decode()

    response = browser.post(url, data | {"former_head_relationship": "spouse"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/registry/households/{family.pk}/"
    assert f"{spouse.reference} is now the head of household {family.reference}." in messages_of(response)
    assert member(family, "head") == spouse and member(family, "spouse") == head
    assert AuditEvent.objects.get(action="household.head").actor_id == clerk.pk


# --- consent --------------------------------------------------------------------------------------------------


def consent_url(person: Person) -> str:
    return f"/registry/people/{person.pk}/consent/"


def test_clerk_records_a_consent_decision(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(consent_url(head)).content.decode())
    data |= {"purpose": "research", "granted": "yes", "method": "written"}

    response = browser.post(consent_url(head), data, follow=True)

    assert "The decision on research is recorded." in messages_of(response)
    assert response.redirect_chain[-1][0] == f"/registry/people/{head.pk}/#consent"
    research = Consent.objects.get(person=head, purpose="research")
    assert research.granted and research.method == "written" and research.recorded_by == clerk
    event = AuditEvent.objects.get(action="person.consent")
    assert event.changes["consent.research"] == [None, "granted"]


def test_a_consent_must_say_how_it_was_given_and_by_which_proxy(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(consent_url(head)).content.decode()) | {"purpose": "research", "granted": "yes"}
    html = browser.post(consent_url(head), data | {"method": ""}).content.decode()
    assert "Say how consent was given" in slot(html, "method")
    html = browser.post(consent_url(head), data | {"method": "proxy"}).content.decode()
    assert "Name the proxy who decided" in slot(html, "proxy_name")
    assert not Consent.objects.filter(person=head, purpose="research").exists()


def test_refusing_registration_is_a_withdrawal_not_a_new_decision(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    data = form_on(browser.get(consent_url(head)).content.decode())
    data |= {"purpose": "registration", "granted": "no", "method": "verbal"}
    html = browser.post(consent_url(head), data).content.decode()
    assert "use Withdraw" in slot(html, "granted")
    head.refresh_from_db()
    assert head.status == "active"


def withdraw_url(person: Person, purpose: str) -> str:
    consent = Consent.objects.get(person=person, purpose=purpose, withdrawn_at__isnull=True)
    return f"/registry/people/{person.pk}/consent/{consent.pk}/withdraw/"


def test_clerk_withdraws_a_consent_to_sharing_and_the_person_stays_active(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    url = withdraw_url(head, "sharing")
    assert url in browser.get(consent_url(head)).content.decode()
    data = form_on(browser.get(url).content.decode()) | {"note": "Does not want partners to call"}

    response = browser.post(url, data, follow=True)

    assert "The consent is withdrawn." in messages_of(response)
    sharing = Consent.objects.get(person=head, purpose="sharing")
    assert sharing.withdrawn_at is not None and sharing.withdrawn_by == clerk
    head.refresh_from_db()
    assert head.status == "active"


def test_withdrawing_consent_to_registration_marks_the_person_withdrawn(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    url = withdraw_url(head, "registration")
    page = browser.get(url).content.decode()
    assert "ends every other consent of this person and marks the record withdrawn" in page
    data = form_on(page) | {"note": "Asked to be removed"}

    response = browser.post(url, data, follow=True)

    assert any("is marked withdrawn" in text for text in messages_of(response))
    assert 'data-testid="withdrawn"' in response.content.decode()
    head.refresh_from_db()
    assert head.status == "withdrawn" and head.version == 2
    assert not Consent.objects.filter(person=head, granted=True, withdrawn_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="person.consent_withdrawn")
    assert event.changes["status"] == ["active", "withdrawn"] and event.changes["consent.sharing"]


def test_a_withdrawal_dated_in_the_future_is_refused_beside_the_date(clerk, family):
    head = member(family, "head")
    browser = as_(clerk)
    url = withdraw_url(head, "sharing")
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    html = browser.post(url, form_on(browser.get(url).content.decode()) | {"on": tomorrow}).content.decode()
    assert "The date is in the future." in html
    assert Consent.objects.get(person=head, purpose="sharing").withdrawn_at is None


# --- photo --------------------------------------------------------------------------------------------------


def photo_upload_url(person: Person) -> str:
    return f"/registry/people/{person.pk}/photo/change/"


def photo_url(person: Person) -> str:
    return f"/registry/people/{person.pk}/photo/"


def jpeg_with_exif() -> bytes:
    """A portrait from a camera that wrote its name and where it stood."""
    image = Image.new("RGB", (60, 80), "teal")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (36.0, 11.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_with_exif() -> bytes:
    image = Image.new("RGBA", (50, 50), (200, 30, 30, 255))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif.tobytes())
    return out.getvalue()


def upload(browser: Client, person: Person, name: str, data: bytes, content_type: str) -> Any:
    form = form_on(browser.get(photo_upload_url(person)).content.decode())
    form["photo"] = SimpleUploadedFile(name, data, content_type=content_type)
    return browser.post(photo_upload_url(person), form, follow=True)


@pytest.mark.parametrize(
    ("make", "name", "kind"), [(jpeg_with_exif, "portrait.jpg", "image/jpeg"), (png_with_exif, "face.png", "image/png")]
)
def test_clerk_adds_a_photo_stored_encrypted_without_camera_details(clerk, family, make, name, kind):
    head = member(family, "head")
    browser = as_(clerk)
    original = make()
    assert b"SecretCam" in original

    response = upload(browser, head, name, original, kind)

    assert "The photo is saved, encrypted." in messages_of(response)
    assert photo_url(head) in response.content.decode()
    head.refresh_from_db()
    assert head.photo_content_type == kind and head.version == 2
    with default_storage.open(head.photo_file, "rb") as stored:
        sealed = stored.read()
    assert b"SecretCam" not in sealed and not sealed.startswith((b"\xff\xd8", b"\x89PNG"))
    assert AuditEvent.objects.get(action="person.photo").actor_id == clerk.pk

    shown = browser.get(photo_url(head))

    assert shown.status_code == 200 and shown["Content-Type"] == kind
    assert "no-store" in shown["Cache-Control"] and shown["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(shown.content)) as image:
        assert image.size == (Image.open(io.BytesIO(original)).size) and not dict(image.getexif())
    assert b"SecretCam" not in shown.content
    assert AuditEvent.objects.filter(action="registry.person.read", actor_id=clerk.pk, note="photo").count() == 1


def test_a_role_without_need_to_know_gets_no_photo(clerk, data_officer, persona, family):
    head = member(family, "head")
    upload(as_(clerk), head, "portrait.jpg", jpeg_with_exif(), "image/jpeg")
    for user in (data_officer, persona("finance_officer")):
        browser = as_(user)
        assert browser.get(photo_url(head)).status_code == 404
        page = browser.get(f"/registry/people/{head.pk}/").content.decode()
        assert "A photo is on file; your role does not see photos." in page and photo_url(head) not in page
    assert not AuditEvent.objects.filter(action="registry.person.read", note="photo").exists()


def test_a_file_that_is_not_a_photo_is_refused_with_a_clear_error(clerk, family):
    head = member(family, "head")
    response = upload(as_(clerk), head, "photo.png", b"<svg onload=alert(1)></svg>", "image/png")
    assert response.redirect_chain == []
    assert "Only JPEG and PNG photos can be added." in slot(response.content.decode(), "photo")
    head.refresh_from_db()
    assert not head.photo_file and head.version == 1


def test_a_truncated_photo_is_refused(clerk, family):
    head = member(family, "head")
    response = upload(as_(clerk), head, "cut.jpg", jpeg_with_exif()[:200], "image/jpeg")
    assert "The file could not be read as a photo." in response.content.decode()


def test_a_photo_over_5_mb_is_refused_with_a_clear_error(clerk, family):
    head = member(family, "head")
    big = b"\xff\xd8\xff\xe0" + b"\0" * PHOTO_MAX_BYTES
    response = upload(as_(clerk), head, "huge.jpg", big, "image/jpeg")
    assert "The photo is larger than 5 MB." in slot(response.content.decode(), "photo")
    head.refresh_from_db()
    assert not head.photo_file


def test_a_photo_sent_from_a_page_opened_before_a_correction_can_be_sent_again(clerk, colleague, family):
    head = member(family, "head")
    browser = as_(clerk)
    form = form_on(browser.get(photo_upload_url(head)).content.decode())
    other = as_(colleague)
    other.post(edit_url(head), form_on(other.get(edit_url(head)).content.decode()) | {"person-sex": "female"})

    form["photo"] = SimpleUploadedFile("portrait.jpg", jpeg_with_exif(), content_type="image/jpeg")
    html = browser.post(photo_upload_url(head), form).content.decode()

    assert "Someone changed this record after you opened it" in html and "karim" in html
    head.refresh_from_db()
    assert not head.photo_file
    again = form_on(html)
    again["photo"] = SimpleUploadedFile("portrait.jpg", jpeg_with_exif(), content_type="image/jpeg")
    assert "The photo is saved, encrypted." in messages_of(browser.post(photo_upload_url(head), again, follow=True))


def test_clerk_removes_the_photo(clerk, family, django_capture_on_commit_callbacks):
    head = member(family, "head")
    browser = as_(clerk)
    upload(browser, head, "portrait.jpg", jpeg_with_exif(), "image/jpeg")
    head.refresh_from_db()
    stored = head.photo_file
    remove = f"/registry/people/{head.pk}/photo/remove/"
    data = form_on(browser.get(photo_upload_url(head)).content.decode(), action=remove)

    with django_capture_on_commit_callbacks(execute=True):
        with_commit = browser.post(remove, data, follow=True)

    assert "The photo is removed." in messages_of(with_commit)
    head.refresh_from_db()
    assert not head.photo_file and browser.get(photo_url(head)).status_code == 404
    assert not default_storage.exists(stored)
    assert AuditEvent.objects.filter(action="person.photo_removed", actor_id=clerk.pk).exists()
    again = browser.post(remove, data, follow=True)
    assert "There is no photo to remove." in messages_of(again)
