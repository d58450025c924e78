"""A GIN index for full-text search of provider profiles, on PostgreSQL only."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS providers_profile_search_gin "
            "ON providers_providerprofile USING gin (search_vector)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS providers_profile_search_gin")


class Migration(migrations.Migration):
    dependencies = [("providers", "0002_provider_mapping")]

    operations = [migrations.RunPython(create, drop)]
