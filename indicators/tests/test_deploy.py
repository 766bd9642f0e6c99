"""docker-compose's start sequence, performed natively (no Docker engine runs here).

Fresh PostgreSQL database → collectstatic (the Dockerfile's build step) → `manage.py start`
(the compose `web` command: migrate, load reference data, gunicorn) → the served page,
behind a pretend HTTPS proxy with the production security settings, and the health probe.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


HOST = "dashboard.example.org"
# What the HTTPS reverse proxy in front adds to every request it passes on.
PROXIED = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def fetch(url, headers=PROXIED):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read().decode()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fresh_database():
    name = f"compose_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {ADMIN_URL}: {error}")
    admin.execute(f'CREATE DATABASE "{name}"')
    yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


def test_compose_file_runs_the_start_command_after_a_healthy_database():
    compose = (BASE / "docker-compose.yml").read_text()
    assert re.search(r'command: \["python", "manage.py", "start"\]', compose)
    assert "condition: service_healthy" in compose
    assert "pg_isready" in compose
    assert "image: postgres:16" in compose
    assert 'CMD ["python", "manage.py", "start"]' in (BASE / "Dockerfile").read_text()


def test_compose_probes_the_web_container_with_healthz():
    compose = (BASE / "docker-compose.yml").read_text()
    web = compose[compose.index("  web:") :]
    assert re.search(r"healthcheck:\n\s+#.*\n\s+test: .*http://127\.0\.0\.1:8000/healthz", web)
    assert "start_period" in web


def test_start_sequence_serves_the_reference_data_from_postgresql(fresh_database, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database,
        "DEBUG": "0",
        "SECRET_KEY": "native-compose-test-" + "x" * 40,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "3600",
        "PROXY_COUNT": "1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    manage = [sys.executable, str(BASE / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=BASE)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env["PATH"]
    server = subprocess.Popen(
        [*manage, "start", "--bind", f"127.0.0.1:{port}"],
        env=env,
        cwd=BASE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        html = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                html = fetch(f"http://127.0.0.1:{port}/")[2]
                break
            except OSError:
                time.sleep(0.3)
        assert html is not None, "gunicorn never answered"
        assert "自来水普及率" in html
        # Static files are served by whitenoise with hashed names.
        css = re.search(r'href="(/static/site\.[0-9a-f]{12}\.css)"', html)
        assert css, "stylesheet is not the hashed, collected one"
        headers = fetch(f"http://127.0.0.1:{port}{css.group(1)}")[1]
        assert "max-age=315360000" in headers["Cache-Control"]

        # The compose probe: container address, plain HTTP, no proxy headers.
        assert fetch(f"http://127.0.0.1:{port}/healthz", headers={})[::2] == (200, "ok")

        status, headers, html = fetch(f"http://127.0.0.1:{port}/indicators/tap_water_penetration/")
        assert status == 200 and "series-figure" in html
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Strict-Transport-Security"].startswith("max-age=3600")
        assert headers["X-Frame-Options"] == "DENY"
        status, headers, html = fetch(f"http://127.0.0.1:{port}/admin/login/")
        assert status == 200 and "Secure" in headers["Set-Cookie"]

        # Without the proxy's X-Forwarded-Proto the request was plain HTTP: redirect.
        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        plain.request("GET", "/", headers={"Host": HOST})
        response = plain.getresponse()
        assert response.status == 301
        assert response.headers["Location"] == f"https://{HOST}/"
        plain.close()
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert "Installed 291 object(s)" in output
