"""Data migration: administrators and data officers may load administrative areas and manage sites."""

from django.db import migrations

GRANTS = [("administrator", "location.manage"), ("data_officer", "location.manage")]


def grant(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    for code, permission in GRANTS:
        role = Role.objects.filter(code=code).first()
        if role is not None:
            RoleGrant.objects.get_or_create(role=role, permission=permission)


def ungrant(apps, schema_editor):
    RoleGrant = apps.get_model("core", "RoleGrant")
    for code, permission in GRANTS:
        RoleGrant.objects.filter(role__code=code, permission=permission).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_seed_roles")]
    operations = [migrations.RunPython(grant, ungrant)]
