"""Draw a digit: the trained network of notebook 06 live under the student's pen.

The idea in three steps, as MNIST's digits were made (LeCun et al., 1998):

1. :func:`render_strokes` turns pen strokes (lists of points) into ink on a pad-sized grey image;
2. :func:`mnist_style` fits the ink's bounding box into a 20x20 box, keeping its aspect ratio and
   anti-aliasing it to grey, then places it in a 28x28 image so that its centre of mass sits in
   the middle; so a digit drawn small, large or off-centre reaches the network at MNIST's size;
3. the network saved by ``data/make_digit_net.py`` (:func:`load_digit_net`, checksum verified)
   gives ten probabilities and every layer's feature maps.

:class:`DigitPad` is the widget (an ``ipycanvas`` canvas, Clear and Undo, the 28x28 image, the ten
bars and the feature maps), used by notebook 06 and by the ``draw_a_digit`` app. Its
:meth:`DigitPad.add_stroke` is plain Python, so tests draw without a browser.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from ipycanvas import Canvas, hold_canvas
from PIL import Image, ImageDraw
from threadpoolctl import ThreadpoolController

from . import nn
from ._validate import choice, count, describe, instance, real_array, real_number, string
from .data import DATA_DIR, shift_and_rotate, write_npz
from .live import LiveFigure
from .plotting import UNSIGNED_CMAP

__all__ = ["DIGIT_NET_SHA256", "PAD_SIZE", "PEN_WIDTH", "mnist_style", "render_strokes", "describe_drawing",
           "save_network", "load_network", "load_digit_net", "classify", "DigitPad"]

#: SHA-256 of ``data/digit_net.npz``, printed by ``data/make_digit_net.py``.
DIGIT_NET_SHA256 = "5c33b3d9222ce46bfe8ca4f4ddf7bf5ce8972cff5ad930cc290e6b078f283ec6"
#: The pad's side in screen pixels, and the pen's width: a digit as tall as the pad has strokes
#: about as thick, relative to its height, as MNIST's.
PAD_SIZE = 280
PEN_WIDTH = 20
MAX_PAD_SIZE = 4000  # pixels: a larger pad or picture is refused (its arrays grow with the square)

_REGENERATE = "Restore it with `git checkout data/digit_net.npz`, or rebuild it with `python data/make_digit_net.py`."


# -- 1. strokes to ink ------------------------------------------------------------------------------

def render_strokes(strokes: Sequence, size: int = PAD_SIZE, width: float = PEN_WIDTH) -> np.ndarray:
    """Ink of pen ``strokes`` on a ``size`` x ``size`` pad: 0 = paper, 1 = ink (anti-aliased at the edges).

    Parameters
    ----------
    strokes : sequence of strokes, each a sequence of (x, y) points in pad pixels
        x to the right, y down, as on a screen. A one-point stroke is a dot.
    size : int
    width : float
        The pen's diameter in pad pixels.

    Returns
    -------
    float64 array (size, size) in [0, 1]

    Examples
    --------
    >>> ink = render_strokes([[(100, 50), (100, 230)]])
    >>> ink.shape, ink[140, 100], ink[140, 150]
    ((280, 280), np.float64(1.0), np.float64(0.0))
    """
    size = count(size, "size", maximum=MAX_PAD_SIZE)
    width = real_number(width, "width", positive=True)
    if not isinstance(strokes, (list, tuple)):
        raise TypeError(f"strokes must be a list of strokes, each a list of (x, y) points; got {describe(strokes)}")
    scale = 2  # draw twice as large, then shrink: smooth (anti-aliased) edges
    picture = Image.new("L", (size * scale, size * scale), 0)
    draw = ImageDraw.Draw(picture)
    radius = width * scale / 2
    for number, stroke in enumerate(strokes):
        try:
            points = np.asarray(stroke, dtype=np.float64)
        except (ValueError, TypeError):
            points = np.zeros((0, 3))
        if points.ndim != 2 or points.shape[1] != 2 or not np.isfinite(points).all():
            raise ValueError(f"stroke {number} must be a list of (x, y) points; got {str(stroke)[:80]}")
        points = points * scale
        if len(points) > 1:
            draw.line([tuple(p) for p in points], fill=255, width=max(1, round(2 * radius)), joint="curve")
        for x, y in points[[0, -1]] if len(points) else ():  # round caps at both ends
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
    ink = np.asarray(picture.resize((size, size), Image.Resampling.BOX), dtype=np.float64) / 255.0
    return ink


# -- 2. ink to an MNIST digit -------------------------------------------------------------------------

def mnist_style(ink, box: int = 20, size: int = 28) -> np.ndarray:
    """A drawing made into what the network expects, the way MNIST's digits were made.

    The ink's bounding box is scaled so that its longer side is ``box`` pixels (the aspect ratio is
    kept), anti-aliased to grey levels, and placed in a ``size`` x ``size`` image so that its
    centre of mass lies at the image centre.

    Parameters
    ----------
    ink : array (H, W)
        0 = paper; larger = more ink (any scale: floats in [0, 1] or uint8).
    box, size : int
        20 and 28 for MNIST.

    Returns
    -------
    float64 array (size, size) in [0, 1], its brightest pixel 1; all zeros for a blank drawing.

    Examples
    --------
    >>> ink = np.zeros((280, 280)); ink[40:240, 130:150] = 1   # a tall bar: a "1"
    >>> digit = mnist_style(ink)
    >>> digit.shape, np.flatnonzero(digit.max(axis=1) > 0.1)[[0, -1]].tolist()
    ((28, 28), [4, 23])
    """
    ink = real_array(ink, "ink", (2,), "(H, W)").astype(np.float64)
    size = count(size, "size", maximum=MAX_PAD_SIZE)
    box = count(box, "box", maximum=size)
    if ink.ndim != 2 or ink.size == 0:
        raise ValueError(f"ink must be a non-empty 2-D array (H, W); got shape {ink.shape}")
    if not (0 < box <= size):
        raise ValueError(f"box must lie in 1..size ({size}); got {box!r}")
    ink = np.nan_to_num(np.clip(ink, 0, None))
    if ink.max() <= 0:
        return np.zeros((size, size))
    ink = ink / ink.max()
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0), np.flatnonzero(ink.max(axis=0) > 0)
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]  # the bounding box
    scale = box / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    # Lanczos in PIL averages over the shrunk pixels: the anti-aliased grey of MNIST's digits.
    fitted = np.asarray(Image.fromarray(crop.astype(np.float32)).resize((width, height), Image.Resampling.LANCZOS))
    fitted = np.clip(fitted, 0, None)
    fitted = fitted / fitted.max() if fitted.max() > 0 else np.ones_like(fitted)
    digit = np.zeros((size, size))
    top, left = (size - height) // 2, (size - width) // 2
    digit[top:top + height, left:left + width] = fitted
    centre_y, centre_x = centre_of_mass(digit)
    middle = (size - 1) / 2
    moved = shift_and_rotate(digit, dx=middle - centre_x, dy=middle - centre_y)  # bilinear, sub-pixel
    return np.clip(moved, 0, 1) / max(moved.max(), 1e-12)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the grey-level-weighted mean position; the centre for a blank image."""
    image = np.asarray(image, dtype=np.float64)
    total = image.sum()
    if total <= 0:
        return (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def describe_drawing(ink) -> str | None:
    """Words for a drawing the network cannot sensibly read (blank, a dot, a pad full of ink), else None.

    Examples
    --------
    >>> describe_drawing(np.zeros((280, 280)))
    'The pad is empty: draw a digit with the mouse, a pen or a finger.'
    """
    ink = np.asarray(ink, dtype=np.float64)
    if ink.size == 0 or ink.max() <= 0:
        return "The pad is empty: draw a digit with the mouse, a pen or a finger."
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0), np.flatnonzero(ink.max(axis=0) > 0)
    extent = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    if extent < 0.15 * max(ink.shape):
        return ("That is a dot, not yet a digit: the network blows it up to fill 20x20 pixels and guesses. "
                "Draw larger.")
    if (ink > 0.5).mean() > 0.6:
        return ("The pad is mostly ink: the network sees a filled square, which is no digit. "
                "Press Clear and draw a digit.")
    return None


