import shutil

import pytest
from django.core.management import call_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """--national runs the `national` tests alone (the others expect an empty database);
    without it they are skipped."""
    national = [item for item in items if item.get_closest_marker("national")]
    if config.getoption("--national"):
        config.hook.pytest_deselected(items=[i for i in items if i not in national])
        items[:] = national
    else:
        skip = pytest.mark.skip(reason="needs the national data: pytest --national")
        for item in national:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """With --national: the reference data and the national generated data, once."""
    if request.config.getoption("--national"):
        with django_db_blocker.unblock():
            call_command("loaddata", "reference", verbosity=0)
            call_command("generate_data", scale="national", seed=2035)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reference_data(db):
    """The shipped reference data, for tests about the product's real figures."""
    call_command("loaddata", "reference", verbosity=0)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


# Personas for who may do what (official, an editor of Fujian, an editor of Guangdong, an
# administrator; anonymous is the plain `client`), on a small world: the country, Fujian with
# Fuzhou below it, Guangdong, one split rate with one value in each province.
@pytest.fixture
def world(db):
    from types import SimpleNamespace

    from indicators.tests import factories

    fujian = factories.province("350000", "福建省", "Fujian")
    guangdong = factories.province("440000", "广东省", "Guangdong")
    fuzhou = factories.prefecture("350100", "福州市", "Fuzhou", parent=fujian)
    water = factories.rate(max_yearly_change=10)
    return SimpleNamespace(
        country=factories.country(),
        fujian=fujian,
        guangdong=guangdong,
        fuzhou=fuzhou,
        water=water,
        fujian_value=factories.observe(water, fujian, 2022, 90.0),
        guangdong_value=factories.observe(water, guangdong, 2022, 92.0),
    )


@pytest.fixture
def official(world):
    """Reads the public pages; not staff, so the admin is closed to them."""
    from indicators.tests.factories import person

    return person("official", "Official", staff=False)


@pytest.fixture
def fujian_editor(world):
    from indicators.tests.factories import person

    return person("fujian_editor", "Editor", [world.fujian])


@pytest.fixture
def guangdong_editor(world):
    from indicators.tests.factories import person

    return person("guangdong_editor", "Editor", [world.guangdong])


@pytest.fixture
def administrator_user(world):
    """An administrator by role (the Administrator group), not a superuser."""
    from indicators.tests.factories import person

    return person("administrator", "Administrator")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A test client request leaves its language active in the thread; start each test clean."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no cached pages (a rolled-back test leaves its data version behind)."""
    from django.core.cache import caches

    caches["pages"].clear()
