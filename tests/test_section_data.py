import pytest
from django.core.management import call_command
from django.urls import reverse
from .conftest import make_report

def test_dump(sutera, users, client_for):
    call_command("loaddata", "rating_bands", "demo_indicators", verbosity=0)
    report = make_report(sutera, step=2)
    section = sutera.sections.get(code="pemerintahan")
    url = reverse("monev:section_data", args=[report.pk, section.pk])
    c = client_for("kasi_pemerintahan")
    r = c.get(url)
    with open("/tmp/scratch/get2.html","w") as fh: fh.write(r.content.decode())
    ind = r.context["indicator_formset"]
    data = {"revision": "0", "save": ""}
    for fs, key in ((ind, "indicator_id"), (r.context["activity_formset"], "activity_id")):
        data[f"{fs.prefix}-TOTAL_FORMS"] = len(fs.forms)
        data[f"{fs.prefix}-INITIAL_FORMS"] = len(fs.forms)
        for f in fs.forms:
            for n in f.fields:
                if n != "files":
                    v = f.initial.get(n)
                    data[f.add_prefix(n)] = "" if v is None else str(v)
    print({f.initial["indicator_id"]: i for i, f in enumerate(ind.forms)})
    print([(l.indicator.pk, l.indicator.code) for l in r.context["page"].indicators])
    data["ind-0-value"] = "50"
    data["ind-1-value"] = "12x"
    r = c.post(url, data)
    print(r.status_code)
    pass
    data["ind-1-value"] = "3"
    r = c.post(url, data)
    print(r.status_code)
    r = c.get(url)
    with open("/tmp/scratch/get2.html","w") as fh: fh.write(r.content.decode())
