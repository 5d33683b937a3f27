"""Workflow versions: an operation's own versions of a workflow, edited by its administrators in the browser
(passage.cases.models.workflows). Shipped workflows need no row."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_assessments"),
        ("core", "0006_grant_export_and_aggregates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkflowVersion",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("code", models.CharField(max_length=64, verbose_name="workflow")),
                ("version", models.PositiveIntegerField(verbose_name="version")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("text", models.TextField(verbose_name="YAML")),
                ("digest", models.CharField(max_length=64)),
                ("problems", models.JSONField(blank=True, default=list)),
                (
                    "based_on_version",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="started from version"),
                ),
                ("shipped_file", models.CharField(blank=True, max_length=200, verbose_name="shipped file")),
                ("created_at", models.DateTimeField(verbose_name="started")),
                ("saved_at", models.DateTimeField(verbose_name="saved")),
                ("revision", models.PositiveIntegerField(default=1)),
                ("published", models.BooleanField(default=False, verbose_name="published")),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="published")),
                (
                    "created_by",
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
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="workflow_versions",
                        to="core.operation",
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "saved_by",
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
                "verbose_name": "workflow version",
                "ordering": ["code", "-version"],
            },
        ),
        migrations.AddConstraint(
            model_name="workflowversion",
            constraint=models.UniqueConstraint(fields=("operation", "code", "version"), name="workflow_version_unique"),
        ),
        migrations.AddConstraint(
            model_name="workflowversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("published", False)), fields=("operation", "code"), name="one_workflow_draft"
            ),
        ),
        migrations.AddConstraint(
            model_name="workflowversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("published", False), ("published_at__isnull", False), _connector="OR"),
                name="published_workflow_has_a_date",
            ),
        ),
    ]
