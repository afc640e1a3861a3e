"""Django for a benchmark run in this process: the test settings on a PostgreSQL database of
the benchmark's own (created here, dropped afterwards) and a temporary media folder."""

import json
import os
import shutil
import tempfile
from collections.abc import Callable


def django_setup(*, database: str) -> str:
    """Configure and set up Django; returns the media folder (removed by ``run_and_print``)."""
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
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        result = run()
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        shutil.rmtree(media, ignore_errors=True)
    print(json.dumps(result))
