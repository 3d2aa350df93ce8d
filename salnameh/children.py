"""Child processes that die with the process that started them.

`salnameh build` runs dbt, and `salnameh serve` runs Streamlit, as children. Killed
parents used to leave them running: dbt as an orphan still holding the warehouse's DuckDB
lock (the next build and every ingest then failed), Streamlit still holding the port. So
every child starts

- in a process group of its own, which the parent signals whole when it stops, so
  whatever the child started goes too (and a terminal's Ctrl+C reaches only the parent,
  which then stops the group in order);
- with the parent's death signal (Linux `PR_SET_PDEATHSIG`): when the parent dies in a
  way it cannot clean up after (SIGKILL, a crash), the kernel signals the child.

The kernel sends the death signal when the *thread* that started the child ends, so start
a child from a thread that waits for it (run_dbt and serve both do).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
from collections.abc import Iterator

_PR_SET_PDEATHSIG = 1
# Loaded here, in the parent: after fork, the child only calls it.
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _die_with(parent: int, sig: int):
    """What the child runs between fork and exec: take `sig` when `parent` dies."""

    def prepare() -> None:
        _libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        # The parent may have died before prctl took effect: then nobody would signal us.
        if os.getppid() != parent:
            os.kill(os.getpid(), sig)

    return prepare


def start_child(command: list[str], death_signal: int = signal.SIGKILL,
                **popen) -> subprocess.Popen:  # fmt: skip
    """Popen `command` in its own process group, signalled with `death_signal` when this
    process dies. A process that has work to lose (Streamlit's sessions) takes SIGTERM;
    dbt, whose run is redone whole, takes SIGKILL."""
    return subprocess.Popen(
        command, start_new_session=True, preexec_fn=_die_with(os.getpid(), death_signal),
        **popen,
    )  # fmt: skip


def stop_group(child: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the child's whole process group (nothing if it has ended and been reaped)."""
    if child.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, sig)


@contextlib.contextmanager
def child_process(command: list[str], death_signal: int = signal.SIGKILL,
                  **popen) -> Iterator[subprocess.Popen]:  # fmt: skip
    """A child for the length of the block; leaving it any way but the child's own end
    (an exception, Ctrl+C) kills the child's whole group and reaps it."""
    child = start_child(command, death_signal, **popen)
    try:
        yield child
    finally:
        if child.poll() is None:
            stop_group(child)
        child.wait()


@contextlib.contextmanager
def stopped_by_sigterm(child: subprocess.Popen) -> Iterator[None]:
    """While the block runs, SIGTERM (a service manager's stop) is passed on to the child's
    group instead of killing this process at once, so the block's own wait sees the child
    end and returns. Main thread only (Python's signal handlers live there)."""

    def pass_on(signum, _frame) -> None:
        stop_group(child, signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, pass_on)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
