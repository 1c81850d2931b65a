"""Settings for every environment, driven by environment variables (see docs/deployment.md)."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_json, env_list, env_secret_key, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BIAOZHUN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
_INSECURE_DEV_KEY = "insecure-development-key-do-not-use-in-production"
# `make run` keeps a random key in var/secret_key, so that the commands the README shows
# (`.venv/bin/biaozhun import …`, `biaozhun search …`) work on that machine without DEBUG.
SECRET_KEY = env_secret_key("SECRET_KEY", VAR_DIR / "secret_key",
                            _INSECURE_DEV_KEY if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "biaozhun.core",
    "biaozhun.accounts",
    "biaozhun.catalog",
    "biaozhun.search",
    "biaozhun.portal",
    "biaozhun.validity",
    "biaozhun.projects",
    "biaozhun.consultations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

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
                "django.template.context_processors.i18n",
                "biaozhun.portal.context_processors.site",
            ],
        },
    }
]

# --- Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL -------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'biaozhun.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0)),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        # A fresh clone has no var/ yet.
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets pages read while the worker imports; IMMEDIATE avoids lock upgrades that
        # fail with "database is locked" when two writers start a transaction together.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=5000;"
            "PRAGMA foreign_keys=ON;PRAGMA cache_size=-64000;PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: local memory unless CACHE_URL points at Redis ---------------------------------
CACHE_URL = env_str("CACHE_URL", "")
# "challenges" remembers answered guest challenges; every web process must see it, so without
# Redis it is a file cache under var/ that the processes of this machine share.
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": CACHE_URL},
              "challenges": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                             "LOCATION": CACHE_URL, "KEY_PREFIX": "challenges"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
              "challenges": {"BACKEND": "biaozhun.core.cache.SharedFileCache",
                             "LOCATION": str(VAR_DIR / "cache" / "challenges"),
                             "OPTIONS": {"MAX_ENTRIES": 10_000}}}

# --- Background jobs -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"

# --- Internationalisation: Simplified Chinese first -----------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CATALOG_IMPORT_MAX_BYTES = env_int("CATALOG_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
CATALOG_TEXT_MAX_BYTES = env_int("CATALOG_TEXT_MAX_BYTES", 50 * 1024 * 1024)

# --- Security (production values unless DEBUG) ---------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "SAMEORIGIN"  # the text reader embeds our own PDFs
SILENCED_SYSTEM_CHECKS = [
    "security.W019",  # SAMEORIGIN, not DENY: see X_FRAME_OPTIONS above
    "security.W021",  # HSTS preload is the operator's decision (SECURE_HSTS_PRELOAD=1)
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@biaozhun.localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Platform settings ---------------------------------------------------------------------
SITE_NAME = _("标准化工作平台")
# Whether the bundled sample catalogue is loaded; pages then say so in a banner.
BIAOZHUN_SAMPLE_DATA = env_bool("BIAOZHUN_SAMPLE_DATA", False)
CATALOG_PAGE_SIZE = env_int("CATALOG_PAGE_SIZE", 20)
# make run and the tests serve static files straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Accounts: sign-in lockout, password reset, API tokens -----------------------------------
# Object rules (the `rules` package) first, then Django's model permissions and passwords.
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After this many failed sign-ins for one username within the window, that username is refused
# (even with the right password) for the same number of minutes; one client address is refused
# after ACCOUNTS_LOCKOUT_IP_FAILURES failures over all usernames.
ACCOUNTS_LOCKOUT_FAILURES = env_int("ACCOUNTS_LOCKOUT_FAILURES", 5)
ACCOUNTS_LOCKOUT_MINUTES = env_int("ACCOUNTS_LOCKOUT_MINUTES", 15)
ACCOUNTS_LOCKOUT_IP_FAILURES = env_int("ACCOUNTS_LOCKOUT_IP_FAILURES",
                                       4 * ACCOUNTS_LOCKOUT_FAILURES)
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
# Set it behind nginx, or every client shares the proxy's address for the lockout.
ACCOUNTS_TRUSTED_PROXIES = env_int("ACCOUNTS_TRUSTED_PROXIES", 0)
# Seconds a password reset link stays valid (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 24 * 60 * 60)
LOGIN_REDIRECT_URL = "accounts:profile"

# --- Deadlines (DOMAIN.md) and the work calendar ---------------------------------------------
# Legal periods as "<n> working" (Chinese working days), "<n> calendar", "<n> months" or
# "<n> years", counted by biaozhun.core.workdays; each overridable by BIAOZHUN_PERIOD_<NAME>.
_DEFAULT_PERIODS = {
    "public_comment_min": "30 calendar",  # 征求意见 at least 30 days [secondary source]
    "filing": "60 calendar",  # 备案 after publication [unverified]
    "public_text": "20 working",  # free public text after publication [unverified]
    "drafting": "12 months",  # plan deadline, from the plan's issue
    "extension_notice": "0 calendar",  # an extension is requested this long before the deadline
    "review_interval": "5 years",  # 复审 at most every 5 years after implementation
    "review_window": "6 months",  # review proposals in the 6 months before the review
    "evaluation": "20 working",  # expert evaluation of a proposal
    "approval": "20 working",  # decision after submission for approval
    "reminder_lead": "5 working",  # reminders this long before a deadline
    "complaint_acceptance": "7 working",  # SAMR Order 20: decide whether to accept
    "mediation": "45 working",  # SAMR Order 20
    "report_notice": "5 working",  # SAMR Order 20
}
BIAOZHUN_PERIODS = {
    name: env_str(f"BIAOZHUN_PERIOD_{name.upper()}", default)
    for name, default in _DEFAULT_PERIODS.items()
}

# --- Local standard projects ------------------------------------------------------------------
# Documents a project must hold before it may enter a stage (issue #6; kinds are
# projects.models.DocumentKind values). JSON in PROJECT_REQUIRED_DOCUMENTS overrides.
PROJECT_REQUIRED_DOCUMENTS = env_json("PROJECT_REQUIRED_DOCUMENTS", {
    "evaluated": ["proposal_form"],
    "public_comment": ["comment_draft", "explanation"],
    "technical_review": ["review_draft", "explanation", "disposition_table"],
    "submitted": ["approval_draft", "explanation", "disposition_table", "review_minutes",
                  "approval_form"],
})
# File types accepted per document kind (checked by content, not only by name).
PROJECT_DOCUMENT_TYPES = env_json("PROJECT_DOCUMENT_TYPES", {
    "default": ["pdf", "docx"],
    "disposition_table": ["xlsx", "docx", "pdf"],
    "other": ["pdf", "docx", "xlsx"],
})
PROJECT_DOCUMENT_MAX_BYTES = env_int("PROJECT_DOCUMENT_MAX_BYTES", 30 * 1024 * 1024)
# Technical review: attendance of the panel and agreement of those present, as fractions
# (common practice ≥ 2/3 attendance and ≥ 3/4 agreement; DOMAIN.md: unverified).
PROJECT_REVIEW_QUORUM = env_str("PROJECT_REVIEW_QUORUM", "2/3")
PROJECT_REVIEW_MAJORITY = env_str("PROJECT_REVIEW_MAJORITY", "3/4")
PROJECT_PAGE_SIZE = env_int("PROJECT_PAGE_SIZE", 25)
# Absolute address of the site, for links in mail (no trailing slash).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# --- Public participation (issue #7) -----------------------------------------------------------
# Limits on one comment: characters per text field, attachments per comment and their size.
CONSULTATION_MAX_COMMENT_CHARS = env_int("CONSULTATION_MAX_COMMENT_CHARS", 5000)
CONSULTATION_MAX_ATTACHMENTS = env_int("CONSULTATION_MAX_ATTACHMENTS", 3)
CONSULTATION_MAX_ATTACHMENT_BYTES = env_int("CONSULTATION_MAX_ATTACHMENT_BYTES",
                                            10 * 1024 * 1024)
# Attachment types, recognised by content: pdf, docx, xlsx, png, jpeg.
CONSULTATION_ATTACHMENT_TYPES = env_list("CONSULTATION_ATTACHMENT_TYPES",
                                         "pdf,docx,xlsx,png,jpeg")
# Hours a guest's e-mail verification link stays valid.
CONSULTATION_VERIFY_HOURS = env_int("CONSULTATION_VERIFY_HOURS", 72)
# Minutes a guest's arithmetic challenge stays valid (each is accepted once).
CONSULTATION_CHALLENGE_MINUTES = env_int("CONSULTATION_CHALLENGE_MINUTES", 30)
# XLSX comment import: rows (comments) and bytes per file.
CONSULTATION_IMPORT_MAX_ROWS = env_int("CONSULTATION_IMPORT_MAX_ROWS", 2000)
CONSULTATION_IMPORT_MAX_BYTES = env_int("CONSULTATION_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# Submissions per client address / account and window, counted in the database so every web
# process sees the same numbers; keys are per_<ip|user>_<hour|day>. An XLSX import counts as
# one submission. JSON in CONSULTATION_RATE_LIMITS overrides.
CONSULTATION_RATE_LIMITS = env_json("CONSULTATION_RATE_LIMITS", {
    "comment": {"per_ip_hour": 30, "per_user_hour": 60},
    "proposal": {"per_ip_day": 10},
})
# A subscription's confirmation mail is sent again at most this often (anti-abuse).
SUBSCRIPTION_RESEND_MINUTES = env_int("SUBSCRIPTION_RESEND_MINUTES", 60)
