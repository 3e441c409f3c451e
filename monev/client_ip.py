"""The client's address, also behind a reverse proxy, for login throttling."""

from django.conf import settings


def client_ip(request) -> str:
    """With TRUSTED_PROXY_COUNT proxies in front, the address the outermost trusted proxy saw.

    Only the entries our own proxies appended to X-Forwarded-For are trusted (counted from the
    right); anything further left could be written by the client itself.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    if len(chain) < proxies:
        return remote
    return chain[-proxies]
