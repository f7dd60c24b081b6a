"""Hypothesis strategies for garbage input, and the call that checks which exceptions escape.

Shared by the garbage tests (``test_garbage.py``: the core, ``nn``, ``data``, ``images``;
``test_garbage_lessons.py``: the lesson modules, the widgets and the other helpers).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import signal
import threading
import warnings
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

odd_dtypes = st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.uint8, np.int8, np.bool_,
                              np.complex128, np.dtype(">f4"), np.dtype("U3"), np.dtype("O"), np.dtype("M8[s]")])
numbers = st.one_of(st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0, -1, 1, 2, 10**12, 2**63, 1e308, -0.0, float("nan"), float("inf")]))
numpy_scalars = st.one_of(st.integers(-10**6, 10**6).map(np.int64), st.floats(width=32).map(np.float32),
                          st.floats().map(lambda v: np.array(v)), st.just(np.bool_(True)))
small_arrays = hnp.arrays(odd_dtypes, hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=4))
masked = small_arrays.filter(lambda a: a.dtype.kind in "fiub").map(lambda a: np.ma.masked_array(a, mask=a != a))
atoms = st.one_of(numbers, numpy_scalars, st.text(max_size=8), st.none(), st.booleans(), small_arrays, masked,
                  st.just(object()), st.just(np.random.default_rng(0)), st.just(print))
garbage = st.recursive(atoms, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.tuples(inner, inner), st.dictionaries(st.text(max_size=3),
                                                                                                 inner, max_size=2)),
                       max_leaves=8)


def garbage_settings(max_examples: int) -> settings:
    """Hypothesis settings for the garbage tests: no deadline, no database, fixtures allowed.

    The environment variable ``GARBAGE_EXAMPLES`` replaces ``max_examples`` for a deeper search
    than CI's (``GARBAGE_EXAMPLES=200 python -m pytest tests/test_garbage_lessons.py``).
    """
    max_examples = int(os.environ.get("GARBAGE_EXAMPLES", max_examples))
    return settings(max_examples=max_examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


def one_garbage_argument(function, args: tuple, kwargs: dict, draw) -> tuple[tuple, dict]:
    """A valid call's arguments with one of them replaced by garbage (an extra argument if it has none)."""
    slots = [("arg", i) for i in range(len(args))] + [("kw", key) for key in kwargs]
    if not slots:
        return (draw.draw(garbage, label="extra argument"),), kwargs
    kind, where = draw.draw(st.sampled_from(slots), label="replaced")
    value = draw.draw(garbage, label="garbage")
    if kind == "arg":
        return args[:where] + (value,) + args[where + 1:], kwargs
    return args, {**kwargs, where: value}


def all_garbage_arguments(function, args: tuple, kwargs: dict, draw) -> tuple[tuple, dict]:
    """Garbage for every required positional argument of ``function`` and for some of the keywords of a valid call."""
    try:
        parameters = inspect.signature(function).parameters.values()
        count = sum(p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                    for p in parameters)
    except (TypeError, ValueError):
        count = len(args)
    args = tuple(draw.draw(garbage, label=f"arg {i}") for i in range(count))
    return args, {key: draw.draw(garbage, label=key) for key in kwargs if draw.draw(st.booleans(), label=f"{key}?")}


class TookTooLong(Exception):
    """A garbage call still running after ``TIME_LIMIT`` seconds (an unbounded loop or allocation)."""


TIME_LIMIT = 10


@contextlib.contextmanager
def time_limit(seconds: int):
    """Raise TookTooLong in the main thread after ``seconds`` (where SIGALRM exists; else no limit)."""
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise TookTooLong(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


MEMORY_LIMIT = 4 * 2**30  # bytes a garbage call may add to the process's address space
GUARD_LIMIT = 2**30  # what cnnhelpers' allocation guards are told this machine can spare, meanwhile


@contextlib.contextmanager
def small_machine(limit: int):
    """Make cnnhelpers' allocation guards (``_validate.memory_limit``) refuse arrays above ``limit`` bytes.

    Then a guarded allocation is a clear ValueError long before :func:`memory_limit` stops it, and
    only an unguarded one reaches that cap (a MemoryError: a failure).
    """
    from cnnhelpers import _validate

    with mock.patch.object(_validate, "memory_limit", lambda: limit):
        yield


@contextlib.contextmanager
def memory_limit(extra: int):
    """Cap the address space at its present size plus ``extra`` bytes (Linux; elsewhere no cap).

    An allocation beyond it raises MemoryError, a failure the test reports, instead of the
    machine's out-of-memory killer ending the whole test run (and whatever else was running).
    """
    try:
        import resource

        with open("/proc/self/status") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        previous = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (size + extra, previous[1]))
    except (ImportError, OSError, ValueError, StopIteration):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, previous)


def call_with(name: str, function, args, kwargs, allowed: tuple[type[BaseException], ...]):
    """Call; return None when it returns or raises one of ``allowed``, else a description of what escaped.

    A call still running after ``TIME_LIMIT`` seconds, or asking for more than ``MEMORY_LIMIT``
    bytes, is a failure too: garbage must not hang nor exhaust the machine. Meanwhile the
    package's own guards allow arrays of up to ``GUARD_LIMIT`` bytes.
    """
    try:
        with (warnings.catch_warnings(), np.errstate(all="ignore"), time_limit(TIME_LIMIT),
              small_machine(GUARD_LIMIT), memory_limit(MEMORY_LIMIT)):
            warnings.simplefilter("ignore")
            function(*args, **kwargs)
    except allowed:
        return None
    except Exception as error:  # noqa: BLE001 - what these tests look for
        return f"{name}(*{args!r:.200}, **{kwargs!r:.200}) raised {type(error).__name__}: {error}"
    return None
