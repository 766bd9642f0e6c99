# The web image: Python 3.11, dependencies from the hashed lock, static files collected at build.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH="/app/.venv/bin:$PATH"
WORKDIR /app

COPY requirements.lock ./
RUN python -m venv .venv && .venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock

COPY . .
# Compiled translations (.mo) are committed, so no gettext is needed here.
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 app && chown -R app /app/staticfiles
USER app

EXPOSE 8000
CMD ["python", "manage.py", "start"]
