"""The C allocator's share of a many-threaded process's memory (issue 18: ``run --all-stores``).

On Linux with glibc, ``malloc`` gives every thread that allocates while the others hold the
shared arenas an arena of its own, up to eight per core; SQLite's page caches and Python's
larger objects live there. Twenty stores' threads then keep a dozen or more arenas, each
holding freed memory of its own that the others cannot reuse, and glibc returns little of it
to the system by itself. Two standard glibc calls bound that:

* :func:`limit_arenas` (``mallopt(M_ARENA_MAX, n)``): threads created after it share at most
  ``n`` arenas. It takes effect only while the process has few arenas yet (glibc fixes its
  limit once the arenas outnumber the cores' default), so it is called before the threads start.
* :func:`release_free_memory` (``malloc_trim(0)``): hands the free pages of every arena back
  to the system; nothing allocated moves.

Both are no-ops (returning False) anywhere else: macOS, Windows, musl or when the C library
cannot be loaded. Neither changes what the program computes, only where freed memory sits.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading

log = logging.getLogger(__name__)

#: ``M_ARENA_MAX`` of glibc's ``<malloc.h>``
_M_ARENA_MAX = -8

_lock = threading.Lock()
_libc = None
_loaded = False


def _glibc():
    """glibc loaded through ctypes, or None where this is not Linux with glibc."""
    global _libc, _loaded
    with _lock:
        if _loaded:
            return _libc
        _loaded = True
        if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
            return None
        try:
            import ctypes

            lib = ctypes.CDLL("libc.so.6", use_errno=True)
            lib.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
            lib.mallopt.restype = ctypes.c_int
            lib.malloc_trim.argtypes = (ctypes.c_size_t,)
            lib.malloc_trim.restype = ctypes.c_int
        except (OSError, AttributeError) as exc:  # pragma: no cover - a Linux without glibc's symbols
            log.debug("glibc not usable through ctypes: %s", exc)
            return None
        _libc = lib
        return lib


def limit_arenas(n: int) -> bool:
    """At most ``n`` (≥ 1) glibc malloc arenas for threads started from now on; True if set."""
    lib = _glibc()
    if lib is None:
        return False
    return bool(lib.mallopt(_M_ARENA_MAX, max(1, int(n))))


def release_free_memory() -> bool:
    """Give the C allocator's free pages back to the system; True if some were released."""
    lib = _glibc()
    if lib is None:
        return False
    return bool(lib.malloc_trim(0))
