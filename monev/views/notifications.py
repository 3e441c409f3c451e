"""Notifikasi: what reached the user's desk, newest first; opening the list marks it read."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import clock, permissions
from ..models import Notification


@require_GET
def notification_list(request):
    permissions.staff_required(request)
    items = list(Notification.objects.filter(user=request.user).select_related("report")[:100])
    unread = [n.pk for n in items if n.read_at is None]
    response = render(request, "monev/notifications.html", {"items": items, "unread": set(unread)})
    Notification.objects.filter(pk__in=unread).update(read_at=clock.now())
    return response
