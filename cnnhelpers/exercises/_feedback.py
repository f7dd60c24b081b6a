"""What every exercise checker returns, and the one shape every checker follows.

A checker never reveals the answer. When the answer is wrong it names the misconception the
answer reveals (a flipped kernel, channels not summed, an off-by-one size...) when it can
recognise one, and gives a generic hint otherwise. :func:`diagnose` is that shape, written once:

1. **read** the answer (:class:`Number`, :class:`Array`, :class:`Choice`): ``None``, the
   placeholder, is "not answered yet"; anything that is not the kind of answer asked for (text,
   a list where one number is asked, ``nan``, ``True``, a ragged list...) gets a kind sentence
   naming what was expected and what was given;
2. **compare** it with the right answer;
3. **look it up** in the checker's table of known mistakes, rows of
   ``(wrong answer or test, message, misconception key)``;
4. otherwise give the checker's generic **hint**.

Whatever a student types, a checker answers with a :class:`Feedback`, never an exception.
"""

from __future__ import annotations

import html
import math
import numbers
import reprlib
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Feedback", "correct", "wrong", "not_answered", "diagnose", "is_same", "Number", "Array", "Choice", "any_of",
           "matches", "read_only", "as_number", "as_whole_number", "read_number", "read_array", "describe"]


@dataclass(frozen=True)
class Feedback:
    """The verdict of a checker.

    Attributes
    ----------
    ok : bool
        True when the answer is right.
    message : str
        What to tell the student.
    misconception : str or None
        A short key naming the mistake recognised (tests use it), e.g. ``"flipped_kernel"``.
    """

    ok: bool
    message: str
    misconception: str | None = None

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:  # the text nbval compares and a terminal shows
        return ("Correct! " if self.ok else "Not yet. ") + self.message

    def _repr_html_(self) -> str:
        colour, mark = ("#1B7F3B", "&#10004;") if self.ok else ("#B00020", "&#10008;")
        return f'<div style="color:{colour};font-size:15px"><b>{mark}</b> {html.escape(self.message)}</div>'


def correct(message: str = "Well done.") -> Feedback:
    return Feedback(True, message)


def wrong(message: str, misconception: str | None = None) -> Feedback:
    return Feedback(False, message, misconception)


def not_answered() -> Feedback:
    """What every checker says to the placeholder ``answer = None``: a nudge, never an error."""
    return wrong("Not answered yet: replace None with your answer and run the cell again.", "not_answered")


# ---- 1. reading an answer ------------------------------------------------------------------------

def as_number(answer) -> int | float | None:
    """A student's single number: an int when it is whole, a float when not, None if not a number.

    NumPy scalars, 0-d and one-element arrays count as their element, and a square pair ``(n, n)``
    (an output size) as ``n``. Booleans, complex numbers, text, ``nan`` and ``inf`` are not numbers
    here; integers of any size are.

    Examples
    --------
    >>> as_number(3.0), as_number(2.5), as_number(np.array([7])), as_number((26, 26)), as_number("3")
    (3, 2.5, 7, 26, None)
    >>> as_number(True), as_number(float("nan")), as_number(10**400) == 10**400
    (None, None, True)
    """
    if isinstance(answer, (tuple, list)) and len(answer) == 2:
        first, second = _one_number(answer[0]), _one_number(answer[1])
        return first if first is not None and first == second else None
    return _one_number(answer)


def _one_number(answer) -> int | float | None:
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.reshape(()).item()
    elif isinstance(answer, np.generic):
        answer = answer.item()
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, numbers.Real):
        return None
    if isinstance(answer, numbers.Integral):
        return int(answer)  # exact, however large
    try:
        value = float(answer)
    except (OverflowError, ValueError, TypeError):
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def as_whole_number(answer) -> int | None:
    """:func:`as_number`, but None unless the number is whole.

    Examples
    --------
    >>> as_whole_number(12), as_whole_number(12.5)
    (12, None)
    """
    value = as_number(answer)
    return value if isinstance(value, int) else None


def read_number(answer, what: str, *, whole: bool = False) -> int | float | Feedback:
    """The opening of every one-number checker: the number, or the Feedback to return instead.

    ``None`` (the placeholder) gives :func:`not_answered`; an answer that is not a number (not a
    whole one, with ``whole=True``) gives "Give {what}; got ..." with the misconception
    ``"not_a_number"``.

    Examples
    --------
    >>> read_number(3.0, "a number"), read_number("3", "a number").misconception
    (3, 'not_a_number')
    >>> read_number(2.5, "a whole number", whole=True).message
    'Give a whole number; got 2.5.'
    """
    if answer is None:
        return not_answered()
    value = as_whole_number(answer) if whole else as_number(answer)
    if value is None:
        return wrong(f"Give {what}; got {describe(answer)}.", "not_a_number")
    return value


