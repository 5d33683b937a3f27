"""Search names gain the spelling keys of their Latin words (recomputed for every person, in batches); on
PostgreSQL a trigram index lets "contains" searches use an index instead of reading every person."""

from django.db import migrations

from passage.registry.names import search_names_of

BATCH = 5000


def recompute(apps, schema_editor):
    person_model = apps.get_model("registry", "Person")
    fields = [
        "id",
        "given_name",
        "father_name",
        "grandfather_name",
        "family_name",
        "full_name",
        "given_name_latin",
        "father_name_latin",
        "grandfather_name_latin",
        "family_name_latin",
        "full_name_latin",
        "other_names",
        "search_names",
    ]
    batch = []
    for person in person_model.objects.only(*fields).iterator(chunk_size=BATCH):
        person.search_names = search_names_of(person)
        batch.append(person)
        if len(batch) == BATCH:
            person_model.objects.bulk_update(batch, ["search_names"])
            batch = []
    person_model.objects.bulk_update(batch, ["search_names"])


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_search_names_trgm ON registry_person USING gin (search_names gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_search_names_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_person_status_consent_withdrawal")]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
