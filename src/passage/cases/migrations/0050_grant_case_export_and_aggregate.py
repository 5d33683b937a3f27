"""Data migration: who exports lists of cases (case.export) and who counts them (case.aggregate).

Those who work cases — caseworkers, claims officers, movement officers and administrators — export the cases they
may see. They count cases too, as do M&E officers and data protection officers, who may count cases they may not
see one by one; a restricted case is in nobody's counts (docs/decisions/0019-case-sensitivity-and-named-staff.md).
"""

from django.db import migrations

EXPORTERS = ["caseworker", "claims_officer", "movement_officer", "administrator"]
COUNTERS = [*EXPORTERS, "me_officer", "data_protection_officer"]
PERMISSIONS = ["case.export", "case.aggregate"]


def grant(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    for role in Role.objects.filter(code__in=EXPORTERS):
        RoleGrant.objects.get_or_create(role=role, permission="case.export")
    for role in Role.objects.filter(code__in=COUNTERS):
        RoleGrant.objects.get_or_create(role=role, permission="case.aggregate")


def ungrant(apps, schema_editor):
    RoleGrant = apps.get_model("core", "RoleGrant")
    RoleGrant.objects.filter(permission__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0020_grant_provider_manage"), ("core", "0003_seed_roles")]
    operations = [migrations.RunPython(grant, ungrant)]
