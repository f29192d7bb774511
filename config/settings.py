"""Settings for Alongside, all read from the environment.

With nothing set, the app runs in the embedded local mode: SQLite in the project folder,
Celery tasks run in-process, email printed to the console and DEBUG on. Setting
ALONGSIDE_ENV=production turns on the checks a real deployment needs and refuses to start
without a real SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

ALONGSIDE_ENV = env_str("ALONGSIDE_ENV", "local")
if ALONGSIDE_ENV not in {"local", "production"}:
    raise ImproperlyConfigured("ALONGSIDE_ENV must be 'local' or 'production'")
PRODUCTION = ALONGSIDE_ENV == "production"

# The local key is public on purpose: it only ever protects a demo on someone's laptop.
LOCAL_SECRET_KEY = "local-only-insecure-key-for-the-alongside-demo"
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else LOCAL_SECRET_KEY)
if PRODUCTION and (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY == LOCAL_SECRET_KEY
    or SECRET_KEY.startswith("django-insecure")
):
    raise ImproperlyConfigured(
        "Production needs a real SECRET_KEY: at least 50 random characters, set in the environment."
    )

# Bank details are encrypted in the database (django-secured-fields, Fernet) with these
# keys, kept apart from SECRET_KEY so either can change on its own. The first encrypts; the
# others still decrypt, so a new key goes in front and the old one stays until every row
# has been encrypted again (docs/payments.md). The local key is public on purpose.
LOCAL_FIELD_ENCRYPTION_KEY = "YWxvbmdzaWRlLWxvY2FsLWRlbW8tb25seS1rZXktMzI="
FIELD_ENCRYPTION_KEYS = env_list(
    "FIELD_ENCRYPTION_KEYS", [] if PRODUCTION else [LOCAL_FIELD_ENCRYPTION_KEY]
)
if PRODUCTION and (
    not FIELD_ENCRYPTION_KEYS or LOCAL_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS
):
    raise ImproperlyConfigured(
        "Production needs FIELD_ENCRYPTION_KEYS: a key of its own from "
        "`python manage.py generate_key`, set in the environment."
    )
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be keys from `python manage.py generate_key` "
            "(44 characters each), separated by commas."
        ) from None
SECURED_FIELDS_KEY = FIELD_ENCRYPTION_KEYS

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS, for example alongside.example.org")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The Django admin, with a site that never signs anyone in itself (accounts/admin_site.py).
    "accounts.apps.AlongsideAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_celery_beat",
    "secured_fields",
    "accounts",
    "core",
    "programmes",
    "mentoring",
    "activities",
    "matching",
    "journal",
    "notifications",
    "payments",
    "panel",
    "background",
    "portal",
    "reporting",
    "demo",
]

MIDDLEWARE = [
    "accounts.middleware.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.PrivateResponsesMiddleware",
    "portal.middleware.StaffIdleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]
# Last, so it sees a view's exception first: a Redis or broker outage answers "please try
# again in a few minutes" (503), not an error page.
MIDDLEWARE.append("config.errors.OutageMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite in the project folder unless DATABASE_URL names another.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared Redis when configured, so rate limits hold across processes; otherwise
# local memory, which is enough for the single-process local server.
REDIS_URL = env_str("REDIS_URL") or env_str("CACHE_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
if not REDIS_URL and CELERY_BROKER_URL.startswith("redis"):
    REDIS_URL = CELERY_BROKER_URL
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "alongside"),
            # A Redis that does not answer is an outage after two seconds, not a hung page.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "Production needs REDIS_URL (or a Redis CELERY_BROKER_URL) so sign-in rate limits "
            "are shared by every web process."
        )
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: real workers when a broker is set, otherwise tasks run in-process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Run by `celery -A config beat`: each task decides for itself what is due. Beat keeps
# its schedule in the database (django-celery-beat), copied from this dict when it starts,
# so an administrator can see and pause entries in the Django admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "start-scheduled-matching-rounds": {
        "task": "matching.start_scheduled_rounds",
        "schedule": 60 * 60,
    },
    # Reminders (log, confirm, feedback, approvals...): safe to run as often as wanted.
    "send-reminders": {
        "task": "notifications.send_reminders",
        "schedule": 60 * 60,
    },
    # Payment runs that programmes' schedules say are due, for coordinators to check. One
    # run per scheduled day, however often this runs.
    "prepare-scheduled-payment-runs": {
        "task": "payments.prepare_scheduled_runs",
        "schedule": 60 * 60,
    },
    # Bank details out of paid runs, deleted people's receipts and, after the retention
    # period, the names their payments went to (PAYMENT_* below). Safe to run twice.
    "tidy-payment-records": {
        "task": "payments.payment_records_tidy",
        "schedule": 24 * 60 * 60,
    },
    # Messages of matches that ended more than MESSAGES_KEPT_DAYS ago, except those attached
    # to a concern. Safe to run twice.
    "delete-old-messages": {
        "task": "mentoring.messages_delete_old",
        "schedule": 24 * 60 * 60,
    },
    # Sends again what the broker did not take; fails rounds running past their deadline.
    "sweep-stuck-work": {
        "task": "background.sweep",
        "schedule": 5 * 60,
    },
}
# A matching round still running after this many minutes is failed by the sweep (its
# worker died, or it takes far too long), so a new round can start. The largest benchmark
# round (20,000 mentors, 60,000 mentees) takes under a minute.
MATCHING_ROUND_DEADLINE_MINUTES = env_int("MATCHING_ROUND_DEADLINE_MINUTES", 30)
if MATCHING_ROUND_DEADLINE_MINUTES < 1:
    raise ImproperlyConfigured("MATCHING_ROUND_DEADLINE_MINUTES must be at least 1")

# What is kept of payments, and for how long (the delete-account page says so):
# bank details stay in a paid run this many days, for finance to check it went through;
# payment records of someone who deleted their account keep the name they were paid to
# for this many years after the end of the tax year of the payment, as tax law asks.
PAYMENT_RECONCILIATION_DAYS = env_int("PAYMENT_RECONCILIATION_DAYS", 90)
PAYMENT_RECORDS_KEEP_YEARS = env_int("PAYMENT_RECORDS_KEEP_YEARS", 6)
if not 1 <= PAYMENT_RECONCILIATION_DAYS <= 3660:
    raise ImproperlyConfigured("PAYMENT_RECONCILIATION_DAYS must be from 1 to 3660.")
if not 1 <= PAYMENT_RECORDS_KEEP_YEARS <= 100:
    raise ImproperlyConfigured("PAYMENT_RECORDS_KEEP_YEARS must be from 1 to 100.")

# Messages between the two people of a match are kept this many days after the match ends,
# then deleted by a scheduled task; a message attached to a concern stays with the concern.
# The messages page says so.
MESSAGES_KEPT_DAYS = env_int("MESSAGES_KEPT_DAYS", 365)
if not 1 <= MESSAGES_KEPT_DAYS <= 3660:
    raise ImproperlyConfigured("MESSAGES_KEPT_DAYS must be from 1 to 3660.")
# How many messages one person may send: a few a minute and a couple of hundred a day,
# which no conversation needs more than, and which stops a runaway script or a flood.
# allauth's rate limits (the shared cache, per person), as for signing in.
MESSAGES_RATE_LIMIT = env_str("MESSAGES_RATE_LIMIT", "10/m/user,200/d/user")
# Requests for a page or document in another format (programmes.services.format_request_make):
# a few an hour is more than anyone needs, and each one tells every coordinator.
FORMAT_REQUESTS_RATE_LIMIT = env_str("FORMAT_REQUESTS_RATE_LIMIT", "5/h/user,20/d/user")
# Where people write when they cannot sign in, or have no programme yet: shown on the
# accessibility statement, the privacy notice and the request for another format.
SERVICE_CONTACT_EMAIL = env_str("SERVICE_CONTACT_EMAIL", "hello@alongside.example.org")

# Users and sign-in.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "programmes:home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "login": "accounts.forms.LoginForm",
    "add_email": "accounts.forms.AddEmailForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.MFAReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Tell people by email when their password, email address or two-factor set-up changes, so
# a change they did not make is noticed (templates/account/email, templates/mfa/email).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Staff are signed out after this long without activity (portal/middleware.py).
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30)
if STAFF_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("STAFF_IDLE_MINUTES must be 1 or more.")
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Alongside: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# allauth's defaults apply (login_failed: 10 a minute per address, 5 in 5 minutes per
# account); they need the shared cache above to hold across processes.
# message_send is ours (mentoring/message_views.py), kept with allauth's so every rate limit
# lives in one place and one cache.
ACCOUNT_RATE_LIMITS = {
    "message_send": MESSAGES_RATE_LIMIT,
    "format_request": FORMAT_REQUESTS_RATE_LIMIT,
}
# Behind a proxy every request comes from the proxy's address, so one person's wrong
# passwords would lock everyone out, and the audit log would record the proxy. Say how many
# proxies in front of the app add to X-Forwarded-For (or which header carries the address):
# the rate limits and the audit log (accounts/audit.py) read the person's address from there.
# Production must say, even if the answer is 0: guessing either way is unsafe.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER") or None
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", -1)
if ALLAUTH_TRUSTED_PROXY_COUNT == -1 and "TRUSTED_PROXY_COUNT" not in os.environ:
    if PRODUCTION and not ALLAUTH_TRUSTED_CLIENT_IP_HEADER:
        raise ImproperlyConfigured(
            "Production needs TRUSTED_PROXY_COUNT: how many proxies in front of Alongside add "
            "to X-Forwarded-For (usually 1), or TRUSTED_CLIENT_IP_HEADER."
        )
    ALLAUTH_TRUSTED_PROXY_COUNT = 0
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Alongside"
MFA_TOTP_TOLERANCE = 1
MFA_ADAPTER = "accounts.adapter.MFAAdapter"

# Email: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Alongside <hello@alongside.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Expense receipts: outside the static and media folders, never served by URL, only
# through the view that checks the person asking is the mentor or their coordinator.
RECEIPTS_ROOT = Path(env_str("RECEIPTS_ROOT", str(BASE_DIR / "private")))
# The biggest file people may send (receipts), and the biggest request the app reads at all:
# a little more, for the rest of the form. Bigger requests get a 413 page, unread.
MAX_UPLOAD_MB = 10
MAX_REQUEST_MB = env_int("MAX_REQUEST_MB", MAX_UPLOAD_MB + 2)
if MAX_REQUEST_MB <= MAX_UPLOAD_MB:
    raise ImproperlyConfigured(f"MAX_REQUEST_MB must be more than {MAX_UPLOAD_MB}.")
STORAGES["receipts"] = {"BACKEND": "payments.storage.ReceiptStorage"}

# Content Security Policy: only our own files, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # In-process tasks would otherwise log a line for every task they run.
    "loggers": {"celery.app.trace": {"level": env_str("CELERY_TASK_LOG_LEVEL", "WARNING")}},
}

# Demo data: the time-based code secret the seeded staff accounts share, so anyone can
# sign in to the demo with an authenticator app. Never used outside seed_demo.
DEMO_TOTP_SECRET = "ALONGSIDEDEMO234"

FORM_RENDERER = "accounts.rendering.FormRenderer"

# The address people reach the service at, for links in emails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
