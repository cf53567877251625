"""Write transactions that stay fast when several server processes share one SQLite file.

SQLite lets one writer at a time; a second process that finds the file locked sleeps in
SQLite's busy handler (1, 2, 5, 10… ms) and polls, which at gate rates turns into long queues
and 1-second tail latencies. :func:`write_transaction` first takes an exclusive ``flock`` on a
file beside the database, where a waiter sleeps in the kernel and wakes the moment the holder
commits. On PostgreSQL it is plain ``transaction.atomic()``; row locks do the rest there.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

_thread_lock = threading.Lock()
_fd: int | None = None


def _lock_fd() -> int:
    global _fd
    if _fd is None:
        path = f"{connection.settings_dict['NAME']}.writelock"
        _fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return _fd


@contextmanager
def write_transaction() -> Iterator[None]:
    """``transaction.atomic()``, serialised across processes first when the database is SQLite."""
    if (
        connection.vendor != "sqlite"
        or connection.in_atomic_block
        or ":memory:" in str(connection.settings_dict["NAME"])
        or "mode=memory" in str(connection.settings_dict["NAME"])
    ):
        with transaction.atomic():
            yield
        return
    with _thread_lock:
        fd = _lock_fd()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            with transaction.atomic():
                yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
