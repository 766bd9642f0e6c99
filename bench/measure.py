"""Measure one database at its current size; print the results as JSON.

Run by bench/run.py once per database and scale (DATABASE_URL picks the database).
It starts gunicorn (DEBUG=0, whitenoise, collected static files) on loopback for
the page timings and the bytes on the wire, and measures the rest in-process:
queries per page (test client), CSV export and a 100,000-row import.
"""

import argparse
import csv
import http.client
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

from common import ROOT, free_port, percentile

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "equalization.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402
from django.utils import timezone  # noqa: E402

from indicators.models import FIRST_YEAR, Indicator, Observation, Region  # noqa: E402

TRIVIAL = ("trivial view (/livez)", "/livez")
PAGES = [
    ("overview", "/"),
    ("indicator", "/indicators/tap_water_penetration/"),
    ("province scorecard", "/regions/350000/"),
    (
        "compare",
        "/compare/?indicator=tap_water_penetration&regions=100000&regions=350000&regions=110000",
    ),
    ("data browser", "/data/"),
]
EXPORT_URL = "/data/export.csv"
# The same columns and order as the product's export: the physical limit to compare with.
EXPORT_SQL = (
    "COPY (SELECT i.code, i.name_zh, o.region_id, r.name_zh, r.level, o.area, o.year, o.value, "
    "i.unit, o.source, o.note, o.is_generated "
    "FROM indicators_observation o JOIN indicators_indicator i ON i.id = o.indicator_id "
    "JOIN indicators_region r ON r.code = o.region_id "
    "ORDER BY i.display_order, i.code, o.region_id, o.area, o.year) TO STDOUT WITH (FORMAT csv)"
)
BROWSER = {"Accept-Encoding": "br, gzip", "Accept-Language": "zh-CN,zh;q=0.9"}
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def exists(path):
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


class PeakMemory:
    """The growth of this process's resident memory while the block runs (sampled)."""

    def __enter__(self):
        self.base = self.peak = self.rss()
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()

    @staticmethod
    def rss():
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE

    def sample(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.005)

    @property
    def megabytes(self):
        return round((self.peak - self.base) / 2**20, 1)


def rate(rows, seconds, memory=None, **extra):
    out = {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}
    if memory is not None:
        out["peak_mb"] = memory.megabytes
    return {**out, **extra}


# ---------------------------------------------------------------- gunicorn