def read_array(answer, what: str) -> np.ndarray | Feedback:
    """The opening of every array checker: the answer as a float array, or the Feedback to return instead.

    Nested lists, tuples and arrays of real numbers are accepted, whatever their shape (the
    checker judges the shape). Ragged lists, text, booleans, complex numbers, ``nan`` and ``inf``
    give "Give {what}; got ..." with the misconception ``"not_a_number"``.

    Examples
    --------
    >>> read_array([[1, 2], [3, 4]], "a 2x2 array").shape
    (2, 2)
    >>> read_array([[1, 2], [3]], "a 2x2 array").message
    'Give a 2x2 array; got the list [[1, 2], [3]], whose rows have different lengths.'
    """
    if answer is None:
        return not_answered()
    refused = wrong(f"Give {what}; got {describe(answer)}.", "not_a_number")
    if isinstance(answer, (str, bytes, dict, set, frozenset)) or callable(answer):
        return refused
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. a complex number cast to a real one: refuse, do not drop
            array = np.asarray(answer)  # runs the answer's own code (__array__, __len__...): anything may raise
            if array.dtype.kind == "O":
                array = array.astype(float)  # Python numbers of mixed kinds; fails on anything else
    except Exception:  # whatever went wrong, the answer is not an array of numbers
        return refused
    if array.dtype.kind not in "iuf" or not np.all(np.isfinite(array)):
        return refused
    return array.astype(float)


def describe(answer) -> str:
    """A student's answer in a few words, for a message: short, and never an exception.

    Examples
    --------
    >>> describe("12"), describe(True), describe(10**400)
    ("the text '12' (without the quotes it is a number)", 'True (yes/no, not a number)', 'a whole number of 401 digits')
    >>> describe(np.ones((2, 3), dtype=complex)), describe([[1, 2], [3]])
    ('an array of shape (2, 3) of complex numbers', 'the list [[1, 2], [3]], whose rows have different lengths')
    """
    try:
        return _describe(answer)
    except Exception:  # a description must never be what fails
        return f"a {type(answer).__name__}"


_KINDS = {"b": "yes/no values", "c": "complex numbers", "U": "text", "S": "bytes", "O": "Python objects",
          "M": "dates", "m": "durations", "V": "raw records"}


def _describe(answer) -> str:
    if isinstance(answer, (bool, np.bool_)):
        return f"{bool(answer)} (yes/no, not a number)"
    if isinstance(answer, str):
        text = _SHORT.repr(answer)
        return f"the text {text} (without the quotes it is a number)" if _is_numeric_text(answer) else \
            f"the text {text}"
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        return describe(answer.item())
    if isinstance(answer, np.generic):
        return describe(answer.item())
    if isinstance(answer, numbers.Integral):
        return _describe_int(int(answer))
    if isinstance(answer, numbers.Real) and not math.isfinite(value := float(answer)):
        return "nan (not a number)" if math.isnan(value) else f"{value} (infinity)"
    if isinstance(answer, numbers.Complex) and not isinstance(answer, numbers.Real):
        return f"the complex number {answer}"
    if isinstance(answer, np.ndarray):
        kind = _KINDS.get(answer.dtype.kind)
        if kind is None and not np.all(np.isfinite(answer)):
            kind = "numbers, some of them nan or inf"
        return f"an array of shape {answer.shape}" + (f" of {kind}" if kind else "")
    if isinstance(answer, (list, tuple)):
        text = f"the {type(answer).__name__} {_SHORT.repr(answer)}"
        try:
            np.asarray(answer)
        except ValueError:
            return f"{text}, whose rows have different lengths"
        return text
    if isinstance(answer, type):
        return f"the type {answer.__name__}"
    if callable(answer):
        return f"the function {getattr(answer, '__name__', type(answer).__name__)} (give its result instead)"
    if isinstance(answer, numbers.Number):
        return str(answer)
    return f"a {type(answer).__name__} {_SHORT.repr(answer)}"


def _describe_int(value: int) -> str:
    if value.bit_length() <= 64:
        return str(value)
    digits = len(str(abs(value))) if value.bit_length() < 14_000 else f"about {int(value.bit_length() * 0.30103)}"
    return f"a whole number of {digits} digits"


