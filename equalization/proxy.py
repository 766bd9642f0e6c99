"""The client's address when the site runs behind reverse proxies."""

from django.conf import settings


def client_ip(request):
    """The address the outermost of settings.PROXY_COUNT proxies received the request from.

    Each proxy appends the address it saw to X-Forwarded-For, so with N proxies the client is
    the N-th entry from the right; anything further left was sent by the client and can be
    forged. With no proxy configured, or a header too short to be ours, REMOTE_ADDR.
    """
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [address.strip() for address in forwarded if address.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
