"""Notifikasi: what reached the user's desk, newest first. An item counts as read once its link
is followed, or when the user marks them all read; merely opening the list keeps them new, so a
notice is not lost because the page was glanced at."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import clock, permissions
from ..models import Notification


@require_GET
def notification_list(request):
    permissions.staff_required(request)
    items = list(Notification.objects.filter(user=request.user).select_related("report")[:100])
    unread = {n.pk for n in items if n.read_at is None}
    return render(request, "monev/notifications.html", {"items": items, "unread": unread})


@require_GET
def notification_open(request, pk: int):
    """Follow a notice to its report, marking it read on the way."""
    permissions.staff_required(request)
    notification = get_object_or_404(
        Notification.objects.select_related("report"), pk=pk, user=request.user
    )
    if notification.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=clock.now())
    return redirect(notification.report)


@require_POST
def notification_read_all(request):
    permissions.staff_required(request)
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=clock.now()
    )
    if count:
        messages.success(request, _("Semua notifikasi ditandai sudah dibaca."))
    return redirect("monev:notification_list")
