"""Build it yourself: the engine of the checkers for operations a student writes as code.

Each Build-it exercise lives in the exercises module of its notebook (``kernels``: conv1d and
correlate2d; ``padding``: conv2d, which grows over notebooks 02-04; ``pooling``: max_pool2d and
its backward; ``cnn``: conv2d_backward, the gradient check and the digits trained with the
student's code). There an :class:`Exercise` names the function of :mod:`cnnhelpers.reference`
that is the model solution, the inputs (ordered smallest first) and the named bugs. This module
runs them: :func:`run_checks` calls the student's ``fn`` positionally on every input and compares
what it returns with the reference. It answers with a :class:`CodeFeedback`:

- right on every input: ``ok``;
- a wrong answer: the smallest input it fails on, the expected output and what ``fn`` returned,
  and the misconception when a named buggy version of the reference (a :class:`Bug`) returns
  what ``fn`` returned, on that input and on every input ``fn`` got right before;
- anything else (``None``, not a function, an exception, ``None`` returned, a wrong shape, an
  input modified, NaN, a call that does not finish): a sentence that says so. A checker never raises.

Any correct implementation passes: loops or vectorised, lists or arrays, any float dtype
(values are compared with a tolerance suited to float32).

The time limit. Each call of the student's function gets ``time_limit`` seconds. In the main
thread of a Unix process (a Jupyter kernel runs cells there) an alarm signal interrupts the
function, a loop that never ends included, between two Python instructions: a single NumPy call
finishes first. Elsewhere (Windows, or a checker called from a thread) the function runs in a
helper thread that the checker stops waiting for; Python cannot stop a thread, so an endless loop
then keeps running in the background until the kernel restarts, and the message says so.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import reference
from ._feedback import Feedback

__all__ = ["TIME_LIMIT", "CodeFeedback", "Bug", "Exercise", "run_checks", "call_with_limit", "ints", "frozen",
           "flipped", "pad_sides", "CONV2D_FLIPPED", "code_correct", "code_wrong", "code_not_answered"]

#: Seconds each call of the student's function may take before the checker gives up on it.
TIME_LIMIT = 10.0


class CodeFeedback(Feedback):
    """A :class:`Feedback` whose message holds arrays: shown with its line breaks, arrays aligned."""

    def _repr_html_(self) -> str:
        colour, mark = ("#1B7F3B", "&#10004;") if self.ok else ("#B00020", "&#10008;")
        text = self.message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = re.sub(r"(?m)^( {4}.*)$", r'<span style="font-family:monospace">\1</span>', text)
        return f'<div style="color:{colour};font-size:15px;white-space:pre-wrap"><b>{mark}</b> {text}</div>'


def code_correct(message: str) -> Feedback:
    return CodeFeedback(True, message)


def code_wrong(message: str, misconception: str | None = None) -> Feedback:
    return CodeFeedback(False, message, misconception)


# -- an exercise: arguments, inputs, named bugs -----------------------------------------------------


@dataclass(frozen=True)
class Bug:
    """A named mistake: a buggy version of the reference that changes one of its outputs.

    ``run`` takes the reference's arguments and returns the buggy value of output ``output``.
    """

    key: str
    output: str
    run: Callable
    message: str


@dataclass(frozen=True)
class Exercise:
    """One Build-it exercise: the reference function, its argument and output names, inputs and bugs."""

    name: str
    arguments: tuple[str, ...]
    outputs: tuple[str, ...]
    cases: Callable[[], tuple[tuple, ...]]
    bugs: tuple[Bug, ...]
    hint: str

    @property
    def reference(self) -> Callable:
        return getattr(reference, self.name)

    def expected(self, case: tuple) -> tuple[np.ndarray, ...]:
        result = self.reference(*case)
        return tuple(result) if len(self.outputs) > 1 else (result,)


def ints(rng: np.random.Generator, low: int, high: int, shape) -> np.ndarray:
    """Whole numbers from ``low`` to ``high`` as floats: a wrong answer stays readable."""
    return rng.integers(low, high + 1, size=shape).astype(float)


def frozen(cases) -> tuple[tuple, ...]:
    for case in cases:
        for value in case:
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
    return tuple(cases)


def flipped(w):
    return w[..., ::-1, ::-1]


def pad_sides(x, top_left: int, bottom_right: int):
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(top_left, bottom_right)] * 2)


CONV2D_FLIPPED = ("That is a true convolution: the kernel was flipped. A CNN's convolution lays the kernel on each "
                   "window as it is: window[u, v] multiplies w[u, v].")


# -- calling the student's function --------------------------------------------------------------------


class _TimeUp(BaseException):
    """Raised inside the student's function by the alarm; a BaseException, so ``except Exception`` lets it by."""


