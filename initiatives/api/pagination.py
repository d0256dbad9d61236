"""Cursor pagination: `next` and `previous` links, in a stable order (the primary key), each
page one index range whatever its depth, so the thousandth page costs what the first does.
Pages are not counted: a count would read every matching row on every page."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    ordering = "id"
    page_size_query_param = "page_size"
    page_size_query_description = _("Items per page (at most %(max)s).") % {
        "max": settings.API_MAX_PAGE_SIZE
    }
    cursor_query_description = _("The page's position: follow the `next` and `previous` links.")
    invalid_cursor_message = _("This page position is not valid: follow a `next` link.")
    max_page_size = settings.API_MAX_PAGE_SIZE
