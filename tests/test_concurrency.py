"""Two people completing the same step at the same moment: exactly one advance (PostgreSQL)."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from monev import services
from monev.models import Office, Role, StepLog
from monev.workflow import WorkflowError

from .conftest import make_report, make_staff

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are a PostgreSQL feature"
    ),
]


def test_two_concurrent_completions_advance_once():
    call_command("loaddata", "office_sutera", "sop_pengukuran_kinerja", verbosity=0)
    office = Office.objects.get(code="sutera")
    first = make_staff(office, Role.KASUBAG_PKP, username="kasubag1")
    second = make_staff(office, Role.KASUBAG_PKP, username="kasubag2")
    report = make_report(office, step=3)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def complete(user):
        try:
            barrier.wait()
            services.report_complete_step(report_id=report.pk, actor=user, from_step=3)
            outcomes.append("advanced")
        except WorkflowError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    report.refresh_from_db()
    assert sorted(outcomes) == ["advanced", "refused"]
    assert report.current_step == 4
    assert StepLog.objects.filter(report=report, step_number=3).count() == 1
