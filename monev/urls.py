from django.urls import path

from . import views

app_name = "monev"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("laporan/", views.report_list, name="report_list"),
    path("laporan/<int:pk>/", views.report_detail, name="report_detail"),
    path("laporan/<int:pk>/selesaikan/", views.report_complete, name="report_complete"),
    path("laporan/<int:pk>/kembalikan/", views.report_return, name="report_return"),
    path(
        "laporan/<int:pk>/seksi/<int:section_id>/kirim/",
        views.report_submit_section,
        name="report_submit_section",
    ),
    path("sop/", views.sop_detail, name="sop_current"),
    path("sop/<int:pk>/", views.sop_detail, name="sop_detail"),
]
