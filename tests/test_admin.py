"""The admin manages offices, sections, staff, SOP steps and holidays."""

import pytest
from django.urls import reverse

from monev.models import Role, Sop

from .conftest import make_report

MODELS = ["office", "section", "staff", "sop", "officeholiday", "report"]


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


def test_the_kasubag_maintains_only_their_own_offices_indicators(sutera, other_office, users):
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client

    from monev.management.commands.seed_demo import INDICATOR_ADMINS, grant_indicator_admin
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
    kasubag = users["kasubag"]
    kasubag.is_staff = True
    kasubag.save()
    grant_indicator_admin(kasubag)
    client = Client()
    client.force_login(kasubag)

    listing = client.get(reverse("admin:monev_indicator_changelist"))
    assert listing.status_code == 200
    assert "IKU-01" in listing.content.decode()
    assert "LGY-01" not in listing.content.decode()
    assert client.get(reverse("admin:monev_indicator_change", args=[foreign.pk])).status_code == 302
    assert client.get(reverse("admin:monev_sop_changelist")).status_code == 403
    assert Group.objects.get(name=INDICATOR_ADMINS).permissions.count() == 16
