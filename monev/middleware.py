"""Sessions also end a fixed time after login, however active the user has been."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

LOGIN_TIME_KEY = "login_time"


class AbsoluteSessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(LOGIN_TIME_KEY, time.time())
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
