"""The admin refuses an SOP revision the engine cannot run, with a message saying why, and
never reports a change as saved while dropping part of it."""

import pytest
from django.urls import reverse

from monev.models import Role, Sop, StepKind

from .conftest import make_report
from .test_admin import form_data


@pytest.fixture
def admin_client(users, client):
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    client.force_login(users["admin"])
    return client


def post_steps(client, sop: Sop, changes=None, *, extra_rows=(), sop_fields=None, delete=()):
    """Post the SOP's change form as the page shows it, with ``changes`` (step number ->
    {field: value}) applied, ``extra_rows`` (dicts of fields) appended and ``delete`` marked."""
    url = reverse("admin:monev_sop_change", args=[sop.pk])
    page = client.get(url)
    data = form_data(page.context["adminform"].form)
    data.update(sop_fields or {})
    data = {k: v for k, v in data.items() if v is not None}
    (inline,) = page.context["inline_admin_formsets"]
    formset = inline.formset
    data.update(form_data(formset.management_form))
    for form in formset.forms:
        data.update(form_data(form))
        number = form.instance.number
        for field, value in (changes or {}).get(number, {}).items():
            key = form.add_prefix(field)
            if value is None or value is False:
                data.pop(key, None)
            else:
                data[key] = str(value)
        if number in delete:
            data[form.add_prefix("DELETE")] = "on"
    total = len(formset.forms)
    for index, row in enumerate(extra_rows, start=total):
        for field, value in row.items():
            data[f"{formset.prefix}-{index}-{field}"] = str(value)
        data[f"{formset.prefix}-{index}-sop"] = str(sop.pk)
    data[f"{formset.prefix}-TOTAL_FORMS"] = str(total + len(extra_rows))
    return client.post(url, data)


@pytest.fixture
def revision(sutera, users):
    """A fresh revision (no report runs under it yet) to edit."""
    from monev.services.sop_revisions import copy_revision

    return copy_revision(Sop.objects.get(office=sutera))


UPLOAD_ROW = {
    "number": 14,
    "name": "Mengunggah laporan ke aplikasi e-SAKIP kabupaten",
    "role": Role.KASUBAG_PKP,
    "kind": StepKind.TASK,
    "standard_amount": 1,
    "standard_unit": "hari",
    "action_label": "Sudah diunggah",
}

INVALID = {
    "two starts": (
        {3: {"kind": StepKind.START}},
        "SOP harus memiliki tepat satu langkah mulai.",
    ),
    "no archive": (
        {13: {"kind": StepKind.TASK}},
        "SOP harus memiliki tepat satu langkah pengarsipan.",
    ),
    "two archives": (
        {9: {"kind": StepKind.ARCHIVE}},
        "SOP harus memiliki tepat satu langkah pengarsipan.",
    ),
    "return target missing": (
        {11: {"return_to": 0}},
        "Langkah 11 adalah keputusan: langkah tujuan pengembalian harus ada",
    ),
    "return target not before": (
        {11: {"return_to": 12}},
        "Langkah tujuan pengembalian harus sebelum langkah ini.",
    ),
    "decision without target": (
        {12: {"return_to": None}},
        "Langkah keputusan harus memiliki langkah tujuan pengembalian.",
    ),
    "per-section step by an office-wide role": (
        {2: {"role": Role.SEKRETARIS}},
        "Langkah per seksi harus dilaksanakan oleh peran yang memegang seksi.",
    ),
    "role nobody holds": (
        {9: {"role": Role.ADMIN}},
        "Peran Admin pada langkah 9 tidak dipegang oleh pegawai aktif",
    ),
    "standard time without unit": (
        {4: {"standard_unit": ""}},
        "Isi waktu baku beserta satuannya, atau kosongkan keduanya.",
    ),
    "per-section step without reopening role": (
        {5: {"reopen_role": ""}},
        "Tentukan peran yang boleh membuka kembali data seksi.",
    ),
    "new version outside drafting": (
        {9: {"requires_new_version": True}},
        "Draf versi baru hanya dapat dibuat pada langkah penyusunan draf.",
    ),
}


