"""The database itself keeps the ledger honest.

PostgreSQL: ledger transactions, entries and payee events are append-only (UPDATE and DELETE
refused), and a deferred constraint trigger checks at commit that every transaction touched has
entries, that its debits equal its credits and its header amount, and that all its entries are
in its currency. SQLite (the embedded default): updates and deletes refused.
"""

from django.db import migrations

TABLES = ["payouts_ledgertransaction", "payouts_ledgerentry", "payouts_payeeevent"]

PG_UP = """
CREATE OR REPLACE FUNCTION payouts_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION payouts_append_only();
"""
    for t in TABLES
) + """
CREATE OR REPLACE FUNCTION payouts_ledger_balanced() RETURNS trigger AS $$
DECLARE
    tx_id bigint;
    tx_amount bigint;
    tx_currency varchar;
    debits bigint;
    credits bigint;
    mixed integer;
BEGIN
    IF TG_TABLE_NAME = 'payouts_ledgerentry' THEN
        tx_id := NEW.transaction_id;
    ELSE
        tx_id := NEW.id;
    END IF;
    SELECT amount_minor, currency INTO tx_amount, tx_currency
        FROM payouts_ledgertransaction WHERE id = tx_id;
    SELECT COALESCE(SUM(debit_minor), 0), COALESCE(SUM(credit_minor), 0),
           COUNT(*) FILTER (WHERE currency <> tx_currency)
        INTO debits, credits, mixed
        FROM payouts_ledgerentry WHERE transaction_id = tx_id;
    IF debits = 0 OR debits <> credits OR debits <> tx_amount OR mixed > 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance (debits %, credits %, amount %)',
            tx_id, debits, credits, tx_amount
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER payouts_ledgertransaction_balanced
    AFTER INSERT ON payouts_ledgertransaction DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payouts_ledger_balanced();
CREATE CONSTRAINT TRIGGER payouts_ledgerentry_balanced
    AFTER INSERT ON payouts_ledgerentry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payouts_ledger_balanced();
"""
PG_DOWN = (
    "".join(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in TABLES)
    + """
DROP TRIGGER IF EXISTS payouts_ledgertransaction_balanced ON payouts_ledgertransaction;
DROP TRIGGER IF EXISTS payouts_ledgerentry_balanced ON payouts_ledgerentry;
DROP FUNCTION IF EXISTS payouts_ledger_balanced();
DROP FUNCTION IF EXISTS payouts_append_only();
"""
)
SQLITE_UP = [
    f"CREATE TRIGGER {t}_no_{op} BEFORE {op.upper()} ON {t} "
    f"BEGIN SELECT RAISE(ABORT, '{t} rows are append-only'); END;"
    for t in TABLES
    for op in ("update", "delete")
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {t}_no_{op};" for t in TABLES for op in ("update", "delete")]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("payouts", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
