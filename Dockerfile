# The web image: Python 3.11 (Debian bookworm, slim), dependencies from the hashed lock,
# static files collected (compressed, hashed names) at build, run as an unprivileged user.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH="/app/.venv/bin:$PATH"
WORKDIR /app

COPY requirements.lock ./
RUN python -m venv .venv && .venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock

COPY . .
# Compiled translations (.mo) are committed, so no gettext is needed here. The code stays
# owned by root: the app user can read it, not change it.
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 app
USER app

EXPOSE 8000
# The same probe as docker-compose's: /healthz answers 200 only when the database does.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["python", "manage.py", "start"]
