"""Passage settings: everything a deployment changes comes from environment variables (see README)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from passage.config.env import env_bool, env_int, env_list, env_str
from passage.config.secrets import local_secrets

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(env_str("PASSAGE_DATA_DIR", str(REPO_DIR / "var"))).resolve()

PRODUCTION = env_bool("PASSAGE_PRODUCTION", False)
DEBUG = env_bool("PASSAGE_DEBUG", False)
TESTING = env_bool("PASSAGE_TESTING", False)

_local = {} if PRODUCTION else local_secrets(DATA_DIR)
SECRET_KEY = env_str("PASSAGE_SECRET_KEY") or _local.get("secret_key", "")
ENCRYPTION_KEYS = env_list("PASSAGE_ENCRYPTION_KEYS", [_local["encryption_key"]] if _local else [])
# Keyed hashes for exact search of encrypted values; stable across rotation of ENCRYPTION_KEYS.
BLIND_INDEX_KEY = env_str("PASSAGE_BLIND_INDEX_KEY") or _local.get("blind_index_key", "")

ALLOWED_HOSTS = env_list("PASSAGE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PASSAGE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "passage.core",
    "passage.registry",
    "passage.matching",
    "passage.cases",
    "passage.claims",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "huey.contrib.djhuey",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "passage.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "passage.core.middleware.CurrentOperationMiddleware",
    "passage.core.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "passage.config.urls"
WSGI_APPLICATION = "passage.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "passage.core.context_processors.shell",
            ],
        },
    }
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'passage.sqlite3'}"),
        conn_max_age=env_int("PASSAGE_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the start of
    # a transaction so that two writers queue instead of failing half-way (and keeps the audit
    # chain strictly ordered).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("PASSAGE_TEST_SQLITE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes), per username and address.
AXES_FAILURE_LIMIT = env_int("PASSAGE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("PASSAGE_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/auth/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Passage"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish")), ("ar", _("Arabic"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("PASSAGE_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
NODE_MODULES = REPO_DIR / "node_modules"
# The files of node_modules the pages use, by URL (passage.core.staticfinders.VendorFinder): not whole folders.
VENDOR_STATIC = {
    "vendor/htmx/htmx.min.js": NODE_MODULES / "htmx.org" / "dist" / "htmx.min.js",
    **{
        f"vendor/bootstrap/{name}": NODE_MODULES / "bootstrap" / "dist" / name
        for name in (
            "css/bootstrap.min.css",
            "css/bootstrap.min.css.map",
            "css/bootstrap.rtl.min.css",
            "css/bootstrap.rtl.min.css.map",
            "js/bootstrap.bundle.min.js",
            "js/bootstrap.bundle.min.js.map",
        )
    },
    **{
        f"vendor/bootstrap-icons/{name}": NODE_MODULES / "bootstrap-icons" / "font" / name
        for name in ("bootstrap-icons.min.css", "fonts/bootstrap-icons.woff", "fonts/bootstrap-icons.woff2")
    },
    "vendor/echarts/echarts.min.js": NODE_MODULES / "echarts" / "dist" / "echarts.min.js",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "passage.core.staticfinders.VendorFinder",
]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Cookies and transport. Secure cookies follow production mode unless set explicitly.
SECURE_COOKIES = env_bool("PASSAGE_SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("PASSAGE_SESSION_HOURS", 10) * 3600
SECURE_SSL_REDIRECT = env_bool("PASSAGE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("PASSAGE_HSTS_SECONDS", 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("PASSAGE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline style attributes (progress bars, chart containers) are allowed; scripts never are.
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

# Background jobs: Huey keeps its queue in SQLite beside the database, or in Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
HUEY_IMMEDIATE = env_bool("PASSAGE_JOBS_IMMEDIATE", False)
if REDIS_URL:
    HUEY: dict[str, object] = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("PASSAGE_QUEUE_NAME", "passage"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "passage",
        "filename": str(DATA_DIR / "queue.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }
# An idle queue is polled with back-off; capped at one second so a job someone just started begins promptly.
HUEY["consumer"] = {
    "workers": env_int("PASSAGE_WORKERS", 2),
    "worker_type": "thread",
    "initial_delay": 0.1,
    "backoff": 1.15,
    "max_delay": 1.0,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("PASSAGE_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"propagate": False}},
}

# Passage's own knobs.
API_TOKEN_DEFAULT_DAYS = env_int("PASSAGE_API_TOKEN_DAYS", 90)
DEMO_ON_FIRST_RUN = env_bool("PASSAGE_DEMO", True)
# How many demo people the first `passage run` registers (with their groups, cases and a search for duplicates).
DEMO_PEOPLE = env_int("PASSAGE_DEMO_PEOPLE", 2000)
# The largest file a case document may be (PDF, JPEG, PNG, DOCX, XLSX), in bytes.
CASE_DOCUMENT_MAX_BYTES = env_int("PASSAGE_CASE_DOCUMENT_MAX_MB", 20) * 1024 * 1024