# -- 3. the saved network -----------------------------------------------------------------------------

def _layer_spec(layer: nn.Layer) -> dict:
    """What rebuilds ``layer`` (its class and constructor arguments)."""
    kind = type(layer).__name__
    if isinstance(layer, nn.Conv2d):
        return {"type": kind, "in_channels": layer.in_channels, "out_channels": layer.out_channels,
                "kernel_size": list(layer.kernel_size), "stride": layer.stride, "padding": layer.padding}
    if isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
        return {"type": kind, "kernel_size": layer.kernel_size, "stride": layer.stride, "padding": layer.padding}
    if isinstance(layer, nn.Linear):
        return {"type": kind, "in_features": layer.in_features, "out_features": layer.out_features}
    if isinstance(layer, nn.Dropout):
        return {"type": kind, "p": layer.p}
    if isinstance(layer, (nn.ReLU, nn.Flatten)):
        return {"type": kind}
    raise TypeError(f"save_network cannot store a {kind} layer")


def save_network(model: nn.Sequential, path) -> None:
    """Write ``model`` (its layers and float32 weights) to an ``.npz`` whose bytes depend only on them.

    Fixed zip timestamps: the same weights always give the same file, hence the same checksum.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model must be a cnnhelpers.nn.Sequential; got {type(model).__name__}")
    instance(path, "path", (str, os.PathLike), "a file path (a str or a pathlib.Path)")
    arrays = {"layers": np.frombuffer(json.dumps([_layer_spec(layer) for layer in model.layers]).encode(),
                                      dtype=np.uint8)}
    arrays.update({name: param.data.astype(np.float32) for name, param in model.parameters().items()})
    write_npz(path, **arrays)


def load_network(path, *, sha256: str | None = None, dtype=np.float32) -> nn.Sequential:
    """Read a network written by :func:`save_network`, after checking its SHA-256 when one is given.

    The file is read once: those same bytes are checked and then loaded.

    Raises
    ------
    FileNotFoundError
        If the file is missing.
    ValueError
        If its SHA-256 differs from ``sha256`` (a damaged or changed file).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"The saved network {path} is missing. {_REGENERATE}")
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if sha256 is not None and digest != sha256:
        raise ValueError(f"{path} is damaged or was changed: its SHA-256 is {digest}, expected {sha256}. "
                         f"{_REGENERATE}")
    builders = {"Conv2d": nn.Conv2d, "ReLU": nn.ReLU, "MaxPool2d": nn.MaxPool2d, "AvgPool2d": nn.AvgPool2d,
                "Flatten": nn.Flatten, "Linear": nn.Linear, "Dropout": nn.Dropout}
    with np.load(io.BytesIO(content), allow_pickle=False) as archive:
        specs = json.loads(archive["layers"].tobytes().decode())
        layers = [builders[spec.pop("type")](**{key: tuple(value) if isinstance(value, list) else value
                                                 for key, value in spec.items()}) for spec in specs]
        model = nn.Sequential(*layers)
        for name, param in model.parameters().items():
            param.data = archive[name].astype(np.float32)
    return model.astype(dtype).eval()


