"""Signing in and loading the signed-in user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL

from .models import Notification


def _unread_count() -> RawSQL:
    # Raw on purpose: the ORM's Subquery costs more to compile than a query of its own.
    quote = connection.ops.quote_name
    user_model = get_user_model()._meta
    notice = Notification._meta
    owner = f"{quote(notice.db_table)}.{quote(notice.get_field('user').column)}"
    read_at = f"{quote(notice.db_table)}.{quote(notice.get_field('read_at').column)}"
    sql = (
        f"SELECT COUNT(*) FROM {quote(notice.db_table)} WHERE {owner} = "
        f"{quote(user_model.db_table)}.{quote(user_model.pk.column)} AND {read_at} IS NULL"
    )
    return RawSQL(sql, (), output_field=IntegerField())


class StaffBackend(ModelBackend):
    """Django's password login; the user of each request comes with what every page shows.

    Every page needs the user's office role, office and section (permissions, navigation) and
    the unread count on the Notifikasi button. One query for all of it is much cheaper than
    the three it would otherwise take.
    """

    def get_user(self, user_id):
        users = (
            get_user_model()
            ._default_manager.select_related("staff__office", "staff__section")
            .annotate(unread_notifications=_unread_count())
        )
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
