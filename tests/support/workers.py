"""Real Celery workers and real Redis servers for integration tests."""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    predicate: Callable[[], bool],
    *,
    timeout: float = 30,
    interval: float = 0.1,
    what: str = "condition",
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_database_url() -> str:
    """The URL of the database this test run is using (pytest-django's test_ database)."""
    s = connection.settings_dict
    user, host, port = s["USER"] or "postgres", s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{s['NAME']}"


class RedisServer:
    """A throw-away redis-server on a port of its own, which a test can stop and restart."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="redis-test-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what=f"redis on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def _answers(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock,
        ):
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        return False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Worker:
    """A real `celery worker` process on the test database and a given broker."""

    def __init__(self, *, broker_url: str, concurrency: int = 1, extra_env: dict | None = None):
        self.broker_url = broker_url
        self.concurrency = concurrency
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        fd, name = tempfile.mkstemp(prefix="worker-", suffix=".log")
        self.log = os.fdopen(fd, "wb")
        self.log_path = name

    def start(self) -> "Worker":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "claims_site.settings.test",
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            # The same private file store as this test process (conftest points it at tmp).
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **self.extra_env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "claims_site",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(self.concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_ready(self, timeout: float = 60) -> "Worker":
        """Wait until the worker says it is ready to take tasks (raises after ``timeout``)."""
        wait_for(lambda: "ready" in self.output(), timeout=timeout, what="the worker to start")
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()

    def cleanup(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.log_path)

    def output(self) -> str:
        return Path(self.log_path).read_text(errors="replace")


def filesystem_transport_options(queue: Path) -> dict:
    """What base.py configures for the embedded filesystem broker, for a given folder."""
    queue.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(queue.parent / "processed"),
        # The exchange table, which kombu otherwise writes to ./control wherever it runs.
        "control_folder": str(queue.parent / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }


@contextlib.contextmanager
def celery_broker(url: str, *, transport_options: dict | None = None) -> Iterator[None]:
    """Point this process's Celery app at ``url`` (the test settings use an unconsumed memory
    broker) and back again afterwards."""
    from claims_site.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options or {
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        "max_retries": 0,
    }
    _reset_pools(app)
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        _reset_pools(app)


def _reset_pools(app) -> None:
    # Like Celery after a fork: the next publish builds pools for the current broker URL.
    app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        app.__dict__["amqp"]._producer_pool = None


class Supervisor:
    """The deployment's own ``deploy/supervisord.conf`` (web, two workers, beat), run by a real
    supervisord on the test database and a given Redis server."""

    CONFIG = ROOT / "deploy" / "supervisord.conf"

    def __init__(self, *, redis_url: str, extra_env: dict | None = None):
        self.run_dir = Path(tempfile.mkdtemp(prefix="supervisor-"))
        self.port = free_port()
        self.env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "CLAIMDESK_RUN": str(self.run_dir),
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "1",
            "CELERY_WORKER_CONCURRENCY": "1",
            "DJANGO_SETTINGS_MODULE": "claims_site.settings.test",
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": redis_url,
            "TEST_REDIS_CACHE_URL": redis_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None

    def _ctl(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "supervisor.supervisorctl", "-c", str(self.CONFIG), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout

    def start(self) -> "Supervisor":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "supervisor.supervisord", "-c", str(self.CONFIG)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    def status(self) -> dict[str, tuple[str, int | None]]:
        """``{process name: (state, pid)}`` as supervisorctl reports them."""
        found = {}
        for line in self._ctl("status").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                pid = re.search(r"pid (\d+)", line)
                found[parts[0]] = (parts[1], int(pid.group(1)) if pid else None)
        return found

    def wait_running(self, *names: str, timeout: float = 90) -> dict:
        wait_for(
            lambda: all(self.status().get(n, ("",))[0] == "RUNNING" for n in names),
            timeout=timeout,
            interval=0.5,
            what=f"{', '.join(names)} to be RUNNING",
        )
        return self.status()

    def log(self, name: str = "supervisord") -> str:
        path = self.run_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self._ctl("shutdown")
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.run_dir, ignore_errors=True)


def demo_mail_env(mail_dir: Path) -> dict[str, str]:
    """Environment for processes whose e-mails a test reads back: the demo backend keeps each
    one as a JSON file under ``mail_dir``."""
    return {"EMAIL_BACKEND": "portal.mail.DemoCopyEmailBackend", "DEMO_MAIL_DIR": str(mail_dir)}


def demo_mails(mail_dir: Path, reference: str) -> list[dict]:
    """The e-mails kept under ``mail_dir`` whose subject names ``reference``."""
    if not mail_dir.exists():
        return []
    records = [json.loads(p.read_text()) for p in mail_dir.glob("*.json")]
    return [r for r in records if reference in r["subject"]]
