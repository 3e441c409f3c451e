"""Passphrases for the certificate commands: typed twice at a prompt, or for scripts read from
an environment variable named on the command line (never a command-line value, which would
end up in the shell history and the process list)."""

import os
from getpass import getpass

from django.core.management.base import CommandError


def read_passphrase(label: str, env_name: str | None, *, confirm: bool) -> str:
    if env_name:
        value = os.environ.get(env_name)
        if not value:
            raise CommandError(f"Variabel lingkungan {env_name} kosong atau tidak ada.")
        return value
    value = getpass(f"{label}: ")
    if confirm and getpass(f"Ulangi {label.lower()}: ") != value:
        raise CommandError("Kedua passphrase tidak sama.")
    return value
