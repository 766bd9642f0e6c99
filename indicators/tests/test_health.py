"""/healthz: 200 "ok" when the database answers, 503 with a reason when it does not."""

import pytest
from django.db import OperationalError

from equalization import health

pytestmark = pytest.mark.django_db


class DownDatabase:
    def cursor(self):
        raise OperationalError('connection to server at "db" (172.18.0.2), port 5432 failed')


def test_it_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_it_answers_503_with_a_short_reason_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "connection", DownDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable"


def test_it_runs_one_cheap_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1
        client.get("/healthz")


def test_it_sets_no_cookie_and_is_never_cached(client):
    response = client.get("/healthz")
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert response["Cache-Control"] == "no-store"


def test_a_probe_by_container_address_over_plain_http_gets_through(client, settings):
    # Production: only the public host name is allowed and HTTP redirects to HTTPS.
    settings.ALLOWED_HOSTS = ["dashboard.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="172.18.0.3:8000").status_code == 200
    assert client.get("/", HTTP_HOST="dashboard.example.org").status_code == 301
    assert client.get("/", HTTP_HOST="172.18.0.3:8000").status_code == 400


def test_other_methods_and_paths_are_left_to_the_site(client):
    assert client.post("/healthz").status_code == 404
    assert client.get("/healthz/extra").status_code == 404
