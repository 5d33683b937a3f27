"""People and households: one registry per operation, shared by all its programmes.

Names are kept in parts (given, father, grandfather, family) as written, in any script, and in Latin
letters; a date of birth carries its precision. Phones and identity documents are encrypted at rest,
with blind indexes for exact search (passage.core.crypto).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.core.fields import EncryptedTextField
from passage.core.models import Office, Operation
from passage.registry.models.locations import AdminArea, Site

if TYPE_CHECKING:
    from passage.core.models import User


class RegistryQuerySet(models.QuerySet):
    """Registry records: visible where a user holds a role that may see people, narrowed to their offices
    when the role is limited to some offices (records of no office stay visible to the whole operation)."""

    def visible_to(self, user: User) -> RegistryQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        from passage.core.models import Membership

        memberships = Membership.objects.active().filter(user=user, role__grants__permission="person.view")
        unlimited = memberships.filter(offices__isnull=True).values("operation_id")
        limited_offices = memberships.filter(offices__isnull=False).values("offices")
        limited_operations = memberships.filter(offices__isnull=False).values("operation_id")
        return self.filter(
            models.Q(operation_id__in=unlimited)
            | models.Q(office_id__in=limited_offices)
            | models.Q(operation_id__in=limited_operations, office__isnull=True)
        )


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month and year")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated from age")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    SEPARATED = "separated", _("Separated")
    WIDOWED = "widowed", _("Widowed")
    UNKNOWN = "unknown", _("Unknown")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DECEASED = "deceased", _("Deceased")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged into another record")


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="people")
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    reference = models.CharField(_("registration number"), max_length=32, unique=True)

    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    father_name = models.CharField(_("father's name"), max_length=100, blank=True)
    grandfather_name = models.CharField(_("grandfather's name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    full_name = models.CharField(_("full name as written"), max_length=400, blank=True)
    given_name_latin = models.CharField(_("given name (Latin letters)"), max_length=100, blank=True)
    father_name_latin = models.CharField(_("father's name (Latin letters)"), max_length=100, blank=True)
    grandfather_name_latin = models.CharField(_("grandfather's name (Latin letters)"), max_length=100, blank=True)
    family_name_latin = models.CharField(_("family name (Latin letters)"), max_length=100, blank=True)
    full_name_latin = models.CharField(_("full name (Latin letters)"), max_length=400, blank=True)
    other_names = models.JSONField(_("other names and aliases"), default=list, blank=True)
    source_ref = models.CharField(
        max_length=80,
        blank=True,
        help_text="Where an imported record came from (Kobo uuid or row fingerprint)",
    )
    source_import = models.ForeignKey(
        "registry.RegistrationImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_names = models.TextField(editable=False, blank=True, help_text="Folded name words, for search")

    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("precision of the date of birth"), max_length=10, choices=DatePrecision.choices, blank=True
    )
    age_estimated_on = models.DateField(_("date the age was estimated"), null=True, blank=True)
    nationalities = models.JSONField(_("nationalities (ISO 3166)"), default=list, blank=True)
    languages = models.JSONField(_("languages (ISO 639)"), default=list, blank=True)
    marital_status = models.CharField(
        _("marital status"), max_length=10, choices=MaritalStatus.choices, default=MaritalStatus.UNKNOWN
    )
    disability = models.JSONField(_("Washington Group answers"), default=dict, blank=True)

    admin_area = models.ForeignKey(AdminArea, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    status = models.CharField(_("status"), max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    status_on = models.DateField(_("status since"), null=True, blank=True, help_text="e.g. the date of death")
    status_reason = models.TextField(_("reason for the status"), blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    photo_file = models.CharField(
        max_length=200, blank=True, help_text="Encrypted photo, relative to the media directory (never a plain image)"
    )
    photo_content_type = models.CharField(max_length=20, blank=True)
    photo_added_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        ordering = ["family_name_latin", "given_name_latin", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["operation", "family_name_latin", "given_name_latin"], name="person_by_name"),
            models.Index(fields=["operation", "birth_date"], name="person_by_birth_date"),
            # Imports look rows up by where they came from, a chunk of thousands at a time: with the operation
            # first, SQLite would otherwise pick an operation-wide index and read every person per chunk.
            models.Index(fields=["source_ref", "operation"], name="person_by_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_date__isnull=True) | ~models.Q(birth_date_precision=""),
                name="person_birth_date_has_precision",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="person_merged_names_target",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.reference

    @property
    def display_name(self) -> str:
        parts = [self.given_name, self.father_name, self.grandfather_name, self.family_name]
        return self.full_name or " ".join(p for p in parts if p)

    @property
    def display_name_latin(self) -> str:
        parts = [self.given_name_latin, self.father_name_latin, self.grandfather_name_latin, self.family_name_latin]
        return self.full_name_latin or " ".join(p for p in parts if p)


class Phone(models.Model):
    """A phone number, E.164 when it could be read; the number as given is kept too. Encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = EncryptedTextField(_("number (E.164)"))
    as_given = EncryptedTextField(_("number as given"), blank=True)
    number_index = models.CharField(max_length=64, db_index=True)
    is_primary = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return f"phone of {self.person_id}"


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    REFUGEE_CERTIFICATE = "refugee_certificate", _("Refugee or asylum-seeker certificate")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    FAMILY_BOOK = "family_book", _("Family book")
    OTHER = "other", _("Other")


class IdentityDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    type = models.CharField(_("type"), max_length=24, choices=DocumentType.choices)
    number = EncryptedTextField(_("number"))
    number_index = models.CharField(max_length=64, db_index=True)
    issuing_country = models.CharField(_("issuing country"), max_length=2, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        ordering = ["type", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} of {self.person_id}"


class Household(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="households")
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="households")
    reference = models.CharField(_("household number"), max_length=32, unique=True)
    admin_area = models.ForeignKey(
        AdminArea, null=True, blank=True, on_delete=models.PROTECT, related_name="households"
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="households")
    address = EncryptedTextField(_("address"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        verbose_name = _("household")

    def __str__(self) -> str:
        return self.reference


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    SON = "son", _("Son")
    DAUGHTER = "daughter", _("Daughter")
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    BROTHER = "brother", _("Brother")
    SISTER = "sister", _("Sister")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NOT_RELATED = "not_related", _("Not related")


class HouseholdMember(models.Model):
    """A person's membership of a household over time: leaving ends it, never deletes it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="household_memberships")
    relationship = models.CharField(_("relationship to the head"), max_length=16, choices=Relationship.choices)
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(left_on__isnull=True), name="one_current_household_per_person"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(left_on__isnull=True, relationship="head"),
                name="one_current_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id} ({self.relationship})"


class ConsentPurpose(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    SHARING = "sharing", _("Sharing with partners")
    RESEARCH = "research", _("Research")
    FOLLOW_UP = "follow_up", _("Follow-up contact")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written")
    PROXY = "proxy", _("By proxy")


class Consent(models.Model):
    """A person's decision for one purpose: who recorded it, how, when; withdrawal ends it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"))
    method = models.CharField(_("how"), max_length=8, choices=ConsentMethod.choices)
    proxy_name = models.CharField(_("proxy's name and relationship"), max_length=200, blank=True)
    recorded_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)
    withdrawal_note = models.TextField(_("note on the withdrawal"), blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(method="proxy") | ~models.Q(proxy_name=""), name="consent_by_proxy_names_the_proxy"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {'granted' if self.granted else 'refused'}"
