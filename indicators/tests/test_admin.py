import pytest
from django.urls import reverse

from indicators.models import Indicator, Observation, Region, Target

pytestmark = pytest.mark.django_db

MODELS = [Region, Indicator, Observation, Target]


@pytest.fixture
def administrator(client, django_user_model, reference_data):
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_renders_for_a_superuser(administrator, model):
    url = reverse(f"admin:indicators_{model._meta.model_name}_changelist")
    response = administrator.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_form_renders_for_a_superuser(administrator, model):
    obj = model.objects.first()
    url = reverse(f"admin:indicators_{model._meta.model_name}_change", args=[obj.pk])
    assert administrator.get(url).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_add_form_renders_for_a_superuser(administrator, model):
    url = reverse(f"admin:indicators_{model._meta.model_name}_add")
    assert administrator.get(url).status_code == 200


def test_changelist_search_finds_by_chinese_name(administrator):
    url = reverse("admin:indicators_indicator_changelist")
    response = administrator.get(url, {"q": "自来水"})
    assert [i.code for i in response.context["cl"].result_list] == ["tap_water_penetration"]


def test_admin_refuses_a_rate_above_100_with_the_reason(administrator):
    water = Indicator.objects.get(code="tap_water_penetration")
    response = administrator.post(
        reverse("admin:indicators_observation_add"),
        {
            "indicator": water.pk,
            "region": "100000",
            "area": "rural",
            "year": 2019,
            "value": "130",
            "source": "typed by hand",
            "note": "",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "130 is outside the valid range" in response.content.decode()
    assert not Observation.objects.filter(indicator=water, year=2019).exists()


def test_admin_records_who_entered_a_value(administrator):
    water = Indicator.objects.get(code="tap_water_penetration")
    response = administrator.post(
        reverse("admin:indicators_observation_add"),
        {
            "indicator": water.pk,
            "region": "100000",
            "area": "rural",
            "year": 2019,
            "value": "80",
            "source": "typed by hand",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert (
        Observation.objects.get(indicator=water, year=2019, area="rural").entered_by.username
        == "admin"
    )
