"""Write a valid CSV of N generated observations for benchmarking the import.

    manage.py make_import_sample 100000 sample.csv

Every row is a distinct (indicator, region, area, year) cell from the indicators and regions
in the database, with a value in the middle of the indicator's valid range. The figures are
made up: load them only into a throwaway database."""

import csv
import itertools

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.imports import COLUMNS
from indicators.models import FIRST_YEAR, Indicator, Region


class Command(BaseCommand):
    help = "Write a CSV of generated observations for import benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("rows", type=int)
        parser.add_argument("file")

    def handle(self, rows, file, **options):
        cells = itertools.product(
            Indicator.objects.all(),
            Region.objects.values_list("code", flat=True),
            range(timezone.now().year, FIRST_YEAR - 1, -1),
        )
        written = 0
        with open(file, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            for indicator, region, year in cells:
                low = indicator.min_value or 0
                high = indicator.max_value if indicator.max_value is not None else low + 100
                for area in indicator.allowed_areas:
                    writer.writerow(
                        [
                            indicator.code,
                            region,
                            area,
                            year,
                            (low + high) / 2,
                            "generated for a benchmark",
                            "",
                        ]
                    )
                    written += 1
                    if written == rows:
                        return
        raise CommandError(f"Only {written} distinct cells exist; wrote them all.")
