from django.urls import path

from . import views

app_name = "monev"

urlpatterns = [
    path("", views.home, name="home"),
    path("tugas/", views.inbox, name="inbox"),
    path("dasbor/", views.dashboard, name="dashboard"),
    path("laporan/", views.report_list, name="report_list"),
    path("laporan/<int:pk>/", views.report_detail, name="report_detail"),
    path("laporan/<int:pk>/selesaikan/", views.report_complete, name="report_complete"),
    path("laporan/<int:pk>/kembalikan/", views.report_return, name="report_return"),
    path(
        "laporan/<int:pk>/seksi/<int:section_id>/kirim/",
        views.report_submit_section,
        name="report_submit_section",
    ),
    path(
        "laporan/<int:pk>/seksi/<int:section_id>/data/",
        views.section_data,
        name="section_data",
    ),
    path(
        "laporan/<int:pk>/seksi/<int:section_id>/data/excel/",
        views.section_sheet_download,
        name="section_sheet_download",
    ),
    path(
        "laporan/<int:pk>/seksi/<int:section_id>/data/unggah/",
        views.section_sheet_upload,
        name="section_sheet_upload",
    ),
    path(
        "laporan/<int:pk>/seksi/<int:section_id>/data/buka-kembali/",
        views.section_data_reopen,
        name="section_data_reopen",
    ),
    path(
        "laporan/<int:pk>/seksi/<int:section_id>/monev/",
        views.monev_sheet,
        name="monev_sheet",
    ),
    path(
        "laporan/<int:pk>/seksi/<int:section_id>/monev/buka-kembali/",
        views.section_data_reopen,
        {"kind": "monev"},
        name="monev_sheet_reopen",
    ),
    path(
        "laporan/<int:pk>/indikator/<int:indicator_id>/capaian/",
        views.capaian_preview,
        name="capaian_preview",
    ),
    path("laporan/<int:pk>/analisis/", views.report_analysis, name="report_analysis"),
    path("laporan/<int:pk>/draf/buat/", views.draft_create, name="draft_create"),
    path(
        "laporan/<int:pk>/draf/buat-dan-selesaikan/",
        views.draft_and_complete,
        name="draft_and_complete",
    ),
    path("laporan/<int:pk>/draf/<int:number>/", views.draft_version, name="draft_version"),
    path(
        "laporan/<int:pk>/draf/<int:number>/dokumen/",
        views.draft_document,
        name="draft_document",
    ),
    path("laporan/<int:pk>/draf/<int:number>/pdf/", views.draft_pdf, name="draft_pdf"),
    path("arsip/", views.archive_list, name="archive_list"),
    path("arsip/berkas/<int:pk>/", views.archive_download, name="archive_download"),
    path("arsip/berkas/<int:pk>/periksa/", views.archive_check, name="archive_check"),
    path("arsip/<int:year>/zip/", views.archive_export, name="archive_export"),
    path("arsip/ekspor/<int:pk>/", views.archive_export_status, name="archive_export_status"),
    path(
        "arsip/ekspor/<int:pk>/unduh/",
        views.archive_export_download,
        name="archive_export_download",
    ),
    path("bukti/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("bukti/<int:pk>/hapus/", views.evidence_remove, name="evidence_remove"),
    path("notifikasi/", views.notification_list, name="notification_list"),
    path("verifikasi/<str:code>/", views.verification, name="verification"),
    path("notifikasi/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifikasi/baca-semua/", views.notification_read_all, name="notification_read_all"),
    path("sop/", views.sop_detail, name="sop_current"),
    path("sop/pdf/", views.sop_pdf, name="sop_current_pdf"),
    path("sop/<int:pk>/pdf/", views.sop_pdf, name="sop_pdf"),
    path("sop/waktu/", views.sop_timing, name="sop_timing"),
    path("sop/waktu/xlsx/", views.sop_timing_xlsx, name="sop_timing_xlsx"),
    path("sop/waktu/langkah/<int:number>/", views.sop_timing_step, name="sop_timing_step"),
    path("sop/<int:pk>/", views.sop_detail, name="sop_detail"),
    path("sop/monitoring/", views.sop_monitoring_latest, name="sop_monitoring_latest"),
    path("sop/monitoring/<int:year>/<int:half>/", views.sop_monitoring, name="sop_monitoring"),
    path(
        "sop/monitoring/<int:year>/<int:half>/pdf/",
        views.sop_monitoring_pdf,
        name="sop_monitoring_pdf",
    ),
    path(
        "sop/monitoring/<int:year>/<int:half>/xlsx/",
        views.sop_monitoring_xlsx,
        name="sop_monitoring_xlsx",
    ),
    path("sop/evaluasi/", views.sop_evaluation_latest, name="sop_evaluation_latest"),
    path("sop/evaluasi/<int:year>/pdf/", views.sop_evaluation_pdf, name="sop_evaluation_pdf"),
    path("sop/evaluasi/<int:year>/xlsx/", views.sop_evaluation_xlsx, name="sop_evaluation_xlsx"),
    path("sop/evaluasi/<int:year>/", views.sop_evaluation, name="sop_evaluation"),
    path(
        "sop/evaluasi/<int:year>/revisi/",
        views.sop_evaluation_revision,
        name="sop_evaluation_revision",
    ),
]
