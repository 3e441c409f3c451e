"""The real task worker (``manage.py run_worker``) for the queue tests, run as a subprocess.

With ``--slow`` every archived file takes two seconds to copy into a year ZIP: long enough for a
test to kill the worker in the middle of the job.
"""

import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sutera_kinerja.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if "--slow" in sys.argv:
        from django.core.files.storage import default_storage

        from monev.services import year_export

        class SlowStorage:
            def __getattr__(self, name):
                return getattr(default_storage, name)

            def open(self, name, mode="rb"):
                time.sleep(2)
                return default_storage.open(name, mode)

        year_export.default_storage = SlowStorage()
    call_command("run_worker", "--no-startup-delay", "--no-reload", "--interval=0.2")


if __name__ == "__main__":
    main()
