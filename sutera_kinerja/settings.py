"""Settings for Sutera Kinerja, read from environment variables.

SQLite is the embedded default; set DATABASE_URL for PostgreSQL in production.
"""

import datetime
import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules

DEVELOPMENT_SECRET_KEY = "django-insecure-sutera-kinerja-development-key-only"
# Management commands may run with the development key; wsgi.py refuses to serve with it
# unless DEBUG is on, so production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
# Backups are signed with a key of their own (monev.backup): whoever holds the SECRET_KEY of a
# server, or a backup, still cannot forge a backup that restores.
DEVELOPMENT_BACKUP_SIGNING_KEY = "sutera-kinerja-development-backup-key-only"
BACKUP_SIGNING_KEY = os.environ.get("BACKUP_SIGNING_KEY") or (
    DEVELOPMENT_BACKUP_SIGNING_KEY if DEBUG or TESTING else ""
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "monev",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "monev.middleware.AbsoluteSessionLifetimeMiddleware",
    "monev.middleware.NoStoreForSignedInMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the outcome of the login view (throttling of failed logins).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "monev.auth_backends.StaffBackend",
]

ROOT_URLCONF = "sutera_kinerja.urls"

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
                "monev.context_processors.staff",
            ],
        },
    },
]

WSGI_APPLICATION = "sutera_kinerja.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN,
    # so the re-check inside a transition cannot race another writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory: the browser tests' live server then serves parallel requests (htmx)
    # on connections of its own instead of sharing the test's single in-memory connection.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept so existing (and demo fixture) hashes still verify; they are upgraded at login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
# The Camat lands on the Dasbor, everyone else on Tugas Saya.
LOGIN_REDIRECT_URL = "monev:home"
LOGOUT_REDIRECT_URL = "login"
CSRF_FAILURE_VIEW = "monev.views.errors.csrf_failure"

LANGUAGE_CODE = "id"
# Who sees the pages that are not about one report (values of monev.models.Role). Everything
# done on a report follows its SOP's step rows instead; the analysis page is also open to the
# roles acting on the report as a whole in its SOP.
MONEV_PAGE_ROLES = {
    "view_timing": ("camat", "sekretaris", "kasubag_pkp"),
    "view_archive": ("admin", "camat", "sekretaris", "kasubag_pkp"),
    "view_analysis": ("admin",),
    "home_dashboard": ("camat",),  # their front page is the Dasbor, not Tugas Saya
    "oversee_deadlines": ("sekretaris",),  # copied on every overdue reminder
}

# Indonesian for everyone, whatever the browser asks; add ("en", ...) and LocaleMiddleware
# once an English catalogue exists in locale/.
LANGUAGES = [("id", _("Bahasa Indonesia"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Without collectstatic (development and tests) whitenoise serves from the finders.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG or TESTING
# Uploaded evidence, archives, year ZIPs and rendered documents. With several app servers and
# workers, point MEDIA_ROOT at one shared volume (NFS, ...) that all of them mount (README).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

# Sessions end after 30 idle minutes, after 10 hours whatever happens, and at logout.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(10 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Login throttling for 15 minutes: 5 failures lock that user at that address, and
# LOGIN_ADDRESS_FAILURE_LIMIT failures over any accounts lock the address (monev.login_throttle).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_HANDLER = "monev.login_throttle.PerParameterLimitHandler"
LOGIN_FAILURE_LIMITS = {
    "ip_address": int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20")),
    "username,ip_address": AXES_FAILURE_LIMIT,
}
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "monev.client_ip.client_ip"
# How many reverse proxies of ours stand in front of the app (0: none, read REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Bootstrap's components and htmx set style attributes; scripts stay external only.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

HTTPS = env_bool("HTTPS", not (DEBUG or TESTING))
if HTTPS:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are bound to this exact host, path / and HTTPS only.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

if TESTING:
    # Hashing test users' passwords at full strength would dominate the suite's run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

# Mail: the console backend by default; set EMAIL_BACKEND and the SMTP settings in production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Sutera Kinerja <noreply@localhost>")
# Links in e-mails point here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# The task queue (Django's tasks framework, django-tasks backport): jobs are rows of the same
# database, run by `manage.py run_worker`. Tests run them at once unless a test asks for the
# database backend and a real worker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
if TESTING:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# A worker writes its heartbeat this often; a job whose worker has been silent for
# WORKER_DEAD_AFTER_SECONDS is handed to another worker (at most TASK_MAX_ATTEMPTS runs).
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
WORKER_DEAD_AFTER_SECONDS = float(os.environ.get("WORKER_DEAD_AFTER_SECONDS", "60"))
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "3"))
# Year ZIPs are deleted this many hours after they were asked for (when a new one is asked
# for, and by every worker every 15 minutes); finished job rows after this many days.
YEAR_EXPORT_KEEP_HOURS = float(os.environ.get("YEAR_EXPORT_KEEP_HOURS", "24"))
TASK_RESULTS_KEEP_DAYS = float(os.environ.get("TASK_RESULTS_KEEP_DAYS", "7"))
# Electronic signatures (TTE): the signer interface (see monev/signing/ and README). Not named
# SIGNING_BACKEND: that is Django's own setting for signed cookies.
TTE_BACKEND = os.environ.get("TTE_BACKEND", "monev.signing.local.InstallationCA")
# Public verification page: uploads at most this size, and this many checks per address per hour.
VERIFICATION_MAX_UPLOAD = 20 * 1024 * 1024
VERIFICATION_RATE_LIMIT = int(os.environ.get("VERIFICATION_RATE_LIMIT", "30"))

# Scale-out: with REDIS_URL set, the cache and the sessions live in Redis, so every app server
# behind the proxy can serve every logged-in user (the servers keep no state of their own).
# Sessions are cache-only on purpose: SESSION_SAVE_EVERY_REQUEST would otherwise write the
# database on every request. Give that Redis persistence and no eviction of session keys.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Rendered page parts (monev.fragments). Their keys are read from the database, so a copy
    # in each process is never stale; keeping them local spares Redis, which holds sessions.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_ENTRIES", "500"))},
    },
}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
