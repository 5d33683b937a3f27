"""Pages for what happens to a registered person: correct the record, set the status, move between
households, record and withdraw consent, add or remove the photo; and a household's change of head.

Thin: every page fetches the person through registry.access with need="person.register" (a 404 for anyone
who may not change them) and calls one action of registry.person_actions; the live checks of the edit page
run the same rules the action runs."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.core.access import fetch_or_404
from passage.core.views._util import add_action_errors, me
from passage.registry import person_actions as actions
from passage.registry.access import (
    find_household_for_user,
    get_household_for_user,
    get_person_for_user,
    get_person_photo_for_user,
    get_person_to_check_for_user,
    may_see_sensitive,
)
from passage.registry.models import ConsentPurpose, HouseholdMember, Person
from passage.registry.person_actions import PersonChangedMeanwhile
from passage.registry.person_forms import (
    ConsentForm,
    HeadForm,
    LeaveForm,
    MoveForm,
    PersonForm,
    PhotoForm,
    StatusForm,
    WithdrawForm,
    document_values,
    documents_formset,
)

_DOCUMENT_KEY = re.compile(r"documents\[(\d+)\]\.(\w+)")


def _changer(request: HttpRequest, person_id: Any) -> Person:
    """The person, for someone who may change them (404 for anyone else: it would confirm they exist)."""
    return get_person_for_user(request.user, person_id, need="person.register")


def _to_person(person: Person, anchor: str = "") -> HttpResponse:
    response = redirect("registry_person", person_id=person.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


# --- correcting the record ----------------------------------------------------------------------------------


class Editor:
    """The correction form and the documents, bound to what was posted, with every error placed."""

    def __init__(self, request: HttpRequest, person: Person) -> None:
        data = request.POST if request.method == "POST" else None
        self.person = person
        self.sensitive = may_see_sensitive(request.user, person)
        self.form = PersonForm(data, person=person, sensitive=self.sensitive)
        self.documents = documents_formset(person, data) if self.sensitive else None
        self.document_rows: list[int] = []
        self.conflict: PersonChangedMeanwhile | None = None
        self.general_errors: list[str] = []

    def shape_is_valid(self) -> bool:
        form_ok = self.form.is_valid()
        documents_ok = self.documents is None or self.documents.is_valid()
        return form_ok and documents_ok

    def values(self) -> dict[str, Any]:
        values = self.form.values()
        if self.documents is not None and self.documents.has_changed():
            values["documents"], self.document_rows = document_values(self.documents)
        return values

    def _document_form(self, key: str) -> tuple[Any, str] | None:
        """The document row an error key such as 'documents[1].number' speaks of, and the field named."""
        match = _DOCUMENT_KEY.fullmatch(key)
        if match and self.documents is not None and int(match.group(1)) < len(self.document_rows):
            return self.documents.forms[self.document_rows[int(match.group(1))]], match.group(2)
        return None

    def _already_wrong(self, key: str) -> bool:
        """Has the field this rule speaks of already been refused for its shape (a date that cannot be read)?
        Then the rule, which saw no value there, has nothing to add."""
        found = self._document_form(key)
        if found is not None:
            form, name = found
            return bool(form.errors.get(name))
        return bool(self.form.errors.get(self.form.field_of(key)))

    def place(self, errors: dict[str, list[str]]) -> None:
        for key, messages_ in self.form.place(errors).items():
            found = self._document_form(key)
            if found is not None:
                form, name = found
                form.add_error(name if name in form.fields else None, messages_)
            else:
                self.general_errors.extend(messages_)

    def check(self) -> None:
        """Run the rules on what was typed (nothing is saved) and place what they say, beside the fields
        whose shape was right (a field that could not be read already says so)."""
        _checked, errors = actions.check_person_update(self.person, self.values())
        self.place({key: found for key, found in errors.items() if not self._already_wrong(key)})

    def save(self, request: HttpRequest) -> Person | None:
        if not self.shape_is_valid():
            self.check()  # every mistake at once, not the next one only after this is fixed
            return None
        values = self.values()
        if not values:
            return self.person
        try:
            return actions.update_person(
                person=self.person, acting_user=me(request), version=self.form.cleaned_data["version"], values=values
            )
        except ValidationError as error:
            self.place(error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages})
        except PersonChangedMeanwhile as conflict:
            self.conflict = conflict
            self.rebase(Person.objects.select_related("operation").get(pk=self.person.pk))
        return None

    def rebase(self, current: Person) -> None:
        """After a conflict: keep what the clerk changed, show every other field as it is now, and take the
        current version, so that saving again changes only what the clerk changed (and they were told what the
        other person changed)."""
        changed = set(self.form.changed_data)
        fresh = PersonForm(person=current, sensitive=self.sensitive)
        data: dict[str, Any] = {}
        for name in fresh.fields:
            key, initial_key = fresh.add_prefix(name), fresh.add_initial_prefix(name)
            now = fresh[name].value()
            shown = "" if now is None else str(now)
            if name in changed:
                data[key] = self.form.data.get(key, "")
                data[initial_key] = self.form.data.get(initial_key, "")
            else:
                data[key] = data[initial_key] = shown
        data[fresh.add_prefix("version")] = str(current.version)
        self.person = current
        self.form = PersonForm(data, person=current, sensitive=self.sensitive)
        self.form.is_valid()
        if self.documents is not None and not self.documents.has_changed():
            self.documents = documents_formset(current)

    def context(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "form": self.form,
            "documents": self.documents,
            "sensitive": self.sensitive,
            "conflict": self.conflict,
            "general_errors": self.general_errors,
            "names": [self.form[name] for name in ("given_name", "father_name", "grandfather_name", "family_name")],
            "latin": [
                self.form[name]
                for name in ("given_name_latin", "father_name_latin", "grandfather_name_latin", "family_name_latin")
            ],
            "functioning": [self.form[name] for name in self.form.fields if name.startswith("disability_")],
        }


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, person_id: str) -> HttpResponse:
    editor = Editor(request, _changer(request, person_id))
    if request.method == "POST":
        saved = editor.save(request)
        if saved is not None:
            if saved.version != editor.person.version:
                messages.success(request, _("The record of %(ref)s is corrected.") % {"ref": saved.reference})
            else:
                messages.info(request, _("Nothing was changed."))
            return _to_person(saved)
    return render(request, "registry/person/edit.html", editor.context())


@login_required
@require_POST
def edit_check(request: HttpRequest, person_id: str) -> HttpResponse:
    """Check as the clerk types: the same rules as the correction, messages for the fields already touched."""
    editor = Editor(request, get_person_to_check_for_user(request.user, person_id))
    editor.shape_is_valid()
    editor.check()
    touched = set(request.POST.getlist("touched"))
    forms = [editor.form, *(editor.documents.forms if editor.documents is not None else [])]
    slots = []
    for form in forms:
        for name in form.fields:
            html_name = form.add_prefix(name)
            errors = list(form.errors.get(name, [])) if html_name in touched else []
            slots.append({"id": f"err-{html_name}", "errors": errors})
    return render(request, "registry/person/_check.html", {"slots": slots, "general_errors": editor.general_errors})


# --- status -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, person_id: str) -> HttpResponse:
    person = _changer(request, person_id)
    # "Since" is the date of the new status: the date of the one it replaces is no answer to it.
    initial = {"status": person.status, "version": person.version}
    form = StatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = actions.set_person_status(
                person=person,
                acting_user=me(request),
                status=data["status"],
                on=data.get("on"),
                reason=data.get("reason", ""),
                version=data["version"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except PersonChangedMeanwhile as conflict:
            form = StatusForm({**request.POST.dict(), "version": conflict.current_version}, initial=initial)
            form.is_valid()
            form.add_error(None, str(conflict))
        else:
            messages.success(
                request,
                _("%(ref)s is now %(status)s.") % {"ref": changed.reference, "status": changed.get_status_display()},
            )
            return _to_person(changed)
    return render(request, "registry/person/status.html", {"person": person, "form": form})


# --- households ---------------------------------------------------------------------------------------------


def _move_page(request: HttpRequest, person: Person, form: MoveForm, leave_form: LeaveForm) -> HttpResponse:
    memberships = list(
        HouseholdMember.objects.filter(person=person).select_related("household").order_by("-joined_on", "-left_on")
    )
    current = next((m for m in memberships if m.left_on is None), None)
    return render(
        request,
        "registry/person/move.html",
        {
            "person": person,
            "form": form,
            "leave_form": leave_form,
            "current": current,
            "past": [m for m in memberships if m.left_on is not None],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, person_id: str) -> HttpResponse:
    person = _changer(request, person_id)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = None
        if data["destination"] == "existing" and not (data.get("household") or "").strip():
            form.add_error("household", _("Give the number of the household the person moves to."))
        elif data["destination"] == "existing":
            try:
                household = find_household_for_user(request.user, person.operation, data.get("household") or "")
            except Http404:
                form.add_error("household", _("No household with this number among those you may change."))
        if not form.errors:
            try:
                joined = actions.move_person(
                    person=person,
                    acting_user=me(request),
                    to_household=household,
                    relationship=data["relationship"],
                    on=data["on"],
                    address=data.get("address", ""),
                    note=data.get("note", ""),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "to_household" in error.error_dict:
                    error = ValidationError(
                        {("household" if k == "to_household" else k): v for k, v in error.error_dict.items()}
                    )
                add_action_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(ref)s now lives in household %(household)s.")
                    % {"ref": person.reference, "household": joined.household.reference},
                )
                return _to_person(person, "households")
    return _move_page(request, person, form, LeaveForm())


@login_required
@require_POST
def leave(request: HttpRequest, person_id: str) -> HttpResponse:
    person = _changer(request, person_id)
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            left = actions.leave_household(
                person=person, acting_user=me(request), on=form.cleaned_data["on"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("%(ref)s left household %(household)s.")
                % {"ref": person.reference, "household": left.household.reference},
            )
            return _to_person(person, "households")
    return _move_page(request, person, MoveForm(), form)


@login_required
@require_http_methods(["GET", "POST"])
def household_head(request: HttpRequest, household_id: str) -> HttpResponse:
    household = get_household_for_user(request.user, household_id, need="person.register")
    members = list(household.members.filter(left_on__isnull=True).select_related("person").order_by("joined_on", "id"))
    form = HeadForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        chosen = next(m.person for m in members if str(m.person_id) == form.cleaned_data["new_head"])
        try:
            actions.change_head(
                household=household,
                new_head=chosen,
                acting_user=me(request),
                former_head_relationship=form.cleaned_data["former_head_relationship"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("%(ref)s is now the head of household %(household)s.")
                % {"ref": chosen.reference, "household": household.reference},
            )
            return redirect("registry_household", household_id=household.pk)
    head = next((m for m in members if m.relationship == "head"), None)
    return render(request, "registry/person/head.html", {"household": household, "form": form, "head": head})


# --- consent ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, person_id: str) -> HttpResponse:
    person = _changer(request, person_id)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = actions.record_consent(
                person=person,
                acting_user=me(request),
                purpose=data["purpose"],
                granted=data["granted"] == "yes",
                method=data.get("method") or "",
                proxy_name=data.get("proxy_name", ""),
                note=data.get("note", ""),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("The decision on %(purpose)s is recorded.") % {"purpose": recorded.get_purpose_display().lower()},
            )
            return _to_person(person, "consent")
    decisions = sorted(actions.current_decisions(person).values(), key=lambda c: ConsentPurpose.values.index(c.purpose))
    return render(request, "registry/person/consent.html", {"person": person, "form": form, "decisions": decisions})


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, person_id: str, consent_id: str) -> HttpResponse:
    person = _changer(request, person_id)
    decision = fetch_or_404(person.consents.select_related("recorded_by"), consent_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw_consent(
                consent=decision,
                acting_user=me(request),
                note=form.cleaned_data["note"],
                withdrawn_at=form.withdrawn_at(),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "withdrawn_at" in error.error_dict:
                error = ValidationError({"on": error.error_dict["withdrawn_at"]})
            add_action_errors(form, error)
        else:
            if decision.purpose == ConsentPurpose.REGISTRATION:
                messages.warning(
                    request,
                    _(
                        "Consent to registration is withdrawn: %(ref)s is marked withdrawn and every other consent "
                        "has ended."
                    )
                    % {"ref": person.reference},
                )
            else:
                messages.success(request, _("The consent is withdrawn."))
            return _to_person(person, "consent")
    return render(
        request,
        "registry/person/withdraw.html",
        {
            "person": person,
            "form": form,
            "decision": decision,
            "registration": decision.purpose == ConsentPurpose.REGISTRATION,
        },
    )


# --- photo --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def photo(request: HttpRequest, person_id: str) -> HttpResponse:
    """The photo, decrypted, for roles that may see sensitive data; each look is audited; never cached."""
    person = get_person_photo_for_user(request.user, person_id)
    response = HttpResponse(actions.open_photo(person), content_type=person.photo_content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def photo_upload(request: HttpRequest, person_id: str) -> HttpResponse:
    person = _changer(request, person_id)
    form = PhotoForm(request.POST or None, request.FILES or None, initial={"version": person.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            changed = actions.set_photo(
                person=person,
                acting_user=me(request),
                data=upload.read(actions.PHOTO_MAX_BYTES + 1),
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except PersonChangedMeanwhile as stale:
            # A file cannot be put back in the form: a fresh one, at the current version, to choose it again.
            conflict, form = stale, PhotoForm(initial={"version": stale.current_version})
        else:
            messages.success(request, _("The photo is saved, encrypted."))
            return _to_person(changed)
    return render(
        request,
        "registry/person/photo.html",
        {"person": person, "form": form, "sensitive": may_see_sensitive(request.user, person), "conflict": conflict},
    )


@login_required
@require_POST
def photo_remove(request: HttpRequest, person_id: str) -> HttpResponse:
    person = _changer(request, person_id)
    try:
        actions.remove_photo(person=person, acting_user=me(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The photo is removed."))
    return _to_person(person)
