"""The one ``environ.Env()`` of the project.

Every setting that may differ between machines is read here. With no environment at all the
project runs on embedded defaults (SQLite, a filesystem Celery broker, files under ``var/``).
``DJANGO_READ_DOT_ENV_FILE=1`` also reads ``.env`` at the project root.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))
