"""What every exercise checker returns: a verdict in words, shown in colour in a notebook.

A checker never reveals the answer. When the answer is wrong it names the misconception the
answer reveals (a flipped kernel, channels not summed, an off-by-one size...) when it can
recognise one, and gives a generic hint otherwise.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["Feedback", "correct", "wrong", "matches", "not_answered", "read_only", "as_number", "as_whole_number",
           "read_number"]


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
        text = self.message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<div style="color:{colour};font-size:15px"><b>{mark}</b> {text}</div>'


def correct(message: str = "Well done.") -> Feedback:
    return Feedback(True, message)


def wrong(message: str, misconception: str | None = None) -> Feedback:
    return Feedback(False, message, misconception)


def matches(answer, expected, *, atol: float = 1e-6) -> bool:
    """True when ``answer`` has ``expected``'s shape and values (within ``atol``)."""
    try:
        answer = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    return answer.shape == expected.shape and bool(np.allclose(answer, expected, atol=atol, rtol=0))


def not_answered() -> Feedback:
    """What every checker says to the placeholder ``answer = None``: a nudge, never an error."""
    return wrong("Not answered yet: replace None with your answer and run the cell again.", "not_answered")


def read_only(values, dtype=np.int64) -> np.ndarray:
    """An exercise's data as a read-only array: an accidental edit would change the right answer."""
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


def as_number(answer) -> int | float | None:
    """A student's single number: an int when it is whole, a float when not, None if not a number.

    A one-element array counts as its element and a square pair ``(n, n)`` (an output size) as
    ``n``; booleans are not numbers here.

    Examples
    --------
    >>> as_number(3.0), as_number(2.5), as_number(np.array([7])), as_number((26, 26)), as_number("3")
    (3, 2.5, 7, 26, None)
    """
    if isinstance(answer, np.ndarray) and answer.size == 1 and answer.dtype.kind in "iuf":
        answer = answer.item()
    if isinstance(answer, (tuple, list)) and len(answer) == 2 and answer[0] == answer[1]:
        answer = answer[0]
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (numbers.Real, np.integer, np.floating)):
        return None
    value = float(answer)
    if not np.isfinite(value):
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
    """The opening every one-number checker shares: the number, or the Feedback to return instead.

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
        return wrong(f"Give {what}; got {answer!r}.", "not_a_number")
    return value
