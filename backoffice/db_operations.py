"""Migration operations that only PostgreSQL runs (SQLite, the embedded default, skips them).

The search's trigram indexes (``pg_trgm`` GIN, over ``UPPER(column)`` as Django's
``icontains`` compares on PostgreSQL) exist only in the database: they are not in any model's
``Meta.indexes``, so SQLite never sees them, in a migration or when it rebuilds a table.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db.migrations.operations.base import Operation
from django.db.models.functions import Upper


def trigram_index(name: str, column: str, *, upper: bool = True) -> GinIndex:
    expression = Upper(column) if upper else column
    return GinIndex(OpClass(expression, name="gin_trgm_ops"), name=name)


class AddIndexOnPostgres(Operation):
    """``AddIndexConcurrently`` on PostgreSQL (no write lock on a big table; the migration must
    be ``atomic = False``), nothing elsewhere. The index stays out of the migration state."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, model: str, index: GinIndex):
        self.model = model  # "app_label.ModelName"
        self.index = index

    def state_forwards(self, app_label, state):
        pass

    def _run(self, schema_editor, to_state, method: str) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(self.model)
        getattr(schema_editor, method)(model, self.index, concurrently=True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(schema_editor, to_state, "add_index")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(schema_editor, from_state, "remove_index")

    def describe(self) -> str:
        return f"Create index {self.index.name} on {self.model} (PostgreSQL only)"

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model, self.index], {})


class TrigramExtensionOnPostgres(TrigramExtension):
    """``CREATE EXTENSION IF NOT EXISTS pg_trgm``; Django's own operation skips other
    databases going forwards but asks ``pg_extension`` going backwards, which SQLite lacks."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
