"""The project on its embedded defaults (SQLite, local settings, in-memory broker), run through
``manage.py`` in a subprocess: what a person trying `make run` gets, isolated under a temporary
folder."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A key-encryption key for production-mode processes in tests (never the embedded one).
PRODUCTION_TEST_KEY = "test:Y2xhaW1kZXNrLXRlc3RzLXByb2R1Y3Rpb24ta2V5ISE"


def embedded_env(folder: Path, *, database: str, **extra: str) -> dict[str, str]:
    """This process's environment without any database, broker or settings of its own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "DJANGO_"))
    }
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{folder / database}",
            "MEDIA_ROOT": str(folder / "media"),
            "DEMO_MAIL_DIR": str(folder / "mail"),
            "CELERY_BROKER_URL": "memory://",
            "DJANGO_SETTINGS_MODULE": "claims_site.settings.local",
            **extra,
        }
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    """Run ``manage.py`` with ``env``; its standard output, or a failure with its errors."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def fresh_checkout(dest: Path) -> Path:
    """A copy of the files git tracks (as they are in the working tree) under ``dest``: what a
    fresh clone holds, without the ``var/`` that running the project leaves behind."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            target = dest / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    return dest
