"""The database itself refuses to rewrite a claim's history."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION claims_claimevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'claim events are append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER claims_claimevent_no_update BEFORE UPDATE OR DELETE ON claims_claimevent
    FOR EACH ROW EXECUTE FUNCTION claims_claimevent_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS claims_claimevent_no_update ON claims_claimevent;
DROP FUNCTION IF EXISTS claims_claimevent_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER claims_claimevent_no_update BEFORE UPDATE ON claims_claimevent
BEGIN SELECT RAISE(ABORT, 'claim events are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS claims_claimevent_no_update;"


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_initial")]
    operations = [migrations.RunPython(up, down)]
