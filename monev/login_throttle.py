"""Login throttling with a limit per lockout parameter.

django-axes compares the worst of its lockout parameters with one limit. We want two: 5
failures lock a user at one address (someone mistyping, or guessing one account), and a higher
limit locks an address whatever the accounts (one machine trying a few passwords on each of
many accounts), high enough that an office behind one NAT address is not locked by a few
colleagues mistyping. Each parameter's count is scaled to the common limit, so reaching its
own limit is reaching axes' limit.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


def _limit(parameter, default: int) -> int:
    key = parameter if isinstance(parameter, str) else ",".join(parameter)
    return settings.LOGIN_FAILURE_LIMITS.get(key, default)


class PerParameterLimitHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        base = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, failures * base // _limit(parameter, base))
        return worst

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears that user's failures at that address only: logging in
        to one's own account must not wipe the address's count of guesses at others."""
        username = get_client_username(request, credentials)
        count = 0
        for attempts in self.filter_user_attempts(request, credentials):
            count += attempts.filter(username=username).delete()[0]
        return count
