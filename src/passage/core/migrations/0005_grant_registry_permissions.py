"""Data migration: who may see the registry, register people, and see documents and phones unmasked."""

from django.db import migrations

VIEW = ["registration_clerk", "caseworker", "claims_officer", "finance_officer", "movement_officer", "data_officer",
        "feedback_focal_point", "data_protection_officer", "administrator"]
REGISTER = ["registration_clerk", "caseworker", "claims_officer", "movement_officer", "administrator"]
SENSITIVE = ["registration_clerk", "caseworker", "claims_officer", "movement_officer", "data_protection_officer",
             "administrator"]
GRANTS = ([(code, "person.view") for code in VIEW] + [(code, "person.register") for code in REGISTER]
          + [(code, "person.view_sensitive") for code in SENSITIVE])


def grant(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    roles = {role.code: role for role in Role.objects.all()}
    for code, permission in GRANTS:
        if code in roles:
            RoleGrant.objects.get_or_create(role=roles[code], permission=permission)


def ungrant(apps, schema_editor):
    RoleGrant = apps.get_model("core", "RoleGrant")
    RoleGrant.objects.filter(permission__in=["person.view", "person.register", "person.view_sensitive"]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0004_grant_location_manage")]
    operations = [migrations.RunPython(grant, ungrant)]
