"""Settings of the open data's API (/api/v1/): Django REST framework, drf-spectacular and
CORS. Part of settings.py, which imports every name here; a file of its own because they are
one concern, read by libraries rather than by our code. The knobs are environment variables
with an embedded default, as in settings.py."""

import environ

env = environ.Env()

API_APPS = [
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from our static files: no CDN
    "corsheaders",
]

# Items per page of a list (`?page_size=` asks for fewer or more, up to the maximum).
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=500)
# Requests per client and period (second, minute, hour or day): by address for anonymous
# readers, by account for signed-in ones. Told in each answer's RateLimit-* headers.
API_THROTTLE_ANON = env.str("API_THROTTLE_ANON", default="120/minute")
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="600/minute")

REST_FRAMEWORK = {
    # Read-only JSON: no browsable HTML API (Swagger UI documents it), no request bodies.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["initiatives.api.access.PublicRead"],
    "DEFAULT_THROTTLE_CLASSES": [
        "initiatives.api.access.AnonymousRate",
        "initiatives.api.access.AccountRate",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": API_THROTTLE_ANON, "user": API_THROTTLE_USER},
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "initiatives.api.pagination.Cursor",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "initiatives.api.errors.problem_details",
    "URL_FORMAT_OVERRIDE": None,
    "UNICODE_JSON": True,
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "API de l'Observatoire de la souveraineté numérique",
    "DESCRIPTION": (
        "Les missions de l'État pour la souveraineté numérique, leurs chantiers, leurs jalons "
        "et leurs échéances, chaque fait appuyé par une citation de sa source. Lecture seule, "
        "données sous Licence Ouverte 2.0. Conditions, limites et fichiers CSV : /donnees/."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["initiatives.api.access.PublicRead"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "LICENSE": {
        "name": "Licence Ouverte 2.0",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    },
    # The contact and the terms of use come from the site's settings (initiatives.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "initiatives.api.schema.describe_service",
    ],
    # One name per set of codes shared by several fields.
    "ENUM_NAME_OVERRIDES": {
        "PrecisionEnum": "initiatives.models.base.Precision",
        "AssessedStatusEnum": "initiatives.models.ratings.Assessed",
    },
    "SORT_OPERATION_PARAMETERS": False,
}

# Cross-origin reads of the open data, by any site; no credentials, no writes.
CORS_URLS_REGEX = r"^/(api/|donnees/|calendrier/|missions/[^/]+/echeances\.ics$)"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = [
    *("ETag", "Last-Modified", "Retry-After"),
    *("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"),
]
