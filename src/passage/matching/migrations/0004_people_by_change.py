"""The live duplicate check asks, before each answer, which people of an operation changed since it last looked
(registry_person.updated_at at or after a mark): an index on (operation, updated_at) makes that a range scan
instead of a read of every person. It lives here, with the query that needs it, as raw SQL that leaves the
registry's model state alone (docs/decisions/0017-live-duplicate-check.md); the statement is the same on SQLite
and PostgreSQL."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_review_merges"),
        ("registry", "0010_import_duplicate_hold"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS person_by_change ON registry_person (operation_id, updated_at)",
            reverse_sql="DROP INDEX IF EXISTS person_by_change",
        ),
    ]
