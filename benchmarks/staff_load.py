"""Benchmark `staff_load`: staff pages under 32 concurrent clients, beside a static file.

Run: `make bench ONLY=staff_load` (or `.venv/bin/python benchmarks/staff_load.py`). Needs the
PostgreSQL and Redis of `make test`; creates and drops its own database `bench_staff_load`,
loaded with 1,000,000 claims by the `queue` benchmark's set-based SQL.

One gunicorn (the production server as deploy/systemd ships it: 4 sync workers, or
BENCH_WORKERS) on loopback serves, in one run:
- a static file (whitenoise, collected as in production): the server's own ceiling;
- the staff queue, default view;
- a claim's workspace (the newest claim);
- a search request: the header's search box by a customer's e-mail (BENCH_SEARCH_PATH
  replaces it).
32 connections (wrk, BENCH_CLIENTS) keep one request each in flight for BENCH_SECONDS per
phase (the load is bounded in time, not in requests). The phases alternate with the static
file (static, queue, static, workspace, static, search, static, queue, ...) for BENCH_ROUNDS
rounds, so each page's phase is compared with the static phases just before and after it, in
the same noise; the ratio reported is the median of the rounds' ratios. Prints one JSON line:
throughput, p50 and p99 per page and phase, and the ratios per round and their median.

Before the server starts, the same process times what one request of each page costs in Python
(CPU time, ``time.process_time``, through Django's test client on the same database and cache,
BENCH_CPU_REQUESTS requests a page after a warm-up), beside two reference requests of the same
signed-in supervisor: an empty notifications page (the staff layout and nothing else) and an
empty seller suggestion (the middleware, the session and the permission check, no layout). With
the static file's throughput this gives ``cpu_budget_ms``: the CPU a page request may use, all
processes of the machine together, for the page to reach 1/30 of the static file
(``cpus * 1000 / (static_rps / 30)``).

BENCH_KEEP=1 keeps the database afterwards; BENCH_REUSE=1 uses a kept one without reloading.
Smaller runs: BENCH_LARGE (1,000,000 claims), BENCH_SECONDS (10, whole seconds), BENCH_ROUNDS
(3), BENCH_CLIENTS (32), BENCH_WORKERS (4), BENCH_WARM_SECONDS (3: wrk on each page before the
phases). BENCH_REDIS_URL is the sessions' and cache's Redis (redis://127.0.0.1:6379/13);
BENCH_DB_SUFFIX is appended to the database's name (see benchmarks/_testdb.py, and for
BENCH_DB_TEMPLATE).
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from benchmarks._testdb import create_database_sql, database_name  # noqa: E402

DB = database_name("bench_staff_load")
os.environ["BENCH_DATABASE_URL"] = os.environ.get(
    "BENCH_STAFF_LOAD_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB}"
)
from benchmarks import queue as queue_bench  # noqa: E402 - its data building, on this database

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks._staff_load_settings"

LARGE = int(os.environ.get("BENCH_LARGE", "1000000"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
REUSE = os.environ.get("BENCH_REUSE") == "1"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CPU_REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", "60"))
# The shipped web server: deploy/systemd/claimdesk-web.service runs gunicorn with 4 workers.
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
WRK_THREADS = 2
WARM_SECONDS = float(os.environ.get("BENCH_WARM_SECONDS", "3"))
STATIC_PATH = "/static/css/backoffice.css"
# The pages measured against the static file, in the order of each round.
PAGES = ("queue", "workspace", "search")
# The header search (backoffice/search.py) by a customer's e-mail: customer 4242's twenty claims
# (no other e-mail contains it), one results page.
SEARCH_TERM = "c4242@bench.test"
TARGET = 1 / 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the load: wrk (Debian's `wrk`, installed by .ci/bench-tools.sh) ------------------------

# wrk's summary as one JSON line (its Lua `done` hook), read back by ``load``.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d,'
    .. ' "error_kinds": [%d, %d, %d, %d, %d]}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def check(port: int, path: str, cookie: str) -> None:
    """The page answers 200 with this session (wrk counts a redirect to sign-in as a success)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")


