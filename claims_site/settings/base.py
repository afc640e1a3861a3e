"""Settings shared by every environment. Machine-specific values come from ``claims_site.env``."""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from claims_site.env import BASE_DIR, VAR_DIR, env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-embedded-default-do-not-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "claims_site",
    "claims",
    "sellers",
    "fraud",
    "marketplace",
    "portal",
    "backoffice",
    "payouts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "claims_site.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor (claims_site/second_factor.py)
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "claims_site.middleware.TimezoneMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "claims_site.urls"
WSGI_APPLICATION = "claims_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "claims_site.context_processors.site",
            ],
        },
    },
    {
        # The subjects and plain-text parts of e-mails: text, not HTML, so nothing is escaped
        # ("Tom & Jerry's", not "Tom &amp; Jerry&#x27;s"). Only ``claims.notifications`` uses it.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database ------------------------------------------------------------------------------
# Embedded default: SQLite under var/. Production and tests: DATABASE_URL (PostgreSQL).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let web, worker and beat share one SQLite file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # Shared by the web, worker and beat processes of `make run`, unlike a local-memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Auth ----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "claims_site.auth.StaffModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Staff sign-in lockout (claims_site/lockout.py): a user name from one address, never the
# user name everywhere nor everyone behind an address; plus a slower limit per user name.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_FAILURES_PER_USERNAME = env.int("AXES_FAILURES_PER_USERNAME", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "claims_site.lockout.StaffLockoutHandler"
AXES_USERNAME_CALLABLE = "claims_site.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "claims_site.lockout.lockout_response"
# Attempts during a pause neither count nor extend it: nobody keeps a colleague locked out by
# guessing on.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Second factor (django-otp): the name authenticator apps show next to the account.
OTP_TOTP_ISSUER = "Claimdesk"

# --- Internationalisation and time zones --------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Shown to a viewer whose browser has not told us its zone yet (see TimezoneMiddleware).
DEFAULT_VIEWER_TIME_ZONE = env("DEFAULT_VIEWER_TIME_ZONE", default="America/New_York")

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Uploaded files are never served from a public URL: views check permission and stream them.
MEDIA_URL = "/media-not-public/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Claimdesk <claims@marketplace.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails (sign-in links, seller response links).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Security headers -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Sessions are read on every page and written rarely: read through the cache (Redis in
# production), written to the database so a cache flush signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Celery ---------------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport, so `make run` needs no broker server.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A request never waits on a broker that is down: publishing fails fast, and the database
# outbox (claims.Outbox) is re-dispatched by the sweeper once the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = Path(env("CELERY_FILESYSTEM_QUEUE", default=str(VAR_DIR / "celery" / "queue")))
    # The transport expects its folder; web, worker and beat all share it.
    _queue.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_queue.parent / "processed"),
        # The exchange table, which kombu otherwise writes to ./control wherever it runs.
        "control_folder": str(_queue.parent / "control"),
        "store_processed": False,
        "polling_interval": 0.5,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 0,
        # Longer than the longest task, so an unacknowledged message is not redelivered early.
        "visibility_timeout": 3600,
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The one periodic schedule of the project (STACK.md: no django-celery-beat).
CELERY_BEAT_SCHEDULE = {
    "outbox-redispatch": {
        "task": "claims.tasks.outbox_redispatch",
        "schedule": timedelta(seconds=30),
    },
    "portal-drafts-purge": {
        "task": "portal.tasks.drafts_purge",
        "schedule": crontab(hour=3, minute=41),
    },
    "backoffice-sla-breaches": {
        "task": "backoffice.tasks.sla_breaches_record",
        "schedule": timedelta(minutes=5),
    },
    "backoffice-safety-alerts": {
        "task": "backoffice.tasks.safety_alerts_raise",
        "schedule": timedelta(minutes=10),
    },
    "backoffice-auto-assign": {
        "task": "backoffice.tasks.claims_auto_assign",
        "schedule": timedelta(minutes=2),
    },
    "purge-old-outbox": {
        "task": "claims.tasks.outbox_purge",
        "schedule": crontab(hour=3, minute=17),
    },
    # issue 4: seller deadlines (the job re-queues itself while a full batch was found).
    "escalate-overdue-claims": {
        "task": "sellers.tasks.escalate_overdue_claims",
        "schedule": timedelta(minutes=1),
    },
    "close-insurance-windows": {
        "task": "sellers.tasks.close_insurance_windows",
        "schedule": timedelta(minutes=10),
    },
    "send-seller-reminders": {
        "task": "sellers.tasks.send_seller_reminders",
        "schedule": timedelta(minutes=10),
    },
    # Fraud review: remind adjusters whose report is due within two days (once each).
    "fraud-referral-reminders": {
        "task": "fraud.tasks.fraud_referral_remind",
        "schedule": timedelta(hours=1),
    },
    # Payouts (issue 5): wake the send job for anything due, approve overdue small claims,
    # write the day's bank file.
    "payouts-redispatch": {
        "task": "payouts.tasks.payouts_redispatch",
        "schedule": timedelta(seconds=30),
    },
    "payouts-auto-approve": {
        "task": "payouts.tasks.auto_approve_sweep",
        "schedule": timedelta(minutes=5),
    },
    "payouts-bank-batch": {
        "task": "payouts.tasks.bank_batch_write",
        "schedule": timedelta(minutes=15),
    },
}

