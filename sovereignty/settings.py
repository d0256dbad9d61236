"""Settings for the Observatoire, read from the environment.

One file for every environment: production differs only by its variables (see .env.example).
With no DATABASE_URL and no REDIS_URL the app runs embedded: SQLite and Kombu's filesystem
broker under var/, so `make run` needs no server.
"""

import logging
from datetime import time as dt_time, timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from csp.constants import NONE, SELF
from django.utils.log import CallbackFilter
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (written by `make run`, never committed) fills in what the environment leaves
# unset; real environment variables always win. ENV_FILE points elsewhere (or nowhere).
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)

# A development key only when DEBUG is on: a production process without SECRET_KEY must not
# start with a key anyone can read in this repository.
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    try:
        SECRET_KEY = env.str("SECRET_KEY")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.") from exc
    if len(SECRET_KEY) < 32 or SECRET_KEY.startswith(("change-me", "dev-only")):
        raise ImproperlyConfigured("SECRET_KEY is a placeholder or too short (32+ characters).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The open data's API, its documents and CORS: sovereignty/api_settings.py.
from .api_settings import *  # noqa: E402, F403
from .api_settings import API_APPS  # noqa: E402

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "widget_tweaks",
    "dsfr",
    "django_htmx",
    "csp",
    "template_partials",
    "initiatives.apps.LoginLockoutsConfig",  # django-axes, under a clear name
    "mozilla_django_oidc",
    "import_export",
    "initiatives",
    *API_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before CommonMiddleware, as it asks
    "django.contrib.sessions.middleware.SessionMiddleware",
    "initiatives.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "initiatives.middleware.PublicReadMiddleware",
    "initiatives.middleware.AdminHistoryMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

# django-dsfr renders its form widgets from templates.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "sovereignty.urls"
WSGI_APPLICATION = "sovereignty.wsgi.application"

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
                "initiatives.context_processors.site",
                "initiatives.pagecache.csrf_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Embedded default: SQLite under var/. DATABASE_URL=postgres://… switches to PostgreSQL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'observatoire.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections save a connect per request; the health check makes Django drop a
    # connection that died (PostgreSQL restart) instead of failing the next request with it.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the web server read while a worker writes; the timeout makes a writer wait for
    # the lock instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # Take the write lock when the transaction begins: a transaction that reads then
            # writes would otherwise fail at once with "database is locked", timeout or not.
            "transaction_mode": "IMMEDIATE",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}Validator"}
    for name in ("UserAttributeSimilarity", "MinimumLength", "CommonPassword", "NumericPassword")
]

# --- Accounts -----------------------------------------------------------------------------
# Lecteur reads, coordinateur edits the milestones of the workstreams they are assigned to (in
# the admin), administrateur is staff. PUBLIC_READ off: visitors must log in to read.
PUBLIC_READ = env.bool("PUBLIC_READ", default=True)
LOGIN_URL = "initiatives:login"
LOGIN_REDIRECT_URL = "initiatives:dashboard"
LOGOUT_REDIRECT_URL = "initiatives:dashboard"

# ProConnect (OpenID Connect), on when its endpoints and client are configured.
OIDC_ENABLED = bool(env.str("OIDC_RP_CLIENT_ID", default=""))
AUTHENTICATION_BACKENDS = [
    # First: refuses, without checking the password, a login that is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("initiatives.auth.ProConnectBackend")
    OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT")
    # ProConnect signs its tokens with RS256 and returns the userinfo as a signed JWT.
    OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env.str(
        "OIDC_RP_SCOPES", default="openid email given_name usual_name uid siret"
    )
    OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5.0)
    OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=True)
    OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
    LOGIN_REDIRECT_URL_FAILURE = "initiatives:login"