def serve(static_root, log, **settings_env):
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-not-secret",
        "STATIC_ROOT": str(static_root),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        **settings_env,
    }
    command = [
        sys.executable, "-m", "gunicorn", "equalization.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--no-control-socket", "--access-logfile", str(log),
        "--access-logformat", "%(r)s|%(s)s|%(D)s",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if get(port, TRIVIAL[1])[0] == 200:
                return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer /livez within 30 s")


def get(port, path, headers=None):
    """(status, bytes received: status line + headers + body, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
    head += sum(len(k) + len(v) + 4 for k, v in response.getheaders())
    return response.status, head + len(body), dict(response.getheaders()), body


def time_pages(port, pages, requests, log):
    """Server time per request from gunicorn's access log (%(D)s, microseconds)."""
    for _name, path in pages:
        for _ in range(3):
            get(port, path, BROWSER)  # warm: connections, template and translation caches
    log.write_text("")
    for _name, path in pages:
        for _ in range(requests):
            status, *_ = get(port, path, BROWSER)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
    time.sleep(0.5)  # the access log is written after the response
    by_line = {}
    for line in log.read_text().splitlines():
        request, _status, micros = line.rsplit("|", 2)
        by_line.setdefault(request.split(" ")[1], []).append(int(micros) / 1000)
    out = {}
    for name, path in pages:
        times = by_line[path]
        out[name] = {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(percentile(times, 0.95), 2),
            "requests": len(times),
        }
    return out


def wire(port, path):
    """Bytes received for a first visit and a repeat visit with a warm browser cache."""
    status, first, headers, body = get(port, path, BROWSER)
    assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', body.decode())))
    repeat = 0
    conditional = {}
    if "ETag" in headers:
        conditional["If-None-Match"] = headers["ETag"]
    if "Last-Modified" in headers:
        conditional["If-Modified-Since"] = headers["Last-Modified"]
    if "Set-Cookie" in headers:  # a browser sends back the cookie it was given (CSRF)
        jar = SimpleCookie(headers["Set-Cookie"])
        conditional["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in jar.items())
    repeat += get(port, path, {**BROWSER, **conditional})[1]
    fresh = 0
    for asset in assets:
        _status, size, asset_headers, _ = get(port, asset, BROWSER)
        first += size
        cache = asset_headers.get("Cache-Control", "")
        max_age = re.search(r"max-age=(\d+)", cache)
        if "immutable" in cache or (max_age and int(max_age.group(1)) >= 86400):
            fresh += 1  # still fresh in the browser cache: not asked for at all
            continue
        again = {}
        if "ETag" in asset_headers:
            again["If-None-Match"] = asset_headers["ETag"]
        if "Last-Modified" in asset_headers:
            again["If-Modified-Since"] = asset_headers["Last-Modified"]
        repeat += get(port, asset, {**BROWSER, **again})[1]
    return {
        "first_kb": round(first / 1024, 1),
        "repeat_kb": round(repeat / 1024, 1),
        "assets": len(assets),
        "assets_cache_fresh": fresh,
        "html_etag": "ETag" in headers,
    }


# ---------------------------------------------------------------- in-process


def count_queries(pages):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    out = {}
    for name, path in pages:
        client.get(path)  # warm: the first request of a process makes extra queries
        caches["pages"].clear()  # a page rendered from the data, not served from the cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        with CaptureQueriesContext(connection) as hit:
            client.get(path)
        out[name] = {"queries": len(queries), "cached": len(hit), "status": response.status_code}
    return out


def export_python():
    """The product's streaming /data/export.csv of every row."""
    rows = Observation.objects.count()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with PeakMemory() as memory:
        started = time.perf_counter()
        response = Client().get(EXPORT_URL)
        size = sum(len(chunk) for chunk in response.streaming_content)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return rate(rows, seconds, memory, method=f"product {EXPORT_URL}", mb=round(size / 2**20, 1))


def export_copy():
    rows = Observation.objects.count()
    size = 0
    connection.ensure_connection()
    with PeakMemory() as memory:
        started = time.perf_counter()
        with connection.connection.cursor() as cursor, cursor.copy(EXPORT_SQL) as copy:
            for block in copy:
                size += len(block)
        seconds = time.perf_counter() - started
    method = "COPY (SELECT …) TO STDOUT"
    return rate(rows, seconds, memory, method=method, mb=round(size / 2**20, 1))


def import_csv(rows):
    """A CSV of `rows` new, valid cells: throw-away indicators × every region × 3 areas ×
    years, each year's total between its urban and rural values."""
    regions = list(Region.objects.values_list("code", flat=True))
    # Years the importer accepts (FIRST_YEAR to this year): later ones are refused as errors.
    years = range(FIRST_YEAR, timezone.now().year + 1)
    per_indicator = len(regions) * 3 * len(years)
    indicators = [
        Indicator.objects.create(
            code=f"bench_import_{n}", name_zh=f"基准导入{n}", name_en=f"Benchmark import {n}",
            unit="%", domain="digital", direction="higher", min_value=0, max_value=100,
            areas="split",
        )
        for n in range(-(-rows // per_indicator))
    ]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "region", "area", "year", "value", "source"])
    cells = (
        (i.code, r, a, y) for i in indicators for r in regions for a in ("total", "urban", "rural")
        for y in years
    )  # fmt: skip
    base = {"urban": 80, "total": 70, "rural": 60}
    for _n, (code, region, area, year) in zip(range(rows), cells, strict=False):
        value = base[area] + (year - FIRST_YEAR) / 10
        writer.writerow([code, region, area, year, round(value, 1), "benchmark import"])
    return out.getvalue()


def import_with_import_export(text, rows):
    import tablib
    from import_export import fields, resources, widgets

    class ObservationResource(resources.ModelResource):
        indicator = fields.Field(
            attribute="indicator", column_name="indicator",
            widget=widgets.ForeignKeyWidget(Indicator, "code"),
        )  # fmt: skip
        # The region code is the region's primary key: no lookup needed.
        region = fields.Field(attribute="region_id", column_name="region")

        class Meta:
            model = Observation
            fields = ("indicator", "region", "area", "year", "value", "source")
            import_id_fields = ("indicator", "region", "area", "year")
            # The fastest configuration its documentation gives for new rows: one bulk
            # write per batch, no before/after comparison of each row, no lookup of an
            # existing row (every benchmark row is new).
            use_bulk = True
            skip_diff = True
            force_init_instance = True

    dataset = tablib.Dataset().load(text, format="csv")
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = ObservationResource().import_data(dataset, dry_run=False, raise_errors=True)
        seconds = time.perf_counter() - started
    written = Observation.objects.filter(indicator__code__startswith="bench_import_").count()
    assert written == rows and not result.has_errors(), (written, rows)
    method = "django-import-export 4.4.3 (use_bulk, skip_diff, force_init_instance)"
    return rate(rows, seconds, memory, method=method)


def import_with_copy(text, rows):
    """COPY the CSV into a staging table, then one INSERT … SELECT resolving the codes."""
    connection.ensure_connection()
    with PeakMemory() as memory:
        started = time.perf_counter()
        with connection.connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_import (indicator text, region text, area text, "
                "year int, value float8, source text) ON COMMIT DROP"
            )
            with cursor.copy("COPY bench_import FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
                copy.write(text)
            cursor.execute(
                "INSERT INTO indicators_observation (indicator_id, region_id, area, year, value, "
                "source, note, is_generated, updated_at, version) SELECT i.id, b.region, b.area, "
                "b.year, b.value, b.source, '', false, now(), 1 FROM bench_import b "
                "JOIN indicators_indicator i ON i.code = b.indicator"
            )
            written = cursor.rowcount
        seconds = time.perf_counter() - started
    assert written == rows, (written, rows)
    return rate(rows, seconds, memory, method="COPY FROM STDIN + INSERT … SELECT")


def import_with_product(text, rows):
    """The product's importer, the admin's code path: preview (parse and validate, write
    nothing), then confirm (one transaction, bulk writes with history rows)."""
    from django.contrib.auth import get_user_model

    from indicators import imports

    user = get_user_model().objects.create_superuser("bench_importer", "b@example.org", None)
    raw = text.encode("utf-8")
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = imports.preview(raw, "bench.csv", user)
        previewed = time.perf_counter()
        assert result.can_confirm, result.messages[:3]
        batch = imports.confirm(imports.save_pending(result, user), user)
        seconds = time.perf_counter() - started
    assert batch.created_count == rows, (batch.created_count, rows)
    preview_rate = rows / (previewed - started)
    confirm_rate = rows / (seconds - (previewed - started))
    method = (
        f"product importer: preview ({preview_rate:,.0f} rows/s) + confirm "
        f"({confirm_rate:,.0f} rows/s)"
    )
    return rate(rows, seconds, memory, method=method)


def run_imports(rows):
    results = []
    peers = [import_with_import_export, import_with_product]
    if connection.vendor == "postgresql":
        peers.insert(1, import_with_copy)
    for peer in peers:
        # Each import runs on the same data and is rolled back: nothing stays behind.
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Django's foreign keys are deferred to the commit, which a rolled-back peer
                # never reaches: check them as each row is written, as a real import pays.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            text = import_csv(rows)
            results.append(peer(text, rows))
            transaction.set_rollback(True)
        if connection.vendor == "postgresql":
            # A rolled-back import leaves its rows behind as dead index entries under the same
            # keys the next peer writes: clear them, so that each peer starts from the same
            # tables whatever its place in the order.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM indicators_observation, indicators_historicalobservation")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--static-root", help="collected static files (default: collect now)")
    parser.add_argument(
        "--pages-only", action="store_true", help="time the pages only: no export or import"
    )
    args = parser.parse_args()

    pages = [(name, path) for name, path in PAGES if exists(path)]
    missing = [path for _name, path in PAGES if not exists(path)]
    results = {
        "vendor": connection.vendor,
        "observations": Observation.objects.count(),
        "regions": Region.objects.count(),
        "missing_pages": missing,
    }
    with tempfile.TemporaryDirectory() as scratch:
        static_root = args.static_root
        if not static_root:
            static_root = Path(scratch) / "static"
            env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x", "STATIC_ROOT": str(static_root)}
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT, env=env, check=True,
            )  # fmt: skip
        log = Path(scratch) / "access.log"
        server, port = serve(static_root, log)
        try:
            results["timings"] = time_pages(port, [TRIVIAL, *pages], args.requests, log)
            results["wire"] = {name: wire(port, path) for name, path in pages}
        finally:
            server.terminate()
            server.wait()
        # The same pages with the page cache off: what the first visit after a write costs.
        server, port = serve(static_root, log, PAGE_CACHE_URL="dummy://")
        try:
            results["timings_uncached"] = time_pages(port, [TRIVIAL, *pages], args.requests, log)
        finally:
            server.terminate()
            server.wait()
    results["queries"] = count_queries(pages)
    if args.pages_only:
        json.dump(results, sys.stdout, ensure_ascii=False)
        return
    results["export"] = [export_python()]
    if connection.vendor == "postgresql":
        results["export"].append(export_copy())
    results["import"] = run_imports(args.import_rows)
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
