"""Data migration: the default roles and what each may do (administrators may change them later)."""

from django.db import migrations

# Frozen copy of passage.core.roles.DEFAULT_ROLES at the time of this migration.
ROLES = [
    ('registration_clerk', 'Registration clerk', 'Registers people and households, records consent', False,
     ['operation.view', 'job.run']),
    ('caseworker', 'Caseworker', 'Moves protection, counter-trafficking and return cases through their procedure', False,
     ['operation.view', 'job.run']),
    ('claims_officer', 'Claims officer', 'Takes in reparation claims, checks evidence, decides with reasons', False,
     ['operation.view', 'job.run']),
    ('finance_officer', 'Finance officer', 'Plans assistance, approves entitlements, sends and reconciles payments', False,
     ['operation.view', 'job.run']),
    ('movement_officer', 'Movement officer', 'Health clearance, orientation, bookings, manifests, departures and arrivals', False,
     ['operation.view', 'job.run']),
    ('data_officer', 'Data officer', 'Displacement tracking rounds, flow monitoring, HXL datasets', False,
     ['operation.view', 'job.run', 'job.view_all']),
    ('me_officer', 'M&E officer', 'Dashboards, indicators against targets, donor reports', False,
     ['operation.view', 'job.run', 'job.view_all']),
    ('feedback_focal_point', 'Feedback focal point', 'Complaints and feedback, routes sensitive ones to restricted staff', False,
     ['operation.view', 'job.run']),
    ('data_protection_officer', 'Data protection officer', 'Consent, access logs, retention, data-sharing agreements, subject requests', True,
     ['operation.view', 'job.run', 'job.view_all', 'audit.view', 'audit.verify']),
    ('administrator', 'Administrator', 'Offices, programmes, users and roles, forms, workflows', True,
     ['operation.view', 'job.run', 'job.view_all', 'operation.manage', 'programme.manage', 'user.manage']),
]


def seed(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    for code, name, description, two_factor, permissions in ROLES:
        role, created = Role.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "requires_two_factor": two_factor}
        )
        if created:
            RoleGrant.objects.bulk_create(RoleGrant(role=role, permission=p) for p in permissions)


def unseed(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    Role.objects.filter(code__in=[code for code, *_ in ROLES], memberships__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(seed, unseed)]
