"""Data migration: who manages reparation claims (claim.manage) — claims officers and administrators.

Managing covers filing claims, the violations claimed, evidence, completeness checks, deficiency notices and
withdrawals, and the violation registry (categories, events, verification sources). Who sees a claim is who
sees its case (case.view, and for a restricted case being named on it): no separate permission to read.
"""

from django.db import migrations

MANAGERS = ["claims_officer", "administrator"]
PERMISSIONS = ["claim.manage"]


def grant(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    for role in Role.objects.filter(code__in=MANAGERS):
        RoleGrant.objects.get_or_create(role=role, permission="claim.manage")


def ungrant(apps, schema_editor):
    RoleGrant = apps.get_model("core", "RoleGrant")
    RoleGrant.objects.filter(permission__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial"), ("core", "0003_seed_roles")]
    operations = [migrations.RunPython(grant, ungrant)]
