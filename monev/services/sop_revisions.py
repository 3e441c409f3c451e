"""New SOP revisions: a copy to edit, so changes never rewrite reports already under way."""

from django.db import transaction

from ..models import Sop, SopStep


@transaction.atomic
def revision_new(sop: Sop) -> Sop:
    """Copy ``sop`` with its steps as the office's next revision. Each step keeps its identity
    (``key``), so Waktu SOP follows it across revisions whatever its new number or role."""
    steps = list(sop.steps.all())
    latest = (
        Sop.objects.filter(office=sop.office, number=sop.number)
        .order_by("-revision")
        .values_list("revision", flat=True)
        .first()
    )
    copy = Sop.objects.get(pk=sop.pk)
    copy.pk = None
    copy.revision = latest + 1
    copy.revised_on = None
    copy.save()
    for step in steps:
        step.pk = None
        step.sop = copy
    SopStep.objects.bulk_create(steps)
    return copy