# django-axes counts failed password logins over the last AXES_COOLOFF_MINUTES three ways, each
# with its limit (initiatives.auth.PerParameterLimits): one account from one address (someone
# mistyping), one account from any address (guesses spread over many addresses), one address
# on any account (password spraying: a few guesses on each of many accounts). Reaching one
# locks that out until the cool-off has passed with no new failure. A success clears its own
# account-and-address count. ProConnect logins are never locked out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# Ours, read by initiatives.auth: above the pair's limit, since the owner of an account may
# mistype from two places, and agents behind one NAT share an address.
AXES_ACCOUNT_FAILURE_LIMIT = env.int("AXES_ACCOUNT_FAILURE_LIMIT", default=10)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["username"], ["ip_address"]]
AXES_HANDLER = "initiatives.auth.PerParameterLimits"
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "initiatives.auth.locked_out"
AXES_VERBOSE = False
# The reverse proxies in front of the app that append to X-Forwarded-For: the client's address
# is the PROXY_COUNT-th from the end (initiatives.auth.client_address). 0: the connection's.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "initiatives.auth.client_address"
# A form posted without its CSRF token (a page left open past the session, cookies refused).
CSRF_FAILURE_VIEW = "initiatives.error_views.csrf_failure"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Email ----------------------------------------------------------------------------------
# Console backend by default (embedded mode prints mails); EMAIL_URL=smtp+tls://… for real mail.
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
# A provider's own backend (django-anymail, say) can take the URL's place.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=globals()["EMAIL_BACKEND"])  # set just above
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="observatoire@localhost")
# The site's address, for the links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Who publishes, directs, hosts and answers for the site: named by initiatives/site_views.py.
SITE_PUBLISHER = env.str("SITE_PUBLISHER", default="Observatoire de la souveraineté numérique")
SITE_PUBLICATION_DIRECTOR = env.str(
    "SITE_PUBLICATION_DIRECTOR", default="Direction de l'Observatoire"
)
SITE_HOST_NAME = env.str("SITE_HOST_NAME", default=SITE_PUBLISHER)
SITE_HOST_ADDRESS = env.str("SITE_HOST_ADDRESS", default="")
SITE_CONTACT_EMAIL = env.str("SITE_CONTACT_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Celery ---------------------------------------------------------------------------------
# REDIS_URL=redis://… switches broker and results to Redis; without it Kombu's filesystem
# transport under var/ lets worker and beat run with no server at all.
REDIS_URL = env.str("REDIS_URL", default="")

# The longest a task may run: the worker kills it after this (the soft limit raises first).
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Publishing (send_task, .delay()) retries a lost connection once, quickly, then raises: the
# caller logs it and the next sweep catches up (services.enqueue_on_commit). Default: 3 tries
# over ~1 s each, on top of timeouts.
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # A message taken but not acknowledged goes back to the queue after this long. It
        # must outlast every task's hard time limit, countdown and longest retry backoff,
        # or a slow task runs again while it still runs (a 15 s task under a 5 s timeout was
        # seen to run three times). tests/test_settings.py holds this.
        "visibility_timeout": 3600,
        # Fail fast when Redis is away: a Redis that accepts connections but never answers
        # (paused) otherwise blocks publishing for minutes. Half a second is ample on a LAN.
        "socket_connect_timeout": 0.5,
        "socket_timeout": 0.5,
        **_PUBLISH_RETRY,  # Kombu's own reconnection when publishing: bounded, as Celery's.
    }
    # The result backend too (results are ignored, but the backend still connects).
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 0.5
    CELERY_REDIS_SOCKET_TIMEOUT = 0.5
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "results", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    # Producer and consumer share one folder: that folder is the queue.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Broadcast (pidbox) exchanges; by default Kombu drops them in the working directory.
        "control_folder": str(_broker_dir / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{_broker_dir / 'results'}"

# --- Celery: delivery, at least once; effects, exactly once ---------------------------------
# Acknowledge a message after its task ran, not before: a worker that dies mid-task leaves
# the message to be delivered again. The tasks make that safe (compare-and-swap claims).
CELERY_TASK_ACKS_LATE = True
# Without this, a task whose worker child is killed (SIGKILL, out of memory) is acknowledged
# as failed, and lost; with it, the message is requeued.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Each worker process reserves one message at a time: fewer messages stuck behind a slow task
# or in a dying worker.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task still running when the broker connection drops is cancelled: its message is
# delivered again anyway (acks_late), and two copies must not run side by side.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# A worker started before the broker waits for it instead of exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = _PUBLISH_RETRY  # said with the Redis broker's, above
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0

# --- Cache ----------------------------------------------------------------------------------
# Pages are cached under the data version the database bumps at every write
# (initiatives/pagecache.py): an edit shows on the next request, whatever the lifetime. Each
# data version has its own namespace, dropped when a newer one is stored (pagestore.py).
# PAGE_CACHE_SECONDS=0 turns the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=3600)
# Names the deployed release (a git commit, an image tag): part of every page-cache key, on top
# of the fingerprint of templates, code, static manifest and packages the app computes itself.
RELEASE = env.str("RELEASE", default="")
# The cache's Redis: REDIS_URL's by default. Give it its own server (or database) with
# `maxmemory` and `allkeys-lru` so that pages can never crowd out the broker's queues (README).
# At most this many pages per data version (in Redis, and in each process without Redis).
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
PAGE_CACHE_MAX_ENTRIES = env.int("PAGE_CACHE_MAX_ENTRIES", default=2000)
# A cache server that does not answer within this many seconds is treated as away, and then
# skipped for CACHE_BREAKER_SECONDS (initiatives/breaker.py): one timeout per process per
# interval, not one per request.
CACHE_TIMEOUT_SECONDS = env.float("CACHE_TIMEOUT_SECONDS", default=0.25)
CACHE_BREAKER_SECONDS = env.float("CACHE_BREAKER_SECONDS", default=30.0)

# The default cache (the spreadsheet import's sheet between its dry run and its confirmation).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "observatoire-default",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "default",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    )
}

