"""Error pages: in French, in the DSFR's look, with a way back; the 500 page with the database
down; a request for a host not served is one line in the log, not a traceback."""

from __future__ import annotations

import io
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse


from sovereignty import urls as site_urls

from .factories import MilestoneFactory

# This module is also the URLconf of the 500 tests: the site's, plus a view that fails.


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site_urls.urlpatterns]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500

DASHBOARD = 'href="/"'


def assert_error_page(response: Any, status: int, title: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f"<h1>{title}</h1>" in html
    assert f"Erreur {status}" in html
    assert "fr-grid-row" in html and "fr-artwork" in html and 'class="fr-btn' in html
    assert DASHBOARD in html  # a way back
    assert " style=" not in html and "<script>" not in html  # CSP: no inline style or script
    return html


@pytest.mark.django_db
def test_an_unknown_address_is_a_french_404_that_does_not_echo_it() -> None:
    response = Client().get('/nulle-part/"><script>alert(1)</script>/')
    html = assert_error_page(response, 404, "Page non trouvée")
    assert "La page que vous cherchez est introuvable" in html
    assert "alert(1)" not in html
    assert "Se connecter" in html and 'id="footer"' in html  # the site's header and footer
    assert 'href="/plan-du-site/"' in html


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_is_a_french_403_with_a_way_back() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("initiatives:login"),
        {"username": "claire", "password": "pw"},
        HTTP_REFERER="http://testserver/connexion/?next=/frise/",
    )
    html = assert_error_page(response, 403, "Formulaire expiré")
    assert 'href="http://testserver/connexion/?next=/frise/">Recharger la page</a>' in html
    assert "Votre navigateur doit accepter les cookies" in html  # none was sent
    assert "Se connecter" in html
    # The cookie comes with the page: reloading it makes the form work.
    assert "csrftoken" in response.cookies
    # A Referer from elsewhere is no way back.
    response = client.post(
        reverse("initiatives:login"), {"username": "claire"}, HTTP_REFERER="https://evil.example/x"
    )
    html = assert_error_page(response, 403, "Formulaire expiré")
    assert "evil.example" not in html


def test_a_page_one_may_not_see_is_a_french_403(db: None) -> None:
    reader = get_user_model().objects.create_user("lea")
    client = Client()
    client.force_login(reader)
    milestone = MilestoneFactory()  # of a workstream "lea" does not coordinate
    response = client.get(reverse("initiatives:milestone_edit", args=[milestone.pk]))
    html = assert_error_page(response, 403, "Accès refusé")
    assert "demandez à un administrateur" in html
    assert "Se déconnecter" in html  # the signed-in header: the page is one of the site's


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler writes, as LOGGING formats it."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_host_not_served_is_a_french_400_and_one_line_in_the_log(console: io.StringIO) -> None:
    response = Client().get("/", HTTP_HOST="scanner.example")
    html = assert_error_page(response, 400, "Requête incorrecte")
    assert "scanner.example" not in html
    logged = console.getvalue()
    lines = [line for line in logged.splitlines() if "django.security.DisallowedHost" in line]
    assert len(lines) == 1 and "scanner.example" in lines[0]
    assert lines[0].split()[2] == "ERROR"
    assert "Traceback" not in logged and "\n  File " not in logged


@pytest.fixture
def database_down(transactional_db: None) -> Iterator[list[Any]]:
    """The default database's address points at a port where nothing listens. Yields the
    connection attempts made meanwhile."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    attempts: list[Any] = []
    connect = connection.get_new_connection

    def counted(params: dict[str, Any]) -> Any:
        attempts.append(params)
        return connect(params)

    saved = (connection.settings_dict["HOST"], connection.settings_dict["PORT"])
    connection.close()
    connection.settings_dict["HOST"] = "127.0.0.1"
    connection.settings_dict["PORT"] = closed.getsockname()[1]
    connection.get_new_connection = counted  # type: ignore[method-assign]
    try:
        yield attempts
    finally:
        del connection.get_new_connection
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved
        closed.close()


@pytest.fixture
def signed_in(transactional_db: None) -> Client:
    """A signed-in client: showing who is signed in would need the session, in the database."""
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.create_user("claire", first_name="Claire"))
    return client


@pytest.mark.urls(__name__)
def test_the_500_page_is_french_and_asks_nothing_of_the_database(
    signed_in: Client, database_down: list[Any]
) -> None:
    response = signed_in.get("/boom/")
    html = assert_error_page(response, 500, "Erreur inattendue")
    assert "Essayez de rafraîchir la page" in html
    assert "Claire" not in html
    assert database_down == []  # not one connection attempted


def test_a_page_is_a_french_500_while_the_database_is_unreachable(
    signed_in: Client, database_down: list[Any]
) -> None:
    response = signed_in.get("/missions/")
    assert_error_page(response, 500, "Erreur inattendue")
    assert database_down  # the page did try
