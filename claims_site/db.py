"""Hot reads whose SQL is written once per process instead of on every call.

Django compiles a queryset into SQL on every evaluation. For a five-table ``select_related``
that is about 0.8 ms of Python, more than PostgreSQL spends planning and running it, and on a
page that otherwise only renders a template it is most of the request. A ``FixedJoin`` is the
same SELECT Django would write, built from the models' metadata on first use and then only run
with new parameters; the row becomes the same model instances, each related object cached on
its parent exactly as ``select_related`` would, so callers and templates see no difference and
trigger no further query.

Use it only for a read that is on a hot path and never changes shape; everything else goes
through the ORM.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


@dataclass(frozen=True)
class Related:
    """A row joined through a foreign key: ``parent.field`` points at it."""

    alias: str
    parent: str  # the alias of the instance the foreign key is on
    field: str  # the foreign key's name on the parent model


@dataclass(frozen=True)
class _Part:
    alias: str
    model: type[Model]
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, Callable, Any], ...]  # (column in the part, converter, column)
    parent: int | None  # index of the parent part
    field: Any  # the parent's ForeignKey, whose cache receives this instance


class FixedJoin:
    """``SELECT`` every column of ``model`` and of each related row, inner-joined.

    ``where`` is SQL over the aliases with ``%s`` placeholders, for example
    ``"l.id = %s AND o.customer_id = %s"``. Every foreign key followed must be non-null (inner
    joins, one row per base row), and the condition must match at most one row.
    """

    def __init__(self, model: type[Model], alias: str, related: Sequence[Related], where: str):
        self.model = model
        self.alias = alias
        self.related = tuple(related)
        self.where = where
        self._compiled: dict[str, tuple[str, tuple[_Part, ...]]] = {}

    def _compile(self, using: str) -> tuple[str, tuple[_Part, ...]]:
        """The SQL and the row layout for one database (converters differ by backend)."""
        connection = connections[using]
        parts = [self._part(connection, self.alias, self.model, None, None)]
        index = {self.alias: 0}
        for rel in self.related:
            parent = index[rel.parent]
            field = parts[parent].model._meta.get_field(rel.field)
            if not field.many_to_one or field.null:
                raise ValueError(f"{rel.parent}.{rel.field} is not a non-null foreign key")
            index[rel.alias] = len(parts)
            parts.append(self._part(connection, rel.alias, field.related_model, parent, field))
        quote = connection.ops.quote_name
        columns = [
            f"{p.alias}.{quote(f.column)}" for p in parts for f in p.model._meta.concrete_fields
        ]
        sql = [f"SELECT {', '.join(columns)}"]
        sql.append(f"FROM {quote(self.model._meta.db_table)} {self.alias}")
        for p in parts[1:]:
            parent = parts[p.parent]
            sql.append(
                f"INNER JOIN {quote(p.model._meta.db_table)} {p.alias} "
                f"ON {p.alias}.{quote(p.field.target_field.column)} = "
                f"{parent.alias}.{quote(p.field.column)}"
            )
        sql.append(f"WHERE {self.where}")
        return " ".join(sql), tuple(parts)

    @staticmethod
    def _part(connection, alias: str, model: type[Model], parent: int | None, field) -> _Part:
        fields = model._meta.concrete_fields
        converters = []
        for i, f in enumerate(fields):
            column = f.get_col(alias)
            # The backend's converters first, then the field's: the order Django applies them.
            backend = connection.ops.get_db_converters(column)
            converters += [(i, c, column) for c in backend + column.get_db_converters(connection)]
        attnames = tuple(f.attname for f in fields)
        return _Part(alias, model, attnames, tuple(converters), parent, field)

    def sql(self, using: str = DEFAULT_DB_ALIAS) -> str:
        if using not in self._compiled:
            self._compiled[using] = self._compile(using)
        return self._compiled[using][0]

    def get(self, params: Sequence[Any], using: str = DEFAULT_DB_ALIAS) -> Model | None:
        """The one matching row as a ``model`` instance with its related rows cached, or None."""
        sql = self.sql(using)
        parts = self._compiled[using][1]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            rows = cursor.fetchmany(2)
        if not rows:
            return None
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned(f"{self.where} matched more than one row")
        row, start, instances = rows[0], 0, []
        for part in parts:
            values = list(row[start : start + len(part.attnames)])
            start += len(part.attnames)
            for i, converter, column in part.converters:
                values[i] = converter(values[i], column, connection)
            instance = part.model.from_db(using, part.attnames, values)
            if part.parent is not None:
                part.field.set_cached_value(instances[part.parent], instance)
            instances.append(instance)
        return instances[0]
