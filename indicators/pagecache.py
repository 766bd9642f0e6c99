"""The officials' pages, cached whole for anonymous visitors and kept exact by the data version.

An entry is keyed by the page's full state (path, query string, language) and holds the
data version token it was rendered from (models.DataVersion, which database triggers change
in the same transaction as any write). A hit costs one query, reading the token; an entry
whose token is not the current one is a miss, so no page ever outlives a write, whichever
path wrote it. The cache itself is Django's (settings.CACHES["pages"]): correctness never
depends on it being shared between processes, only warmth does.

Per-visitor parts: the CSRF token of the language switch is cut out before an entry is
stored and the visitor's own put in when it is served; signed-in users are never served
from, and never fill, the cache.
"""

import hashlib
import re
from functools import wraps

from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language

from .models import DataVersion

CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
PLACEHOLDER = b"\x00csrf\x00"


def page_key(request):
    path = request.get_full_path().encode()
    return f"page:{get_language()}:{hashlib.sha256(path).hexdigest()}"


def etag_for(request, key, version):
    """Changes with the data, the page's state and the visitor's CSRF secret (the page
    carries a token made from it; get_token makes one if the visitor has none yet)."""
    get_token(request)
    secret = request.META["CSRF_COOKIE"]
    return '"' + hashlib.sha256(f"{version}|{key}|{secret}".encode()).hexdigest()[:32] + '"'


def validated(response, etag):
    """Browsers may keep the page but must ask again (a 304 when nothing changed); shared
    caches must not keep it, as it holds this visitor's CSRF token."""
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def serve(request, body, content_type, etag):
    body = body.replace(PLACEHOLDER, get_token(request).encode())
    return validated(HttpResponse(body, content_type=content_type), etag)


def cached_page(view):
    """Serve `view` from the page cache for anonymous GET requests; only 200s are stored."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        # Read before the view's own queries, so a page is never stored under a version newer
        # than its data (a write between the two only makes the entry useless, not wrong).
        version = DataVersion.objects.current()
        if version is None:
            return view(request, *args, **kwargs)
        cache = caches["pages"]
        key = page_key(request)
        etag = etag_for(request, key, version)
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return validated(not_modified, etag)
        entry = cache.get(key)
        if entry is not None and entry[0] == version:
            return serve(request, entry[2], entry[1], etag)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            stored = CSRF_INPUT.sub(rb"\1" + PLACEHOLDER + rb"\2", response.content)
            cache.set(key, (version, response["Content-Type"], stored))
            validated(response, etag)
        return response

    return wrapper
