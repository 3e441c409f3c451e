"""Login throttling, session limits, password hashing, CSP and the production settings."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client, override_settings
from django.urls import reverse

from monev.middleware import LOGIN_TIME_KEY

from .conftest import PASSWORD


def login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_five_failures_lock_that_user_from_that_address(users):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(4):
        assert login(client, "kasubag", "salah").status_code == 200
    assert login(client, "kasubag", "salah").status_code == 429  # the fifth failure locks
    locked = login(client, "kasubag", PASSWORD)

    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in locked.content.decode()
    # Another user from the same office address is not locked out with them.
    assert login(Client(REMOTE_ADDR="10.1.1.1"), "camat", PASSWORD).status_code == 302
    # The same user from another address can still log in.
    assert login(Client(REMOTE_ADDR="10.9.9.9"), "kasubag", PASSWORD).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_the_forwarded_address_is_the_client(users):
    # Two staff behind the same proxy: one mistyping does not lock the other's address.
    for _ in range(5):
        login(
            Client(REMOTE_ADDR="127.0.0.1"),
            "kasubag",
            "salah",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    blocked = login(
        Client(REMOTE_ADDR="127.0.0.1"), "kasubag", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    other_pc = login(
        Client(REMOTE_ADDR="127.0.0.1"), "kasubag", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert blocked.status_code == 429
    assert other_pc.status_code == 302


def test_new_passwords_are_hashed_with_argon2():
    with override_settings(PASSWORD_HASHERS=settings.PASSWORD_HASHERS[1:]):
        assert identify_hasher(make_password("rahasia-baru-123")).algorithm == "argon2"


def test_sessions_expire_when_idle_and_are_refreshed_on_use(users, client_for):
    client = client_for("camat")
    client.get(reverse("monev:inbox"))
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert client.session.get_expiry_age() <= 30 * 60


def test_sessions_end_after_the_absolute_lifetime(users, client_for):
    client = client_for("camat")
    client.get(reverse("monev:inbox"))
    session = client.session
    session[LOGIN_TIME_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()

    response = client.get(reverse("monev:inbox"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_password_change_and_disabling_end_sessions(users):
    client = Client()
    client.force_login(users["kasubag"])
    client.post(reverse("logout"))
    assert client.get(reverse("monev:inbox")).status_code == 302

    client.force_login(users["kasubag"])
    users["kasubag"].set_password("kata-sandi-baru-456")
    users["kasubag"].save()
    assert client.get(reverse("monev:inbox")).status_code == 302

    client.force_login(users["camat"])
    users["camat"].is_active = False
    users["camat"].save()
    assert client.get(reverse("monev:inbox")).status_code == 302


def test_pages_carry_a_csp_without_inline_scripts(users, client_for):
    response = client_for("camat").get(reverse("monev:inbox"))
    policy = response["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "<script>" not in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="once")
def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 30 + "-sutera-kinerja-produksi-" + "y" * 30,
        "ALLOWED_HOSTS": "kinerja.pesisirselatankab.go.id",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'sutera_kinerja.settings'); django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE)"
    )
    names = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert names.stdout.split() == ["__Host-sessionid", "__Host-csrftoken", "True"]
    assert check.returncode == 0, check.stdout + check.stderr
