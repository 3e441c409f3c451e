"""URLs that fail on purpose, for tests/test_error_pages.py (the project's handlers apply)."""

from django.core.exceptions import SuspiciousOperation
from django.urls import include, path


def _crash(request):
    raise RuntimeError("database is gone")


def _suspicious(request):
    raise SuspiciousOperation("bad input")


urlpatterns = [
    path("rusak/", _crash),
    path("salah/", _suspicious),
    path("", include("sutera_kinerja.urls")),
]

handler400 = "monev.views.errors.bad_request"
handler403 = "monev.views.errors.permission_denied"
handler404 = "monev.views.errors.page_not_found"
handler500 = "monev.views.errors.server_error"