# Spreadsheets of milestones in the admin (django-import-export). Importing takes the right to
# change milestones; exporting, to see them.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Formulas are escaped on export by the resource (initiatives/spreadsheets.py), reversibly: the
# library's own escaping only drops a leading "=" (lost on re-import), leaves +, - and @ live
# in CSV, and writes every XLSX cell as text, an empty one as the word "None".
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
# The longest sheet an import takes: previewed and confirmed each well within a web worker's
# 30 s (make bench measures 10,000 rows); a longer one is refused at once, nothing written.
SPREADSHEET_MAX_ROWS = env.int("SPREADSHEET_MAX_ROWS", default=10_000)
# The uploaded sheet waits between the dry run and the confirmation: in Redis when there is
# one (shared by every web process and host), else in the machine's temporary folder.
IMPORT_EXPORT_TMP_STORAGE_CLASS = (
    "import_export.tmp_storages.CacheStorage"
    if CACHE_URL
    else "import_export.tmp_storages.TempFolderStorage"
)

CELERY_TIMEZONE = TIME_ZONE
# JSON only: pickle would let anyone who can write to the broker run code in the worker.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=60.0)
# How often beat runs the deadline sweep, and when it sends the daily digest (Europe/Paris).
SWEEP_MINUTES = env.float("SWEEP_MINUTES", default=15.0)


