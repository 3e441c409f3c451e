"""Whether the engine can run an SOP revision: checked in the admin before it is saved as
current (or while reports run under it), so a report can never get stuck on a bad row."""

from django.utils.translation import gettext as _

from .models import Office, SopStep, Staff, StepKind
from .workflow import role_label
from .worktime import WorkCalendar, standard_seconds


def sop_problems(office: Office, steps: list[SopStep]) -> list[str]:
    """Every reason, in Indonesian, why these steps of ``office`` cannot run; [] when they can."""
    if not steps:
        return [_("SOP harus memiliki langkah.")]
    steps = sorted(steps, key=lambda step: step.number or 0)
    problems = []
    numbers = [step.number for step in steps]
    if len(set(numbers)) != len(numbers):
        problems.append(_("Nomor langkah tidak boleh kembar."))
    starts = [step for step in steps if step.kind == StepKind.START]
    if len(starts) != 1:
        problems.append(_("SOP harus memiliki tepat satu langkah mulai."))
    elif starts[0] is not steps[0]:
        problems.append(_("Langkah mulai harus langkah pertama."))
    archives = [step for step in steps if step.kind == StepKind.ARCHIVE]
    if len(archives) != 1:
        problems.append(_("SOP harus memiliki tepat satu langkah pengarsipan."))
    elif archives[0] is not steps[-1]:
        # Archiving closes the report: a step after it could never be reached.
        problems.append(_("Langkah pengarsipan harus langkah terakhir."))
    for step in steps:
        if step.kind == StepKind.DECISION and (
            step.return_to not in numbers or step.return_to >= step.number
        ):
            problems.append(
                _(
                    "Langkah %(number)s adalah keputusan: langkah tujuan pengembalian harus ada "
                    "dan berada sebelum langkah ini."
                )
                % {"number": step.number}
            )
    if any(step.per_section for step in steps) and not office.sections.filter(is_active=True):
        problems.append(_("Langkah per seksi membutuhkan sedikitnya satu seksi aktif."))
    problems += _unheld_roles(office, steps)
    calendar = WorkCalendar()  # only the units are checked here, not the office's hours
    for step in steps:
        if bool(step.standard_amount) != bool(step.standard_unit):
            problems.append(
                _("Waktu baku langkah %(number)s harus diisi beserta satuannya.")
                % {"number": step.number}
            )
        elif step.standard_amount:
            try:
                standard_seconds(step.standard_amount, step.standard_unit, calendar)
            except ValueError:
                problems.append(
                    _("Waktu baku langkah %(number)s tidak dapat dibaca.") % {"number": step.number}
                )
    return problems


def _unheld_roles(office: Office, steps: list[SopStep]) -> list[str]:
    held = set(
        Staff.objects.filter(office=office, user__is_active=True).values_list("role", flat=True)
    )
    problems = []
    for step in steps:
        for role in filter(None, (step.role, step.reopen_role)):
            if role not in held:
                problems.append(
                    _(
                        "Peran %(role)s pada langkah %(number)s tidak dipegang oleh pegawai aktif "
                        "mana pun di kantor ini."
                    )
                    % {"role": role_label(role), "number": step.number}
                )
    return problems