@pytest.mark.parametrize("case", INVALID)
def test_the_admin_refuses_an_sop_the_engine_cannot_run(admin_client, users, revision, case):
    if case == "role nobody holds":
        users["admin"].staff.delete()
    changes, message = INVALID[case]
    before = list(revision.steps.values_list("number", "role", "kind", "return_to"))

    response = post_steps(admin_client, revision, changes)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(revision.steps.values_list("number", "role", "kind", "return_to")) == before


def test_per_section_steps_need_an_active_section(admin_client, sutera, revision):
    sutera.sections.update(is_active=False)

    response = post_steps(admin_client, revision)

    assert "Langkah per seksi membutuhkan sedikitnya satu seksi aktif." in (
        response.content.decode()
    )


def test_a_step_after_the_archive_is_refused(admin_client, revision):
    response = post_steps(admin_client, revision, extra_rows=[UPLOAD_ROW])

    assert "Langkah pengarsipan harus langkah terakhir." in response.content.decode()
    assert revision.steps.count() == 13


def test_a_role_held_only_by_an_inactive_user_is_refused(admin_client, users, revision):
    users["camat"].is_active = False
    users["camat"].save()

    response = post_steps(admin_client, revision)

    assert "Peran Camat pada langkah 12 tidak dipegang oleh pegawai aktif" in (
        response.content.decode()
    )


def test_an_unrunnable_revision_may_be_saved_only_while_not_current(admin_client, revision):
    broken = {13: {"kind": StepKind.TASK}}

    saved = post_steps(admin_client, revision, broken, sop_fields={"is_active": None})
    assert saved.status_code == 302
    assert revision.steps.get(number=13).kind == StepKind.TASK

    response = post_steps(admin_client, revision, sop_fields={"is_active": "on"})
    assert response.status_code == 200
    assert "SOP yang berlaku harus dapat dijalankan" in response.content.decode()
    revision.refresh_from_db()
    assert not revision.is_active


def test_a_valid_change_is_saved(admin_client, revision):
    moved = {8: {"role": Role.SEKRETARIS}, 12: {"return_to": 8}}

    response = post_steps(admin_client, revision, moved, delete=[4])

    assert response.status_code == 302
    assert revision.steps.get(number=8).role == Role.SEKRETARIS
    assert revision.steps.get(number=12).return_to == 8
    assert not revision.steps.filter(number=4).exists()


def test_a_forged_extra_step_on_a_revision_in_use_gets_an_error(admin_client, sutera):
    sop = Sop.objects.get(office=sutera)
    make_report(sutera, step=3)
    forged = {**UPLOAD_ROW, "number": 13, "kind": StepKind.TASK}
    forged.pop("number")  # the page shows numbers read-only for a revision in use

    response = post_steps(admin_client, sop, extra_rows=[forged])

    assert response.status_code == 200
    page = response.content.decode()
    assert "langkah tidak dapat ditambah" in page
    assert "berhasil diubah" not in page
    assert sop.steps.count() == 13


def test_a_forged_deletion_on_a_revision_in_use_gets_an_error(admin_client, sutera):
    sop = Sop.objects.get(office=sutera)
    make_report(sutera, step=3)

    response = post_steps(admin_client, sop, delete=[4])

    assert response.status_code == 200
    assert "langkah tidak dapat dihapus" in response.content.decode()
    assert sop.steps.count() == 13


def test_a_revision_in_use_must_stay_runnable(admin_client, sutera):
    sop = Sop.objects.get(office=sutera)
    make_report(sutera, step=3)

    response = post_steps(admin_client, sop, {13: {"kind": StepKind.TASK}})

    assert "SOP ini sedang dipakai laporan dan harus tetap dapat dijalankan." in (
        response.content.decode()
    )
    assert sop.steps.get(number=13).kind == StepKind.ARCHIVE
