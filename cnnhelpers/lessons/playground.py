"""The kernel playground: every knob of a convolution on a photograph or your own image, no code.

:class:`KernelPlayground` is the app behind ``notebooks/kernel_playground.ipynb`` (served by Voilà
with ``make playground``): a photograph or an uploaded image, a 3x3 or 5x5 kernel editor with the
named kernels of :mod:`cnnhelpers.kernels` as presets, padding, stride, dilation, optional pooling
after the convolution, the output-size formula evaluated live, and the result beside the input.

:func:`decode_upload` turns an uploaded file into a grey image, or into a readable message saying
why it cannot (not an image, damaged, too large, too small).
"""

from __future__ import annotations

import html
import io
import warnings

import ipywidgets as widgets
import numpy as np
import traitlets

from .._validate import count, instance, real_array, string
from ..conv import conv_output_size, correlate2d
from ..images import PHOTOS, load_image
from ..kernels import KERNELS
from ..live import Experiment, LiveFigure
from ..plotting import IMAGE_CMAP, SIGNED_CMAP
from ..pool import avg_pool2d, max_pool2d

__all__ = ["KernelPlayground", "KernelGrid", "decode_upload", "embed_kernel", "MAX_UPLOAD_BYTES",
           "MAX_UPLOAD_PIXELS", "MAX_SIDE", "MIN_SIDE", "MAX_ASPECT", "MAX_DECODE_BYTES"]

MAX_UPLOAD_BYTES = 25 * 2**20  # a larger file is refused before it is decoded
MAX_UPLOAD_PIXELS = 50_000_000  # ... and so is an image with more pixels (a 50-megapixel photo is 150 MB decoded)
MAX_SIDE = 512  # larger images are downscaled to this longer side, so that every slider answers at once
MIN_SIDE = 8  # smaller images are refused: there is nothing to see
MAX_ASPECT = 16  # more elongated images are refused: downscaled, they would be a line
MAX_DECODE_BYTES = 32 * 2**20  # ... and so are images whose full-size pixels take more to decode
MAX_KERNEL_SIDE = 99  # embed_kernel's largest square (the playground's kernels are at most 5x5)
KERNEL_SIZES = {"3x3": 3, "5x5": 5}
POOLINGS = ("none", "max", "average")
CUSTOM = "custom"
_UPLOAD_PREFIX = "upload: "


def embed_kernel(kernel, size: int) -> np.ndarray:
    """``kernel`` centred in a ``size`` x ``size`` array of zeros (or its centre, if it is larger).

    Parameters
    ----------
    kernel : array of shape (K, K), K odd
    size : int
        Odd, >= 1.

    Returns
    -------
    array of shape (size, size), float64

    Raises
    ------
    ValueError
        If ``kernel`` is not square with an odd side, or ``size`` is not a positive odd int.

    Examples
    --------
    >>> embed_kernel([[1, 2, 3], [4, 5, 6], [7, 8, 9]], 5)[1:4, 1:4].tolist()
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
    >>> embed_kernel(np.ones((5, 5)), 3).shape
    (3, 3)
    """
    kernel = real_array(kernel, "kernel").astype(np.float64)
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] % 2 == 0:
        raise ValueError(f"kernel must be square with an odd side (3x3, 5x5, ...); got shape {kernel.shape}")
    size = count(size, "size", maximum=MAX_KERNEL_SIDE)
    if size % 2 == 0:
        raise ValueError(f"size must be a positive odd int; got {size!r}")
    side = kernel.shape[0]
    if side >= size:
        start = (side - size) // 2
        return kernel[start:start + size, start:start + size].copy()
    out = np.zeros((size, size))
    start = (size - side) // 2
    out[start:start + side, start:start + side] = kernel
    return out


