"""Error pages: Indonesian, in the app's layout, with the reason our own code raised."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from .conftest import make_report

pytestmark = pytest.mark.django_db


def test_another_offices_report_shows_the_reason(client_for, other_office):
    report = make_report(other_office, step=2)
    response = client_for("kasi_pmn").get(reverse("monev:report_detail", args=[report.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Laporan ini milik kantor lain." in page
    assert "Anda tidak berhak membuka halaman ini" in page
    assert "Tugas Saya" in page  # the app's navigation, not Django's bare page
    assert "Forbidden" not in page


def test_unknown_report_is_an_indonesian_404(client_for, sutera):
    response = client_for("camat").get(reverse("monev:report_detail", args=[999999]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Halaman tidak ditemukan" in page
    assert "Laporan tidak ditemukan." in page


def test_unknown_address_names_no_exception_class(client_for, sutera):
    response = client_for("camat").get("/tidak-ada/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Halaman tidak ditemukan" in page
    assert "Resolver404" not in page and "Http404" not in page


def test_expired_form_gets_the_indonesian_csrf_page(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["kasubag"])
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Formulir sudah kedaluwarsa" in page
    assert "CSRF verification failed" not in page


def _no_database(*args):
    raise RuntimeError("database is gone")


def test_server_error_page_needs_no_database(client_for):
    client = client_for("camat")
    client.raise_request_exception = False
    # Every query fails, from the session lookup on: the 500 page must not need one.
    with (
        override_settings(ROOT_URLCONF="tests.error_urls"),
        connection.execute_wrapper(_no_database),
    ):
        response = client.get("/rusak/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Terjadi gangguan pada server" in page
    assert "database is gone" not in page


def test_bad_request_page_is_indonesian(client_for):
    client = client_for("camat")
    with override_settings(ROOT_URLCONF="tests.error_urls"):
        response = client.get("/salah/")
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()
