"""What every process asks of a PostgreSQL connection, in one place for the settings of every
environment (production's ``base`` and the tests', which read their own ``DATABASE_URL``).

Server-side binding with prepared statements: the query goes to PostgreSQL with its values
apart (``$1``), and a statement a connection has run five times is prepared on it, so that
PostgreSQL parses and plans it once per connection instead of on every request. The
workspace's claim query joins ten tables, and planning it cost PostgreSQL 4 to 5 ms of every
workspace request against 0.3 ms to run it (issue 13's ``staff_load``). PostgreSQL keeps
planning a statement for its values (a custom plan) where a plan for any value would cost more,
as for the search's ``LIKE``, which therefore keeps its trigram index.

``DATABASE_PREPARE_THRESHOLD``: the runs after which a statement is prepared (psycopg's
``prepare_threshold``); ``off`` prepares none, for a pooler in transaction mode that cannot
keep prepared statements (PgBouncer before 1.21, or without ``max_prepared_statements``).
"""

from claims_site.env import env


def prepare_threshold() -> int | None:
    value = env("DATABASE_PREPARE_THRESHOLD", default="5").strip().lower()
    return None if value in ("off", "none", "") else int(value)


def postgresql_options(database: dict) -> dict:
    """``database`` (one entry of ``DATABASES``) with the connection options above, when it is
    PostgreSQL; any other engine is returned as it is."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    options = database.setdefault("OPTIONS", {})
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", prepare_threshold())
    return database
