"""Django for a benchmark run in this process: the test settings on a PostgreSQL database of
the benchmark's own (created here, dropped afterwards) and a temporary media folder.

Every benchmark names its databases through ``database_name``: ``BENCH_DB_SUFFIX`` (empty
unless set) is appended to each, so that a run with a suffix of its own (the smoke test,
tests/benchmarks/test_smoke.py) never creates, reuses or drops a database another run keeps
(``BENCH_KEEP=1``). ``BENCH_DB_TEMPLATE`` names an already migrated database each of them is
copied from (``create_database_sql``), so that the benchmark's own migration has nothing left
to do (the smoke test migrates once, not once per database)."""

import json
import os
import shutil
import tempfile
from collections.abc import Callable


def database_name(name: str) -> str:
    """``name`` with ``BENCH_DB_SUFFIX`` appended (nothing when it is not set)."""
    return name + os.environ.get("BENCH_DB_SUFFIX", "")


def create_database_sql(name: str) -> str:
    """``CREATE DATABASE name``, a copy of ``BENCH_DB_TEMPLATE`` when it is set."""
    template = os.environ.get("BENCH_DB_TEMPLATE")
    return f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")


def django_setup(*, database: str) -> str:
    """Configure and set up Django on ``database_name(database)``; returns the media folder
    (removed by ``run_and_print``)."""
    database = database_name(database)
    media = tempfile.mkdtemp(prefix=f"{database}-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "claims_site.settings.test"
    os.environ["TEST_DATABASE_NAME"] = database
    os.environ["MEDIA_ROOT"] = media
    import django

    django.setup()
    return media


def run_and_print(run: Callable[[], dict], *, media: str) -> None:
    """Create the database, run the benchmark, drop the database, print the result as JSON."""
    from django.db import connection, connections
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    if os.environ.get("BENCH_DB_TEMPLATE"):
        connection.settings_dict["TEST"]["TEMPLATE"] = os.environ["BENCH_DB_TEMPLATE"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        result = run()
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        shutil.rmtree(media, ignore_errors=True)
    print(json.dumps(result))
