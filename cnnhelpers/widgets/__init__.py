"""Slider experiments for the notebooks, one module per notebook topic.

Each experiment's ``update`` method is plain Python, unit-tested by calling it directly.
"""

from ._base import Experiment, LiveFigure

__all__ = ["Experiment", "LiveFigure"]
