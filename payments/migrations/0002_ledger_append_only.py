"""On PostgreSQL, the database itself refuses to change or delete a ledger line, whatever
code or person sends the statement. A correction is a new, reversing line.

TRUNCATE is left alone: it is what test runs use to empty the database between tests, and
it is not something the application ever does. SQLite gets the model-layer guard only,
because Django empties SQLite test databases with DELETE."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION payments_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Ledger lines are never changed or deleted; add a reversing line instead.'
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER payments_ledger_append_only
    BEFORE UPDATE OR DELETE ON payments_ledgerline
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS payments_ledger_append_only ON payments_ledgerline;
DROP FUNCTION IF EXISTS payments_ledger_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
