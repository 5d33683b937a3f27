"""The review of duplicates: merges (and their undoing), bulk decisions and their quality checks; and the
person.merge permission for the roles that decide on duplicates (data officers and administrators, as
passage.core.roles states): one migration, as the models and the permission that guards them arrive together."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


MERGERS = ["data_officer", "administrator"]


def grant(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    for role in Role.objects.filter(code__in=MERGERS):
        RoleGrant.objects.get_or_create(role=role, permission="person.merge")


def ungrant(apps, schema_editor):
    apps.get_model("core", "RoleGrant").objects.filter(permission="person.merge").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_grant_export_and_aggregates"),
        ("matching", "0002_run_model"),
        ("registry", "0009_person_by_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BulkDecision",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("decision", models.CharField(max_length=10, verbose_name="decision")),
                ("min_probability", models.FloatField(blank=True, null=True, verbose_name="from probability")),
                ("band", models.CharField(blank=True, max_length=10, verbose_name="band")),
                (
                    "selected",
                    models.JSONField(
                        blank=True, default=list, help_text="Pair ids chosen one by one (else the filters)"
                    ),
                ),
                ("sample_share", models.FloatField(verbose_name="share set aside for a quality check")),
                ("seed", models.PositiveIntegerField()),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("pairs_decided", models.PositiveIntegerField(default=0)),
                ("pairs_set_aside", models.PositiveIntegerField(default=0)),
                ("pairs_skipped", models.PositiveIntegerField(default=0)),
                (
                    "job",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.job",
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.office",
                    ),
                ),
                (
                    "operation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="bulk_decisions", to="core.operation"
                    ),
                ),
                (
                    "registration_import",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="registry.registrationimport",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="matching.matchrun",
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "bulk decision",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="PersonMerge",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "choices",
                    models.JSONField(
                        blank=True, default=dict, help_text="field -> id of the person whose value survives"
                    ),
                ),
                (
                    "survivor_before",
                    models.JSONField(blank=True, default=dict, help_text="The survivor's values before"),
                ),
                (
                    "survivor_after",
                    models.JSONField(blank=True, default=dict, help_text="The survivor's values right after"),
                ),
                (
                    "survivor_version",
                    models.PositiveIntegerField(help_text="The survivor's version right after the merge"),
                ),
                (
                    "rows",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='Rows changed, in order: [{"model", "pk", "before", "after"}, ...]',
                    ),
                ),
                (
                    "pairs",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='Pairs decided by the merge: [{"id", "decision", "by", "at"}, ...]',
                    ),
                ),
                (
                    "warnings",
                    models.JSONField(blank=True, default=list, help_text="What the merge left for a person to look at"),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("merged_at", models.DateTimeField()),
                ("undone_at", models.DateTimeField(blank=True, null=True)),
                ("undo_note", models.TextField(blank=True, verbose_name="note on the undoing")),
                (
                    "undo_kept",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="What an undo left as later changes made it (with confirmation)",
                    ),
                ),
                (
                    "bulk",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="merges",
                        to="matching.bulkdecision",
                    ),
                ),
                ("merged", models.ManyToManyField(related_name="merges_ended", to="registry.person")),
                (
                    "merged_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "operation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="person_merges", to="core.operation"
                    ),
                ),
                (
                    "survivor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="merges_kept", to="registry.person"
                    ),
                ),
                (
                    "undone_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "merge of records",
                "ordering": ["-merged_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="QualityCheck",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("to_check", "Waiting for a second person"),
                            ("confirmed", "Confirmed"),
                            ("overruled", "Overruled"),
                        ],
                        default="to_check",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("checked_at", models.DateTimeField(blank=True, null=True)),
                ("decision", models.CharField(blank=True, max_length=10, verbose_name="decision of the second person")),
                (
                    "bulk",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="checks", to="matching.bulkdecision"
                    ),
                ),
                (
                    "checked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pair",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="quality_check",
                        to="matching.candidatepair",
                    ),
                ),
            ],
            options={
                "verbose_name": "quality check",
                "ordering": ["bulk", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="bulkdecision",
            constraint=models.CheckConstraint(
                condition=models.Q(("sample_share__gte", 0), ("sample_share__lte", 1)), name="bulk_sample_is_a_share"
            ),
        ),
        migrations.AddIndex(
            model_name="personmerge",
            index=models.Index(fields=["operation", "-merged_at"], name="merges_by_operation"),
        ),
        migrations.RunPython(grant, ungrant),
    ]
