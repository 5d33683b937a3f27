"""Data migration: who may export lists of people, and who may see counts of people (small cells suppressed).

person.export: the roles that see people and work with lists of them; not finance officers (payment lists come
from assistance) nor feedback focal points. person.aggregate: M&E officers, data officers and administrators
(docs/decisions/0016-registry-exports-and-aggregates.md).
"""

from django.db import migrations

EXPORT = ["registration_clerk", "caseworker", "claims_officer", "movement_officer", "data_officer",
          "data_protection_officer", "administrator"]
AGGREGATE = ["me_officer", "data_officer", "administrator"]
GRANTS = [(code, "person.export") for code in EXPORT] + [(code, "person.aggregate") for code in AGGREGATE]


def grant(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    roles = {role.code: role for role in Role.objects.all()}
    for code, permission in GRANTS:
        if code in roles:
            RoleGrant.objects.get_or_create(role=roles[code], permission=permission)


def ungrant(apps, schema_editor):
    RoleGrant = apps.get_model("core", "RoleGrant")
    RoleGrant.objects.filter(permission__in=["person.export", "person.aggregate"]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_grant_registry_permissions")]
    operations = [migrations.RunPython(grant, ungrant)]
