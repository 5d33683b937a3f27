"""The registry's HTML pages: people, a person, a household, and the registration wizard.

Thin: protected reads go through registry.access, lists through registry.queries, the one change through
actions.register_household; the live checks of the wizard run the same check_members the action runs."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.core import access
from passage.core.queries import history_of
from passage.core.views._util import me, operation_or_403, paginate
from passage.registry import actions, iso_codes, live_checks, queries
from passage.registry.access import get_household_for_user, get_person_for_user, mask, may_see_sensitive
from passage.registry.form_fields import WASHINGTON_GROUP_LABELS
from passage.registry.forms import MEMBERS_PREFIX, HouseholdForm, MemberForm, MemberFormSet, locate_error
from passage.registry.models import DatePrecision, Person
from passage.registry.normalise import NormaliseError, normalise_document_number, normalise_phone
from passage.registry.registration import WASHINGTON_GROUP_DOMAINS, CheckedPerson, check_members

DUPLICATES_SHOWN = 5


def birth_date_display(person: Person) -> str:
    """As precise as what is known: '1985', '1985-03', '≈1991' or the full date."""
    date = person.birth_date
    if date is None:
        return ""
    precision = person.birth_date_precision
    if precision == DatePrecision.YEAR:
        return f"{date.year}"
    if precision == DatePrecision.MONTH:
        return f"{date.year}-{date.month:02d}"
    if precision == DatePrecision.ESTIMATED:
        return f"≈{date.year}"
    return date.isoformat()


@login_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "person.view", operation_or_403(request))
    search = request.GET.get("q", "").strip()[:200]
    page = paginate(request, queries.search_people(request.user, operation, search))
    rows = [{"person": person, "birth": birth_date_display(person)} for person in page.object_list]
    template = "registry/people.html#people-table" if request.htmx else "registry/people.html"  # type: ignore[attr-defined]
    may_register = access.can(request.user, "person.register", operation)
    return render(request, template, {"page": page, "rows": rows, "search": search, "may_register": may_register})


@login_required
@require_GET
def person(request: HttpRequest, person_id: str) -> HttpResponse:
    found = queries.person_detail(get_person_for_user(request.user, person_id))
    sensitive = may_see_sensitive(request.user, found)
    phones = [
        {"number": phone.number if sensitive else mask(phone.number), "primary": phone.is_primary}
        for phone in found.phones.all()
    ]
    documents = [
        {
            "type": document.get_type_display(),
            "number": document.number if sensitive else mask(document.number),
            "country": document.issuing_country,
            "expiry": document.expiry_date,
        }
        for document in found.documents.all()
    ]
    disability = [
        {"domain": domain.replace("_", " "), "answer": WASHINGTON_GROUP_LABELS.get(found.disability[domain], "")}
        for domain in WASHINGTON_GROUP_DOMAINS
        if domain in found.disability
    ]
    return render(
        request,
        "registry/person.html",
        {
            "person": found,
            "birth": birth_date_display(found),
            "sensitive": sensitive,
            "phones": phones,
            "documents": documents,
            "disability": disability,
            "memberships": list(found.household_memberships.all()),
            "consents": list(found.consents.select_related("recorded_by", "withdrawn_by")),
            "history": history_of(found),
        },
    )


@login_required
@require_GET
def household(request: HttpRequest, household_id: str) -> HttpResponse:
    found = get_household_for_user(request.user, household_id)
    members = list(found.members.select_related("person").order_by("joined_on", "id"))
    for member in members:
        member.birth = birth_date_display(member.person)  # type: ignore[attr-defined]
    sensitive = may_see_sensitive(request.user, found)
    address = found.address if sensitive or not found.address else "••••••••"  # not even its length
    return render(
        request,
        "registry/household.html",
        {
            "household": found,
            "current": [m for m in members if m.left_on is None],
            "past": [m for m in members if m.left_on is not None],
            "address": address,
            "sensitive": sensitive,
            "history": history_of(found),
        },
    )


# The registration wizard ------------------------------------------------------------------------


class Wizard:
    """The household form and its members, bound to what was posted, with every error placed."""

    def __init__(self, request: HttpRequest, operation: Any) -> None:
        data = request.POST if request.method == "POST" else None
        self.operation = operation
        self.household_form = HouseholdForm(data, operation=operation)
        self.formset = MemberFormSet(data, prefix=MEMBERS_PREFIX, initial=[{"relationship": "head"}])
        self.household_errors: list[str] = []
        self.checked: list[tuple[MemberForm, CheckedPerson]] = []  # after check(): each member as the rules read it

    def kept(self) -> list[MemberForm]:
        """The member blocks the clerk did not remove."""
        return [form for form in self.formset.forms if not form.is_removed]

    def shape_is_valid(self) -> bool:
        household_ok = self.household_form.is_valid()
        members_ok = all([form.is_valid() for form in self.kept()])  # every form, so all get cleaned
        return household_ok and members_ok

    def members_in_use(self) -> list[MemberForm]:
        """Every member block but removed ones and empty ones added by mistake (the first always counts)."""
        return [f for n, f in enumerate(self.kept()) if n == 0 or f.has_changed()]

    def inputs(self, forms: list[MemberForm]) -> list[Any]:
        return [form.to_input() for form in forms]

    def place(self, errors: dict[str, list[str]], forms: list[MemberForm]) -> None:
        for key, messages_ in errors.items():
            index, about = locate_error(key)
            if index is None:
                if about is not None:
                    self.household_form.add_error(about, messages_)
                else:
                    self.household_errors.extend(messages_)
            elif index < len(forms):
                forms[index].add_error(forms[index].field_for(about or ""), messages_)

    def check(self) -> None:
        """Run the registration rules on what was typed and place what they say."""
        forms = self.members_in_use()
        checked, errors = check_members(self.inputs(forms), region=self.operation.country)
        self.place(errors, forms)
        self.checked = list(zip(forms, checked, strict=True))

    def numbered(self) -> list[dict[str, Any]]:
        """Each block with the number the clerk sees: removed blocks are not counted."""
        rows, number = [], 0
        for index, form in enumerate(self.formset.forms):
            removed = form.is_removed
            number += 0 if removed else 1
            rows.append({"form": form, "index": index, "number": number, "removed": removed})
        return rows

    def context(self) -> dict[str, Any]:
        return {
            "household_form": self.household_form,
            "formset": self.formset,
            "members": self.numbered(),
            "household_errors": self.household_errors,
            "chosen_place": self.household_form.chosen_place() if self.household_form.is_bound else None,
            **code_lists(),
        }


def code_lists() -> dict[str, Any]:
    """The countries and languages the nationality and language pickers offer."""
    return {"country_codes": iso_codes.country_choices(), "language_codes": iso_codes.language_choices()}


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    operation = access.require(request.user, "person.register", operation_or_403(request))
    wizard = Wizard(request, operation)
    if request.method == "POST":
        if not wizard.shape_is_valid():
            wizard.check()
        else:
            forms = wizard.members_in_use()
            data = wizard.household_form.cleaned_data
            try:
                created = actions.register_household(
                    acting_user=me(request),
                    operation=operation,
                    members=wizard.inputs(forms),
                    office=data.get("office"),
                    admin_area=data.get("admin_area"),
                    site=data.get("site"),
                    address=data.get("address", ""),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    wizard.place(error.message_dict, forms)
                else:
                    wizard.household_errors.extend(error.messages)
            else:
                messages.success(
                    request,
                    _("Household %(ref)s is registered with %(n)s members.")
                    % {"ref": created.reference, "n": len(forms)},
                )
                return redirect("registry_household", household_id=created.pk)
    return render(request, "registry/register.html", wizard.context())


@login_required
@require_GET
def member_form(request: HttpRequest) -> HttpResponse:
    """An empty member block for the wizard (htmx appends it), with the formset's new count."""
    access.require(request.user, "person.register", operation_or_403(request))
    try:
        index = max(0, min(int(request.GET.get("index", "1")), 99))
    except ValueError:
        index = 1
    formset = MemberFormSet(prefix=MEMBERS_PREFIX)
    form = MemberForm(prefix=formset.add_prefix(index), use_required_attribute=False)
    formset.add_fields(form, index)  # the "remove this member" box
    return render(
        request,
        "registry/_member_added.html",
        {"form": form, "index": index, "number": index + 1, "removed": False, "next": index + 1},
    )


