"""Programme forms and what is filled in them: a form (by the code the workflows name), its versions (each an
XLSForm file as uploaded, with its definition read by passage.cases.xlsform and what the reader warned about),
submissions on a case or a person, and imports of submissions made in KoboCollect or ODK Collect.

A submission keeps the form version it was made with, its answers sealed at rest (personal data), its scores in
clear (numbers a report may filter on), and its history: a re-assessment or a changed re-import supersedes the
submission before it, which stays. Who sees a submission is the case's rule (Case.objects.visible_to), never a
copy of it; a submission on a person without a case is seen by whoever sees the person and works on cases in
their operation."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.cases.models.cases import Case, case_scope
from passage.core.fields import EncryptedTextField
from passage.core.models import Job, Operation
from passage.registry.models import Person

if TYPE_CHECKING:
    from passage.cases.xlsform.definition import FormDefinition
    from passage.core.models import User


class FormTemplate(models.Model):
    """A programme form of an operation, by its code: the code a workflow names when a step requires the form
    completed (vulnerability_domv, rss…). Its versions are the XLSForm files uploaded for it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="form_templates")
    code = models.SlugField(_("code"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "id"]
        verbose_name = _("form")
        constraints = [models.UniqueConstraint(fields=["operation", "code"], name="form_code_unique_in_operation")]

    def __str__(self) -> str:
        return self.code

    @property
    def current(self) -> FormVersion | None:
        """The newest version: new submissions are made with it (its file is read only when asked for)."""
        return self.versions.defer("content").order_by("-number").first()


class FormVersion(models.Model):
    """One XLSForm file uploaded for a form, kept as uploaded (Collect gets its XForm from it), with its
    definition as Passage read it and the warnings the reader gave. Never changed: a new upload is a new
    version, and submissions keep the version they were made with."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template = models.ForeignKey(FormTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version number"))
    version = models.CharField(_("version in the form's settings"), max_length=100, blank=True)
    form_id = models.CharField(_("form ID in the form's settings"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("XLSForm file"))
    sha256 = models.CharField(max_length=64)
    definition = models.JSONField(_("definition"), help_text="passage.cases.xlsform.definition_to_dict")
    warnings = models.JSONField(_("warnings at upload"), default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("form version")
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="one_number_per_form_version")]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"

    def form(self) -> FormDefinition:
        """The definition, ready to evaluate (rebuilt from JSON in a few ms; cached on the object)."""
        cached: FormDefinition | None = getattr(self, "_form", None)
        if cached is None:
            from passage.cases.xlsform.definition import definition_from_dict

            cached = definition_from_dict(self.definition)
            self._form = cached
        return cached


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETE = "complete", _("Complete")


class SubmissionSource(models.TextChoices):
    BROWSER = "browser", _("Filled in Passage")
    API = "api", _("Sent through the API")
    IMPORT = "import", _("Imported from KoboToolbox or ODK")


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def visible_to(self, user: User | Any) -> SubmissionQuerySet:
        """A submission on a case is seen by whoever sees the case (the case's one rule); one on a person alone
        by whoever sees the person and holds case.view in their operation."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        on_cases = models.Q(case__in=Case.objects.visible_to(user).values("pk"))
        if user.is_superuser:
            on_person = models.Q(case__isnull=True)
        else:
            _scope, operations = case_scope(user)
            on_person = models.Q(
                case__isnull=True,
                operation_id__in=sorted(operations),
                person__in=Person.objects.visible_to(user).values("pk"),
            )
        return self.filter(on_cases | on_person)

    def current(self) -> SubmissionQuerySet:
        """Submissions not superseded by a later one."""
        return self.filter(replaced_at__isnull=True)


class Submission(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(FormTemplate, on_delete=models.PROTECT, related_name="submissions")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="submissions")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The answers by field name (repeats as lists), as JSON sealed with AES-GCM: what a person told us.
    sealed_answers = EncryptedTextField(blank=True)
    sealed_label = EncryptedTextField(blank=True)  # the form's instance_name, often with a name in it
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    source = models.CharField(
        _("source"), max_length=10, choices=SubmissionSource.choices, default=SubmissionSource.BROWSER
    )
    # An imported submission's stable ID in Kobo/ODK (the root instance ID that survives edits): a second import
    # of the same file finds it, and its fingerprint says whether the answers changed.
    source_key = models.CharField(max_length=128, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    form_import = models.ForeignKey(
        "cases.FormImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    replaced_at = models.DateTimeField(_("superseded"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("submission")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(person__isnull=False),
                name="submission_on_a_case_or_a_person",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(submitted_at__isnull=False),
                name="complete_submission_has_a_date",
            ),
            models.UniqueConstraint(
                fields=["template", "source_key"],
                condition=~models.Q(source_key="") & models.Q(replaced_at__isnull=True),
                name="one_current_submission_per_source_key",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "template", "status"], name="submission_by_case"),
            models.Index(fields=["person", "template"], name="submission_by_person"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} {self.pk}"  # never a name: this is what the audit trail shows

    @property
    def answers(self) -> dict[str, Any]:
        return dict(json.loads(self.sealed_answers)) if self.sealed_answers else {}

    @answers.setter
    def answers(self, values: dict[str, Any]) -> None:
        self.sealed_answers = json.dumps(values, ensure_ascii=False, sort_keys=True)

    @property
    def label(self) -> str:
        return self.sealed_label or ""

    @property
    def is_complete(self) -> bool:
        return self.status == SubmissionStatus.COMPLETE

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Waiting to run")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class FormImport(models.Model):
    """A KoboToolbox or ODK Central export of one form's submissions, brought into Passage: the file (sealed at
    rest, bound to this row), the form field whose answer names the case (its number) or the person (their
    registration number), and the result of each row. Running it again is safe: submissions are keyed by their
    stable ID, so an unchanged one is left alone and a changed one supersedes the one before."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(FormTemplate, on_delete=models.PROTECT, related_name="imports")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to="cases/form_imports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    link_field = models.CharField(_("field naming the case or person"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=ImportState.choices, default=ImportState.QUEUED)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    counts = models.JSONField(default=dict, blank=True)
    # One entry per row: sheet, row, submission key, outcome and messages — sealed: messages quote answers.
    sealed_results = EncryptedTextField(blank=True)
    problem = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("import of submissions")

    def __str__(self) -> str:
        return f"import {self.pk}"

    @property
    def results(self) -> list[dict[str, Any]]:
        return list(json.loads(self.sealed_results)) if self.sealed_results else []

    @results.setter
    def results(self, rows: list[dict[str, Any]]) -> None:
        self.sealed_results = json.dumps(rows, ensure_ascii=False)
