"""Data migration: who sees cases and who works on them (case.view, case.manage).

Caseworkers, claims officers and movement officers take cases through their programme's procedure;
administrators see and manage them too (they reassign the cases of staff who leave). Finance officers see cases
(they approve grants and payments a workflow asks them to). Restricted cases stay with their named staff whatever
the role (docs/decisions/0019-case-sensitivity-and-named-staff.md).
"""

from django.db import migrations

MANAGERS = ["caseworker", "claims_officer", "movement_officer", "administrator"]
VIEWERS = [*MANAGERS, "finance_officer"]
PERMISSIONS = ["case.view", "case.manage"]


def grant(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    for role in Role.objects.filter(code__in=VIEWERS):
        RoleGrant.objects.get_or_create(role=role, permission="case.view")
    for role in Role.objects.filter(code__in=MANAGERS):
        RoleGrant.objects.get_or_create(role=role, permission="case.manage")


def ungrant(apps, schema_editor):
    RoleGrant = apps.get_model("core", "RoleGrant")
    RoleGrant.objects.filter(permission__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_cases_tasks_notes_documents"), ("core", "0003_seed_roles")]
    operations = [migrations.RunPython(grant, ungrant)]