def load(port: int, path: str, cookie: str, seconds: float) -> dict:
    """``CLIENTS`` concurrent connections on ``path`` for ``seconds`` (bounded in time)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        done = subprocess.run(
            ["wrk", "-t", str(WRK_THREADS), "-c", str(CLIENTS), "-d", f"{round(seconds)}s",
             "--timeout", "30s", "-s", script.name, "-H", f"Cookie: {cookie}",
             f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
    return json.loads(line[4:])


# --- the server and its data ----------------------------------------------------------------


def prepare() -> dict:
    """Create, migrate and load the database (unless reused); returns what the load needs."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client

    from claims import roles
    from claims.models import Region, StaffProfile

    loaded = 0
    if REUSE:
        try:
            loaded = queue_bench._scalar("SELECT count(*) FROM claims_claim")
        except Exception:  # noqa: BLE001 - no such database or table: load it
            loaded = 0
    if loaded != LARGE:
        from django.db import connections

        connections.close_all()
        queue_bench._admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        queue_bench._admin(create_database_sql(DB))
        call_command("migrate", verbosity=0)
        queue_bench.load_reference_data()
        definitions = queue_bench.indexes_drop()
        queue_bench.load_claims(1, LARGE)
        queue_bench.indexes_create(definitions)
        queue_bench.vacuum()
    else:
        call_command("migrate", verbosity=0)  # indexes this branch adds to a kept database
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    # Need-to-know (claims.scope): a supervisor for every region, or the pages show no claim.
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    profile.regions.set(Region.objects.all())
    client = Client()
    client.force_login(user)  # a session row; the server reads it like any other
    claim = queue_bench._scalar("SELECT max(id) FROM claims_claim")
    return {
        "client": client,
        "cookie": f"sessionid={client.cookies['sessionid'].value}",
        "claims": queue_bench._scalar("SELECT count(*) FROM claims_claim"),
        "paths": {
            "static": STATIC_PATH,
            "queue": "/staff/",
            "workspace": f"/staff/claims/{claim}/",
            "search": os.environ.get(
                "BENCH_SEARCH_PATH", "/staff/search/?" + urlencode({"q": SEARCH_TERM})
            ),
        },
    }


# The two reference requests of the CPU figures: the staff layout around an empty list (the
# bench user has no notification), and a signed-in staff request answered with an empty
# fragment (a suggestion for fewer than two letters reads nothing).
REFERENCES = {
    "layout_only": "/staff/notifications/",
    "signed_in_only": "/staff/suggest/sellers/?seller=",
}


def python_cpu(client, paths: dict[str, str]) -> dict[str, float]:
    """Milliseconds of this process's CPU per request, page by page, through the test client
    (no server, no network: what Django itself spends on the page)."""
    figures = {}
    for name, path in paths.items():
        for _ in range(5):
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        started = time.process_time()
        for _ in range(CPU_REQUESTS):
            client.get(path)
        figures[name] = round((time.process_time() - started) / CPU_REQUESTS * 1000, 2)
    return figures


def serve(static_root: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "STATIC_ROOT": static_root, "DATABASE_URL": os.environ["DATABASE_URL"]}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "claims_site.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--backlog", "256", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def measure(port: int, paths: dict[str, str], cookie: str) -> dict[str, list[dict]]:
    """Every page between two phases of the static file, round after round::

        static, queue, static, workspace, static, search, static, queue, static, ...

    so that each page's throughput is compared with the static file's measured just before and
    just after it, in the same noise (``ratio_runs``)."""
    results: dict[str, list[dict]] = {name: [] for name in paths}

    def phase(name: str) -> None:
        results[name].append(load(port, paths[name], cookie, SECONDS))
        # When wrk stops, up to CLIENTS requests are still queued at the server (gunicorn's
        # sync workers serve them although the client left): one more request, answered only
        # once they are done, keeps that work out of the next phase.
        check(port, paths["static"], cookie)

    phase("static")
    for _ in range(ROUNDS):
        for name in PAGES:
            phase(name)
            phase("static")
    return results


