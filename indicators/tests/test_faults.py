"""Faults the service must survive, each against real processes, bounded to seconds.

- PostgreSQL stopped and started again under load: errors only while it is down, recovery
  within 5 s of it coming back (CONN_HEALTH_CHECKS drops the dead persistent connections),
  no data lost. It runs on a private cluster (initdb in a temporary folder, a free port), never
  on the machine's shared server.
- An import killed (SIGKILL) while it writes leaves the data exactly as it was.
- Several gunicorn workers writing one SQLite file never fail with "database is locked".

Select them with `pytest -m faults`; they also run in `make test`. A missing binary (initdb,
pg_ctl, gunicorn) fails the test with a message saying so; nothing is skipped.
"""

import csv
import glob
import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = pytest.mark.faults

BASE = Path(settings.BASE_DIR)
MANAGE = [sys.executable, str(BASE / "manage.py")]
PAGES = ["/healthz", "/", "/indicators/tap_water_penetration/", "/regions/350000/"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_binary(name):
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        pytest.fail(f"{name} is needed for this test: install PostgreSQL's server package")
    return found


def as_postgres(command):
    """initdb and the server refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Cluster:
    """A private PostgreSQL cluster in a temporary folder, on a free port."""

    def __init__(self):
        self.pg_ctl = postgres_binary("pg_ctl")
        initdb = postgres_binary("initdb")
        self.dir = tempfile.mkdtemp(prefix="eq-faults-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.port = free_port()
        subprocess.run(
            as_postgres([initdb, "-D", self.dir, "-U", "postgres", "--auth=trust", "-N"]),
            check=True,
            capture_output=True,
            timeout=60,
        )
        self.start()
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE faults")

    def url(self, name="faults"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def ctl(self, *args):
        subprocess.run(
            as_postgres([self.pg_ctl, "-D", self.dir, "-w", "-t", "30", *args]),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-l", f"{self.dir}/server.log", "-o", options, "start")

    def stop(self):
        self.ctl("-m", "fast", "stop")

    def remove(self):
        subprocess.run(
            as_postgres([self.pg_ctl, "-D", self.dir, "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    cluster = Cluster()
    yield cluster
    cluster.remove()


def environment(database_url, **extra):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
        **extra,
    }


def manage(env, *args):
    result = subprocess.run(
        [*MANAGE, *args], env=env, cwd=BASE, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr}"
    return result.stdout


def prepared(env, *then):
    """Migrate, load the reference data and add a superuser `admin`, in one process (each
    Django start costs seconds on a busy machine); then run the commands in `then`."""
    commands = [("migrate", "--noinput", "-v0"), ("load_reference",), *then]
    manage(env, "shell", "-c", SETUP.format(commands=commands))
    return env


SETUP = """
from django.contrib.auth import get_user_model
from django.core.management import call_command
for command in {commands!r}:
    call_command(*command)
get_user_model().objects.create_superuser('admin', 'admin@example.org', 'fault-test-pw-9')
"""


class Gunicorn:
    def __init__(self, env, workers, log):
        if not shutil.which("gunicorn", path=env["PATH"]):
            pytest.fail("gunicorn is needed for this test: it is in requirements-dev.lock")
        self.port = free_port()
        self.log = open(log, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "equalization.wsgi", "--workers", str(workers)]
            + ["--bind", f"127.0.0.1:{self.port}", "--no-control-socket", "--timeout", "20"]
            + ["--error-logfile", "-"],
            env=env,
            cwd=BASE,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited: {Path(log).read_text()}"
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail("gunicorn never answered /healthz")

    def get(self, path, timeout=5):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def browse(server, stop, results, seconds, timeout=5, paused=None):
    """One client: GET the pages in turn until told to stop (or `seconds` pass), holding
    off while `paused` is set."""
    deadline = time.monotonic() + seconds
    turn = 0
    while not stop.is_set() and time.monotonic() < deadline:
        if paused is not None and paused.is_set():
            time.sleep(0.02)
            continue
        path = PAGES[turn % len(PAGES)]
        turn += 1
        started = time.monotonic()
        try:
            status = server.get(path, timeout)[0]
        except OSError as error:
            status = type(error).__name__
        results.append((started, time.monotonic(), path, status))


def snapshot(url):
    """Row counts and a checksum of every row of the tables that hold the data."""
    tables = [
        "indicators_region",
        "indicators_indicator",
        "indicators_observation",
        "indicators_target",
        "indicators_historicalobservation",
    ]
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                f" FROM {table} t"
            ).fetchone()
            for table in tables
        }


def test_postgresql_restarted_under_load_recovers_within_5_s_and_loses_nothing(cluster, tmp_path):
    env = prepared(environment(cluster.url(), CONN_MAX_AGE="60"))
    before = snapshot(cluster.url())
    server = Gunicorn(env, workers=2, log=tmp_path / "gunicorn.log")
    results, stop, paused = [], threading.Event(), threading.Event()
    clients = [
        threading.Thread(target=browse, args=(server, stop, results, 60, 5, paused))
        for _ in range(8)
    ]
    try:
        for client in clients:
            client.start()
        time.sleep(1.5)
        went_down = time.monotonic()
        cluster.stop()
        time.sleep(2)
        cluster.start()
        came_back = time.monotonic()
        time.sleep(6)
        # Again with no request during the outage: every worker still holds a connection to
        # the server that went away, and must not use it once the server is back.
        paused.set()
        time.sleep(1)
        quiet_restart = len(results)
        cluster.stop()
        cluster.start()
        paused.clear()
        time.sleep(2)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=15)
        server.stop()

    after_quiet_restart = results[quiet_restart:]
    results = results[:quiet_restart]
    failures = [r for r in results if r[3] != 200]
    healthy_before = [r for r in results if r[1] < went_down]
    assert healthy_before and all(r[3] == 200 for r in healthy_before), "errors before the stop"
    # The outage was real and /healthz said so (503, not a hang or a 500).
    assert any(r[2] == "/healthz" and r[3] == 503 for r in failures), failures[:5]
    assert all(r[1] >= went_down for r in failures), "an error outside the outage"
    recovery = max((r[1] for r in failures), default=came_back) - came_back
    print(f"\nrecovery after PostgreSQL came back: {max(recovery, 0):.2f} s")
    assert recovery <= 5, f"errors went on {recovery:.1f} s after PostgreSQL was back"
    # CONN_HEALTH_CHECKS: a worker's persistent connection died with the server; it is checked
    # and replaced before use, so no request begun after the server is back fails.
    assert not [r for r in failures if r[0] > came_back], "a stale connection was used"
    after_recovery = [r for r in results if r[0] > came_back + 5]
    assert len(after_recovery) >= 8 and all(r[3] == 200 for r in after_recovery)
    assert len(after_quiet_restart) >= 8
    assert all(r[3] == 200 for r in after_quiet_restart), "a stale connection was used"
    assert snapshot(cluster.url()) == before


def writing_observations(url):
    """Another backend is inside the import's write: the COPY into its staging table, or
    the INSERT/UPDATE of observations and their history that follows it."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND ("
            "query ILIKE 'COPY %%FROM STDIN%%' OR query ILIKE '%%INSERT INTO%%observation%%' "
            "OR query ILIKE '%%CREATE TEMP TABLE%%')"
        ).fetchone()[0]


