from . import permissions, workflow
from .models import Notification


def staff(request):
    """The signed-in user's office role, unread notices and pages, for the navigation bar."""
    user = getattr(request, "user", None)
    current = workflow.staff_of(user) if user is not None else None
    unread = getattr(user, "unread_notifications", None)  # counted by the login backend
    if unread is None:
        unread = (
            Notification.objects.filter(user=user, read_at__isnull=True).count()
            if current is not None
            else 0
        )
    return {
        "current_staff": current,
        "unread_notifications": unread,
        "nav": permissions.navigation(current),
    }
