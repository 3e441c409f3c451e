"""The step log as a hash chain: a row changed or removed behind the app's back shows."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from monev import services
from monev.log_chain import check_report
from monev.models import StepLog

from .conftest import make_report


def played(sutera, users):
    """A report opened and moved through a few steps by the real services."""
    report = services.report_open(office=sutera, year=2026, quarter=3, actor=users["sekretaris"])
    report.current_step = 3
    report.save(update_fields=["current_step"])
    services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=3)
    services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=4)
    return report


def test_every_writer_chains_its_entry_to_the_previous_one(sutera, users):
    report = played(sutera, users)

    logs = list(StepLog.objects.filter(report=report).order_by("id"))
    assert len(logs) == 3
    assert all(len(log.entry_hash) == 64 for log in logs)
    assert len({log.entry_hash for log in logs}) == 3
    assert check_report(report).intact


def test_a_direct_update_is_named_as_the_first_break(sutera, users, client_for):
    report = played(sutera, users)
    page = client_for("camat").get(reverse("monev:report_detail", args=[report.pk]))
    assert "Riwayat utuh" in page.content.decode()
    second = StepLog.objects.filter(report=report).order_by("id")[1]

    StepLog.objects.filter(pk=second.pk).update(note="Diubah langsung di basis data")

    check = check_report(report)
    assert not check.intact and check.broken_at.pk == second.pk and check.position == 2
    # The page is rendered from cached parts, yet it sees the break at once.
    page = client_for("camat").get(reverse("monev:report_detail", args=[report.pk]))
    text = page.content.decode()
    assert "Riwayat tidak utuh" in text and "Catatan ke-2 (langkah 3" in text


def test_a_removed_entry_breaks_the_chain_at_the_next_one(sutera, users):
    report = played(sutera, users)
    first, second, third = StepLog.objects.filter(report=report).order_by("id")

    second.delete()

    check = check_report(report)
    assert not check.intact and check.broken_at.pk == third.pk


def test_rewriting_an_entry_with_a_fresh_hash_still_breaks_the_next(sutera, users):
    from monev.log_chain import entry_hash

    report = played(sutera, users)
    first, second, third = StepLog.objects.filter(report=report).order_by("id")
    second.note = "Dipalsukan"
    StepLog.objects.filter(pk=second.pk).update(
        note=second.note, entry_hash=entry_hash(second, first.entry_hash)
    )

    assert check_report(report).broken_at.pk == third.pk


def test_the_command_checks_every_report_and_fails_on_a_break(sutera, users):
    report = played(sutera, users)
    make_report(sutera, year=2025, quarter=4, step=3)  # a report without history is intact
    out = io.StringIO()
    call_command("periksa_riwayat", stdout=out)
    assert "2 laporan utuh" in out.getvalue()

    StepLog.objects.filter(report=report, step_number=4).update(working_seconds=1)

    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("periksa_riwayat", stdout=out)
    assert failure.value.returncode == 1
    assert "catatan ke-3" in out.getvalue()


def test_the_migration_chains_existing_logs_in_order(sutera, users):
    report = played(sutera, users)
    expected = list(StepLog.objects.filter(report=report).order_by("id").values_list("entry_hash"))
    StepLog.objects.update(entry_hash="")
    assert not check_report(report).intact

    importlib.import_module("monev.migrations.0006_signing_tte").chain_existing_logs(apps, None)
    StepLog.objects.update(actor_name="")
    importlib.import_module("monev.migrations.0007_record_log_actor_name").copy_actor_names(
        apps, None
    )

    assert check_report(report).intact
    assert list(StepLog.objects.filter(report=report).order_by("id").values_list("entry_hash")) == (
        expected
    )
    assert set(StepLog.objects.values_list("actor_name", flat=True)) == {"sekretaris", "kasubag"}


def test_copying_the_actor_names_does_not_bless_an_edited_entry(sutera, users):
    from monev.log_chain import FIELDS_BEFORE_ACTOR_NAME, entry_hash

    report = played(sutera, users)
    previous = ""
    for entry in StepLog.objects.filter(report=report).order_by("id"):
        entry.actor_name = ""
        entry.entry_hash = entry_hash(entry, previous, FIELDS_BEFORE_ACTOR_NAME)
        StepLog.objects.filter(pk=entry.pk).update(actor_name="", entry_hash=entry.entry_hash)
        previous = entry.entry_hash
    second = StepLog.objects.filter(report=report).order_by("id")[1]
    StepLog.objects.filter(pk=second.pk).update(note="Diubah sebelum pembaruan")

    importlib.import_module("monev.migrations.0007_record_log_actor_name").copy_actor_names(
        apps, None
    )

    check = check_report(report)
    assert not check.intact and check.broken_at.pk == second.pk


def test_the_actor_name_is_part_of_the_record(sutera, users, client_for):
    users["kasubag"].first_name, users["kasubag"].last_name = "Rina", "Marlina"
    users["kasubag"].save()
    report = played(sutera, users)
    users["kasubag"].first_name = "Rina Berganti"
    users["kasubag"].save()
    page = client_for("camat").get(reverse("monev:report_detail", args=[report.pk]))
    assert "Rina Marlina" in page.content.decode()
    assert "Rina Berganti" not in page.content.decode()
    second = StepLog.objects.filter(report=report).order_by("id")[1]

    StepLog.objects.filter(pk=second.pk).update(actor_name="Orang Lain")

    assert check_report(report).broken_at.pk == second.pk
