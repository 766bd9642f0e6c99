"""Small plain-Python builders for test data (fixtures/ is the product's data, not scaffolding)."""

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
