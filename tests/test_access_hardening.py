"""Throttling per address across accounts, no-store on what signed-in users see, and the
admin's list filters kept to the user's own office."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from monev.models import Indicator, Section

from .conftest import PASSWORD


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_one_address_guessing_across_accounts_is_locked_by_its_own_limit(users, settings):
    """Four wrong passwords on each of several accounts stay under the per-account limit (5)
    but reach the address's limit (20): then the address is locked for every account, even
    with a right password; another address is not."""
    assert settings.LOGIN_FAILURE_LIMITS["ip_address"] == 20
    attacker = Client(REMOTE_ADDR="198.51.100.9")
    accounts = ["camat", "sekretaris", "kasubag", "kasi_pmn", "kasi_kesos"]
    statuses = [login(attacker, name, "salah").status_code for name in accounts for _ in range(4)]

    assert statuses[:19] == [200] * 19  # no single account reached 5
    assert statuses[19] == 429  # the 20th failure from this address locks it
    assert login(attacker, "kasi_pelayanan", PASSWORD).status_code == 429
    assert login(Client(REMOTE_ADDR="198.51.100.10"), "camat", PASSWORD).status_code == 302


def test_own_login_does_not_clear_the_addresses_count(users):
    """Signing in to one's own account between guesses at others must not reset the address."""
    attacker = Client(REMOTE_ADDR="198.51.100.20")
    for name in ("camat", "sekretaris", "kasubag", "kasi_pmn"):
        for _ in range(4):
            assert login(attacker, name, "salah").status_code == 200
    assert login(attacker, "kasi_kesos", PASSWORD).status_code == 302
    statuses = [
        login(Client(REMOTE_ADDR="198.51.100.20"), "kasi_pelayanan", "salah").status_code
        for _ in range(4)
    ]

    assert statuses == [200, 200, 200, 429]  # 16 + 4 failures from the address


def test_per_user_limit_still_five(users):
    client = Client(REMOTE_ADDR="10.2.2.2")
    statuses = [login(client, "kasubag", "salah").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert login(Client(REMOTE_ADDR="10.2.2.2"), "camat", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        reverse("monev:inbox"),
        reverse("monev:dashboard"),
        reverse("monev:report_list"),
        reverse("monev:notification_list"),
        reverse("monev:sop_current"),
    ],
)
def test_signed_in_pages_are_not_stored(users, client_for, url):
    response = client_for("kasubag").get(url)

    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_admin_filters_show_only_the_users_own_office(
    sutera, other_office, users, kasubag_admin_client
):

    call_command("loaddata", "rating_bands", "demo_indicators", verbosity=0)
    foreign_section = Section.objects.create(
        office=other_office, code="khusus", name="Seksi Khusus Lengayang"
    )
    Indicator.objects.create(
        office=other_office,
        section=foreign_section,
        code="LGY-01",
        name="Indikator kecamatan lain",
        unit="%",
        aggregation="last",
    )
    client = kasubag_admin_client()

    for name in ("admin:monev_indicator_changelist", "admin:monev_activity_changelist"):
        page = client.get(reverse(name)).content.decode()
        assert "Ketenteraman dan Ketertiban Umum" in page, name  # the section filter is there
        assert "Kecamatan Lengayang" not in page, name
        assert "Seksi Khusus Lengayang" not in page, name

    # A superuser still filters over every office.
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    page = admin.get(reverse("admin:monev_indicator_changelist")).content.decode()
    assert "Kecamatan Lengayang" in page
