"""Argument checks shared by the sliding-window operations.

Every public function calls these at its top, so a wrong argument fails before any work is
done, with a message that names the argument, says what was expected and what was given.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def describe(value) -> str:
    """A short description of ``value`` for error messages: its repr, or an array's shape."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_float_array(value, name: str) -> np.ndarray:
    """``np.asarray(value)`` as float32 or float64; integers and booleans become float64."""
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers; got {describe(value)} ({error})") from None
    if array.dtype in (np.float32, np.float64):
        return array
    if array.dtype.kind == "f" and array.dtype.itemsize in (4, 8):  # big-endian: same precision, native order
        return array.astype(array.dtype.newbyteorder("="))
    if array.dtype == np.bool_ or np.issubdtype(array.dtype, np.integer):
        return array.astype(np.float64)
    if np.issubdtype(array.dtype, np.floating):  # float16, longdouble
        return array.astype(np.float64)
    raise TypeError(f"{name} must be an array of real numbers; got dtype {array.dtype}")


def check_ndim(array: np.ndarray, name: str, allowed: tuple[int, ...], layout: str) -> None:
    """Raise ValueError unless ``array.ndim`` is one of ``allowed``; ``layout`` names the axes."""
    if array.ndim not in allowed:
        ranks = " or ".join(f"{n}-D" for n in allowed)
        raise ValueError(f"{name} must be {ranks} {layout}; got a {array.ndim}-D array of shape {array.shape}")


def _int(value, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int or a pair of ints, each >= {minimum}; got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {int(value)}")
    return int(value)


def pair(value, name: str, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints, each >= ``minimum``, as a tuple ``(height, width)``."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]  # a 0-d array is one number
    if isinstance(value, (tuple, list, np.ndarray)):
        items = list(value)
        if len(items) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints; got {len(items)} values: {describe(value)}")
        return _int(items[0], name, minimum), _int(items[1], name, minimum)
    number = _int(value, name, minimum)
    return number, number


def padding_amounts(padding, kernel_size: tuple[int, int], dilation: tuple[int, int],
                    stride: tuple[int, int], allow_full: bool = False) -> tuple[int, int, int, int]:
    """Zero padding as ``(top, bottom, left, right)`` from an int, a pair or a mode string."""
    if isinstance(padding, str):
        modes = ("valid", "same", "full") if allow_full else ("valid", "same")
        mode = padding.lower()
        if mode not in modes:
            raise ValueError(f"padding must be an int, a pair of ints or one of {modes}; got {padding!r}")
        if mode == "valid":
            return 0, 0, 0, 0
        spans = [d * (k - 1) for k, d in zip(kernel_size, dilation, strict=True)]  # extra rows/cols the kernel covers
        if mode == "full":
            return spans[0], spans[0], spans[1], spans[1]
        if stride != (1, 1):
            raise ValueError(f"padding='same' needs stride=1 (as in PyTorch); got stride={stride}")
        # PyTorch puts the odd extra row/column at the bottom/right.
        return spans[0] // 2, spans[0] - spans[0] // 2, spans[1] // 2, spans[1] - spans[1] // 2
    ph, pw = pair(padding, "padding", minimum=0)
    return ph, ph, pw, pw


def check_window_fits(shape: tuple[int, int], pads: tuple[int, int, int, int],
                      kernel_size: tuple[int, int], dilation: tuple[int, int], what: str) -> None:
    """Raise ValueError when the (dilated) window is larger than the padded input."""
    padded = (shape[0] + pads[0] + pads[1], shape[1] + pads[2] + pads[3])
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel_size, dilation, strict=True))
    if span[0] > padded[0] or span[1] > padded[1]:
        dilated = f" (dilated to {span[0]}x{span[1]})" if span != tuple(kernel_size) else ""
        raise ValueError(
            f"{what} of size {kernel_size[0]}x{kernel_size[1]}{dilated} is larger than the padded "
            f"input of size {padded[0]}x{padded[1]} (input {shape[0]}x{shape[1]}, padding "
            f"top/bottom {pads[0]}/{pads[1]}, left/right {pads[2]}/{pads[3]})"
        )


