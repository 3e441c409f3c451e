from . import workflow


def staff(request):
    """The signed-in user's office role, for the navigation bar."""
    user = getattr(request, "user", None)
    return {"current_staff": workflow.staff_of(user) if user is not None else None}
