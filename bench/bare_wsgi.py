"""The application exactly as production runs it, plus two bench-only pages for the ceiling.

Run it with gunicorn in place of ``sutera_kinerja.wsgi:application`` (bench/load.py does):
same settings, same middleware (sessions, CSRF, login required, CSP, axes, ...), same
database, same workers. Only the URLconf differs: it is the project's, with two pages in front
that exist in this process alone (the app itself gains no URL):

- ``/bench/bare/``: a logged-in request through the whole middleware stack to a view that
  returns a short HttpResponse. The ceiling: what any page costs before it does any work.
- ``/bench/kerangka/``: the same, rendering ``base.html`` with an empty content block (the
  navigation bar with its context processors), to split the template's fixed share off.
"""

import importlib
import os

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sutera_kinerja.settings")
# Before the handler loads: the resolver reads ROOT_URLCONF on the first request.
settings.ROOT_URLCONF = __name__

from sutera_kinerja.wsgi import application  # noqa: E402  (also refuses the development key)

# The project's URLs import views and forms, which need the apps loaded first.
project_urls = importlib.import_module("sutera_kinerja.urls")


def bare(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def frame(request):
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/kerangka/", frame),
    *project_urls.urlpatterns,
]

__all__ = ["application"]