def _is_numeric_text(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


class _ShortRepr(reprlib.Repr):
    """reprlib with small limits, and a huge integer shown by its size (its repr would fail)."""

    def __init__(self):
        super().__init__()
        self.maxlevel, self.maxlist, self.maxtuple, self.maxdict, self.maxset = 3, 6, 6, 4, 4
        self.maxstring, self.maxother = 30, 40

    def repr_int(self, x, level):
        return str(x) if x.bit_length() <= 64 else f"<{_describe_int(x)}>"


_SHORT = _ShortRepr()


@dataclass(frozen=True)
class Number:
    """Reads one number (see :func:`read_number`); ``what`` names it in the message when it is not one."""

    what: str
    whole: bool = False

    def __call__(self, answer) -> int | float | Feedback:
        return read_number(answer, self.what, whole=self.whole)


@dataclass(frozen=True)
class Array:
    """Reads an array of numbers of any shape (see :func:`read_array`); ``flat=True`` flattens it."""

    what: str
    flat: bool = False

    def __call__(self, answer) -> np.ndarray | Feedback:
        array = read_array(answer, self.what)
        return array.ravel() if self.flat and isinstance(array, np.ndarray) else array


@dataclass(frozen=True)
class Choice:
    """Reads one of a few letters or words, in any case and with spaces around it."""

    options: Sequence[str]

    def __call__(self, answer) -> str | Feedback:
        if answer is None:
            return not_answered()
        choice = answer.strip().upper() if isinstance(answer, str) else None
        if choice not in self.options:
            return wrong(f"Answer with one of the letters {', '.join(self.options)}; got {describe(answer)}.",
                         "not_a_choice")
        return choice


# ---- 2-4. comparing, looking up known mistakes, hinting -------------------------------------------

Mistake = tuple[Any, "str | Callable[[Any], str]", "str | None"]
"""A row of a checker's table: ``(wrong answer or test(value) -> bool, message or message(value), key)``."""


def diagnose(answer, read: Callable[[Any], Any], right, *, praise: str | Callable[[Any], str],
             mistakes: Iterable[Mistake] = (), hint: str | Callable[[Any], str], hint_key: str | None = None,
             atol: float = 1e-6) -> Feedback:
    """The verdict on ``answer``: read it, compare it with ``right``, look up known mistakes, else hint.

    Parameters
    ----------
    answer : anything
        What the student typed.
    read : callable
        ``read(answer)`` is the value to judge or the :class:`Feedback` to return instead
        (:class:`Number`, :class:`Array`, :class:`Choice`).
    right : number, array, str or callable
        The right answer, or a test ``right(value) -> bool`` when several answers are right.
    praise : str or callable
        The message for a right answer (or ``praise(value)``).
    mistakes : iterable of (known, message, key)
        Known wrong answers, tried in order: ``known`` is a value (numbers and arrays match within
        ``atol``) or a test ``known(value) -> bool``; ``message`` may be ``message(value)``.
    hint, hint_key : str (or callable) and str or None
        What to say, and the key to report, when the answer is wrong in no known way.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> mistakes = [(5, "That is the kernel size.", "kernel_size"), (lambda v: v < 0, "Sizes are positive.", None)]
    >>> diagnose(3, Number("a size"), 3, praise="Yes.", mistakes=mistakes, hint="No.")
    Correct! Yes.
    >>> diagnose(5.0, Number("a size"), 3, praise="Yes.", mistakes=mistakes, hint="No.").misconception
    'kernel_size'
    >>> diagnose(-2, Number("a size"), 3, praise="Yes.", mistakes=mistakes, hint="No.")
    Not yet. Sizes are positive.
    >>> diagnose("three", Number("a size"), 3, praise="Yes.", mistakes=mistakes, hint="No.")
    Not yet. Give a size; got the text 'three'.
    """
    value = read(answer)
    if isinstance(value, Feedback):
        return value
    if is_same(value, right, atol=atol):
        return correct(_say(praise, value))
    for known, message, key in mistakes:
        if is_same(value, known, atol=atol):
            return wrong(_say(message, value), key)
    return wrong(_say(hint, value), hint_key)


def is_same(value, known, *, atol: float = 1e-6) -> bool:
    """True when a read answer is ``known``: equal text, equal numbers or arrays within ``atol``, or a test passed."""
    if callable(known):
        return bool(known(value))
    if isinstance(value, str) or isinstance(known, str):
        return value == known
    if isinstance(value, np.ndarray) or isinstance(known, (np.ndarray, list, tuple)):
        return matches(value, known, atol=atol)
    if isinstance(value, int) and isinstance(known, numbers.Integral):
        return value == int(known)  # exact for integers of any size
    try:
        return abs(float(value) - float(known)) <= atol
    except OverflowError:  # a number too large for a float is near no answer
        return False


def any_of(values: Iterable, *, atol: float = 1e-6) -> Callable[[Any], bool]:
    """A test for a mistakes table: the answer is one of ``values``.

    Examples
    --------
    >>> any_of([1, 2.5])(2.5), any_of([1, 2.5])(3)
    (True, False)
    """
    values = list(values)
    return lambda value: any(is_same(value, known, atol=atol) for known in values)


def _say(message, value) -> str:
    return message(value) if callable(message) else message


def matches(answer, expected, *, atol: float = 1e-6) -> bool:
    """True when ``answer`` has ``expected``'s shape and values (within ``atol``)."""
    try:
        answer = np.asarray(answer, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return False
    expected = np.asarray(expected, dtype=float)
    return answer.shape == expected.shape and bool(np.allclose(answer, expected, atol=atol, rtol=0))


def read_only(values, dtype=np.int64) -> np.ndarray:
    """An exercise's data as a read-only array: an accidental edit would change the right answer."""
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array