def rps(run: dict) -> float:
    return (run["requests"] - run["errors"]) / (run["duration_us"] / 1e6)


def ratio_runs(results: dict[str, list[dict]], name: str) -> list[float]:
    """Per round: the page's throughput over the mean of the static phases either side of it.
    The static phases are shared in order: the k-th phase of page i (of len(PAGES)) sits
    between static phases k * len(PAGES) + i and the next one."""
    statics = [rps(run) for run in results["static"]]
    i = PAGES.index(name)
    ratios = []
    for k, run in enumerate(results[name]):
        before, after = statics[k * len(PAGES) + i], statics[k * len(PAGES) + i + 1]
        ratios.append(rps(run) / ((before + after) / 2))
    return ratios


def main() -> None:
    started = time.perf_counter()
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    setup = prepare()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env={**os.environ, "STATIC_ROOT": static_root}, check=True,
    )  # fmt: skip
    pages = {name: setup["paths"][name] for name in PAGES}
    cpu = python_cpu(setup["client"], {**pages, **REFERENCES})
    from django.db import connections

    connections.close_all()
    server, port = serve(static_root)
    load_before = os.getloadavg()[0]
    try:
        for path in setup["paths"].values():  # warm every worker on every page
            check(port, path, setup["cookie"])
            got = load(port, path, setup["cookie"], WARM_SECONDS)
            assert not got["errors"], (path, got)
        results = measure(port, setup["paths"], setup["cookie"])
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["rm", "-rf", static_root], check=False)
        if not KEEP:
            queue_bench._admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    figures: dict = {
        "claims_loaded": setup["claims"],
        "clients": CLIENTS,
        "gunicorn_workers": WORKERS,
        "seconds_per_phase": SECONDS,
        "rounds": ROUNDS,
        "cpus": os.cpu_count(),
        # The machine's 1-minute load average as the measuring began and as it ended (the
        # benchmark's own server and wrk count in the second).
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "paths": setup["paths"],
        # What one request costs in Python (ms of CPU, one process, test client).
        "python_cpu_ms": cpu,
    }
    for name, runs in results.items():
        ok = sum(run["requests"] - run["errors"] for run in runs)
        figures[f"{name}_rps"] = round(ok / sum(run["duration_us"] / 1e6 for run in runs), 1)
        # per phase (wrk gives percentiles, which do not add up across phases)
        figures[f"{name}_rps_runs"] = [round(rps(run), 1) for run in runs]
        figures[f"{name}_p50_ms"] = [round(run["p50_us"] / 1000, 1) for run in runs]
        figures[f"{name}_p99_ms"] = [round(run["p99_us"] / 1000, 1) for run in runs]
        figures[f"{name}_p99_ms_median"] = round(
            statistics.median(run["p99_us"] for run in runs) / 1000, 1
        )
        figures[f"{name}_errors"] = sum(run["errors"] for run in runs)
        # connect, read, write, status >= 400, timeout
        kinds = [run["error_kinds"] for run in runs]
        figures[f"{name}_error_kinds"] = [sum(k) for k in zip(*kinds, strict=True)]
    # The CPU one page request may cost (every process of the machine together) at 1/30 of the
    # static file's throughput, against what the page costs in Python alone.
    figures["cpu_budget_ms"] = round(
        (os.cpu_count() or 1) * 1000 / (figures["static_rps"] * TARGET), 2
    )
    figures["setup_and_run_s"] = round(time.perf_counter() - started, 1)
    ratios, targets = {}, {}
    for name in PAGES:
        runs = ratio_runs(results, name)
        ratio = statistics.median(runs)
        ratios[f"{name}_vs_static_runs"] = [round(r, 4) for r in runs]
        ratios[f"{name}_vs_static"] = round(ratio, 4)  # the median of the rounds
        ratios[f"{name}_vs_static_one_in"] = round(1 / ratio, 1) if ratio else None
        targets[f"{name}_vs_static"] = ">=1/30"
    print(json.dumps({"bench": "staff_load", "figures": figures, "ratios": ratios,
                      "targets": targets}))  # fmt: skip


if __name__ == "__main__":
    main()
