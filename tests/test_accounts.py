"""Accounts: the login message, changing one's own password, a new password by e-mail."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "sandi-baru-kecamatan-77"


def signed_in(username: str, password: str) -> Client | None:
    """A client signed in through the login page (django-axes needs the request), or None."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client if response.status_code == 302 else None


def test_wrong_password_says_so_once(users):
    response = Client().post(reverse("login"), {"username": "camat", "password": "salah"})
    page = response.content.decode()
    assert "Nama pengguna atau kata sandi salah." in page
    assert "nama pengguna nama pengguna" not in page.lower()


def test_login_page_offers_a_forgotten_password_link(db):
    page = Client().get(reverse("login")).content.decode()
    assert reverse("password_reset") in page


@pytest.mark.parametrize("name", ["camat", "kasubag", "kasi_pmn", "admin"])
def test_every_user_changes_their_own_password(users, name):
    client = signed_in(name, PASSWORD)
    page = client.get(reverse("monev:inbox")).content.decode()
    assert reverse("password_change") in page
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Kata sandi baru Anda sudah berlaku." in response.content.decode()
    assert client.get(reverse("monev:inbox")).status_code == 200  # still signed in
    assert signed_in(name, NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing(users):
    client = signed_in("camat", PASSWORD)
    response = client.post(
        reverse("password_change"),
        {"old_password": "keliru", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert signed_in("camat", PASSWORD)


def test_password_reset_by_email(users):
    user = users["kasi_pmn"]
    get_user_model().objects.filter(pk=user.pk).update(email="pmn@sutera.go.id")
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "pmn@sutera.go.id"}, follow=True)
    assert "Periksa e-mail Anda" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Sutera Kinerja: buat kata sandi baru"
    assert "Nama pengguna Anda: kasi_pmn" in message.body
    link = re.search(r"https?://[^/\s]+(/akun/sandi-baru/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Buat kata sandi baru" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Kata sandi baru tersimpan" in response.content.decode()
    assert signed_in("kasi_pmn", NEW_PASSWORD)
    # The link works once.
    assert "sudah dipakai atau kedaluwarsa" in client.get(link, follow=True).content.decode()


def test_unknown_address_reveals_nothing(users):
    response = Client().post(reverse("password_reset"), {"email": "siapa@contoh.id"}, follow=True)
    assert "Periksa e-mail Anda" in response.content.decode()
    assert mail.outbox == []