def call_with_limit(fn, args: tuple, seconds: float):
    """Run ``fn(*args)`` for at most ``seconds``.

    Returns ``("returned", value)``, ``("raised", exception)`` or ``("timeout", still_running)``,
    ``still_running`` True when the call could not be stopped (it goes on in a background thread).
    """
    alarm_usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
                    and signal.getitimer(signal.ITIMER_REAL)[0] == 0)  # nobody else's alarm to overwrite
    if alarm_usable:
        def time_up(signum, frame):
            raise _TimeUp

        previous = signal.signal(signal.SIGALRM, time_up)
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                return "returned", fn(*args)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except _TimeUp:
            return "timeout", False
        except (Exception, SystemExit) as error:
            return "raised", error
        finally:
            signal.signal(signal.SIGALRM, previous)
    box: dict = {}

    def target():
        try:
            box["value"] = fn(*args)
        except BaseException as error:  # noqa: BLE001 - reported to the student, whatever it is
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True, name="student function")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return "timeout", True
    if "error" in box:
        return "raised", box["error"]
    return "returned", box.get("value")


# -- showing arrays and inputs --------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.4g}" if np.isfinite(value) and abs(value) < 1e6 else repr(float(value))


def _show(value, indent: str = "    ") -> str:
    """An argument or result for the message: small arrays in full, large ones by their shape."""
    if isinstance(value, np.ndarray):
        if value.size > 150:
            return f"{indent}(an array of shape {value.shape}, too large to print)"
        width = max((len(_number(v)) for v in value.reshape(-1)), default=1)  # aligned columns
        text = np.array2string(value, max_line_width=100, separator=" ",
                               formatter={"float_kind": lambda v: _number(v).rjust(width)})
        return "\n".join(indent + line for line in text.splitlines())
    return indent + repr(value)


def _shape(value) -> str:
    return f"shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__


def _show_input(exercise: Exercise, case: tuple) -> str:
    lines = []
    for name, value in zip(exercise.arguments, case, strict=True):
        if isinstance(value, np.ndarray):
            lines.append(f"  {name}, {_shape(value)}:\n{_show(value)}")
        else:
            lines.append(f"  {name} = {value!r}")
    return "\n".join(lines)


# -- reading and comparing answers ----------------------------------------------------------------------


def _as_array(value) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=float)
    except Exception:  # noqa: BLE001 - whatever the object does, it is not an array of numbers
        return None


def _close(got: np.ndarray, expected: np.ndarray) -> bool:
    """Equal shapes and values up to float32 rounding (relative to the largest expected value)."""
    if got.shape != expected.shape:
        return False
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    return bool(np.allclose(got, expected, rtol=1e-4, atol=1e-4 * scale))


def _read_outputs(exercise: Exercise, value) -> tuple[np.ndarray, ...] | Feedback:
    """The student's outputs as float arrays, or the Feedback saying why they cannot be read."""
    many = len(exercise.outputs) > 1
    if value is None:
        names = f" (return {', '.join(exercise.outputs)})" if many else ""
        return code_wrong(f"Your function returned None: did you forget the return statement{names}?",
                          "returned_none")
    if many and (not isinstance(value, (tuple, list)) or len(value) != len(exercise.outputs)):
        return code_wrong(f"Your function should return {len(exercise.outputs)} arrays, "
                          f"({', '.join(exercise.outputs)}); it returned {_describe(value)}.", "not_an_array")
    arrays = []
    for name, item in zip(exercise.outputs, value if many else (value,), strict=True):
        if item is None:
            return code_wrong(f"{name} is None: compute it and return it.", "returned_none")
        array = _as_array(item)
        if array is None:
            return code_wrong(f"{name if many else 'The result'} is not an array of numbers: got {_describe(item)}.",
                              "not_an_array")
        arrays.append(array)
    return tuple(arrays)


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bug_value(bug: Bug, case: tuple):
    try:
        return np.asarray(bug.run(*case), dtype=float)
    except Exception:  # noqa: BLE001 - a bug that cannot run on this input does not match it
        return None


def _diagnose(exercise: Exercise, output: str, got: np.ndarray, case: tuple, earlier: list) -> Bug | None:
    """The first named bug that gives ``got`` here and agrees with the student on every earlier input."""
    index = exercise.outputs.index(output)
    for bug in exercise.bugs:
        if bug.output != output:
            continue
        value = _bug_value(bug, case)
        if value is None or not _close(got, value):
            continue
        if all((value := _bug_value(bug, before)) is not None and _close(answers[index], value)
               for before, answers in earlier):
            return bug
    return None


def _size_mistake(got: np.ndarray, expected: np.ndarray) -> str | None:
    """"output_too_small"/"output_too_large" when the spatial sizes are off by one, same direction."""
    if got.ndim != expected.ndim or got.ndim == 0:
        return None
    spatial = 1 if got.ndim == 1 else 2
    if got.shape[:-spatial] != expected.shape[:-spatial]:
        return None
    differences = {g - e for g, e in zip(got.shape[-spatial:], expected.shape[-spatial:], strict=True)}
    if differences in ({-1}, {-1, 0}):
        return "output_too_small"
    if differences in ({1}, {0, 1}):
        return "output_too_large"
    return None


_SIZE_MESSAGES = {
    "output_too_small": "The output is one too small: a window fits at positions 0 to n - k (both included), "
                        "so there are n - k + 1 of them (range(n - k + 1)).",
    "output_too_large": "The output is one too large: the last window starts at n - k, so there are n - k + 1 "
                        "outputs, not n - k + 2.",
}