def decode_upload(content: bytes, name: str = "the file") -> tuple[np.ndarray, str]:
    """Decode an uploaded image file into a grey image in [0, 1], shrunk while decoding if it is large.

    Every size is checked from the file's header before a pixel is decoded: the file's bytes, its
    pixel count (:data:`MAX_UPLOAD_PIXELS`), its shorter side (:data:`MIN_SIDE`) and the ratio of
    its sides (:data:`MAX_ASPECT`). A large image is reduced by PIL while it is decoded (JPEG at a
    smaller scale, others by block averaging) and converted to floats only once it is at most
    :data:`MAX_SIDE` on a side, so no upload needs much time or memory.

    Parameters
    ----------
    content : bytes
        The file's bytes (PNG, JPEG, GIF, BMP, TIFF, WebP, ...).
    name : str
        The file's name, for the messages.

    Returns
    -------
    image : array of shape (H, W), float64 in [0, 1]
        Colour images are converted to grey (luminance, as :func:`cnnhelpers.images.load_image`),
        and images with a side longer than :data:`MAX_SIDE` are downscaled to it. Pixels that are
        not numbers (NaN, or infinite, in a float TIFF) are NaN: the playground shows them as holes.
    note : str
        What was done to the image, in words.

    Raises
    ------
    ValueError
        With a readable message: an empty or oversized file, a file that is not an image or is
        damaged (whatever the decoder's error, a decompression bomb included), an image with too
        many pixels, smaller than :data:`MIN_SIDE` on a side or too elongated.

    Examples
    --------
    >>> from PIL import Image
    >>> buffer = io.BytesIO(); Image.new("RGB", (40, 20), (255, 0, 0)).save(buffer, format="PNG")
    >>> image, note = decode_upload(buffer.getvalue(), "red.png")
    >>> image.shape, note
    ((20, 40), 'red.png: a colour image of 40x20 pixels, shown in grey (the playground convolves one channel).')
    """
    from PIL import Image

    name = string(name, "name")
    instance(content, "content", (bytes, bytearray, memoryview), "the bytes of a file")
    content = bytes(content)
    if not content:
        raise ValueError(f"{name} is empty: choose an image file (PNG, JPEG, ...)")
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValueError(f"{name} is {len(content) / 2**20:.0f} MB; the playground accepts files up to "
                         f"{MAX_UPLOAD_BYTES / 2**20:.0f} MB. Save a smaller version of the image and try again")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit is stricter
        try:
            opened = Image.open(io.BytesIO(content))
            width, height = opened.size
        except Image.DecompressionBombError:
            raise ValueError(f"{name} announces more pixels than any photograph has (a decompression bomb); "
                             f"the playground accepts up to {MAX_UPLOAD_PIXELS / 1e6:.0f} megapixels") from None
        except Exception:  # noqa: BLE001 - whatever the decoder says, the student gets a sentence
            raise ValueError(f"{name} is not an image the playground can read: upload a PNG, JPEG, GIF, BMP, "
                             f"TIFF or WebP file") from None
        _check_size(name, width, height)
        try:
            opened.draft(opened.mode, (MAX_SIDE, MAX_SIDE))  # a JPEG decodes at 1/2, 1/4 or 1/8 scale: fast, small
        except Exception:  # noqa: BLE001 - a damaged header; decoding below says so in a sentence
            pass
        _check_decoded_bytes(name, opened)
        try:
            image, colour, notes = _decode_small(opened)
        except Exception as error:  # noqa: BLE001 - PIL's words for a damaged or truncated file, in a sentence
            raise ValueError(f"{name} looks like an image but could not be decoded (damaged or incomplete file?): "
                             f"{error}") from None
    kind = "a colour image" if colour else "a grey image"
    extra = "" if not notes else "; " + "; ".join(notes)
    grey = ", shown in grey (the playground convolves one channel)" if colour else ""
    return image, f"{name}: {kind} of {width}x{height} pixels{grey}{extra}."


