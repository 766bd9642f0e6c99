import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run beside one unless told the test is deliberately synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
