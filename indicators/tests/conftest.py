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
