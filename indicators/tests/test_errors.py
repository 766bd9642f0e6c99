"""When the database cannot be reached, every page is a translated 503 that needs nothing from
it; every other error stays a 500."""

import logging
import socket

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.templatetags.static import static
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db

ZH_BRAND = "城乡基本公共服务均等化监测"


@pytest.fixture
def unreachable_database():
    """The default connection swapped for one to a PostgreSQL port nothing listens on: each
    connection attempt is refused, as when the server is down. The test database is left alone."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    real = connections[DEFAULT_DB_ALIAS]
    down = DatabaseWrapper(
        {
            **real.settings_dict,
            "ENGINE": "django.db.backends.postgresql",
            "HOST": "127.0.0.1",
            "PORT": port,
            "NAME": "unreachable",
            "USER": "postgres",
            "OPTIONS": {"connect_timeout": 2},
        },
        DEFAULT_DB_ALIAS,
    )
    connections[DEFAULT_DB_ALIAS] = down
    yield
    connections[DEFAULT_DB_ALIAS] = real


@pytest.fixture
def browser_client():
    """A client that gets the error page, as a browser does, instead of the exception."""
    return Client(raise_request_exception=False)


def test_a_dashboard_page_is_a_503_that_says_why_when_the_database_is_down(
    browser_client, unreachable_database, caplog
):
    with caplog.at_level(logging.ERROR, logger="equalization.errors"):
        response = browser_client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Service temporarily unavailable" in page
    assert "The data store cannot be reached. Please try again in a moment." in page
    assert '<a href="/">Try again</a>' in page
    assert "database unavailable: 503 for GET /" in caplog.text


def test_the_page_speaks_chinese_by_default(browser_client, unreachable_database):
    response = browser_client.get("/indicators/tap_water_penetration/")
    assert response.status_code == 503
    assert '<html lang="zh-Hans">' in response.content.decode()
    assert ZH_BRAND in response.content.decode()


def test_the_page_has_no_inline_style_or_script_and_carries_the_policy(
    browser_client, unreachable_database
):
    response = browser_client.get("/data/")
    page = response.content.decode()
    assert response.status_code == 503
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert "<style" not in page and "style=" not in page and "<script" not in page
    assert f'<link rel="stylesheet" href="{static("site.css")}">' in page


def test_signing_in_to_the_admin_is_a_503_when_the_database_is_down(
    browser_client, unreachable_database
):
    # The sign-in form itself needs nothing from the database; signing in does.
    assert browser_client.get("/admin/login/?next=/admin/").status_code == 200
    response = browser_client.post(
        "/admin/login/?next=/admin/", {"username": "administrator", "password": "pw"}
    )
    assert response.status_code == 503
    assert "/admin/login/?next=/admin/" in response.content.decode()


def test_a_signed_in_visit_to_the_admin_is_a_503_when_the_database_is_down(
    browser_client, unreachable_database, settings
):
    browser_client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32  # read from the database
    assert browser_client.get("/admin/login/").status_code == 503
    assert browser_client.get("/admin/indicators/observation/").status_code == 503


def broken_query(request):
    with connection.cursor() as cursor:  # an open connection: a bug, not an outage
        cursor.execute("SELECT * FROM no_such_table")


def raises_operational_error(request):
    raise OperationalError("deadlock detected")


urlpatterns = [path("query/", broken_query), path("raise/", raises_operational_error)]
handler500 = "equalization.errors.server_error"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/query/", "/raise/"])
def test_database_errors_other_than_connecting_stay_500s(browser_client, url):
    response = browser_client.get(url)
    assert response.status_code == 500
    assert "Retry-After" not in response
