"""Settings are read from the environment and refuse unsafe or malformed values."""

import os
import subprocess
import sys

from django.conf import settings

SETUP = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'])"
)


def start(code=SETUP, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DB_CONNECT_TIMEOUT"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="equalization.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = start(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_mode_starts_with_a_secret_key():
    result = start(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_a_malformed_debug_value_is_refused_by_name():
    result = start(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_database_url_selects_postgresql():
    result = start(DEBUG="1", DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert result.stdout.strip() == "django.db.backends.postgresql"


CONNECT_TIMEOUT = (
    "import django; django.setup(); from django.db import connection; "
    "print(connection.get_connection_params()['connect_timeout'])"
)
POSTGRES = "postgres://u@127.0.0.1:5432/x"


def test_postgresql_connections_give_up_after_a_few_seconds_by_default():
    # get_connection_params() is what the backend hands to psycopg.connect().
    result = start(CONNECT_TIMEOUT, DEBUG="1", DATABASE_URL=POSTGRES)
    assert result.stdout.strip() == "5", result.stderr


def test_db_connect_timeout_sets_the_connect_timeout():
    result = start(CONNECT_TIMEOUT, DEBUG="1", DATABASE_URL=POSTGRES, DB_CONNECT_TIMEOUT="2")
    assert result.stdout.strip() == "2", result.stderr


def test_a_connect_timeout_in_the_database_url_wins():
    url = POSTGRES + "?connect_timeout=9"
    result = start(CONNECT_TIMEOUT, DEBUG="1", DATABASE_URL=url, DB_CONNECT_TIMEOUT="2")
    assert result.stdout.strip() == "9", result.stderr


def test_a_malformed_connect_timeout_is_refused_by_name():
    result = start(CONNECT_TIMEOUT, DEBUG="1", DATABASE_URL=POSTGRES, DB_CONNECT_TIMEOUT="5s")
    assert result.returncode != 0
    assert "DB_CONNECT_TIMEOUT must be a whole number, not '5s'" in result.stderr


def test_the_product_speaks_chinese_first_in_shanghai_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
