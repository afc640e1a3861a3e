"""PostgreSQL connections bind values on the server and prepare what they run often
(``claims_site/databases.py``), in production and in the tests alike."""

import pytest
from django.db import connection

from claims_site.databases import postgresql_options, prepare_threshold
from tests.site.test_settings import _run


def test_production_settings_prepare_statements_on_postgresql():
    code = (
        "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS'];"
        "print(o['server_side_binding'], o['prepare_threshold'])"
    )
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/claimdesk"}
    result = _run(["shell", "--no-imports", "-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True 5"
    # a pooler in transaction mode cannot keep prepared statements: the operator turns it off
    result = _run(
        ["shell", "--no-imports", "-c", code], {**env, "DATABASE_PREPARE_THRESHOLD": "off"}
    )
    assert result.stdout.strip().splitlines()[-1] == "True None"


@pytest.mark.parametrize(("value", "threshold"), [("5", 5), ("0", 0), ("off", None), ("", None)])
def test_prepare_threshold_from_the_environment(monkeypatch, value, threshold):
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", value)
    assert prepare_threshold() == threshold


def test_other_engines_are_left_as_they_are():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x", "OPTIONS": {"timeout": 20}}
    assert postgresql_options(dict(sqlite)) == sqlite


@pytest.mark.django_db
def test_the_tests_connection_prepares_a_statement_it_runs_often():
    # given: the tests' own connection, configured as production's
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    sql = "SELECT count(*) FROM claims_region WHERE code = %s AND id > %s"
    # when: one statement runs more often than the threshold, with other values each time
    with connection.cursor() as cursor:
        for n in range(7):
            cursor.execute(sql, ["US", n])
        # then: PostgreSQL holds it prepared, its values apart
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM claims_region WHERE code = $1 AND id > $2%"],
        )
        assert cursor.fetchone()[0] == 1
