"""The admin manages offices, sections, staff, SOP steps and holidays."""

import io

import pytest
from django.urls import reverse

from monev.models import Role, Sop

from .conftest import make_report

MODELS = ["office", "section", "staff", "sop", "officeholiday", "report", "renstrabudget"]


@pytest.mark.parametrize("model", MODELS)
def test_the_admin_lists_and_opens_each_model(sutera, users, client, model):
    make_report(sutera, step=3)
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    client.force_login(users["admin"])

    assert client.get(reverse(f"admin:monev_{model}_changelist")).status_code == 200
    if model != "report":
        assert client.get(reverse(f"admin:monev_{model}_add")).status_code == 200


@pytest.mark.parametrize("name", ["camat", "kasi_pmn", "kasubag"])
def test_office_staff_without_admin_rights_are_sent_to_the_admin_login(users, client_for, name):
    response = client_for(name).get(reverse("admin:monev_sop_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_new_revision_copies_the_steps(sutera, users, client):
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    client.force_login(users["admin"])
    sop = Sop.objects.get(office=sutera)

    client.post(
        reverse("admin:monev_sop_changelist"),
        {"action": "new_revision", "_selected_action": [sop.pk]},
    )

    revision = Sop.objects.get(office=sutera, revision=1)
    assert revision.steps.count() == 13
    assert sop.steps.count() == 13
    assert list(revision.steps.values_list("role", flat=True)) == list(
        sop.steps.values_list("role", flat=True)
    )


def form_data(form) -> dict:
    """The POST data a browser would send for an unchanged bound-to-initial form."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        key = form.add_prefix(name)
        data[key] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def test_a_step_moved_to_another_role_in_the_admin_changes_who_may_act(
    sutera, users, client, client_for
):
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    client.force_login(users["admin"])
    sop = Sop.objects.get(office=sutera)
    url = reverse("admin:monev_sop_change", args=[sop.pk])
    page = client.get(url)
    data = form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
            if form.instance.number == 9:
                data[form.add_prefix("role")] = Role.CAMAT

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert sop.steps.get(number=9).role == Role.CAMAT
    report = make_report(sutera, step=9)
    action = reverse("monev:report_complete", args=[report.pk])
    assert client_for("sekretaris").post(action, {"from_step": 9}).status_code == 403
    assert client_for("camat").post(action, {"from_step": 9}).status_code == 302


def test_the_kasubag_maintains_only_their_own_offices_indicators(
    sutera, other_office, users, kasubag_admin_client
):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from monev.management.commands.seed_demo import INDICATOR_ADMINS
    from monev.models import Indicator, Section

    call_command("loaddata", "rating_bands", "demo_indicators", verbosity=0)
    foreign = Indicator.objects.create(
        office=other_office,
        section=Section.objects.get(office=other_office),
        code="LGY-01",
        name="Indikator kecamatan lain",
        unit="%",
        aggregation="last",
    )
    client = kasubag_admin_client()

    listing = client.get(reverse("admin:monev_indicator_changelist"))
    assert listing.status_code == 200
    assert "IKU-01" in listing.content.decode()
    assert "LGY-01" not in listing.content.decode()
    assert client.get(reverse("admin:monev_indicator_change", args=[foreign.pk])).status_code == 302
    assert client.get(reverse("admin:monev_sop_changelist")).status_code == 403
    assert Group.objects.get(name=INDICATOR_ADMINS).permissions.count() == 20


def test_renstra_budget_is_imported_all_rows_or_none(sutera, tmp_path):
    from django.core.management import CommandError, call_command

    from monev.models import RenstraBudget

    call_command("loaddata", "demo_indicators", verbosity=0)
    RenstraBudget.objects.all().delete()
    good = tmp_path / "renstra.csv"
    good.write_text(
        "kode;tahun;pagu_renstra;realisasi_sd_tahun_lalu\n"
        "7.01.02;2026;1.296.000.000;1087000000\n"
        "7.01.02.2.01;2026;513000000;430.000.000\n",
        encoding="utf-8",
    )
    bad = tmp_path / "salah.csv"
    bad.write_text(
        "kode,tahun,pagu_renstra,realisasi_sd_tahun_lalu\n"
        "7.01.03,2026,900000000,700000000\n"
        "9.99,2026,1,1\n"
        "7.01.04,dua ribu,1,1\n"
        "7.01.05,2026,1.5 juta,1\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_renstra_budget", "sutera", str(bad))
    message = str(refused.value)
    assert "Baris 3: kode '9.99' bukan program/kegiatan kantor ini." in message
    assert "Baris 4: tahun 'dua ribu' tidak sah." in message
    assert "Baris 5: nilai rupiah harus bilangan bulat tanpa sen." in message
    assert not RenstraBudget.objects.exists()  # the good first row was not saved either

    call_command("import_renstra_budget", "sutera", str(good), stdout=io.StringIO())
    saved = {
        (r.activity.code, r.year): (r.period_budget, r.realised_before)
        for r in RenstraBudget.objects.select_related("activity")
    }
    assert saved == {
        ("7.01.02", 2026): (1_296_000_000, 1_087_000_000),
        ("7.01.02.2.01", 2026): (513_000_000, 430_000_000),
    }


def test_the_admin_uploads_a_logo_and_edits_the_letterhead(
    sutera, users, client, settings, tmp_path
):
    from pathlib import Path

    from monev.management.commands.seed_demo import DEMO_LOGO
    from monev.selectors.office_data import logo_data_uri

    settings.MEDIA_ROOT = tmp_path
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    client.force_login(users["admin"])
    url = reverse("admin:monev_office_change", args=[sutera.pk])
    form = client.get(url).content.decode()
    for field in ("postal_code", "phone", "email", "website", "logo", "paper_size"):
        assert f'name="{field}"' in form
    data = {
        "code": sutera.code, "name": sutera.name, "regency": sutera.regency,
        "province": sutera.province, "head_title": sutera.head_title, "place": "Surantih",
        "address": "Jl. Raya Surantih", "postal_code": "25662", "phone": "(0756) 7461234",
        "email": "kecamatan@sutera.example", "website": "sutera.example", "paper_size": "F4",
        "sections-TOTAL_FORMS": "0", "sections-INITIAL_FORMS": "0",
        "holidays-TOTAL_FORMS": "0", "holidays-INITIAL_FORMS": "0",
    }  # fmt: skip
    with Path(DEMO_LOGO).open("rb") as logo:
        response = client.post(url, {**data, "logo": logo})
    assert response.status_code == 302, response.content.decode()[:2000]
    sutera.refresh_from_db()
    assert (sutera.postal_code, sutera.paper_size) == ("25662", "F4")
    assert logo_data_uri(sutera).startswith("data:image/png;base64,iVBOR")
    text = tmp_path / "logo.png"
    text.write_bytes(b"not an image")
    with text.open("rb") as fake:
        refused = client.post(url, {**data, "logo": fake})
    assert refused.status_code == 200
    assert "errorlist" in refused.content.decode()


def test_a_logo_over_500_kb_is_refused(sutera, settings, tmp_path):
    import os

    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3)).save(buffer, "PNG")
    assert buffer.tell() > 500 * 1024
    sutera.logo = SimpleUploadedFile("lambang.png", buffer.getvalue(), "image/png")
    with pytest.raises(ValidationError) as refused:
        sutera.full_clean()
    assert refused.value.message_dict["logo"] == ["Logo paling besar 500 KB."]
