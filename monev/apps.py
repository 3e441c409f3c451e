from django.apps import AppConfig


class MonevConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monev"

    def ready(self) -> None:
        from . import page_revisions

        page_revisions.connect(self)
