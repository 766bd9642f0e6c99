"""Convert the steering project's sourced CSV files into fixtures/reference.json.

A maintainer's tool: the product itself only ever reads the committed fixture.
Every value and source text is copied as it stands; nothing is computed.
"""

import csv
import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.models import Indicator

# Indicators with a better direction whose urban and rural values are both
# published, or that carry a numeric national target, lead the overview.
NUMERIC_COMPARISONS = {"minimum", "maximum", "exact"}
# When the steering reference data was compiled; stamped as each row's last change.
COMPILED_AT = "2026-11-23T00:00:00+08:00"


def read_csv(folder, name):
    path = Path(folder) / name
    if not path.exists():
        raise CommandError(f"{path} not found")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def number(text):
    return None if text.strip() == "" else float(text)


def areas_of(published):
    if {"urban", "rural"} <= published:
        return Indicator.Areas.SPLIT
    if published == {"rural"}:
        return Indicator.Areas.RURAL
    if published == {"urban"}:
        return Indicator.Areas.URBAN
    return Indicator.Areas.TOTAL


class Command(BaseCommand):
    help = "Build fixtures/reference.json from the sourced reference CSV files."

    def add_arguments(self, parser):
        parser.add_argument("source", help="folder holding regions.csv, indicators.csv, ...")
        parser.add_argument(
            "--output", default=str(Path(settings.FIXTURE_DIRS[0]) / "reference.json")
        )

    def handle(self, source, output, **options):
        regions = read_csv(source, "regions.csv")
        indicators = read_csv(source, "indicators.csv")
        observations = read_csv(source, "observations.csv")
        targets = read_csv(source, "targets.csv")

        published_areas = defaultdict(set)
        for row in observations:
            published_areas[row["indicator_code"]].add(row["area"])
        numeric_target = {
            row["indicator_code"] for row in targets if row["comparison"] in NUMERIC_COMPARISONS
        }

        objects = [
            {
                "model": "indicators.region",
                "pk": row["code"],
                "fields": {
                    "name_zh": row["name_zh"],
                    "name_en": row["name_en"],
                    "level": row["level"],
                    "parent": row["parent_code"] or None,
                },
            }
            for row in regions
        ]
        for order, row in enumerate(indicators, start=1):
            areas = areas_of(published_areas[row["code"]])
            objects.append(
                {
                    "model": "indicators.indicator",
                    "fields": {
                        "code": row["code"],
                        "name_zh": row["name_zh"],
                        "name_en": row["name_en"],
                        "unit": row["unit"],
                        "domain": row["domain"],
                        "direction": row["direction"],
                        "definition_en": row["definition"],
                        "min_value": number(row["min_value"]),
                        "max_value": number(row["max_value"]),
                        "areas": areas,
                        "is_headline": row["direction"] != "neutral"
                        and (areas == Indicator.Areas.SPLIT or row["code"] in numeric_target),
                        "display_order": order * 10,
                    },
                }
            )
        for row in observations:
            objects.append(
                {
                    "model": "indicators.observation",
                    "fields": {
                        "indicator": [row["indicator_code"]],
                        "region": row["region_code"],
                        "area": row["area"],
                        "year": int(row["year"]),
                        "value": float(row["value"]),
                        "source": row["source"],
                        "updated_at": COMPILED_AT,
                    },
                }
            )
        for row in targets:
            objects.append(
                {
                    "model": "indicators.target",
                    "fields": {
                        "indicator": [row["indicator_code"]],
                        "region": row["region_code"] or None,
                        "area": row["area"],
                        "year": int(row["year"]),
                        # Progress is measured from the end of the 13th FYP,
                        # unless the target itself falls on or before it.
                        "base_year": 2020 if int(row["year"]) > 2020 else int(row["year"]) - 5,
                        "comparison": row["comparison"],
                        "value": number(row["value"]),
                        "source": row["source"],
                        "wording": row["wording"],
                    },
                }
            )

        Path(output).write_text(json.dumps(objects, ensure_ascii=False, indent=1) + "\n")
        self.stdout.write(
            f"Wrote {output}: {len(regions)} regions, {len(indicators)} indicators, "
            f"{len(observations)} observations, {len(targets)} targets."
        )