@login_required
@require_POST
def register_check(request: HttpRequest) -> HttpResponse:
    """Validate as the clerk types: the same check_members, its messages for the fields already touched,
    and the people already registered with the same phone or document (among those the clerk may see)."""
    operation = access.require(request.user, "person.register", operation_or_403(request))
    wizard = Wizard(request, operation)
    wizard.shape_is_valid()
    wizard.check()
    touched = set(request.POST.getlist("touched"))
    slots = []
    for form in wizard.formset.forms:
        for name, field in form.fields.items():
            if name == "DELETE":
                continue
            html_name = form.add_prefix(name)
            errors = list(form.errors.get(name, [])) if html_name in touched and not form.is_removed else []
            slots.append({"id": f"err-{html_name}", "errors": errors, "field": field})
    relationships = any(name.endswith("-relationship") or name.endswith("-DELETE") for name in touched)
    return render(
        request,
        "registry/_check.html",
        {
            "slots": slots,
            "household_errors": wizard.household_errors if relationships else [],
            "duplicates": _duplicates(request, operation, wizard.numbered()),
            "likely": _likely(request, operation, wizard),
        },
    )


@login_required
@require_GET
def place_search(request: HttpRequest) -> HttpResponse:
    """The place picker's options: areas of the operation's country by P-code or name, and its sites."""
    operation = access.require(request.user, "person.register", operation_or_403(request))
    text = (request.GET.get("q") or request.GET.get("place_q") or "").strip()[:100]  # place_q: the picker's box
    places = queries.search_places(request.user, operation, text)
    return render(request, "registry/_place_options.html", {"places": places, "q": text})