def _check_size(name: str, width: int, height: int) -> None:
    """Refuse, from the header alone, an image too large, too small or too elongated."""
    if width * height > MAX_UPLOAD_PIXELS:
        raise ValueError(f"{name} is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); the "
                         f"playground accepts up to {MAX_UPLOAD_PIXELS / 1e6:.0f} megapixels. Save a smaller "
                         f"version and try again")
    if min(width, height) < MIN_SIDE:
        raise ValueError(f"{name} is only {width}x{height} pixels: a convolution needs an image at least "
                         f"{MIN_SIDE} pixels on each side")
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise ValueError(f"{name} is {width}x{height} pixels, {max(width, height) / min(width, height):,.0f} times "
                         f"longer than it is wide; the playground accepts images up to {MAX_ASPECT} times longer "
                         f"than wide. Crop it and try again")


# Bytes per pixel that decoding takes in each mode, with the copies made on the way (a palette image
# becomes RGB, 16-bit grey becomes 32-bit before it is shrunk); other modes take 4.
_DECODE_BYTES = {"1": 1, "L": 1, "P": 4, "LA": 2, "PA": 6, "RGB": 3, "I;16": 6, "I;16B": 6, "I;16L": 6, "I;16N": 6}


def _check_decoded_bytes(name: str, opened) -> None:
    """Refuse an image whose full-size pixels would take more than :data:`MAX_DECODE_BYTES` to decode."""
    width, height = opened.size  # after ``draft``: a JPEG's reduced size
    needed = width * height * _DECODE_BYTES.get(opened.mode, 4)
    if needed > MAX_DECODE_BYTES:
        raise ValueError(f"{name} is a {width}x{height} {opened.mode} image: decoding it would take "
                         f"{needed / 2**20:.0f} MB, and the playground decodes at most {MAX_DECODE_BYTES / 2**20:.0f} "
                         f"MB per image. Save a smaller version (or a JPEG, which decodes at a reduced scale) "
                         f"and try again")


GREY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N", "F")


def _decode_small(opened) -> tuple[np.ndarray, bool, list[str]]:
    """Decode ``opened`` at most :data:`MAX_SIDE` on a side, then as floats: (image, colour?, notes)."""
    from PIL import Image, ImageOps

    notes = []
    if getattr(opened, "n_frames", 1) > 1:
        notes.append("the first frame of an animation")
    width, height = opened.size
    colour = opened.mode not in GREY_MODES
    if opened.mode in ("1", "P", "PA"):  # resized as palette indices or bits they would look wrong
        opened = opened.convert("RGB" if colour else "L")
    elif opened.mode.startswith("I;16"):  # PIL shrinks 16-bit grey only as 32-bit integers
        opened = opened.convert("I")
    if max(width, height) > MAX_SIDE:
        opened.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BICUBIC)  # JPEG: draft; others: reduce
        notes.append(f"downscaled to {opened.size[0]}x{opened.size[1]} so that the sliders answer at once")
    opened = ImageOps.exif_transpose(opened)  # phone photos: upright, as they are shown
    if colour:
        from skimage.color import rgb2gray

        image = rgb2gray(np.asarray(opened.convert("RGB"), dtype=np.float64) / 255.0)
    elif opened.mode in ("1", "L", "LA"):
        image = np.asarray(opened.convert("L"), dtype=np.float64) / 255.0
    else:  # 16-bit, 32-bit integers or floats: scaled by their own range
        image = np.asarray(opened, dtype=np.float64).copy()
        holes = ~np.isfinite(image)
        if holes.any():
            nan, inf = int(np.isnan(image).sum()), int(np.isinf(image).sum())
            notes.append(f"{nan + inf} pixels are not numbers ({nan} NaN, {inf} infinite): shown as amber holes, "
                         f"and so are the convolution outputs they touch")
            image[holes] = np.nan
        finite = image[~holes]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        image = (image - low) / (high - low) if high > low else np.where(holes, np.nan, 0.0)
        notes.append(f"its values ({low:g} to {high:g}) scaled to 0..1")
        return image, colour, notes
    return np.clip(image, 0.0, 1.0), colour, notes


