"""The whole API, tried from its own OpenAPI document (schemathesis, property-based): for
every operation, requests generated from the document's parameters, valid and invalid, must
never meet a server error, and every answer must match the document (a documented status,
its content type, its body's schema, its headers).

The document is generated once at import (drf-spectacular, as /api/v1/schema/ serves it: the
first test checks they are the same), so that pytest can name one test per operation. The
requests go to the Django WSGI application in process, on the test database, holding a small
set of every kind of object."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection

from tests.test_api import _some_data, reader

pytestmark = pytest.mark.django_db

# The document as the schema view builds it (public: every endpoint, whoever asks).
DOCUMENT = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = get_wsgi_application()


@pytest.fixture
def api(settings: Any) -> Iterator[None]:
    """Some data of every kind, and rate limits out of the run's reach (REST framework
    reloads its settings on the change; the throttles hold their rates from import)."""
    _some_data(1)
    settings.ALLOWED_HOSTS = ["*"]
    high = {"anon": "1000000/second", "user": "1000000/second"}
    # Django closes its connection when a request ends; here that connection holds the test's
    # transaction, so, as Django's test client does, it stays open through the run.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        with override_settings(
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": high}
        ):
            _rates()
            yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
        _rates()


def _rates() -> None:
    from rest_framework.settings import api_settings

    from initiatives.api import access

    for throttle in (access.AnonymousRate, access.AccountRate):
        throttle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_the_document_tried_is_the_one_the_api_serves() -> None:
    served = reader().get("/api/v1/schema/")
    assert served.status_code == 200
    assert served.json() == DOCUMENT


def test_every_operation_is_tried() -> None:
    # An operation schemathesis could not read would be an error here, not a quiet omission.
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    tried = {(operation.method.upper(), operation.path) for operation in operations}
    documented = {
        (method.upper(), path) for path, ops in DOCUMENT["paths"].items() for method in ops
    }
    assert tried == documented and len(tried) >= 23


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same cases on every run: reproducible in CI
    database=None,  # no .hypothesis/ directory in the tree
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_document(case: Any, api: None) -> None:
    # Every check of schemathesis but one: an invalid request must be refused. The API is
    # lenient where REST framework and django-filter are, by design: an empty filter is no
    # filter, and a `page_size` that is not a number gives the default page. A value outside
    # a filter's choices, a date or a year that is not one, are refused (400), and a valid
    # request must be accepted (that check stays).
    case.call_and_validate(excluded_checks=[negative_data_rejection])
