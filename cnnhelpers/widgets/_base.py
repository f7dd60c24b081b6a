"""The machinery every slider experiment shares.

An experiment is a class with:

* ``controls``: a dict of ipywidgets, keyed by the argument names of ``update``;
* ``update(**values)``: pure computation plus redrawing the figure in place; it returns the arrays
  it computed, so tests call it directly, with no browser and no widget event;
* ``widget``: the controls, a message line and the figure, ready to ``display``.

A setting that cannot work (a kernel larger than the padded image, say) raises ValueError in
``update``; :class:`Experiment` catches it and shows its message in words instead of a traceback.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["LiveFigure", "Experiment"]


class LiveFigure:
    """A matplotlib figure shown as an ``ipywidgets.Image`` and redrawn in place.

    Build the artists once (``imshow``, text), change their data in ``update`` and call
    :meth:`refresh`: only a new PNG travels to the browser, no new output area is created, so
    a slider answers in a few tens of milliseconds.
    """

    def __init__(self, figsize=(10, 4.5), dpi: int = 90, **subplots_kw):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self._subplots_kw = subplots_kw

    def subplots(self, nrows: int = 1, ncols: int = 1, **kwargs):
        """``Figure.subplots`` on this figure."""
        return self.figure.subplots(nrows, ncols, **{**self._subplots_kw, **kwargs})

    def render(self) -> np.ndarray:
        """Draw the figure and return it as an RGB array (H, W, 3)."""
        self.figure.canvas.draw()
        return np.asarray(self.figure.canvas.buffer_rgba())[..., :3]

    def refresh(self) -> None:
        """Redraw and send the new picture to the browser."""
        buffer = io.BytesIO()
        Image.fromarray(self.render()).save(buffer, format="png", compress_level=1)  # speed over size
        self.image.value = buffer.getvalue()


class Experiment:
    """Base class: wires ``controls`` to ``update`` and turns errors into a readable message."""

    controls: dict[str, widgets.Widget]

    def __init__(self):
        self.message = widgets.HTML(value="")
        self._widget = None

    def update(self, **values):  # pragma: no cover - each experiment defines it
        raise NotImplementedError

    def current_values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def safe_update(self, **values) -> bool:
        """Call ``update``; on a bad setting show its message and return False."""
        try:
            self.update(**values)
        except (ValueError, TypeError) as error:
            self.show_message(f"This setting cannot work: {error}", kind="error")
            return False
        except Exception as error:  # never a traceback in front of a student
            self.show_message(f"Something went wrong ({type(error).__name__}): {error}", kind="error")
            return False
        self.clear_message()
        return True

    def show_message(self, text: str, kind: str = "info") -> None:
        colour = {"error": "#B00020", "info": "#333333", "ok": "#1B7F3B"}[kind]
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.message.value = f'<div style="color:{colour};font-size:15px">{escaped}</div>'

    def clear_message(self) -> None:
        self.message.value = ""

    def _on_change(self, _change=None) -> None:
        self.safe_update(**self.current_values())

    def output_widgets(self) -> list[widgets.Widget]:
        """What goes under the controls; experiments override to add more than the figure."""
        return [self.live.image] if hasattr(self, "live") else []

    @property
    def widget(self) -> widgets.Widget:
        """The whole experiment as one widget: controls, message line, output."""
        if self._widget is None:
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
            controls = widgets.HBox(list(self.controls.values()),
                                    layout=widgets.Layout(flex_flow="row wrap"))
            self._widget = widgets.VBox([controls, self.message, *self.output_widgets()])
            self._on_change()
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)
