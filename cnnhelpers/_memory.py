"""Why fresh arrays are cheap here: glibc is asked to keep freed memory for reuse.

A training step makes outputs and temporaries of a few MiB each, and frees them a moment later.
By default glibc's ``malloc`` adapts its thresholds as a program runs and, when the top of its
heap holds enough free memory, hands it back to the system (it "trims" the heap); the next
allocation then takes every 4 KiB page again, one page fault each, zero-filled by the kernel.
On some virtual machines those faults cost more than the arithmetic of a small convolution.

:func:`keep_freed_memory` fixes the two thresholds (``mallopt``): blocks under 32 MiB come from the
heap, and up to 64 MiB of freed memory stays there for the next allocation. Larger blocks are
still mapped and unmapped one by one, so a huge array never stays pinned. It is called once, when
:mod:`cnnhelpers` is imported; it does nothing outside Linux with glibc, or when the environment
variable ``CNNHELPERS_SYSTEM_MALLOC`` is set to ``1``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

# mallopt's parameter numbers, from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD_BYTES = 32 * 2**20  # glibc's own ceiling for its adaptive threshold on 64-bit systems
TRIM_THRESHOLD_BYTES = 64 * 2**20


def keep_freed_memory() -> bool:
    """Set glibc's mmap and trim thresholds (see the module docstring); True if they were set."""
    if not sys.platform.startswith("linux") or os.environ.get("CNNHELPERS_SYSTEM_MALLOC") == "1":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it (musl, e.g. on Alpine, does not)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
