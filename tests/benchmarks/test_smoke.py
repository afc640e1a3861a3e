"""Every benchmark in benchmarks/ runs once at tiny sizes: it still starts, loads its data, does
its work and prints its JSON line. No figure or ratio is checked (performance is what
`make bench` measures); what is checked is that the script works, so a schema change that
breaks a benchmark's data loading fails here, not weeks later in `make bench`.

Each script runs as `make bench` runs it (``python benchmarks/<name>.py`` from the project
root), with the BENCH_* knobs of SMOKE_SIZES and none of the developer's own (BENCH_KEEP,
BENCH_REUSE, database URLs). Its databases get a suffix of this test run's own
(``BENCH_DB_SUFFIX``: the test database's name, unique per checkout and per xdist worker), so
a kept ``bench_staff_load`` is never touched, and whatever carries the suffix is dropped
afterwards, whether the script got to drop it or not. Migrating takes most of a tiny run, so
each test process migrates one template database and the scripts copy it
(``BENCH_DB_TEMPLATE``); their own ``migrate`` still runs, with nothing left to do."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.support.workers import RedisServer

ROOT = Path(__file__).resolve().parents[2]
# The PostgreSQL server the benchmarks use unless told otherwise (their BENCH_* URLs' default).
SERVER = "postgres://postgres@127.0.0.1:5432"
# Discovered, so that a new benchmark is run here without anyone remembering to add it.
BENCHMARKS = sorted(
    path.stem for path in (ROOT / "benchmarks").glob("*.py") if not path.stem.startswith("_")
)
# The smallest sizes each benchmark runs at (its docstring lists its knobs).
SMOKE_SIZES = {
    "api_ingest": {"BENCH_LINES": "200", "BENCH_ROUNDS": "1"},
    "customer_submit": {
        "BENCH_SUBMISSIONS": "1",
        "BENCH_PAGE_REQUESTS": "2",
        "BENCH_PHOTO_PIXELS": "400x300",
    },
    "escalation": {"BENCH_CLAIMS": "100", "BENCH_ROUNDS": "1"},
    "fraud_scoring": {"BENCH_SIZES": "30,60", "BENCH_RUNS": "2", "BENCH_WARMUP": "1"},
    "outage": {"BENCH_THREADS": "2", "BENCH_PER_THREAD": "1", "BENCH_ROUNDS": "2"},
    "payouts": {
        "BENCH_SIZES": "10",  # one size: each size's round starts two Celery workers
        "BENCH_SMALL_ROUNDS": "1",
        "BENCH_HISTORY": "10",
        "BENCH_WARM_UP": "4",
    },
    "queue": {"BENCH_SMALL": "50", "BENCH_LARGE": "100", "BENCH_RUNS": "1"},
    "search": {"BENCH_SMALL": "50", "BENCH_LARGE": "100", "BENCH_RUNS": "1"},
    "staff_load": {
        "BENCH_LARGE": "100",
        "BENCH_SECONDS": "1",
        "BENCH_WARM_SECONDS": "1",
        "BENCH_ROUNDS": "1",
        "BENCH_CLIENTS": "2",
        "BENCH_WORKERS": "1",
        "BENCH_CPU_REQUESTS": "2",
    },
    "webhooks": {"BENCH_SIZES": "10,20", "BENCH_SMALL_ROUNDS": "1", "BENCH_WARM_UP": "4"},
}
TIMEOUT = 900  # seconds; a tiny run takes well under a minute


def _suffix() -> str:
    """``_smoke_<test database>``, e.g. ``_smoke_test_claimdesk_gw0``: unique per checkout
    (TEST_DATABASE_NAME) and per xdist worker, as the test database itself is. Hashed when
    long: PostgreSQL cuts names at 63 characters."""
    name = settings.DATABASES["default"]["TEST"]["NAME"]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and not name.endswith(f"_{worker}"):  # pytest-django adds it once a test needs db
        name = f"{name}_{worker}"
    if len(name) > 24:
        name = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"_smoke_{name}"


def _template_name() -> str:
    return f"bench_template{_suffix()}"


def _smoke_databases(suffix: str) -> list[str]:
    """The databases of this test process's benchmark runs (not its template)."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        names = [name for (name,) in conn.execute("SELECT datname FROM pg_database").fetchall()]
    return sorted(
        name
        for name in names
        if name.startswith("bench_") and name.endswith(suffix) and name != _template_name()
    )


