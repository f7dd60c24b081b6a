"""Self-checking exercises: one module per notebook, each ``check_...`` returns a :class:`Feedback`."""

from ._feedback import Feedback

__all__ = ["Feedback"]