def load_digit_net(dtype=np.float32) -> nn.Sequential:
    """Notebook 06's trained network, from ``data/digit_net.npz`` (checksum verified)."""
    return load_network(DATA_DIR / "digit_net.npz", sha256=DIGIT_NET_SHA256, dtype=dtype)


_CONTROLLER: list[ThreadpoolController] = []


def _one_blas_thread():
    """Like :func:`cnnhelpers.nn.blas_threads` (1), with the library scan done once, not at every stroke."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


def classify(model: nn.Sequential, digit: np.ndarray) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    """Ten class probabilities and every layer's output for one 28x28 ``digit`` in [0, 1].

    Returns
    -------
    probabilities : (10,)
    maps : list of (layer name, output of shape (C, H, W) or (features,))
    """
    instance(model, "model", nn.Sequential, "a cnnhelpers.nn.Sequential")
    digit = real_array(digit, "digit", (2,), "(28, 28)").astype(np.float64)
    with _one_blas_thread():  # one small image: threads would only wait for each other
        outputs = model.feature_maps(digit[None, None])
    probabilities = nn.softmax(outputs[-1][1])[0]
    return probabilities, [(name, out[0]) for name, out in outputs]


# -- 4. the pad ---------------------------------------------------------------------------------------

def _mosaic(maps: np.ndarray, columns: int, gap: int = 1) -> np.ndarray:
    """Feature maps ``(C, H, W)`` tiled into one image, ``columns`` per row, NaN (blank) between them."""
    count, height, width = maps.shape
    rows, columns = -(-count // columns), min(columns, count)
    out = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan)
    for c in range(count):
        top, left = (c // columns) * (height + gap), (c % columns) * (width + gap)
        out[top:top + height, left:left + width] = maps[c]
    return out


def shown_layers(model: nn.Sequential) -> list[tuple[int, str]]:
    """The layers whose outputs the pad shows, with a caption: each detector stage and pooling, the hidden units.

    A convolution is shown after its ReLU (the lecture's detector stage), so each row is one stage of
    the three-stage layer; the last layer's output is the ten probabilities, shown as bars.
    """
    shown, stage = [], 0
    for index, layer in enumerate(model.layers[:-1]):
        previous = model.layers[index - 1] if index else None
        if isinstance(layer, nn.ReLU) and isinstance(previous, nn.Conv2d):
            stage += 1
            shown.append((index, f"stage {stage}: convolution + ReLU"))
        elif isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
            shown.append((index, f"stage {stage}: pooling"))
        elif isinstance(layer, nn.ReLU) and isinstance(previous, nn.Linear):
            shown.append((index, "fully connected + ReLU"))
    return shown


class DigitPad:
    """A drawing pad in front of the trained network: draw a digit, watch what every layer makes of it.

    Draw with the mouse, a pen or a finger; **Undo** removes the last stroke, **Clear** all of them.
    Beside the pad: the 28x28 image the network receives (:func:`mnist_style`), its ten class
    probabilities and the feature maps of every stage. They update at the end of each stroke, and
    during a stroke at most every ``live_every`` seconds.

    Parameters
    ----------
    model : Sequential, optional
        A trained digit classifier; default :func:`load_digit_net` (notebook 06's network).
    size : int
        The pad's side in pixels.
    pen_width : float
    live_every : float
        Seconds between updates while the pen is still down, at least twice the time an update
        takes (0: after every pen movement).

    Examples
    --------
    >>> pad = DigitPad()
    >>> result = pad.add_stroke([(140, 40), (140, 240)])     # one vertical stroke
    >>> result["prediction"], result["digit"].shape
    (1, (28, 28))
    >>> pad.clear()["prediction"] is None                   # a blank pad: no prediction, a message
    True
    """

    def __init__(self, model: nn.Sequential | None = None, *, size: int = PAD_SIZE, pen_width: float = PEN_WIDTH,
                 live_every: float = 0.15):
        self.model = load_digit_net() if model is None else model
        if not isinstance(self.model, nn.Sequential):
            raise TypeError(f"model must be a cnnhelpers.nn.Sequential; got {type(self.model).__name__}")
        self.size = count(size, "size", maximum=MAX_PAD_SIZE)
        self.pen_width = real_number(pen_width, "pen_width", positive=True)
        self.live_every = real_number(live_every, "live_every", minimum=0)
        self.strokes: list[list[tuple[float, float]]] = []
        self._drawing = False
        self._last_update = 0.0
        self._update_seconds = 0.0
        self.message = widgets.HTML(value="")
        self.verdict = widgets.HTML(value="")
        self.verdict.add_class("digit-pad-verdict")
        self.clear_button = widgets.Button(description="Clear", icon="trash")
        self.undo_button = widgets.Button(description="Undo", icon="undo")
        self.clear_button.on_click(lambda _button: self.clear())
        self.undo_button.on_click(lambda _button: self.undo())
        self.canvas = self._make_canvas()

        self.layers = shown_layers(self.model)
        # Ten bars as progress widgets: the browser draws them, no picture travels.
        bar_layout = {"height": "110px", "width": "22px", "margin": "0 3px"}
        self.bars = [widgets.FloatProgress(value=0, min=0, max=1, orientation="vertical", layout=bar_layout)
                     for _ in range(10)]
        for k, bar in enumerate(self.bars):
            bar.add_class(f"digit-pad-bar-{k}")
        self._bar_box = widgets.HBox([widgets.VBox([bar, widgets.HTML(f"<center>{k}</center>")])
                                      for k, bar in enumerate(self.bars)])
        # The 28x28 image and the feature maps: image panels only, no ticks, so redrawing is quick.
        self.live = LiveFigure(figsize=(9, 2.2 + 1.15 * len(self.layers)), dpi=80)
        fig = self.live.figure
        outer = fig.add_gridspec(1 + len(self.layers), 1, height_ratios=[2.2] + [1.0] * len(self.layers))
        self._digit_ax = fig.add_subplot(outer[0])
        self._digit = self._digit_ax.imshow(np.zeros((28, 28, 3)))
        captions = ["what the network gets (28 x 28)"]
        self._digit_ax.set_title(captions[0], fontsize=11)
        # The maps are coloured here, once per update, through a table made once (RGB images redraw fastest).
        self._table = plt.get_cmap(UNSIGNED_CMAP)(np.linspace(0, 1, 256))[:, :3]
        blank = [out[0] for _name, out in self.model.feature_maps(np.zeros((1, 1, 28, 28)))]
        self._maps = []
        for row, (index, caption) in enumerate(self.layers, start=1):
            ax = fig.add_subplot(outer[row])
            self._maps.append(ax.imshow(self._colour(self._tile(blank[index])), interpolation="nearest"))
            captions.append(f"{caption}  ({' x '.join(map(str, blank[index].shape))})")
            ax.set_title(captions[-1], fontsize=11)  # reserves the room; replaced below
        for ax in fig.axes:
            ax.axis("off")
        # Captions as figure texts above the panels, placed once the layout is done and then frozen:
        # a caption never changes, so redraws repaint the image panels only (text is the slow part).
        self.live.render()
        fig.set_layout_engine("none")
        for ax, caption in zip(fig.axes, captions, strict=True):
            x, y = fig.transFigure.inverted().transform(ax.title.get_window_extent().p0)
            ax.set_title("")
            fig.text(ax.get_position().x0 + ax.get_position().width / 2, y, caption, ha="center", va="bottom",
                     fontsize=11)
        self._widget = None
        self.update()

    # -- drawing, without a browser ------------------------------------------------------------

    def start_stroke(self, x: float, y: float) -> None:
        """The pen touches the pad at (x, y)."""
        x, y = real_number(x, "x"), real_number(y, "y")
        self._drawing = True
        self.strokes.append([(x, y)])
        radius = self.pen_width / 2
        self.canvas.fill_circle(x, y, radius)

    def extend_stroke(self, x: float, y: float) -> dict | None:
        """The pen moves to (x, y); updates the picture if ``live_every`` seconds have passed."""
        if not self._drawing:
            return None
        x, y = real_number(x, "x"), real_number(y, "y")
        last = self.strokes[-1][-1]
        self.strokes[-1].append((x, y))
        self.canvas.stroke_line(last[0], last[1], x, y)
        # Wait at least twice as long as the last update took, so a slow machine keeps up with the pen.
        wait = max(self.live_every, 2 * self._update_seconds) if self.live_every > 0 else 0.0
        if time.perf_counter() - self._last_update >= wait:
            return self.safe_update()
        return None

    def end_stroke(self) -> dict | None:
        """The pen leaves the pad: the stroke is finished and the picture updated."""
        if not self._drawing:
            return None
        self._drawing = False
        return self.safe_update()

    def _pen_up(self, x: float, y: float) -> None:
        if self._drawing and self.strokes[-1][-1] != (float(x), float(y)):
            self.strokes[-1].append((float(x), float(y)))
            self.canvas.stroke_line(*self.strokes[-1][-2], x, y)
        self.end_stroke()

    def add_stroke(self, points) -> dict | None:
        """Draw a whole stroke (a list of (x, y) points) at once; returns :meth:`update`'s dict."""
        array = real_array(points, "points", (2,), "(number of points, 2): a list of (x, y)")
        if array.shape[1] != 2 or not len(array) or not np.isfinite(array).all():
            raise ValueError(f"points must be a non-empty list of finite (x, y) points; got shape {array.shape}")
        points = [(float(x), float(y)) for x, y in array]
        self.start_stroke(*points[0])
        for point in points[1:]:
            self.strokes[-1].append(point)
        self._redraw_canvas()
        return self.end_stroke()

    def undo(self) -> dict | None:
        """Remove the last stroke."""
        if self.strokes:
            self.strokes.pop()
        self._drawing = False
        self._redraw_canvas()
        return self.safe_update()

    def clear(self) -> dict | None:
        """Remove every stroke."""
        self.strokes = []
        self._drawing = False
        self._redraw_canvas()
        return self.safe_update()

    # -- computing and showing -----------------------------------------------------------------

    def compute(self) -> dict:
        """The ink, the 28x28 digit, the probabilities (None when blank), every shown layer's output, a message."""
        ink = render_strokes(self.strokes, self.size, self.pen_width)
        digit = mnist_style(ink)
        message = describe_drawing(ink)
        probabilities, outputs = classify(self.model, digit)
        blank = not self.strokes or ink.max() <= 0
        return {"ink": ink, "digit": digit, "message": message,
                "probabilities": None if blank else probabilities,
                "prediction": None if blank else int(np.argmax(probabilities)),
                "maps": [outputs[index][1] for index, _caption in self.layers]}

    def update(self) -> dict:
        """Compute and redraw; returns :meth:`compute`'s dict."""
        started = time.perf_counter()
        result = self.compute()
        self._digit.set_data(np.repeat(result["digit"][..., None], 3, axis=2))
        probabilities, best = result["probabilities"], result["prediction"]
        for k, (bar, p) in enumerate(zip(self.bars, np.zeros(10) if best is None else probabilities, strict=True)):
            bar.value = float(p)
            bar.bar_style = "warning" if k == best else "info"
        if best is None:
            self.verdict.value = "<b>Draw a digit on the pad.</b>"
        else:
            self.verdict.value = (f'<span style="font-size:20px">The network says: '
                                  f'<b class="digit-pad-prediction">{best}</b> ({probabilities[best]:.0%} sure)</span>')
        for image, maps in zip(self._maps, result["maps"], strict=True):
            image.set_data(self._colour(self._tile(maps) / max(float(maps.max()), 1e-6)))  # each row its own scale
        self.live.refresh()
        if result["message"]:
            self.show_message(result["message"])
        else:
            self.message.value = ""
        self._last_update = time.perf_counter()
        self._update_seconds = self._last_update - started
        return result

    def safe_update(self) -> dict | None:
        """:meth:`update`, with any failure shown in words instead of a traceback."""
        try:
            return self.update()
        except Exception as error:  # never a traceback in front of a student
            self.show_message(f"Something went wrong ({type(error).__name__}): {error}", kind="error")
            return None

    def show_message(self, text: str, kind: str = "info") -> None:
        """A line of words above the pad (red for an error), as the slider experiments show them."""
        colour = {"error": "#B00020", "info": "#333333"}[choice(kind, "kind", ("error", "info"))]
        escaped = string(text, "text").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.message.value = f'<div style="color:{colour};font-size:15px">{escaped}</div>'

    def _colour(self, values: np.ndarray) -> np.ndarray:
        """Values in [0, 1] (NaN: the white gaps between maps) to RGB (H, W, 3) through the colour map."""
        rgb = self._table[np.clip(np.nan_to_num(values) * 255, 0, 255).astype(np.intp)]
        rgb[np.isnan(values)] = 1.0
        return rgb

    @staticmethod
    def _tile(maps: np.ndarray) -> np.ndarray:
        if maps.ndim == 1:  # hidden units: one row of squares
            return maps[None, :]
        return _mosaic(maps, columns=12 if maps.shape[-1] > 7 else 24)

    # -- the browser side ------------------------------------------------------------------------

    def _make_canvas(self):
        canvas = Canvas(width=self.size, height=self.size,
                        layout={"width": f"{self.size}px", "height": f"{self.size}px", "border": "2px solid #888"})
        canvas.add_class("digit-pad-canvas")
        # Draw commands wait for a browser view: ipycanvas tells the browser which canvas the next
        # commands are for only once, and a message sent before any view exists (Voila runs the
        # notebook before the page connects) is lost, leaving the browser without a canvas to draw on.
        canvas.on_client_ready(self._redraw_canvas)
        canvas.on_mouse_down(self.start_stroke)
        canvas.on_mouse_move(self.extend_stroke)
        canvas.on_mouse_up(self._pen_up)  # where the pen lifts is the stroke's last point
        canvas.on_mouse_out(self._pen_up)
        canvas.on_touch_start(lambda touches: self.start_stroke(*touches[0]))
        canvas.on_touch_move(lambda touches: self.extend_stroke(*touches[0]))
        canvas.on_touch_end(lambda _touches: self.end_stroke())
        canvas.on_touch_cancel(lambda _touches: self.end_stroke())
        return canvas

    def _redraw_canvas(self) -> None:
        with hold_canvas():
            self.canvas.clear()
            self.canvas.line_width = self.pen_width
            self.canvas.line_cap = self.canvas.line_join = "round"
            for stroke in self.strokes:
                x, y = stroke[0]
                self.canvas.fill_circle(x, y, self.pen_width / 2)
                if len(stroke) > 1:
                    self.canvas.stroke_lines(stroke)

    @property
    def widget(self):
        """The pad with its buttons, the verdict and message, and the figure, as one widget."""
        if self._widget is None:
            pad = widgets.VBox([self.canvas, widgets.HBox([self.undo_button, self.clear_button]), self.verdict,
                                self._bar_box])
            self._widget = widgets.VBox([self.message, widgets.HBox([pad, self.live.image],
                                                                    layout={"align_items": "flex-start"})])
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
