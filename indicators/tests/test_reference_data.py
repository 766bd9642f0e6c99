"""The shipped reference data: counts, sources, and a load that is safe to repeat."""

import csv
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from indicators.models import Indicator, Observation, Region, Target

pytestmark = pytest.mark.django_db

FIXTURE = Path(settings.FIXTURE_DIRS[0]) / "reference.json"


def test_load_reference_fills_an_empty_database_with_every_row():
    call_command("load_reference", verbosity=0)
    assert Region.objects.count() == 32
    assert Indicator.objects.count() == 27
    assert Observation.objects.count() == 196
    assert Target.objects.count() == 36


def test_every_observation_and_target_keeps_its_source():
    call_command("load_reference", verbosity=0)
    assert not Observation.objects.filter(source="").exists()
    assert not Target.objects.filter(source="").exists()
    assert not Observation.objects.filter(is_generated=True).exists()


def test_a_known_figure_arrives_with_its_source():
    call_command("load_reference", verbosity=0)
    internet = Observation.objects.get(
        indicator__code="internet_penetration", region="100000", area="rural", year=2023
    )
    assert internet.value == 66.5
    assert "CNNIC" in internet.source


def test_loading_twice_neither_fails_nor_duplicates():
    call_command("load_reference", verbosity=0)
    call_command("load_reference", verbosity=0)
    call_command("load_reference", force=True, verbosity=0)
    assert Observation.objects.count() == 196
    assert Target.objects.count() == 36


def test_a_filled_database_is_left_as_it_is(capsys):
    call_command("load_reference", verbosity=0)
    Observation.objects.filter(indicator__code="internet_penetration").update(note="checked")
    call_command("load_reference")
    assert "already present" in capsys.readouterr().out
    assert Observation.objects.filter(note="checked").exists()


def test_every_observation_value_lies_in_its_indicators_range():
    call_command("load_reference", verbosity=0)
    for obs in Observation.objects.select_related("indicator"):
        obs.indicator.check_value(obs.value)
        assert obs.area in obs.indicator.allowed_areas


def test_fixture_matches_the_steering_csv_when_it_is_beside_the_repository():
    steering = Path(settings.BASE_DIR).parent / "shared" / "reference-data" / "observations.csv"
    if not steering.exists():
        pytest.skip("steering reference data is not beside this checkout")
    with steering.open(encoding="utf-8") as handle:
        rows = {
            (r["indicator_code"], r["region_code"], r["area"], int(r["year"])): (
                float(r["value"]),
                r["source"],
            )
            for r in csv.DictReader(handle)
        }
    shipped = {
        (
            o["fields"]["indicator"][0],
            o["fields"]["region"],
            o["fields"]["area"],
            o["fields"]["year"],
        ): (
            o["fields"]["value"],
            o["fields"]["source"],
        )
        for o in json.loads(FIXTURE.read_text())
        if o["model"] == "indicators.observation"
    }
    assert shipped == rows
