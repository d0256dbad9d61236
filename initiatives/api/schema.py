"""The OpenAPI document's parts that come from the site's settings, and the errors every
operation may answer, as RFC 9457 problems (drf-spectacular postprocessing hook)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Un problème (RFC 9457), en français.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "reasons": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["name", "reasons"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

ERRORS = {
    "400": "Paramètre non valable (le détail les nomme).",
    "403": "Connexion nécessaire : les données ne sont pas publiques sur ce site.",
    "404": "Introuvable.",
    "405": "Méthode non permise : l'API est en lecture seule.",
    "406": "Format non disponible : l'API répond en JSON.",
    "429": "Trop de requêtes : attendre le nombre de secondes de l'en-tête Retry-After.",
}
RATE_HEADERS = {
    "RateLimit-Limit": "Requêtes permises par fenêtre.",
    "RateLimit-Remaining": "Requêtes restantes dans la fenêtre.",
    "RateLimit-Reset": "Secondes avant que la fenêtre se renouvelle.",
    "RateLimit-Policy": "La limite et la fenêtre en secondes (« 120;w=60 »).",
}


def describe_service(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    info = result.setdefault("info", {})
    info["contact"] = {
        "name": settings.SITE_PUBLISHER,
        "email": settings.SITE_CONTACT_EMAIL,
        "url": settings.SITE_URL + reverse("initiatives:open_data"),
    }
    info["termsOfService"] = settings.SITE_URL + reverse("initiatives:open_data") + "#conditions"
    result["servers"] = [{"url": settings.SITE_URL}]
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    headers = {name: {"description": text, "schema": {"type": "string"}}
               for name, text in RATE_HEADERS.items()}  # fmt: skip
    for path in result.get("paths", {}).values():
        for operation in path.values():
            # Anonymous reads are allowed (while PUBLIC_READ is on): the session is optional.
            if {} not in operation.setdefault("security", []):
                operation["security"].append({})
            responses = operation.setdefault("responses", {})
            for code in ("200", "304"):
                if code in responses:
                    responses[code].setdefault("headers", {}).update(headers)
            responses.setdefault(
                "304", {"description": "Inchangé depuis la version que le client détient (ETag)."}
            )
            for code, text in ERRORS.items():
                responses.setdefault(code, {"description": text, "content": problem})
    return result
