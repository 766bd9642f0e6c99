"""Time the CSV export and measure its peak memory: `manage.py bench_export --rows 1000000`."""

import time
import tracemalloc

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from indicators import views
from indicators.models import Indicator, Observation, Region


class Rollback(Exception):
    """Undo the generated rows once measured."""


class Command(BaseCommand):
    help = (
        "Export generated rows through /data/export.csv and report rows per second and peak "
        "Python memory. The rows are made inside a transaction that is rolled back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate")

    def handle(self, rows, **options):
        try:
            with transaction.atomic():
                self.generate(rows)
                self.measure(rows)
                raise Rollback
        except Rollback:
            pass

    def generate(self, rows):
        """Counties 99xxxx under a bench province, 150 years each, made by one INSERT … SELECT."""
        province = Region.objects.create(code="990000", name_zh="基准省", level="province")
        counties = Region.objects.bulk_create(
            Region(code=f"99{n:04d}", name_zh=f"基准县{n}", level="county", parent=province)
            for n in range(1, rows // 150 + 2)
        )
        indicator = Indicator.objects.create(
            code="bench_rate", name_zh="基准", name_en="Bench", unit="%", domain="digital",
            direction="higher",
        )  # fmt: skip
        columns = (
            "indicator_id, region_id, area, year, value, source, note, is_generated, "
            "updated_at, version"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Observation._meta.db_table} ({columns}) "
                "WITH RECURSIVE years(y) AS (SELECT 1950 UNION ALL SELECT y + 1 FROM years "
                "WHERE y < 2099) SELECT %s, r.code, 'total', y, (y %% 97) + 0.125, 'bench', '', "
                f"%s, %s, 1 FROM {Region._meta.db_table} r CROSS JOIN years "
                "WHERE r.code LIKE '99%%' AND r.level = 'county' LIMIT %s",
                [indicator.pk, True, timezone.now(), rows],
            )
        self.stdout.write(f"generated {len(counties)} counties, {rows} rows")

    def export(self):
        request = RequestFactory().get("/data/export.csv", {"region": "990000", "subregions": 1})
        response = views.data_export(request)
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        return lines - 1, size

    def measure(self, rows):
        started = time.perf_counter()
        exported, size = self.export()
        seconds = time.perf_counter() - started
        tracemalloc.start()
        self.export()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        self.stdout.write(
            f"{connection.vendor}: exported {exported} rows ({size / 1e6:.1f} MB) in "
            f"{seconds:.1f} s = {exported / seconds:,.0f} rows/s; "
            f"peak Python memory while streaming {peak / 1e6:.2f} MB"
        )
