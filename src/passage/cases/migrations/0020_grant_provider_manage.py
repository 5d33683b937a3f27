"""Data migration: who keeps the directory of service providers (provider.manage): administrators.

Everyone who sees cases consults the directory to refer people; only those holding provider.manage add and edit
providers, their contacts and the accounts that work for them.
"""

from django.db import migrations

HOLDERS = ["administrator"]
PERMISSION = "provider.manage"


def grant(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    for role in Role.objects.filter(code__in=HOLDERS):
        RoleGrant.objects.get_or_create(role=role, permission=PERMISSION)


def ungrant(apps, schema_editor):
    RoleGrant = apps.get_model("core", "RoleGrant")
    RoleGrant.objects.filter(permission=PERMISSION).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0020_referrals"), ("core", "0003_seed_roles")]
    operations = [migrations.RunPython(grant, ungrant)]
