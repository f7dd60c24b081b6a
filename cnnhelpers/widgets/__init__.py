"""The machinery every slider experiment uses: :class:`Experiment` and :class:`LiveFigure`.

The experiments themselves live with their notebook, in :mod:`cnnhelpers.lessons`. Each
experiment's ``update`` method is plain Python, unit-tested by calling it directly.
"""

from ._base import Experiment, LiveFigure

__all__ = ["Experiment", "LiveFigure"]
