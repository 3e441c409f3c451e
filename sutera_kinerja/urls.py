from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Administrasi Sutera Kinerja")
admin.site.site_title = _("Sutera Kinerja")
admin.site.index_title = _("Pengelolaan data")

urlpatterns = [
    path("masuk/", auth_views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("monev.urls")),
]

# Error pages in the app's layout and in Indonesian, carrying the reason the code raised.
handler400 = "monev.views.errors.bad_request"
handler403 = "monev.views.errors.permission_denied"
handler404 = "monev.views.errors.page_not_found"
handler500 = "monev.views.errors.server_error"
