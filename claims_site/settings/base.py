"""Settings shared by every environment. Machine-specific values come from ``claims_site.env``."""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from claims_site.caches import STRICT_CACHE, redis_caches
from claims_site.databases import postgresql_options
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
    # GinIndex over an expression with an operator class (the search's trigram indexes);
    # on SQLite the app stays idle.
    "django.contrib.postgres",
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
    "privacy",
    "safety",
    # Integration API (issue 15)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
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
            # ``|moment`` in every template, for every moment with a zone (claims_site.dates), and
            # ``|label`` for a label's colon the reader's way.
            "builtins": ["claims_site.templatetags.moments", "claims_site.templatetags.labels"],
        },
    },
    {
        # The subjects and plain-text parts of e-mails: text, not HTML, so nothing is escaped
        # ("Tom & Jerry's", not "Tom &amp; Jerry&#x27;s"). Only ``claims.notifications`` uses it.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "autoescape": False,
            "builtins": ["claims_site.templatetags.moments", "claims_site.templatetags.labels"],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
# Embedded default: SQLite under var/. Production and tests: DATABASE_URL (PostgreSQL).
DATABASES = {
    "default": postgresql_options(
        env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    ),
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
    CACHES = redis_caches(REDIS_URL)
else:
    # Shared by the web, worker and beat processes of `make run`, unlike a local-memory cache.
    _file_cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
    CACHES = {"default": _file_cache, STRICT_CACHE: _file_cache}
# django-redis logs every Redis error it ignores (with its traceback) to this logger.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "claims_site.cache"

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
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:queue"
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
# Customers, sellers and insurers in every launch region (issue 16); a claim's e-mails follow
# the language it was filed in, a seller's their own setting (else the region's). "fr-ca" is
# Canadian French: locale/fr_CA holds only what differs from France's (courriel for e-mail),
# the rest falls back to fr; a customer in Canada who reads French gets it
# (portal.languages.customer_language).
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("fr-ca", _("French (Canada)")),
    ("de", _("German")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# One date format everywhere (claims_site/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["claims_site.formats"]
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
# EMAIL_URL sets the whole relay at once (django-environ): smtp+tls://user:password@host:587
# for STARTTLS, smtp+ssl://user:password@host:465 for TLS from the start, smtp://host:25 for a
# local relay. Each EMAIL_ variable below overrides its part of it. Without either, e-mail is
# printed on the console.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = env("EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
EMAIL_HOST = env("EMAIL_HOST", default=_email["EMAIL_HOST"] or "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=_email["EMAIL_PORT"] or 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default=_email["EMAIL_HOST_USER"] or "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default=_email["EMAIL_HOST_PASSWORD"] or "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=_email.get("EMAIL_USE_SSL", False))
# Seconds: a relay that does not answer fails the job (the outbox retries it) instead of
# holding a worker forever (Django's default is no timeout).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
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
# Pool processes per worker; unset, one per CPU.
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=0) or None
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
# A worker that loses the broker reconnects by itself, for as long as the outage lasts (Celery's
# default gives up after 100 attempts, about 50 minutes, and the worker exits).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
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
        # Ping idle connections so a Redis that went away is noticed within seconds.
        "health_check_interval": 10,
        "socket_keepalive": True,
        # Longer than the longest task, so an unacknowledged message is not redelivered early.
        "visibility_timeout": 3600,
    }
# Beat keeps its schedule in memory (Celery's base Scheduler) rather than in a shelve file: it
# starts in any directory, even a read-only one, and has no file to lose or corrupt. Every
# periodic job is an idempotent sweeper, so a restarted beat only runs each one an interval
# after it starts (a daily job, at its next time of day).
CELERY_BEAT_SCHEDULER = "celery.beat:Scheduler"
# What a process prints goes to its own stderr for the supervisor's log, whole; redirected
# into the logger, a traceback became one JSON record per fragment.
CELERY_WORKER_REDIRECT_STDOUTS = False
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
    # Product safety: weigh incidents, raise alerts, send reminders, escalate (issue 17).
    "safety-sweep": {
        "task": "safety.tasks.safety_sweep",
        "schedule": timedelta(minutes=5),
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
    # Privacy law: personal data erased when the region's retention period runs out.
    "privacy-retention": {
        "task": "privacy.tasks.retention_sweep",
        "schedule": crontab(hour=2, minute=17),
    },
    "watch-party-payments": {
        "task": "sellers.tasks.watch_party_payments",
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
        # With the 20-second lease: a dead sender's payout is re-taken within 35 s.
        "schedule": timedelta(seconds=15),
    },
    "payouts-auto-approve": {
        "task": "payouts.tasks.auto_approve_sweep",
        "schedule": timedelta(minutes=5),
    },
    # Remind customers whose approved claim waits for their payment details (bounded batch).
    "payouts-payee-reminders": {
        "task": "payouts.tasks.payee_reminders_send",
        "schedule": timedelta(minutes=15),
    },
    # Integration API (issue 15): webhook deliveries whose due time has come (retries too).
    "webhooks-deliver-due": {
        "task": "webhooks.tasks.webhooks_deliver_due",
        "schedule": timedelta(seconds=15),
    },
    "payouts-bank-batch": {
        "task": "payouts.tasks.bank_batch_write",
        "schedule": timedelta(minutes=15),
    },
}

# --- Integration API (issue 15) -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasScope"],
    # Per key, at the key's own rate, counted in the default cache (Redis in production).
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.ApiKeyThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Claimdesk integration API",
    "DESCRIPTION": (
        "For the marketplace's order system, sellers, insurers and the payment provider. "
        "Every POST takes an Idempotency-Key header; errors are RFC 9457 problem details. "
        "Dates and times are ISO 8601 with the offset of the client's time zone (set on the "
        "client by a supervisor; by default the seller's region's zone for a seller's client, "
        "UTC for the others). Events (the events endpoint and webhook bodies) are in UTC, the "
        "same for every reader."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several "status" fields: each choice set gets its own name in the schema. A claim's
    # status, to every client, is the party-facing one (never fraud screening).
    "ENUM_NAME_OVERRIDES": {"ClaimStatusEnum": "claims.lifecycle.PartyStatus"},
    # The docs' JavaScript and CSS come from drf-spectacular-sidecar, served as static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
}
API_IDEMPOTENCY_HOURS = 24

# --- Metrics --------------------------------------------------------------------------------
# /metrics answers only a scraper presenting this as a bearer token (claims_site.metrics).
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# --- Claimdesk ------------------------------------------------------------------------------
# How long an outbox message stays a worker's after its last renewal; the worker renews it while
# it runs the handler (claims.leases), so a dead worker's message is re-sent by the next sweep
# after this, however long handlers take.
OUTBOX_LEASE = timedelta(seconds=env.int("OUTBOX_LEASE_SECONDS", default=20))
# How long after commit the sweeper waits before it re-dispatches a message nobody took.
OUTBOX_REDISPATCH_AFTER = timedelta(seconds=30)
OUTBOX_BATCH_SIZE = 500
# Claims the seller-deadline escalation moves per transaction (bounded memory and lock time).
ESCALATION_BATCH_SIZE = env.int("ESCALATION_BATCH_SIZE", default=5000)
DEMO_MODE = env.bool("DEMO_MODE", default=False)
# Back office (issue 7): round-robin auto-assignment. (The product-safety rules are data:
# safety.Regulator rows, issue 17.)
BACKOFFICE_AUTO_ASSIGN = env.bool("BACKOFFICE_AUTO_ASSIGN", default=False)

# --- Customer portal (issue 3) -------------------------------------------------------------
CSRF_FAILURE_VIEW = "portal.views.errors.csrf_failure"
PORTAL_SIGNIN_LINK_TTL = timedelta(minutes=env.int("PORTAL_SIGNIN_LINK_MINUTES", default=30))
PORTAL_SIGNIN_PER_IP_PER_HOUR = env.int("PORTAL_SIGNIN_PER_IP_PER_HOUR", default=20)
PORTAL_SIGNIN_PER_ORDER_PER_HOUR = env.int("PORTAL_SIGNIN_PER_ORDER_PER_HOUR", default=5)
# The seller's inbox (sellers/session.py): one-time sign-in links, limited like the customer's.
SELLER_SIGNIN_LINK_TTL = timedelta(minutes=env.int("SELLER_SIGNIN_LINK_MINUTES", default=30))
SELLER_SIGNIN_PER_IP_PER_HOUR = env.int("SELLER_SIGNIN_PER_IP_PER_HOUR", default=20)
SELLER_SIGNIN_PER_EMAIL_PER_HOUR = env.int("SELLER_SIGNIN_PER_EMAIL_PER_HOUR", default=5)
PORTAL_SUBMISSIONS_PER_CUSTOMER_PER_DAY = env.int(
    "PORTAL_SUBMISSIONS_PER_CUSTOMER_PER_DAY", default=10
)
PORTAL_SUBMISSIONS_PER_IP_PER_DAY = env.int("PORTAL_SUBMISSIONS_PER_IP_PER_DAY", default=30)
PORTAL_UPLOADS_PER_CUSTOMER_PER_DAY = env.int("PORTAL_UPLOADS_PER_CUSTOMER_PER_DAY", default=60)
PORTAL_PAYEE_CHANGES_PER_CUSTOMER_PER_DAY = env.int(
    "PORTAL_PAYEE_CHANGES_PER_CUSTOMER_PER_DAY", default=10
)
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
# The account (IBAN for EUR and GBP) and BIC each other currency is paid from (issue 16).
PAYOUT_DEBTOR_ACCOUNTS = {
    "EUR": (
        env("PAYOUT_DEBTOR_IBAN_EUR", default="DE89370400440532013000"),
        env("PAYOUT_DEBTOR_BIC_EUR", default="COBADEFFXXX"),
    ),
    "GBP": (
        env("PAYOUT_DEBTOR_IBAN_GBP", default="GB29NWBK60161331926819"),
        env("PAYOUT_DEBTOR_BIC_GBP", default="NWBKGB2L"),
    ),
    "CAD": (
        env("PAYOUT_DEBTOR_ACCOUNT_CAD", default="000987654321"),
        env("PAYOUT_DEBTOR_BIC_CAD", default="ROYCCAT2"),
    ),
}
# A sender that dies mid-payment leaves a lease, renewed while it is alive (claims.leases); the
# send job takes the payout again this long after the last renewal, with the same key.
PAYOUT_LEASE = timedelta(seconds=env.int("PAYOUT_LEASE_SECONDS", default=20))
PAYOUT_RETRY_BASE = timedelta(seconds=env.int("PAYOUT_RETRY_BASE_SECONDS", default=30))
PAYOUT_MAX_ATTEMPTS = env.int("PAYOUT_MAX_ATTEMPTS", default=8)
# Payouts per send batch and claims per creation sweep (the outbox hands over chunks of 250).
PAYOUT_BATCH_SIZE = env.int("PAYOUT_BATCH_SIZE", default=250)
PAYOUT_SWEEP_FANOUT = 4
# An approved claim still without a payout after this is given one by the sweeper.
PAYOUT_CREATE_AFTER = timedelta(minutes=2)
# Payee details (issue 11 point 5, issue 19 point 2). Account numbers are encrypted at rest
# with these key-encryption keys (payouts.crypto): "id:base64url-32-bytes", newest first. The
# embedded key serves `make run` and the tests; the production settings require the variable.
FIELD_ENCRYPTION_KEYS_EMBEDDED = "dev:ZGV2LW9ubHktZW1iZWRkZWQta2V5LW5vdC1zZWNyZXQ"
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[FIELD_ENCRYPTION_KEYS_EMBEDDED])
# A payout whose customer has given no payment details waits; it is looked at again this often
# (giving the details wakes it at once).
PAYOUT_PAYEE_WAIT = timedelta(hours=env.int("PAYOUT_PAYEE_WAIT_HOURS", default=6))
# Reminders to customers whose approved claim waits for payment details: days after approval.
PAYEE_REMINDER_DAYS = env.list("PAYEE_REMINDER_DAYS", cast=int, default=[1, 3, 7, 14])
PAYEE_REMINDER_BATCH = env.int("PAYEE_REMINDER_BATCH", default=500)
# Cooling-off when a region has no approval policy row (the policy's own value wins).
PAYEE_COOLING_OFF_DEFAULT_HOURS = 72
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
    "filters": {
        "request_id": {"()": "claims_site.logging.RequestIdFilter"},
        "one_line": {"()": "claims_site.logging.OneLineErrorFilter"},
        "count_cache_errors": {"()": "claims_site.metrics.CacheErrorCounter"},
    },
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
        # Redis errors the cache ignores (claims_site.caches): one line each, no traceback.
        "claims_site.cache": {"filters": ["count_cache_errors", "one_line"]},
    },
}