def _duplicates(request: HttpRequest, operation: Any, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for member in members:
        form = member["form"]
        if member["removed"]:
            continue
        data = getattr(form, "cleaned_data", {})
        looked_up = []
        for name in MemberForm.PHONE_FIELDS:
            phone = (data.get(name) or "").strip()
            if phone:
                with contextlib.suppress(NormaliseError):
                    looked_up.append((_("phone"), normalise_phone(phone, default_region=operation.country).e164))
        for _kind, number, _country in MemberForm.DOCUMENT_FIELDS:
            document = (data.get(number) or "").strip()
            if not document:
                continue
            try:
                compact = normalise_document_number(document, document_type="other")
            except NormaliseError:
                continue
            if any(c.isdigit() for c in compact) and len(compact) >= 3:
                looked_up.append((_("document"), compact))
        for what, value in looked_up:
            matches = list(queries.search_people(request.user, operation, value)[:DUPLICATES_SHOWN])
            if matches:
                found.append({"member": member["number"], "what": what, "people": matches})
    return found


def _likely(request: HttpRequest, operation: Any, wizard: Wizard) -> dict[str, Any]:
    """Who each member may already be, by names, birth date and the rest together (the live finder an app lower
    in DESIGN's list installs in registry.live_checks; nothing when none is installed)."""
    numbers = {id(row["form"]): row["number"] for row in wizard.numbered()}
    area = getattr(wizard.household_form, "cleaned_data", {}).get("admin_area")
    found, waiting = [], False
    for form, member in wizard.checked:
        data = member.data
        if not any(getattr(data, name) for name in NAMES_TO_LOOK_UP):
            continue
        answer = live_checks.likely_duplicates(me(request), operation, member, area)
        if answer is None:
            return {}
        waiting |= not answer.ready
        for likely in answer.people:
            found.append(
                {
                    "member": numbers.get(id(form)),
                    "person": likely.person,
                    "percent": min(int(likely.probability * 100), 99),  # never "100%": it is a likelihood
                    "agreed": likely.agreed,
                    "differed": likely.differed,
                }
            )
    return {"people": found, "waiting": waiting}


NAMES_TO_LOOK_UP = (
    "given_name",
    "family_name",
    "full_name",
    "given_name_latin",
    "family_name_latin",
    "full_name_latin",
)
