"""Server errors: a clear 503 when the database cannot be reached, Django's 500 for the rest."""

import inspect
import logging
import sys
import traceback

from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30

# Every backend opens its connections in BaseDatabaseWrapper.connect (an override calls it).
CONNECT = inspect.unwrap(BaseDatabaseWrapper.connect).__code__


def failed_to_connect(error):
    """Whether `error` is Django's OperationalError or InterfaceError raised while opening a
    database connection (refused, timed out, rejected). The same classes raised by a query on
    an open connection (a missing table, a deadlock, SQLite's "database is locked") are bugs
    or conflicts, not an outage, and stay 500s."""
    return isinstance(error, (OperationalError, InterfaceError)) and any(
        frame.f_code is CONNECT for frame, _ in traceback.walk_tb(error.__traceback__)
    )


def server_error(request):
    """handler500, called by Django while it handles the exception.

    The 503 page is rendered from the request alone: no session, user, CSRF token or context
    processor, so it reads nothing from the database, in the visitor's language (cookie or
    Accept-Language). DEBUG's technical 500 page takes precedence, as for any error.
    """
    error = sys.exc_info()[1]
    if not failed_to_connect(error):
        return defaults.server_error(request)
    logger.error("database unavailable: 503 for %s %s: %s", request.method, request.path, error)
    with translation.override(translation.get_language_from_request(request)):
        ctx = {"home_url": reverse("indicators-overview"), "retry_url": request.get_full_path()}
        body = render_to_string("503.html", ctx)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
