"""Cursor pagination: `next` and `previous` links, in a stable order (the primary key), each
page one index range whatever its depth, so the thousandth page costs what the first does.
Pages are not counted: a count would read every matching row on every page.

Strict where REST framework is lenient: a `page_size` that is not a whole number from 1 to
the maximum is refused (400), not replaced by the default; a cursor whose position is not an
id (one made by hand) is refused as an unknown page (404), not a 500."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request


class Cursor(CursorPagination):
    ordering = "id"
    page_size_query_param = "page_size"
    page_size_query_description = _("Items per page (at most %(max)s).") % {
        "max": settings.API_MAX_PAGE_SIZE
    }
    cursor_query_description = _("The page's position: follow the `next` and `previous` links.")
    invalid_cursor_message = _("This page position is not valid: follow a `next` link.")
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return int(self.page_size)
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            message = _("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        return int(raw)

    def decode_cursor(self, request: Request) -> Any:
        cursor = super().decode_cursor(request)
        position = None if cursor is None else cursor.position
        if position is not None and not (position.isascii() and position.isdigit()):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters
