"""A time limit for PDF rendering: the render runs in a child process that is killed when the
limit passes, so a runaway document costs one child, never the gunicorn worker serving it.

The limit comes from ``PDF_TIME_LIMIT`` (seconds, default 25). Keep it below gunicorn's
``--timeout`` (30 s by default): past that, the arbiter kills the whole worker first.

On Linux the child is forked: it starts at once with WeasyPrint and Django already imported,
and takes its arguments without pickling. Only the result (the PDF bytes) or the error travels
back through a pipe. The child may not touch the database: it would share the parent's
connection socket, so every query there raises.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.utils.translation import gettext as _

DEFAULT_LIMIT_SECONDS = 25.0
# After a kill, how long to wait for the child to be reaped.
_REAP_SECONDS = 5.0


class RenderError(RuntimeError):
    """The render did not produce a document."""


class RenderTimeout(RenderError):
    """The render ran past its time limit and was stopped."""


def default_limit() -> float:
    """Seconds from PDF_TIME_LIMIT, or the default when it is unset or not a positive number."""
    try:
        value = float(os.environ.get("PDF_TIME_LIMIT", ""))
    except ValueError:
        return DEFAULT_LIMIT_SECONDS
    return value if value > 0 else DEFAULT_LIMIT_SECONDS


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _refuse_queries(execute, sql, params, many, context):
    raise RenderError("render_with_limit: fungsi render tidak boleh membaca basis data.")


def _child(sender, func, args, kwargs) -> None:
    """Run the render and send ("ok", result) or ("error", exception) back."""
    try:
        from django.apps import apps

        if not apps.ready:  # a spawned child starts from scratch
            import django

            django.setup()
        with contextlib.ExitStack() as stack:
            for connection in connections.all(initialized_only=True):
                stack.enter_context(connection.execute_wrapper(_refuse_queries))
            result = func(*args, **kwargs)
        sender.send(("ok", result))
    except BaseException as error:  # the parent must hear of any failure
        try:
            sender.send(("error", error))
        except Exception:  # an exception that cannot be pickled travels as text
            sender.send(("error", RenderError(f"{type(error).__name__}: {error}")))
    finally:
        sender.close()


def render_with_limit(
    func: Callable[..., Any], *args, timeout_seconds: float | None = None, **kwargs
) -> Any:
    """``func(*args, **kwargs)`` in a child process, stopped after ``timeout_seconds``.

    Returns what ``func`` returns (e.g. PDF bytes); re-raises its exception; raises
    RenderTimeout when the limit passes and RenderError when the child dies without answering.
    """
    limit = default_limit() if timeout_seconds is None else float(timeout_seconds)
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, func, args, kwargs), daemon=True)
    process.start()
    sender.close()  # the child holds the only writing end: its death means EOF here
    try:
        if not receiver.poll(limit):
            process.kill()
            raise RenderTimeout(
                _(
                    "Pembuatan PDF dihentikan karena melebihi batas waktu %(seconds)s detik. "
                    "Coba lagi nanti atau hubungi admin."
                )
                % {"seconds": f"{limit:g}"}
            )
        try:
            status, payload = receiver.recv()
        except EOFError:
            process.join(_REAP_SECONDS)
            raise RenderError(
                _("Pembuatan PDF gagal: proses pembuat PDF berhenti tanpa hasil (kode %(code)s).")
                % {"code": process.exitcode}
            ) from None
    finally:
        receiver.close()
        process.join(_REAP_SECONDS)
        if process.is_alive():  # answered, then hung on exit: do not leave it behind
            process.kill()
            process.join(_REAP_SECONDS)
    if status == "error":
        raise payload
    return payload
