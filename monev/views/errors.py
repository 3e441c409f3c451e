"""Error pages in the app's layout and in Indonesian. Only reasons the code itself raises are
shown (PermissionDenied / Http404 messages); Django's own English internals never reach the page."""

from django.core.exceptions import PermissionDenied
from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.urls import Resolver404
from django.utils.functional import Promise


def _reason(exception) -> str:
    """The message our own code gave the exception, or nothing."""
    if isinstance(exception, Resolver404) or exception is None:
        return ""
    args = getattr(exception, "args", ())
    return str(args[0]) if args and isinstance(args[0], str | Promise) else ""


def bad_request(request, exception, template_name="400.html"):
    # The 400 page runs without context processors: the request that failed may be malformed.
    return HttpResponseBadRequest(loader.get_template(template_name).render())


def permission_denied(request, exception, template_name="403.html"):
    reason = _reason(exception) if isinstance(exception, PermissionDenied) else ""
    body = loader.get_template(template_name).render({"reason": reason}, request)
    return HttpResponseForbidden(body)


def page_not_found(request, exception, template_name="404.html"):
    body = loader.get_template(template_name).render({"reason": _reason(exception)}, request)
    return HttpResponseNotFound(body)


def server_error(request, template_name="500.html"):
    # No request, no context processors: the database behind them may be what broke.
    return HttpResponseServerError(loader.get_template(template_name).render())


def csrf_failure(request, reason="", template_name="403_csrf.html"):
    # Rendered without the request: the form's session may be gone, and the reason Django gives
    # is English developer text, so the page explains it in its own words instead.
    return HttpResponseForbidden(loader.get_template(template_name).render())
