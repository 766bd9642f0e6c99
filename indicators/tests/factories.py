"""Small plain-Python builders for test data (fixtures/ is the product's data, not scaffolding)."""

from django.db import connection
from django.utils import timezone

from indicators.models import Indicator, Observation, Region, Target

COUNTRY = {"code": "100000", "name_zh": "全国", "name_en": "China (national)", "level": "country"}


def country():
    region, _ = Region.objects.get_or_create(code=COUNTRY["code"], defaults=COUNTRY)
    return region


def province(code="350000", name_zh="福建省", name_en="Fujian"):
    return Region.objects.create(
        code=code, name_zh=name_zh, name_en=name_en, level="province", parent=country()
    )


def rate(code="tap_water_penetration", **fields):
    defaults = {
        "name_zh": "自来水普及率",
        "name_en": "Tap (piped) water coverage",
        "unit": "%",
        "domain": "infrastructure",
        "direction": "higher",
        "min_value": 0,
        "max_value": 100,
        "areas": "split",
        "is_headline": True,
    }
    return Indicator.objects.create(code=code, **{**defaults, **fields})


def observe(indicator, region, year, value, area="rural", **fields):
    return Observation.objects.create(
        indicator=indicator,
        region=region,
        area=area,
        year=year,
        value=value,
        source=fields.pop("source", "test source"),
        **fields,
    )


def target(indicator, year, value, comparison="minimum", region=None, area="rural", **fields):
    return Target.objects.create(
        indicator=indicator,
        region=region or country(),
        area=area,
        year=year,
        value=value,
        comparison=comparison,
        source=fields.pop("source", "test policy"),
        **fields,
    )


def region(code, name_zh, level, parent, name_en=""):
    return Region.objects.create(
        code=code, name_zh=name_zh, name_en=name_en, level=level, parent=parent
    )


def fujian_tree():
    """Fujian (350000) > Fuzhou (350100) > Gulou district (350102), and Beijing beside it."""
    fujian = province()
    fuzhou = region("350100", "福州市", "prefecture", fujian, "Fuzhou")
    gulou = region("350102", "鼓楼区", "county", fuzhou, "Gulou District")
    beijing = province("110000", "北京市", "Beijing")
    return fujian, fuzhou, gulou, beijing


def bulk_generated(indicators, regions, years, area="total"):
    """One generated value per indicator, region and year, written in a few big inserts."""
    rows = [
        Observation(
            indicator=indicator,
            region=place,
            area=area,
            year=year,
            value=(year % 97) + index / 8,
            source="generated",
            is_generated=True,
        )
        for index, (indicator, place, year) in enumerate(
            (i, r, y) for i in indicators for r in regions for y in years
        )
    ]
    Observation.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def insert_generated(indicator, regions, first_year, last_year):
    """Like bulk_generated, for hundreds of thousands of rows: made by the database itself.

    bulk_create spends ~50 µs a row preparing fields in Python (10 s for 200,000 rows) and
    executemany is little better on PostgreSQL; one INSERT … SELECT over the regions and a
    recursive run of years takes about a second on SQLite and PostgreSQL alike.
    """
    table = Observation._meta.db_table
    region_table = Region._meta.db_table
    columns = (
        "indicator_id, region_id, area, year, value, source, note, is_generated, "
        "updated_at, version"
    )
    codes = [place.pk for place in regions]
    sql = (
        f"INSERT INTO {table} ({columns}) "
        "WITH RECURSIVE years(y) AS (SELECT %s UNION ALL SELECT y + 1 FROM years WHERE y < %s) "
        "SELECT %s, r.code, 'total', y, (y %% 97) + 0.125, 'generated', '', %s, %s, 1 "
        f"FROM {region_table} r CROSS JOIN years WHERE r.code IN ({', '.join(['%s'] * len(codes))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [first_year, last_year, indicator.pk, True, timezone.now(), *codes])
    return Observation.objects.filter(indicator=indicator).count()


# Names an attacker (or a careless import) might give a region or an indicator.
HOSTILE_NAMES = ["</script><script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
HOSTILE_INDICATOR = "hostile_rate"
HOSTILE_REGION = "990000"

# Every public page, filled with hostile_data()'s codes. The security tests (escaping,
# Content-Security-Policy in Chromium, query-string fuzzing) all run over this list:
# a new page only needs adding here.
PUBLIC_PAGES = [
    "/",
    "/?region={region}",
    "/indicators/{indicator}/",
    "/indicators/{indicator}/?region={region}&path=1",
    "/regions/{region}/",
    "/regions/100000/",
    "/compare/?indicator={indicator}&regions=100000&regions={region}",
    "/compare/?indicator={indicator}&regions=100000&regions={region}&mode=bars",
    "/data/?indicator={indicator}&region={region}&subregions=1",
]


def public_pages():
    return [p.format(indicator=HOSTILE_INDICATOR, region=HOSTILE_REGION) for p in PUBLIC_PAGES]


def hostile_data():
    """A province and a headline indicator whose every free-text field is an injection attempt,
    with urban and rural values for it and the country, and targets: every page and chart
    that shows a name shows one of these."""
    script, tag = HOSTILE_NAMES
    region = province(code=HOSTILE_REGION, name_zh=script, name_en=tag)
    indicator = rate(
        code=HOSTILE_INDICATOR,
        name_zh=script,
        name_en=tag,
        definition_zh=tag,
        definition_en=script,
        source=script,
    )
    for where in (country(), region):
        for year, (urban, rural) in {2020: (90, 70), 2022: (92, 78), 2023: (93, 81)}.items():
            observe(indicator, where, year, urban, area="urban", source=tag, note=script)
            observe(indicator, where, year, rural, area="rural", source=script, note=tag)
    target(indicator, 2025, 90, source=tag, wording=script)
    target(indicator, 2030, 95, region=region, source=script, wording=tag)
    target(indicator, 2035, None, comparison="qualitative", source=tag, wording=script)
    return indicator, region


def prefecture(code="350100", name_zh="福州市", name_en="Fuzhou", parent=None):
    parent = parent or Region.objects.get(code=code[:2] + "0000")
    return Region.objects.create(
        code=code, name_zh=name_zh, name_en=name_en, level="prefecture", parent=parent
    )


def person(username, role=None, regions=(), staff=True):
    """A user in one of the role groups (Official, Editor, Administrator) made by migration 0003,
    assigned to `regions` (an editor enters data for them and every region below)."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, User

    from indicators.models import EditorAssignment

    if role and not Group.objects.filter(name=role).exists():
        # A transactional test flushed the groups the migration made: make them again.
        importlib.import_module("indicators.migrations.0003_roles").create_roles(apps, None)
    user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for region in regions:
        EditorAssignment.objects.create(user=user, region=region)
    return user