# -- Checks used outside the sliding-window core (nn, data, images) ---------------------------------
# A NumPy scalar or a 0-d array is a number wherever a Python number is; a bool is never one.

def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype == np.bool_)


def count(value, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    """An int (Python, NumPy or a 0-d integer array) in ``[minimum, maximum]``, as a Python int."""
    expected = ("a positive int" if minimum == 1 else f"an int >= {minimum}") if maximum is None \
        else f"an int from {minimum} to {maximum:,}"
    is_int = (isinstance(value, numbers.Integral)
              or (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu"))
    if _is_bool(value) or not is_int:
        raise TypeError(f"{name} must be {expected}; got {describe(value)}")
    if int(value) < minimum or (maximum is not None and int(value) > maximum):
        raise ValueError(f"{name} must be {expected}; got {int(value)}")
    return int(value)


def real_number(value, name: str, *, minimum: float | None = None, below: float | None = None,
                positive: bool = False) -> float:
    """A finite real number (Python, NumPy or a 0-d array) in ``[minimum, below)``, as a Python float."""
    is_real = (isinstance(value, numbers.Real)
               or (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"))
    bounds = ("" if positive else f">= {minimum:g}" if minimum is not None and below is None
              else f"in [{minimum:g}, {below:g})" if minimum is not None else f"< {below:g}" if below is not None
              else "")
    expected = "a positive finite number" if positive else f"a finite number {bounds}".rstrip()
    if _is_bool(value) or not is_real:
        raise TypeError(f"{name} must be {expected}; got {describe(value)}")
    number = float(value)
    if (not np.isfinite(number) or (positive and number <= 0) or (minimum is not None and number < minimum)
            or (below is not None and number >= below)):
        raise ValueError(f"{name} must be {expected}; got {number!r}")
    return number


def real_array(value, name: str, ndim: tuple[int, ...] | None = None, layout: str = "") -> np.ndarray:
    """``value`` as an array of real numbers (float arrays keep their dtype); masked arrays are refused.

    NumPy would silently drop a mask (and the values under it would count), so a masked array is
    an error that says how to fill it. With ``ndim``, the array must have one of those numbers of
    dimensions (``layout`` names the axes in the message, e.g. ``"(H, W)"``).
    """
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"{name} is a masked array, whose mask cnnhelpers would ignore: pass "
                        f"{name}.filled(value) with the value the masked entries should have")
    array = as_float_array(value, name)
    if not array.dtype.isnative:  # big-endian data (from a file) in the machine's byte order
        array = array.astype(array.dtype.newbyteorder("="))
    if ndim is not None:
        check_ndim(array, name, ndim, layout)
    return array


def choice(value, name: str, options) -> str:
    """``value`` if it is one of the strings ``options``; else an error that lists them."""
    options = list(options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {options}; got {describe(value)}")
    if value not in options:
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def instance(value, name: str, kind, expected: str):
    """``value`` if it is an instance of ``kind`` (a class or a tuple of classes); else TypeError."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {expected}; got {describe(value)}")
    return value


def string(value, name: str, optional: bool = False) -> str | None:
    """A str (or None when ``optional``) for a title, a label or a message."""
    if not (isinstance(value, str) or (optional and value is None)):
        raise TypeError(f"{name} must be a str{' or None' if optional else ''}; got {describe(value)}")
    return value


def check_callable(value, name: str, signature: str | None = None, optional: bool = False):
    """``value`` if it can be called (or is None, when ``optional``), else TypeError.

    ``signature`` describes the expected call in the message, e.g. ``"(epoch) -> learning rate"``.
    """
    if optional and value is None:
        return None
    if not callable(value):
        expected = "a function" if signature is None else f"a callable {signature}"
        raise TypeError(f"{name} must be {'None or ' * optional}{expected}; got {describe(value)}")
    return value


def named_arrays(value, name: str, ndim: tuple[int, ...], layout: str) -> dict[str, np.ndarray]:
    """A non-empty dict of name -> real array with one of ``ndim`` dimensions (named kernels, images)."""
    if not isinstance(value, dict) or not value:
        raise TypeError(f"{name} must be a non-empty dict of name -> {layout} array; got {describe(value)}")
    return {key: real_array(array, f"{name}[{key!r}]", ndim, layout) for key, array in value.items()}


def strings(values, name: str, number: int, optional: bool = True) -> list[str] | None:
    """A sequence of at least ``number`` str (titles, labels, colour names) as a list; or None when ``optional``."""
    if values is None and optional:
        return None
    if not isinstance(values, (list, tuple)) or len(values) < number or not all(isinstance(v, str) for v in values):
        expected = f"{'None or ' if optional else ''}a list of {number} str"
        raise TypeError(f"{name} must be {expected}; got {describe(values)}")
    return list(values)


def labels(values, name: str, number: int) -> list[str] | None:
    """None, or at least ``number`` titles (str or numbers, e.g. class labels) as a list of str."""
    if values is None:
        return None
    if (isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "iufUb") or (
            isinstance(values, (list, tuple)) and all(isinstance(v, (str, numbers.Real)) for v in values)):
        if len(values) >= number:
            return [str(v) for v in (values.tolist() if isinstance(values, np.ndarray) else values)]
    raise TypeError(f"{name} must be None or {number} titles (str or numbers); got {describe(values)}")


def flag(value, name: str) -> bool:
    """A bool (Python or NumPy) as a Python bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)


def float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """float32 or float64 (the results are fractions in [0, 1] or network values)."""
    try:
        result = np.dtype(dtype) if dtype is not None else None  # np.dtype(None) would be float64
    except (TypeError, ValueError, KeyError):
        result = None
    if result is None or result.name not in ("float32", "float64") or not result.isnative:
        raise TypeError(f"{name} must be float32 or float64; got {describe(dtype)}")
    return result


def memory_limit() -> int:
    """Bytes one array may take: half the memory this machine has available now."""
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 // 2
    except (OSError, ValueError, IndexError):
        pass
    try:
        import os

        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (AttributeError, ValueError, OSError):
        return 4 * 2**30


def check_bytes(nbytes: int, name: str, what: str) -> None:
    """Refuse, naming the argument and the size, an array larger than :func:`memory_limit`."""
    limit = memory_limit()
    if nbytes > limit:
        raise ValueError(f"{name} asks for {what} of {nbytes / 2**30:,.1f} GiB, more than the "
                         f"{limit / 2**30:,.1f} GiB this machine can spare; use a smaller {name}")


# Below this size an allocation is never refused (and the available memory is not even read).
_ALWAYS_ALLOWED_BYTES = 2**26


def check_allocation(shape, dtype, what: str, cause: str) -> None:
    """Raise ValueError before allocating an array of ``shape`` larger than :func:`memory_limit`.

    ``what`` names the array ("the padded input"); ``cause`` names the argument(s) that made it
    that large ("padding=20000"). Python ints: the byte count cannot overflow.
    """
    nbytes = math.prod(int(n) for n in shape) * np.dtype(dtype).itemsize
    if nbytes <= _ALWAYS_ALLOWED_BYTES:
        return
    limit = memory_limit()
    if nbytes > limit:
        shape_text = "x".join(str(int(n)) for n in shape)
        raise ValueError(f"{cause} would need {what} of shape {shape_text} ({nbytes / 2**30:.3g} GiB), more than "
                         f"the {limit / 2**30:.3g} GiB allowed (half the memory available now); use a smaller value")
