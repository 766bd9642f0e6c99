"""Production security: the deploy checklist, response headers, admin login throttling."""

import os
import secrets
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory

from equalization.proxy import client_ip
from indicators.tests.factories import country

# What docker-compose's .env sets in production (see .env.example).
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "dashboard.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
}


def manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_the_deploy_checklist_passes_with_the_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_checklist_fails_without_https_settings():
    env = {**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


@pytest.mark.django_db
def test_every_page_sends_the_security_headers(client, settings):
    country()
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/", secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_cookies_are_secure_and_sessions_expire_in_production():
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_AGE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "equalization.settings"}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env={k: v for k, v in os.environ.items() if k != "DEBUG"} | env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["True", "True", "True", str(8 * 60 * 60), "31536000", "True"]


@pytest.mark.django_db
class TestAdminLogin:
    def attempt(self, client, password, **meta):
        data = {"username": "admin", "password": password, "next": "/admin/"}
        return client.post("/admin/login/?next=/admin/", data, **meta)

    @pytest.fixture(autouse=True)
    def admin(self, django_user_model, settings):
        settings.AXES_FAILURE_LIMIT = 3
        django_user_model.objects.create_superuser("admin", "a@example.org", "right-pw-123")

    def test_a_right_password_logs_in(self, client):
        assert self.attempt(client, "right-pw-123").status_code == 302

    def test_it_locks_out_after_the_failure_limit_with_a_clear_message(self, client):
        for _ in range(2):
            assert self.attempt(client, "wrong").status_code == 200
        response = self.attempt(client, "wrong")
        assert response.status_code == 429
        text = response.content.decode()
        assert "3" in text and "30" in text
        # Even the right password is refused now.
        assert self.attempt(client, "right-pw-123").status_code == 429

    def test_the_lockout_message_is_in_chinese_by_default(self, client):
        for _ in range(3):
            response = self.attempt(client, "wrong")
        assert "登录已锁定" in response.content.decode()

    def test_behind_a_proxy_one_client_is_locked_out_not_everyone(self, client, settings):
        settings.PROXY_COUNT = 1
        proxy = {"REMOTE_ADDR": "10.0.0.2"}
        for _ in range(3):
            self.attempt(client, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
        assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
        other = self.attempt(client, "right-pw-123", HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
        assert other.status_code == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.2"),  # no proxy configured: the header is not trusted
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the client forged the left part
        (2, "203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (2, "10.0.0.1", "10.0.0.2"),  # shorter than the proxy chain: not ours
        (1, "", "10.0.0.2"),
    ],
)
def test_the_client_address_is_counted_from_the_right(settings, count, forwarded, expected):
    settings.PROXY_COUNT = count
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == expected