class KernelGrid(widgets.GridBox):
    """An editable 3x3 or 5x5 grid of numbers; ``value`` is the kernel as a tuple of row tuples."""

    value = traitlets.Tuple()

    def __init__(self, kernel=KERNELS["sobel_x"], cell_width: str = "68px"):
        cell_width = string(cell_width, "cell_width")
        self._cells = [widgets.FloatText(value=0.0, step=0.1, layout=widgets.Layout(width=cell_width))
                       for _ in range(25)]
        self._syncing = False
        self._cell_width = cell_width
        super().__init__()
        for cell in self._cells:
            cell.observe(self._on_cell, names="value")
        self.set_kernel(kernel)

    @property
    def size(self) -> int:
        return len(self.value)

    def set_kernel(self, kernel) -> None:
        """Show ``kernel`` (3x3 or 5x5) in the cells; ``value`` changes once."""
        kernel = np.asarray(kernel, dtype=np.float64)
        if kernel.shape not in ((3, 3), (5, 5)):
            raise ValueError(f"kernel must be 3x3 or 5x5; got shape {kernel.shape}")
        size = kernel.shape[0]
        self._syncing = True
        try:
            for cell, weight in zip(self._cells, kernel.ravel(), strict=False):  # the first size*size cells
                cell.value = round(float(weight), 4)
        finally:
            self._syncing = False
        self.children = self._cells[:size * size]
        self.layout = widgets.Layout(grid_template_columns=f"repeat({size}, {self._cell_width})", grid_gap="2px")
        self.value = tuple(tuple(float(w) for w in row) for row in kernel)

    def _on_cell(self, _change) -> None:
        if self._syncing:
            return
        size = self.size
        weights = [cell.value for cell in self._cells[:size * size]]
        self.value = tuple(tuple(weights[row * size:(row + 1) * size]) for row in range(size))