def _clock(value: str) -> tuple[int, int]:
    try:
        parsed = dt_time.fromisoformat(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DIGEST_TIME must read HH:MM, not {value!r}.") from exc
    return parsed.hour, parsed.minute


DIGEST_TIME = _clock(env.str("DIGEST_TIME", default="08:00"))

# --- Logging --------------------------------------------------------------------------------


def _without_traceback(record: logging.LogRecord) -> bool:
    """A request for a host not in ALLOWED_HOSTS comes from a scanner or a misconfigured
    proxy, many times a day: one line says it all, a traceback only buries the real errors."""
    record.exc_info = None
    record.exc_text = None
    record.stack_info = None
    return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"without_traceback": {"()": CallbackFilter, "callback": _without_traceback}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # A logger's filters see only the records logged to it by name, not its children's.
    "loggers": {"django.security.DisallowedHost": {"filters": ["without_traceback"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Security -------------------------------------------------------------------------------
# What Django's deployment checklist and the Mozilla HTTP Observatory ask for; the production
# example (.env.production.example) turns on what needs HTTPS. tests/test_security_headers.py
# holds every page to it, and `check --deploy` to no warning.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# No script reads the CSRF cookie (htmx sends the token from the page) nor the language one.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Behind a TLS-terminating proxy, the scheme the visitor used comes in X-Forwarded-Proto. Only
# when that proxy sets it (and strips it from what clients send): anyone could otherwise claim
# HTTPS.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_HTTPS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# The load balancer's and docker-compose's probe speaks plain HTTP to the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): everything from our own origin, no inline script or
# style, no eval. htmx's trigger filters and indicator styles are off for this (base.html),
# positions are classes (static/css/positions.css), and the SRI hashes of the stylesheets
# and scripts are those of the files as served (templatetags/assets.py).
_csp_form_action = [SELF]
if OIDC_ENABLED:
    # The login form and the logout may redirect to ProConnect; browsers hold redirects after
    # a form submission to form-action too.
    from urllib.parse import urlsplit as _urlsplit

    _oidc = _urlsplit(OIDC_OP_AUTHORIZATION_ENDPOINT)
    _csp_form_action.append(f"{_oidc.scheme}://{_oidc.netloc}")
CONTENT_SECURITY_POLICY: dict[str, dict[str, list[str] | bool]] = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        # DSFR's icons and pictograms: files of ours, and a few data: URIs in its CSS.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": _csp_form_action,
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
        # django-import-export's export page (admin) has two style attributes and one inline
        # handler: these exact texts, and nothing else, are allowed as attributes.
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-mHgUAqxc8GPXM/QhzkHrHujcrQTU9fd6ZjWz+icxKcA='",  # padding: 0;
            "'sha256-+YWRMZ88jMyO7jVlBA52tZADiPobPIUA8LAWee68Fvs='",  # font-weight: bold;
        ],
        "script-src-attr": [
            "'unsafe-hashes'",
            "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",  # onSelectToggleChange(event)
        ],
    },
}
if SECURE_SSL_REDIRECT:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

# Permissions-Policy (django-permissions-policy): no page needs any of these powerful features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in "accelerometer autoplay camera display-capture encrypted-media fullscreen "
    "geolocation gyroscope magnetometer microphone midi payment picture-in-picture "
    "publickey-credentials-get screen-wake-lock usb xr-spatial-tracking".split()
}

BENCH_HELLO = env.bool("BENCH_HELLO", default=False)  # `make bench`: /bench/hello/, a baseline

# --- Notifications --------------------------------------------------------------------------
# Each sweep enqueues at most this many unsent alerts, oldest first; the next sweep goes on.
NOTIFY_PER_SWEEP = env.int("NOTIFY_PER_SWEEP", default=500)
# How often an open page asks for the bell's unread count.
BELL_POLL_SECONDS = env.int("BELL_POLL_SECONDS", default=60)

# --- Deadlines ------------------------------------------------------------------------------
# A milestone is "due soon" when the end of its window falls within this many days.
DEADLINE_HORIZON_DAYS = env.int("DEADLINE_HORIZON_DAYS", default=30)
# An observer may rate a milestone "not achieved" once its window and this grace have ended
# (or it was declared missed or cancelled): a late promise is not yet a broken one.
ASSESSMENT_GRACE_DAYS = env.int("ASSESSMENT_GRACE_DAYS", default=90)