def _function_name(fn, default: str) -> str:
    """The name the student gave the function (``correlate2d_loops``), else the exercise's."""
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) and name.isidentifier() else default


def code_not_answered(name: str) -> Feedback:
    return code_wrong(f"Not answered yet: write the body of {name} (replace the line raise NotImplementedError), run "
                      f"its cell, then run this one.", "not_answered")


def _model_solution(name: str) -> str:
    return (f"Compare with the model solution, {name} in cnnhelpers/reference.py (to read it here: "
            f"from cnnhelpers import reference, then reference.{name}??).")


def run_checks(exercise: Exercise, fn, time_limit: float, cases: tuple[tuple, ...] | None = None) -> Feedback:
    """Every case in order, stopping at the first problem; see the module docstring."""
    try:
        return _check_every_case(exercise, fn, time_limit, cases)
    except Exception as error:  # noqa: BLE001 - a last resort: a checker answers in words, never with a traceback
        return code_wrong(f"The checker could not read your function's answer ({type(error).__name__}: {error}).",
                          "unreadable")


def _check_every_case(exercise: Exercise, fn, time_limit: float, cases: tuple[tuple, ...] | None) -> Feedback:
    name = exercise.name
    if fn is None:
        return code_not_answered(name)
    if not callable(fn):
        return code_wrong(f"check_{name} needs your function itself, as in check_{name}({name}); got {_describe(fn)}.",
                          "not_a_function")
    cases = exercise.cases() if cases is None else cases
    earlier: list = []  # (case, the student's outputs) of every input answered right so far
    for number, case in enumerate(cases):
        given = tuple(np.array(value) if isinstance(value, np.ndarray) else value for value in case)  # copies
        status, value = call_with_limit(fn, given, time_limit)
        where = f"On this input:\n{_show_input(exercise, case)}\n"
        if status == "timeout":
            background = (" Python cannot stop it here: it is still running in the background; restart the kernel "
                          "(Kernel > Restart) if the computer stays busy.") if value else ""
            return code_wrong(f"Your function did not finish within {time_limit:g} s. {where}Is there a loop that "
                              f"never ends (a while loop whose condition never changes)?{background}", "too_slow")
        if status == "raised":
            if isinstance(value, NotImplementedError) and number == 0:
                return code_not_answered(_function_name(fn, name))
            if isinstance(value, TypeError) and "positional argument" in str(value):
                return code_wrong(f"check_{name} calls {name}({', '.join(exercise.arguments)}), and your function "
                                  f"does not take these arguments in this order ({value}).", "wrong_arguments")
            return code_wrong(f"Your function raised {type(value).__name__}: {value}\n{where}", "raised")
        changed = [argument for argument, original, passed in zip(exercise.arguments, case, given, strict=True)
                   if isinstance(original, np.ndarray) and not np.array_equal(original, passed, equal_nan=True)]
        if changed:
            return code_wrong(f"Your function modified its input {' and '.join(changed)}. {where}A function should "
                              "leave its inputs as they were: work on a copy (np.pad and x.copy() make new arrays; "
                              "x += ... changes x itself).", "modified_input")
        outputs = _read_outputs(exercise, value)
        if isinstance(outputs, Feedback):
            return code_wrong(f"{outputs.message}\n{where}", outputs.misconception)
        for output, got, expected in zip(exercise.outputs, outputs, exercise.expected(case), strict=True):
            if _close(got, expected):
                continue
            return _wrong_answer(exercise, output, got, expected, case, earlier)
        earlier.append((case, outputs))
    return code_correct(f"Right on all {len(cases)} test inputs. {_model_solution(name)}")


def _wrong_answer(exercise, output, got, expected, case, earlier) -> Feedback:
    what = f"{output} " if len(exercise.outputs) > 1 else ""
    shown = (f"On this input:\n{_show_input(exercise, case)}\n"
             f"{what or 'the output '}should be ({_shape(expected)}):\n{_show(expected)}\n"
             f"your function returned ({_shape(got)}):\n{_show(got)}\n")
    if not np.isfinite(got).all() and np.isfinite(expected).all():
        return code_wrong(f"Your {what or 'output '}contains NaN or infinity. {shown}Look for a division by zero, or "
                          "an np.empty array whose cells were not all filled (np.zeros is safer).", "nan")
    bug = _diagnose(exercise, output, got, case, earlier)
    if bug is not None:
        return code_wrong(f"{bug.message}\n{shown}", bug.key)
    if got.shape != expected.shape:
        key = _size_mistake(got, expected) if output in ("output",) else None
        if key is not None:
            return code_wrong(f"{_SIZE_MESSAGES[key]}\n{shown}", key)
        return code_wrong(f"Wrong shape: {what or 'the output '}should have shape {expected.shape}, yours has "
                          f"{got.shape}.\n{shown}", "wrong_shape")
    return code_wrong(f"Not the right numbers. {shown}{exercise.hint}")