class KernelPlayground(Experiment):
    """Convolve a photograph (or your own image) with any 3x3 or 5x5 kernel, live.

    Parameters
    ----------
    photo : str
        The first photograph shown, one of :data:`cnnhelpers.images.PHOTOS`.
    preset : str
        The first kernel, one of :data:`cnnhelpers.kernels.KERNELS`.

    Examples
    --------
    >>> playground = KernelPlayground()
    >>> result = playground.update(photo="camera", kernel=KERNELS["box_blur"], padding=0, stride=2, dilation=1,
    ...                            pooling="max", pool_size=2)
    >>> result["output"].shape, result["pooled"].shape
    ((255, 255), (127, 127))
    """

    def __init__(self, photo: str = "camera", preset: str = "sobel_x"):
        super().__init__()
        if photo not in PHOTOS:
            raise ValueError(f"photo must be one of {list(PHOTOS)}; got {photo!r}")
        if preset not in KERNELS:
            raise ValueError(f"preset must be one of {list(KERNELS)}; got {preset!r}")
        self._images: dict[str, np.ndarray] = {}
        style = {"description_width": "initial"}
        slider = dict(style=style, continuous_update=True, layout=widgets.Layout(width="300px"))
        self.kernel_size = widgets.ToggleButtons(options=list(KERNEL_SIZES), value="3x3", description="kernel",
                                                 style={"button_width": "60px", "description_width": "initial"})
        self.preset = widgets.Dropdown(options=[*KERNELS, CUSTOM], value=preset, description="preset", style=style)
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="your own image",
                                         layout=widgets.Layout(width="180px"))
        self.upload_note = widgets.HTML(value="")
        self.formula = widgets.HTML(value="")
        self.controls = {
            "photo": widgets.Dropdown(options=[(f"{key}: {text}", key) for key, text in PHOTOS.items()],
                                      value=photo, description="image", style=style,
                                      layout=widgets.Layout(width="420px")),
            "kernel": KernelGrid(KERNELS[preset]),
            "padding": widgets.IntSlider(value=1, min=0, max=6, description="padding", **slider),
            "stride": widgets.IntSlider(value=1, min=1, max=4, description="stride", **slider),
            "dilation": widgets.IntSlider(value=1, min=1, max=4, description="dilation", **slider),
            "pooling": widgets.ToggleButtons(options=list(POOLINGS), value="none", description="pooling after",
                                             style={"button_width": "70px", "description_width": "initial"}),
            "pool_size": widgets.IntSlider(value=2, min=2, max=4, description="pool size (= its stride)",
                                           **slider),
        }
        self.kernel_size.observe(self._on_kernel_size, names="value")
        self.preset.observe(self._on_preset, names="value")
        self.controls["kernel"].observe(self._on_kernel_edit, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.controls["pooling"].observe(self._on_pooling, names="value")
        self.controls["pool_size"].disabled = self.controls["pooling"].value == "none"
        self.live = LiveFigure(figsize=(13, 4.6), dpi=80)
        self._panels = None  # (pooling shown?, axes, images), built by _layout

    # -- the computation ---------------------------------------------------------------------------

    def image(self, photo: str) -> np.ndarray:
        """A photograph or an uploaded image by its key, grey, in [0, 1]."""
        if photo not in self._images:
            if photo not in PHOTOS:
                raise ValueError(f"photo must be one of {list(PHOTOS)} or an uploaded image; got {photo!r}")
            image = load_image(photo)
            if max(image.shape) > MAX_SIDE:
                image = load_image(photo, size=round(MAX_SIDE * min(image.shape) / max(image.shape)))
            self._images[photo] = image
        return self._images[photo]

    def output_sizes(self, height: int, width: int, kernel_size: int, padding: int, stride: int, dilation: int,
                     pooling: str, pool_size: int) -> dict:
        """The output-size formula, evaluated for both axes (and after pooling)."""
        span = dilation * (kernel_size - 1) + 1
        if span > min(height, width) + 2 * padding:
            dilated = f" (dilated to {span}x{span})" if span != kernel_size else ""
            raise ValueError(f"a {kernel_size}x{kernel_size} kernel{dilated} does not fit a {height}x{width} image "
                             f"with padding {padding}: use more padding, a smaller kernel or less dilation")
        sizes = {"conv": tuple(conv_output_size(n, kernel_size, stride, padding, dilation) for n in (height, width))}
        if pooling != "none":
            if min(sizes["conv"]) < pool_size:
                raise ValueError(f"a {pool_size}x{pool_size} pooling window does not fit in the "
                                 f"{sizes['conv'][0]}x{sizes['conv'][1]} convolution output: use a smaller pool "
                                 f"size, a smaller stride or more padding")
            sizes["pool"] = tuple(conv_output_size(n, pool_size, pool_size) for n in sizes["conv"])
        return sizes

    def update(self, photo: str, kernel, padding: int, stride: int, dilation: int, pooling: str,
               pool_size: int) -> dict:
        """Convolve, pool, redraw.

        Returns
        -------
        dict
            ``image`` (H, W), ``kernel`` (K, K), ``output`` (OH, OW), ``pooled`` (PH, PW) or None,
            ``sizes`` (the evaluated formula, see :meth:`output_sizes`).
        """
        kernel = np.asarray(kernel, dtype=np.float64)
        if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] not in (3, 5):
            raise ValueError(f"kernel must be 3x3 or 5x5; got shape {kernel.shape}")
        if not np.isfinite(kernel).all():
            raise ValueError("every kernel weight must be a number: one of the cells is empty or not finite")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}; got {pooling!r}")
        image = self.image(photo)
        size = kernel.shape[0]
        self.formula.value = ""
        sizes = self.output_sizes(*image.shape, size, padding, stride, dilation, pooling, pool_size)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported in words just below
            output = correlate2d(image, kernel, stride=stride, padding=padding, dilation=dilation)
        if np.isinf(output).any() or (np.isnan(output).any() and not np.isnan(image).any()):  # no hole caused it
            largest = float(np.abs(kernel).max())
            raise ValueError(f"the convolution overflows: with weights as large as {largest:.3g} some outputs pass "
                             f"the largest number a computer stores (about 1.8e308); use smaller weights")
        pooled = None
        if pooling == "max":
            pooled = max_pool2d(output, pool_size)
        elif pooling == "average":
            pooled = avg_pool2d(output, pool_size)
        self.formula.value = self._formula_html(image.shape, size, padding, stride, dilation, pooling, pool_size,
                                                sizes)
        self._draw(photo, image, output, pooled, sizes, pooling, pool_size)
        return {"image": image, "kernel": kernel, "output": output, "pooled": pooled, "sizes": sizes}

    # -- the controls that set the kernel ----------------------------------------------------------

    def _on_preset(self, change) -> None:
        if change["new"] != CUSTOM:
            size = KERNEL_SIZES[self.kernel_size.value]
            self.controls["kernel"].set_kernel(embed_kernel(KERNELS[change["new"]], size))

    def _on_kernel_size(self, change) -> None:
        size = KERNEL_SIZES[change["new"]]
        grid = self.controls["kernel"]
        source = KERNELS[self.preset.value] if self.preset.value != CUSTOM else np.array(grid.value)
        grid.set_kernel(embed_kernel(source, size))

    def _on_kernel_edit(self, change) -> None:
        """An edited cell makes the preset "custom", unless the kernel still is the preset."""
        preset = self.preset.value
        if preset == CUSTOM:
            return
        kernel = np.array(change["new"])
        if not np.allclose(kernel, embed_kernel(KERNELS[preset], kernel.shape[0]), atol=5e-5):
            self.preset.unobserve(self._on_preset, names="value")
            try:
                self.preset.value = CUSTOM
            finally:
                self.preset.observe(self._on_preset, names="value")

    def _on_pooling(self, change) -> None:
        self.controls["pool_size"].disabled = change["new"] == "none"  # no pooling: its size means nothing

    # -- uploads -----------------------------------------------------------------------------------

    def load_upload(self, name: str, content: bytes) -> bool:
        """Decode an uploaded file; on success add it to the image choices and show it.

        Returns
        -------
        bool
            Whether the file was accepted; the note under the upload button says what happened.
        """
        try:
            image, note = decode_upload(content, name)
        except (ValueError, TypeError) as error:
            self._note(str(error), "error")
            return False
        key = f"{_UPLOAD_PREFIX}{name}"
        self._images[key] = image
        photo = self.controls["photo"]
        options = [option for option in photo.options if option[1] != key]
        photo.options = [*options, (f"your image: {name} ({image.shape[1]}x{image.shape[0]})", key)]
        if photo.value == key:  # the same name again: show the new content
            self._on_change()
        else:
            photo.value = key
        self._note(note, "ok")
        return True

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[-1]
        self.load_upload(upload.get("name", "the file"), upload["content"])

    def _note(self, text: str, kind: str) -> None:
        colour = {"error": "#B00020", "ok": "#1B7F3B"}[kind]
        self.upload_note.value = f'<div style="color:{colour};font-size:15px">{html.escape(text)}</div>'

    # -- drawing -----------------------------------------------------------------------------------

    @staticmethod
    def _formula_html(shape, size, padding, stride, dilation, pooling, pool_size, sizes) -> str:
        rows = []
        for axis, n, out in zip(("height", "width"), shape, sizes["conv"], strict=True):
            rows.append(f"output {axis} = ⌊({n} + 2·{padding} − {dilation}·({size}−1) − 1) / {stride}⌋ + 1 = "
                        f"<b>{out}</b>")
        if "pool" in sizes:
            rows.append(f"after {pooling} pooling {pool_size}x{pool_size} (stride {pool_size}): "
                        f"⌊({sizes['conv'][0]} − {pool_size}) / {pool_size}⌋ + 1 = <b>{sizes['pool'][0]}</b> by "
                        f"⌊({sizes['conv'][1]} − {pool_size}) / {pool_size}⌋ + 1 = <b>{sizes['pool'][1]}</b>")
        general = ("output = ⌊(input + 2·padding − dilation·(kernel−1) − 1) / stride⌋ + 1")
        return ('<div style="font-family:monospace;font-size:15px;line-height:1.5">'
                f'<span style="color:#555">{general}</span><br>' + "<br>".join(rows) + "</div>")

    def _layout(self, pooling: bool) -> None:
        """Build the panels: input, convolution output and, with pooling, the pooled output."""
        fig = self.live.figure
        fig.clear()
        axes = self.live.subplots(1, 3 if pooling else 2)
        shown = []
        for k, ax in enumerate(axes):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.title.set_fontsize(15)
            shown.append(ax.imshow(np.zeros((2, 2)), cmap=_with_holes(IMAGE_CMAP if k == 0 else SIGNED_CMAP)))
            if k > 0:
                fig.colorbar(shown[-1], ax=ax, shrink=0.85).ax.tick_params(labelsize=12)
        self._panels = (pooling, list(axes), shown, {"photo": None})

    def _draw(self, photo, image, output, pooled, sizes, pooling, pool_size) -> None:
        if self._panels is None or self._panels[0] != (pooled is not None):
            self._layout(pooled is not None)
        _, axes, shown, drawn = self._panels
        if drawn["photo"] is not photo or drawn.get("image") is not image:  # redraw the input only when it changed
            _show(shown[0], image, (0.0, 1.0), IMAGE_CMAP)
            label = photo[len(_UPLOAD_PREFIX):] if photo.startswith(_UPLOAD_PREFIX) else photo
            axes[0].set_title(f"input: {label} ({image.shape[0]}x{image.shape[1]})")
            drawn.update(photo=photo, image=image)
        _show_result(shown[1], output)
        axes[1].set_title(f"convolution: {sizes['conv'][0]}x{sizes['conv'][1]}")
        if pooled is not None:
            _show_result(shown[2], pooled)
            axes[2].set_title(f"{pooling} pool {pool_size}x{pool_size}: {sizes['pool'][0]}x{sizes['pool'][1]}")
        self.live.refresh()

    # -- the app -----------------------------------------------------------------------------------

    @property
    def widget(self) -> widgets.Widget:
        """The whole app: image and kernel on the left, the other numbers on the right, then the result."""
        if self._widget is None:
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
            c = self.controls
            left = widgets.VBox([c["photo"], self.upload, self.upload_note,
                                 widgets.HBox([self.kernel_size, self.preset]), c["kernel"]])
            right = widgets.VBox([c["padding"], c["stride"], c["dilation"], c["pooling"], c["pool_size"]])
            self._widget = widgets.VBox([widgets.HBox([left, right], layout=widgets.Layout(grid_gap="40px")),
                                         self.formula, self.message, self.live.image])
            self._on_change()
        return self._widget


