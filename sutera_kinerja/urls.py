from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from monev.forms import LoginForm

admin.site.site_header = _("Administrasi Sutera Kinerja")
admin.site.site_title = _("Sutera Kinerja")
admin.site.index_title = _("Pengelolaan data")

urlpatterns = [
    path("masuk/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's own account views; the names are the ones they redirect to by default.
    path("akun/sandi/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "akun/sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("akun/lupa-sandi/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "akun/lupa-sandi/terkirim/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "akun/sandi-baru/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "akun/sandi-baru/selesai/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("", include("monev.urls")),
]

# Error pages in the app's layout and in Indonesian, carrying the reason the code raised.
handler400 = "monev.views.errors.bad_request"
handler403 = "monev.views.errors.permission_denied"
handler404 = "monev.views.errors.page_not_found"
handler500 = "monev.views.errors.server_error"