def _drop(names: list[str]) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def template():
    """A migrated database the benchmarks' databases are copies of, one per test process."""
    name = _template_name()
    _drop([name])
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        migrated = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "claims_site.settings.test",
                "DATABASE_URL": f"{SERVER}/{name}",
            },
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert migrated.returncode == 0, f"migrating {name} failed:\n{_tail(migrated.stderr)}"
        yield name
    finally:
        _drop([name])


def _run(name: str, env: dict[str, str]) -> tuple[int, str, str, float]:
    """The script's exit code, stdout, stderr and seconds. On timeout, or when the test run
    is interrupted, it gets SIGINT (its ``finally`` blocks stop its workers and servers and
    drop its databases), then SIGKILL."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, f"benchmarks/{name}.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except BaseException as exc:  # the timeout, or Ctrl-C (the script has a session of its own)
        os.killpg(process.pid, signal.SIGINT)
        try:
            stdout, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
        if not isinstance(exc, subprocess.TimeoutExpired):
            raise
        stderr += f"\n[smoke test: interrupted after {TIMEOUT} s]"
    return process.returncode, stdout, stderr, time.monotonic() - started


def _tail(text: str, chars: int = 4000) -> str:
    return text[-chars:] if text.strip() else "(empty)"


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_runs_at_tiny_sizes(name, template):
    assert name in SMOKE_SIZES, (
        f"benchmarks/{name}.py has no tiny sizes: add its BENCH_* knobs to SMOKE_SIZES in "
        "tests/benchmarks/test_smoke.py (and to its docstring)"
    )
    # Before anything runs: a script that creates or drops a database by a name of its own
    # making would ignore BENCH_DB_SUFFIX, and could drop a developer's kept database.
    source = (ROOT / "benchmarks" / f"{name}.py").read_text()
    manages = re.search(r"(CREATE|DROP) DATABASE|create_database_sql\(", source)
    assert not manages or "database_name(" in source, (
        f"benchmarks/{name}.py creates or drops databases: name them through "
        "benchmarks._testdb.database_name (BENCH_DB_SUFFIX) and create_database_sql"
    )
    suffix = _suffix()
    _drop(_smoke_databases(suffix))  # what a killed run of this checkout may have left
    redis = RedisServer()  # staff_load's sessions and cache, away from everyone's DB 13
    redis.start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("BENCH_")}
    env.update(
        SMOKE_SIZES[name],
        BENCH_DB_SUFFIX=suffix,
        BENCH_DB_TEMPLATE=template,
        BENCH_REDIS_URL=redis.url,
        DATABASE_URL=f"{SERVER}/postgres",
    )
    try:
        code, stdout, stderr, seconds = _run(name, env)
    finally:
        redis.close()
        left = _smoke_databases(suffix)
        _drop(left)
    print(f"{name}: {seconds:.1f} s")
    failed = f"benchmarks/{name}.py, {seconds:.0f} s; stderr ends:\n{_tail(stderr)}"
    assert code == 0, f"exit code {code}: {failed}"
    lines = stdout.strip().splitlines()
    assert lines, f"no output: {failed}"
    try:
        result = json.loads(lines[-1])
    except json.JSONDecodeError:
        pytest.fail(f"the last line is not JSON: {lines[-1][:500]!r}; {failed}")
    assert result.get("bench") == name, f"bench is {result.get('bench')!r}: {failed}"
    assert isinstance(result.get("figures"), dict), f"no figures: {failed}"
    assert isinstance(result.get("ratios"), dict), f"no ratios: {failed}"
    assert isinstance(result.get("targets"), dict), f"no targets: {failed}"
    unmeasured = set(result["targets"]) - set(result["ratios"])
    assert not unmeasured, f"targets with no ratio: {sorted(unmeasured)}: {failed}"
    assert not left, f"databases left behind: {left}: {failed}"