def _show(shown, values: np.ndarray, limits: tuple[float, float], cmap: str) -> None:
    """New data, colour limits and map for an image; only what changed is touched (faster redraws)."""
    if shown.get_array().shape != values.shape:
        shown.set_extent((-0.5, values.shape[1] - 0.5, values.shape[0] - 0.5, -0.5))
    shown.set_data(values)
    if shown.get_cmap().name != cmap:
        shown.set_cmap(_with_holes(cmap))
    if shown.get_clim() != limits:
        shown.set_clim(*limits)


HOLE_COLOUR = "#F2B400"  # pixels that are not numbers (NaN from an uploaded float image): amber holes


def _with_holes(cmap: str):
    """The colour map ``cmap`` (its name kept) that shows NaN pixels in :data:`HOLE_COLOUR`."""
    import matplotlib

    return matplotlib.colormaps[cmap].with_extremes(bad=HOLE_COLOUR)


def _show_result(shown, values: np.ndarray) -> None:
    """Signed results in red/blue centred on white = 0; results without negatives in grey, on the
    input's 0..1 scale at least (a blur must not look brighter than its input). Holes (NaN) are
    left out of the colour limits and shown in :data:`HOLE_COLOUR`."""
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if low < 0:  # colours saturate at the 99.5th percentile: a few extreme pixels would wash out the rest
        limit = float(np.percentile(np.abs(finite), 99.5)) or max(-low, high)
        _show(shown, values, (-limit, limit), SIGNED_CMAP)
    else:
        _show(shown, values, (0.0, max(high, 1.0)), IMAGE_CMAP)  # the input's scale, or wider