def other_backends(url):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchone()[0]


def test_an_import_killed_while_it_writes_leaves_the_data_exactly_as_it_was(cluster, tmp_path):
    url = cluster.url()
    sample = tmp_path / "sample.csv"
    env = prepared(environment(url), ("make_import_sample", "60000", str(sample)))
    before = snapshot(url)
    importing = subprocess.Popen(
        [*MANAGE, "import_csv", str(sample), "--user", "admin", "--accept-warnings"],
        env=env,
        cwd=BASE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and importing.poll() is None:
            if writing_observations(url):
                break
            time.sleep(0.005)
        assert importing.poll() is None, (
            "the import ended before it was seen writing:\n" + importing.communicate()[0]
        )
        os.kill(importing.pid, signal.SIGKILL)
    finally:
        importing.kill()
        output = importing.communicate(timeout=10)[0]
    assert importing.returncode == -signal.SIGKILL
    assert "confirm:" not in output  # it never reported a finished write
    # The server notices the dead client and rolls its transaction back.
    deadline = time.monotonic() + 15
    while other_backends(url) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert snapshot(url) == before
    with psycopg.connect(url) as conn:
        statuses = dict(
            conn.execute(
                "SELECT status, count(*) FROM indicators_importbatch GROUP BY status"
            ).fetchall()
        )
    assert "applied" not in statuses
    assert statuses == {"pending": 1}  # the preview kept for confirming, never applied


def cookies(response):
    return "; ".join(response.headers.get_all("Set-Cookie") or [])


def admin_session(port):
    """Sign in to the admin; returns (cookie header, csrf token)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/admin/login/")
    response = conn.getresponse()
    html = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookies(response)).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = f"csrfmiddlewaretoken={token}&username=admin&password=fault-test-pw-9&next=/admin/"
    conn.request(
        "POST",
        "/admin/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"http://127.0.0.1:{port}/admin/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    assert response.status == 302, f"sign-in failed: {response.status}"
    session = re.search(r"sessionid=([^;]+)", cookies(response)).group(1)
    conn.close()
    return f"csrftoken={csrf_cookie}; sessionid={session}", csrf_cookie


def add_observations(port, cells, outcomes):
    """One editor at the admin: sign in, then add an observation for each cell."""
    try:
        cookie, token = admin_session(port)
    except Exception as error:  # noqa: BLE001 (recorded and asserted on)
        outcomes.append(("sign-in", repr(error)))
        return
    for indicator, region, area, year in cells:
        body = (
            f"csrfmiddlewaretoken={token}&indicator={indicator}&region={region}&area={area}"
            f"&year={year}&value=50&source=fault+test&note=&version="
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(
                "POST",
                "/admin/indicators/observation/add/",
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie,
                    "Referer": f"http://127.0.0.1:{port}/admin/",
                },
            )
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            outcomes.append((response.status, "database is locked" in text))
        except OSError as error:
            outcomes.append((type(error).__name__, False))
        finally:
            conn.close()


def free_cells(path, avoid, how_many):
    """Cells (indicator pk, province code, area, year) that hold no value yet, of indicators
    whose codes are not in `avoid`."""
    with sqlite3.connect(path) as db:
        taken = set(
            db.execute("SELECT indicator_id, region_id, area, year FROM indicators_observation")
        )
        indicators = db.execute(
            "SELECT id, code FROM indicators_indicator WHERE areas = 'split' ORDER BY id"
        ).fetchall()
        provinces = [
            row[0]
            for row in db.execute(
                "SELECT code FROM indicators_region WHERE level = 'province' ORDER BY code"
            )
        ]
    cells = []
    for pk, code in indicators:
        if code in avoid:
            continue
        for region in provinces:
            for year in range(2011, 2020):
                if (pk, region, "rural", year) not in taken:
                    cells.append((pk, region, "rural", year))
                if len(cells) == how_many:
                    return cells
    pytest.fail("not enough free cells in the reference data")


def test_several_gunicorn_workers_and_an_import_write_one_sqlite_file_without_locking(tmp_path):
    database = tmp_path / "db.sqlite3"
    # Beside the admin, a command-line import of 300 rows writes the same file; the admin
    # writes cells of other indicators (a cell the import previewed would make it stale).
    imported = tmp_path / "import.csv"
    env = prepared(
        environment(f"sqlite:///{database}"), ("make_import_sample", "300", str(imported))
    )
    with open(imported, newline="", encoding="utf-8") as handle:
        import_rows = list(csv.reader(handle))[1:]
    writers, per_writer = 5, 6
    cells = free_cells(database, {row[0] for row in import_rows}, writers * per_writer)
    server = Gunicorn(env, workers=4, log=tmp_path / "gunicorn.log")
    outcomes, reads, stop = [], [], threading.Event()
    threads = [
        threading.Thread(
            target=add_observations,
            args=(server.port, cells[i * per_writer : (i + 1) * per_writer], outcomes),
        )
        for i in range(writers)
    ] + [
        # Slow on a busy machine is not what this test is about: a long timeout.
        threading.Thread(target=browse, args=(server, stop, reads, 30, 30))
        for _ in range(3)
    ]
    try:
        importing = subprocess.Popen(
            [*MANAGE, "import_csv", str(imported), "--user", "admin", "--accept-warnings"],
            env=env,
            cwd=BASE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for thread in threads:
            thread.start()
        for thread in threads[:writers]:
            thread.join(timeout=60)
        import_output = importing.communicate(timeout=60)[0]
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        server.stop()
    log = (tmp_path / "gunicorn.log").read_text()
    assert "database is locked" not in log + import_output
    assert importing.returncode == 0, import_output
    assert len(outcomes) == writers * per_writer
    assert all(outcome == (302, False) for outcome in outcomes), outcomes
    assert reads and all(r[3] == 200 for r in reads), [r for r in reads if r[3] != 200][:5]
    with sqlite3.connect(database) as db:
        stored = set(
            db.execute(
                "SELECT indicator_id, region_id, area, year FROM "
                "indicators_observation WHERE source = 'fault test'"
            )
        )
        from_import = db.execute(
            "SELECT count(*) FROM indicators_observation WHERE source = ?",
            ["generated for a benchmark"],
        ).fetchone()[0]
    assert stored == set(cells)  # every admin write landed
    assert from_import == len(import_rows)  # and every imported row
