"""Settings behave as 12-factor promises: embedded defaults, fail-fast production."""

import os
import subprocess
import sys
from pathlib import Path

from tests.support.embedded import PRODUCTION_TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "ALLOWED_", "CELERY_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _run(
        ["check"],
        {
            "DJANGO_SETTINGS_MODULE": "claims_site.settings.production",
            "ALLOWED_HOSTS": "claims.example.com",
        },
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _run(
        ["check"],
        {
            "DJANGO_SETTINGS_MODULE": "claims_site.settings.production",
            "DJANGO_SECRET_KEY": "x" * 64,
        },
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DJANGO_SETTINGS_MODULE": "claims_site.settings.production",
            "DJANGO_SECRET_KEY": "k3y-" + "a1b2c3d4e5f6g7h8" * 4,
            "FIELD_ENCRYPTION_KEYS": PRODUCTION_TEST_KEY,
            "ALLOWED_HOSTS": "claims.example.com",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/claimdesk",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert result.returncode == 0, result.stderr


def test_embedded_defaults_need_no_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.MEDIA_ROOT,"
        " s.EMAIL_BACKEND, s.CACHES['default']['BACKEND'])"
    )
    result = _run(["shell", "--no-imports", "-c", code], {})
    assert result.returncode == 0, result.stderr
    engine, broker, media, email, cache = result.stdout.strip().splitlines()[-1].split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert media.endswith("var/media")
    # Demo mode prints e-mail on the console and keeps a copy for the staff demo page.
    assert email == "portal.mail.DemoCopyEmailBackend"
    assert cache.endswith("FileBasedCache")


def test_database_and_redis_urls_switch_to_postgres_and_redis():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL,"
        " s.CACHES['default']['BACKEND'])"
    )
    result = _run(
        ["shell", "--no-imports", "-c", code],
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/claimdesk",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/3",
        "django_redis.cache.RedisCache",
    ]