# --- Claimdesk ------------------------------------------------------------------------------
# How long a worker may hold an outbox message before the sweeper hands it to another worker.
OUTBOX_LEASE = timedelta(seconds=env.int("OUTBOX_LEASE_SECONDS", default=300))
# How long after commit the sweeper waits before it re-dispatches a message nobody took.
OUTBOX_REDISPATCH_AFTER = timedelta(seconds=30)
OUTBOX_BATCH_SIZE = 500
# Claims the seller-deadline escalation moves per transaction (bounded memory and lock time).
ESCALATION_BATCH_SIZE = env.int("ESCALATION_BATCH_SIZE", default=5000)
DEMO_MODE = env.bool("DEMO_MODE", default=False)
# Back office (issue 7): round-robin auto-assignment, product-safety alert rule.
BACKOFFICE_AUTO_ASSIGN = env.bool("BACKOFFICE_AUTO_ASSIGN", default=False)
SAFETY_WINDOW_DAYS = env.int("SAFETY_WINDOW_DAYS", default=30)
SAFETY_CLUSTER_CLAIMS = env.int("SAFETY_CLUSTER_CLAIMS", default=3)
SAFETY_SERIOUS_PEOPLE_INJURED = env.int("SAFETY_SERIOUS_PEOPLE_INJURED", default=2)
SAFETY_SERIOUS_MEDICAL_MINOR = env.int("SAFETY_SERIOUS_MEDICAL_MINOR", default=500_000)

# --- Customer portal (issue 3) -------------------------------------------------------------
CSRF_FAILURE_VIEW = "portal.views.errors.csrf_failure"
PORTAL_SIGNIN_LINK_TTL = timedelta(minutes=env.int("PORTAL_SIGNIN_LINK_MINUTES", default=30))
PORTAL_SIGNIN_PER_IP_PER_HOUR = env.int("PORTAL_SIGNIN_PER_IP_PER_HOUR", default=20)
PORTAL_SIGNIN_PER_ORDER_PER_HOUR = env.int("PORTAL_SIGNIN_PER_ORDER_PER_HOUR", default=5)
PORTAL_SUBMISSIONS_PER_CUSTOMER_PER_DAY = env.int(
    "PORTAL_SUBMISSIONS_PER_CUSTOMER_PER_DAY", default=10
)
PORTAL_SUBMISSIONS_PER_IP_PER_DAY = env.int("PORTAL_SUBMISSIONS_PER_IP_PER_DAY", default=30)
PORTAL_UPLOADS_PER_CUSTOMER_PER_DAY = env.int("PORTAL_UPLOADS_PER_CUSTOMER_PER_DAY", default=60)
# Writes through a seller's, insurer's or adjuster's link (answers, files, certificates,
# appeals, reports): per link and per IP, per hour (claims/limits.py).
LINK_WRITES_PER_LINK_PER_HOUR = env.int("LINK_WRITES_PER_LINK_PER_HOUR", default=20)
LINK_WRITES_PER_IP_PER_HOUR = env.int("LINK_WRITES_PER_IP_PER_HOUR", default=60)
# Demo mode keeps a copy of every e-mail here for the staff page portal:outgoing-email.
DEMO_MAIL_DIR = env("DEMO_MAIL_DIR", default=str(VAR_DIR / "mail"))

# --- Payouts (issue 5) -------------------------------------------------------------------------
# The real default writes ISO 20022 pain.001 bank files under PAYOUT_BANK_DIR; the sandbox
# provider (payouts.adapters.sandbox.SandboxAdapter) serves the demo and the tests.
PAYOUT_ADAPTER = env("PAYOUT_ADAPTER", default="payouts.adapters.pain001.Pain001FileAdapter")
PAYOUT_BANK_DIR = env("PAYOUT_BANK_DIR", default=str(VAR_DIR / "bank"))
PAYOUT_DEBTOR_NAME = env("PAYOUT_DEBTOR_NAME", default="Marketplace Guarantee Program")
PAYOUT_DEBTOR_ACCOUNT = env("PAYOUT_DEBTOR_ACCOUNT", default="000123456789")
PAYOUT_DEBTOR_BIC = env("PAYOUT_DEBTOR_BIC", default="CHASUS33")
# A sender that dies mid-payment leaves a lease; the job takes the payout again after this.
PAYOUT_LEASE = timedelta(seconds=env.int("PAYOUT_LEASE_SECONDS", default=300))
PAYOUT_RETRY_BASE = timedelta(seconds=env.int("PAYOUT_RETRY_BASE_SECONDS", default=30))
PAYOUT_MAX_ATTEMPTS = env.int("PAYOUT_MAX_ATTEMPTS", default=8)
# Payouts per send batch and claims per creation sweep (the outbox hands over chunks of 250).
PAYOUT_BATCH_SIZE = env.int("PAYOUT_BATCH_SIZE", default=250)
PAYOUT_SWEEP_FANOUT = 4
# An approved claim still without a payout after this is given one by the sweeper.
PAYOUT_CREATE_AFTER = timedelta(minutes=2)
PAYOUT_SANDBOX = {
    "latency_ms": tuple(env.list("SANDBOX_LATENCY_MS", cast=int, default=[20, 250])),
    "timeout_rate": env.float("SANDBOX_TIMEOUT_RATE", default=0.05),
    "lost_response_rate": env.float("SANDBOX_LOST_RESPONSE_RATE", default=0.02),
}

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "claims_site.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's own console handler, which would print every line twice.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
