"""/healthz: is this web process able to serve, i.e. can it reach the database?"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse

logger = logging.getLogger(__name__)

PATH = "/healthz"


def database_ok():
    """None if a cheap `SELECT 1` succeeds, else a short reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("health check: database unavailable: %s", error)
        return "database unavailable"
    return None


class HealthCheckMiddleware:
    """Answers /healthz before any other middleware runs.

    A probe (docker compose, a load balancer) calls the container by its own address over
    plain HTTP: answering here means it needs no allowed Host, no HTTPS redirect, and gets
    no session, cookie or CSRF token. 200 "ok", or 503 with a short reason.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        reason = database_ok()
        response = HttpResponse(
            reason or "ok", status=503 if reason else 200, content_type="text/plain"
        )
        response["Cache-Control"] = "no-store"
        return response
