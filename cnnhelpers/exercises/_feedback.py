"""What every exercise checker returns: a verdict in words, shown in colour in a notebook.

A checker never reveals the answer. When the answer is wrong it names the misconception the
answer reveals (a flipped kernel, channels not summed, an off-by-one size...) when it can
recognise one, and gives a generic hint otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Feedback", "correct", "wrong", "matches"]


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
