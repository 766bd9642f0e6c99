import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run beside one unless told the test is deliberately synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_addoption(parser):
    parser.addoption(
        "--national",
        action="store_true",
        help=(
            "run only the tests marked `national`, against the reference data plus "
            "`generate_data --scale national` (~2 million rows), loaded once per session"
        ),
    )
