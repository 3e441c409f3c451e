"""New SOP revisions: a copy of a revision with its steps, so edits never rewrite the reports
already under way (the admin's "Buat revisi baru" and the evaluation's revision proposal)."""

from django.db import transaction

from ..models import Sop, SopStep


def copy_revision(sop: Sop, *, is_active: bool | None = None, step_changes=None) -> Sop:
    """The next revision number of ``sop``'s SOP, with its steps copied.

    ``is_active`` None keeps the original's; ``step_changes`` maps a step number to the
    field values that differ in the copy. Each step keeps its identity (``key``), so Waktu SOP
    follows it across revisions whatever its new number or role.
    """
    step_changes = step_changes or {}
    with transaction.atomic():
        steps = sorted(sop.steps.all(), key=lambda step: step.number)
        latest = (
            Sop.objects.filter(office=sop.office_id, number=sop.number)
            .order_by("-revision")
            .values_list("revision", flat=True)
            .first()
        )
        copy = Sop.objects.get(pk=sop.pk)
        copy.pk = None
        copy.revision = latest + 1
        copy.revised_on = None
        if is_active is not None:
            copy.is_active = is_active
        copy.save()
        for step in steps:
            step.pk = None
            step.sop = copy
            for name, value in step_changes.get(step.number, {}).items():
                setattr(step, name, value)
        SopStep.objects.bulk_create(steps)
    return copy
