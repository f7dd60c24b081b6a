"""How :mod:`cnnhelpers.conv` is made fast: the same numbers as its readable version, computed faster.

Read :mod:`cnnhelpers.conv` first: pad, view every window, one matrix product. This module does
the same product, with these tricks (each one is marked where it is used):

- **Blocked im2col.** The window matrix is copied a block of images (or of output rows) at a time,
  each block small enough to stay in the CPU cache while the matrix product reads it. The thread
  that copies a block of images pads them first, so padding runs in parallel and stays in its cache.
- **Per-thread scratch buffers.** Temporaries reuse the same memory from call to call: fresh
  memory costs a page fault per 4 KiB touched.
- **The stride-1 flattened-row trick.** With stride 1, the window of output ``(i, j)`` starts at
  ``i*Wp + j`` in the flattened padded image, so each im2col row is ONE contiguous run (cheap to
  copy) instead of ``OH`` runs; the few positions that straddle two rows are computed and thrown
  away. Those throw-away products may only touch finite numbers (``0 * inf`` is NaN), so the
  trick is used only when the values it would multiply by zero are all finite, and only when the
  im2col matrix it makes cheaper is large next to what it costs (few input channels and many
  output channels copy less without it).
- **One input channel, one output channel**: a handful of scaled, shifted copies of the image
  beats a matrix product with a single row.
- **Blocks on every core.** NumPy releases the GIL inside BLAS and its copies, so the blocks of
  the batch (or of output rows) go to a pool of threads, one BLAS thread each, each thread taking
  the next block not yet taken. The split into blocks does not depend on how many threads run,
  and the weight gradient adds the blocks' partial sums in block order: the numbers are the same,
  bit for bit, on one thread or many. The pool uses as many threads as NumPy's BLAS may
  (``threadpoolctl.threadpool_limits(1)`` makes it serial).
- **Input gradient by shares.** One product per block gives every kernel offset's share of the
  input gradient, added into shifted runs of the flattened gradient; with a stride, of the
  gradient's stride phases (every ``sh``-th row and ``sw``-th column), where the runs are
  contiguous again. For many input channels and stride 1, the input gradient is instead a full
  correlation with the flipped kernel, i.e. a forward pass.

Every function here takes arguments already checked by :mod:`cnnhelpers.conv` and non-empty arrays.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np
from numpy.lib.stride_tricks import as_strided

# im2col matrices are built a block at a time, each block within this size (a few L2 caches: the
# BLAS reads it once, panel by panel, and fewer, larger products keep it busier).
_COLS_BUDGET_BYTES = 2 * 2**20

# The input gradient's per-offset shares are computed a block of positions at a time, within this.
_INPUT_GRAD_BUDGET_BYTES = 4 * 2**20

# Scratch buffers reused from call to call, per thread (threads must not share a temporary).
# Buffers above the cap are allocated afresh and freed, so a huge call does not pin its memory.
_WORKSPACE = threading.local()
_WORKSPACE_MAX_BYTES = 4 * 2**20

# Below this many float32 floating-point operations (float64 counts double), work runs serially.
_PARALLEL_MIN_FLOPS = 50e6

# From this many input channels on, the input gradient is a forward pass (see _input_grad_route).
_MANY_CHANNELS = 8

# The flattened-row trick makes the im2col copy cheap (one contiguous run per row) but costs a
# copy on the output's side: the forward pass crops its result, the weight gradient copies
# grad_out with zero columns. So it is used only when the im2col matrix is large next to that
# side: more than this many rows of it per output channel (C*KH*KW > 1.5*O, resp. > 3*O), or
# when that copy is made anyway (the input gradient by shares needs it).
_WIDE_FORWARD_MIN = 1.5
_WIDE_GRAD_MIN = 3

# A batch is cut into at least this many blocks (when it has that many images), whatever the
# number of threads, so that the same products are computed, in the same order, on any machine.
_MIN_BLOCKS = 8


class _Pool:
    """Threads that run blocks of work, as many as NumPy's BLAS is allowed, one BLAS thread each.

    While blocks run, NumPy's BLAS is held at one thread, on the pool's threads and when the
    blocks run serially alike: a product split across BLAS threads can round differently, and the
    numbers must not depend on the thread count.
    """

    def __init__(self):
        self._lock = threading.Lock()  # the pool serves one caller at a time
        self._count_lock = threading.Lock()
        self._depth, self._allowed = 0, 1
        self._executor = None
        self._blas = None
        self._inside = threading.local()

    def _blas_controller(self):
        if self._blas is None:
            from threadpoolctl import ThreadpoolController  # a dependency already, for nn.fit

            libs = [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
            mine = [lib for lib in libs if "numpy" in lib.filepath] or libs
            self._blas = mine[0] if mine else False
        return self._blas

    @contextlib.contextmanager
    def one_blas_thread(self):
        """Hold NumPy's BLAS at one thread while inside (holds nest); yields the threads it had before."""
        blas = self._blas_controller()
        with self._count_lock:
            if self._depth == 0:
                self._allowed = blas.get_num_threads() if blas else 1
                if blas and self._allowed != 1:
                    blas.set_num_threads(1)
            self._depth += 1
            allowed = self._allowed
        try:
            yield allowed
        finally:
            with self._count_lock:
                self._depth -= 1
                if self._depth == 0 and blas and self._allowed != 1:
                    blas.set_num_threads(self._allowed)

    def map(self, fn, tasks: list, parallel: bool = True) -> list:
        """``[fn(t) for t in tasks]``, computed on the threads (if ``parallel``), results in the order of ``tasks``.

        Each thread takes the next task not yet taken, so a thread the machine slows down does
        fewer: the results do not depend on who computed them.
        """
        with self.one_blas_thread() as allowed:
            workers = min(len(tasks), allowed or 1, _cores()) if parallel else 1
            if workers < 2 or getattr(self._inside, "active", False) or not self._lock.acquire(blocking=False):
                return [fn(task) for task in tasks]  # serial: one task, inside a worker, or the pool is busy
            try:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(max_workers=max(1, _cores() - 1),
                                                        thread_name_prefix="cnnhelpers")
                results = [None] * len(tasks)
                taken = itertools.count()  # next() on it is atomic: each index goes to one thread
                others = [self._executor.submit(self._run, fn, tasks, taken, results) for _ in range(workers - 1)]
                try:
                    self._run(fn, tasks, taken, results)  # the calling thread takes tasks too
                finally:
                    # Waking a sleeping thread can take longer than a small map (a virtual CPU
                    # wakes through its hypervisor): a thread that has not started by now would
                    # find every task taken, so it is not waited for.
                    for future in others:
                        future.cancel()
                    wait(others)  # never return (nor raise) while a task is still running
                for future in others:
                    if not future.cancelled():
                        future.result()  # raises what a task raised
            finally:
                self._lock.release()
        return results

    def _run(self, fn, tasks, taken, results):
        self._inside.active = True
        try:
            for index in taken:
                if index >= len(tasks):
                    return
                results[index] = fn(tasks[index])
        finally:
            self._inside.active = False


def blas_on_one_thread():
    """A context in which NumPy's BLAS uses one thread, while the pool keeps the threads it had.

    For code around the convolutions (a network's other layers): their small products gain
    nothing from more BLAS threads, and OpenBLAS's threads keep spinning for a while after each
    product, taking a core from the pool's threads.
    """
    return _POOL.one_blas_thread()


def worth_threads(flops: float, dtype) -> bool:
    """Whether a product of ``flops`` floating-point operations in ``dtype`` is large enough for the threads.

    Handing work to another thread and waking it costs more than the second core saves on a
    small product. The answer depends on the sizes only, never on the number of threads.
    """
    return flops * np.dtype(dtype).itemsize / 4 >= _PARALLEL_MIN_FLOPS  # float64 runs at half speed


def _cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_POOL = _Pool()


def _fresh_pool_after_fork() -> None:
    # A forked child (nn.fit's shard workers) has none of the parent's threads, and a lock some
    # thread held at the fork stays held: the child starts with a pool of its own.
    global _POOL
    _POOL = _Pool()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_pool_after_fork)


def pad(x: np.ndarray, pads: tuple[int, int, int, int], value: float = 0.0) -> np.ndarray:
    """Pad the last two axes by ``(top, bottom, left, right)`` with ``value`` (a copy only if needed)."""
    if not any(pads):
        return x
    out = _empty_padded(x, pads)
    _pad_into(out, x, pads, value)
    return out


def _empty_padded(x: np.ndarray, pads) -> np.ndarray:
    """An uninitialised array of ``x`` padded by ``pads`` (``x`` itself, contiguous, without padding)."""
    if not any(pads):
        return np.ascontiguousarray(x)
    top, bottom, left, right = pads
    height, width = x.shape[-2:]
    return np.empty(x.shape[:-2] + (height + top + bottom, width + left + right), dtype=x.dtype)


def _pad_into(out: np.ndarray, x: np.ndarray, pads, value: float = 0.0) -> None:
    """Write ``x`` padded by ``pads`` into ``out``."""
    top, left = pads[0], pads[2]
    height, width = x.shape[-2:]
    out.fill(value)
    out[..., top:top + height, left:left + width] = x  # np.pad does the same, with more overhead


def _pad_in_blocks(xp: np.ndarray, x: np.ndarray, pads, blocks, parallel: bool):
    """``fill(block)``, which pads the images of ``block`` (see :func:`_blocks`) into ``xp``.

    Run by the thread that then copies the block's im2col matrix, padding is parallel and leaves
    the images in that thread's cache. Blocks of rows of one image overlap (a window reaches into
    the next block's rows): then the images are padded now, on the threads, and ``fill`` does nothing.
    """
    def pad_images(block):
        _pad_into(xp[block[0]:block[1]], x[block[0]:block[1]], pads)

    if xp is x or not any(pads):
        return lambda block: None
    if any(block[2:] != blocks[0][2:] for block in blocks):  # blocks of rows
        _POOL.map(pad_images, [(b0, b1, None, None) for b0, b1 in _batch_blocks(len(x), parallel)], parallel)
        return lambda block: None
    return pad_images


def output_shape(padded: tuple[int, int], kernel_size, stride, dilation) -> tuple[int, int]:
    """``(OH, OW)`` of a window sliding over a padded ``(Hp, Wp)`` input."""
    settings = zip(padded, kernel_size, stride, dilation, strict=True)
    return tuple((p - d * (k - 1) - 1) // s + 1 for p, k, s, d in settings)


def offset_slices(offset: tuple[int, int], stride, dilation, out_hw) -> tuple[slice, slice]:
    """Slices of the padded input that kernel offset ``(u, v)`` touches across all windows."""
    (u, v), (sh, sw), (dh, dw), (oh, ow) = offset, stride, dilation, out_hw
    return (slice(u * dh, u * dh + sh * (oh - 1) + 1, sh), slice(v * dw, v * dw + sw * (ow - 1) + 1, sw))


def _scratch(purpose: str, size: int, dtype) -> np.ndarray:
    """A flat uninitialised buffer of ``size`` elements, the same memory each call for ``purpose``.

    Only for temporaries that never leave the function that asked: the next call overwrites it.
    """
    dtype = np.dtype(dtype)
    if size * dtype.itemsize > _WORKSPACE_MAX_BYTES:
        return np.empty(size, dtype=dtype)
    buffers = _WORKSPACE.__dict__.setdefault("buffers", {})
    buffer = buffers.get((purpose, dtype))
    if buffer is None or buffer.size < size:
        buffer = buffers[(purpose, dtype)] = np.empty(size, dtype=dtype)
    return buffer[:size]


def all_finite(a: np.ndarray) -> bool:
    """True when no value of ``a`` is NaN or infinite (False also when its sum overflows: harmless here).

    One sum, no boolean temporary: any NaN or inf makes the sum NaN or inf.
    """
    return bool(np.isfinite(a.sum()))


def window_view(xp: np.ndarray, kernel_size, stride, dilation, out_hw) -> np.ndarray:
    """Read-only strided view ``(..., KH, KW, OH, OW)`` of every window of the padded ``xp``.

    Kernel axes before output axes: a block of output rows is then the trailing, contiguous-most
    part of each im2col row.
    """
    *lead, _, _ = xp.shape
    row_step, col_step = xp.strides[-2:]
    strides = xp.strides[:-2] + (row_step * dilation[0], col_step * dilation[1],
                                 row_step * stride[0], col_step * stride[1])
    return _read_only_view(xp, (*lead, *kernel_size, *out_hw), strides)


def wide_window_view(xp: np.ndarray, kernel_size, dilation) -> np.ndarray:
    """Stride-1 windows along the flattened padded rows, a read-only view (N, C, KH, KW, L).

    Position ``p = i*Wp + j`` (``Wp`` the padded width) is the window of output ``(i, j)`` for
    ``j < OW``; the last ``Wp - OW`` positions of each row straddle two rows and are discarded.
    """
    xp = np.ascontiguousarray(xp)
    n, c, padded_h, padded_w = xp.shape
    (kh, kw), (dh, dw) = kernel_size, dilation
    length = (padded_h - dh * (kh - 1)) * padded_w - dw * (kw - 1)
    sn, sc, sh, sw = xp.strides
    return _read_only_view(xp, (n, c, kh, kw, length), (sn, sc, dh * sh, dw * sw, sw))


def _read_only_view(base: np.ndarray, shape, strides) -> np.ndarray:
    """``as_strided(base, shape, strides, writeable=False)``, made faster for a C-contiguous ``base``.

    The ``ndarray`` constructor takes ``base`` as a buffer directly; ``as_strided`` goes through an
    intermediate object and ``np.asarray``, a cost paid by every call of a small convolution.
    """
    if not base.flags.c_contiguous:
        return as_strided(base, shape=shape, strides=strides, writeable=False)
    view = np.ndarray(shape, dtype=base.dtype, buffer=base, strides=strides)  # checks the view stays inside
    view.flags.writeable = False
    return view


def _blocks(n: int, out_h: int, bytes_per_row: int, parallel: bool):
    """Split the batch, then the output rows, into blocks ``(b0, b1, r0, r1)`` whose im2col matrix fits the budget.

    ``bytes_per_row`` is the im2col size of one output row of one image. Whole images are grouped
    while they fit (large products keep the BLAS busy), but, for work ``parallel`` enough for the
    threads, into at least ``_MIN_BLOCKS`` blocks when the batch allows; a single large image is
    split by rows. The split depends on the shapes only, never on the number of threads.
    """
    per_image = bytes_per_row * out_h
    if per_image <= _COLS_BUDGET_BYTES:
        images = max(1, _COLS_BUDGET_BYTES // max(per_image, 1))
        images = min(images, -(-n // min(n, _MIN_BLOCKS if parallel else 1)))
        return [(b, min(b + images, n), 0, out_h) for b in range(0, n, images)]
    rows = max(1, _COLS_BUDGET_BYTES // max(bytes_per_row, 1))
    return [(b, b + 1, r, min(r + rows, out_h)) for b in range(n) for r in range(0, out_h, rows)]


def _im2col_plan(windows: np.ndarray, row_length: int | None, parallel: bool):
    """The blocks of :func:`_blocks` for ``windows`` (see :func:`_im2col`), and the rows' geometry."""
    n, c, kh, kw = windows.shape[:4]
    if row_length is None:
        out_h, per_row = windows.shape[4:]
    else:
        per_row = row_length
        out_h = -(-windows.shape[4] // row_length)
    return _blocks(n, out_h, c * kh * kw * per_row * windows.itemsize, parallel), per_row


def _im2col(windows: np.ndarray, block, per_row: int, row_length: int | None = None):
    """``(b0, b1, start, stop, cols)``: the im2col matrix of one block of the batch and rows.

    ``windows`` is the (N, C, KH, KW, OH, OW) view, or with ``row_length`` (the padded width) the
    (N, C, KH, KW, L) view of :func:`wide_window_view`. ``cols`` has shape (n, C*KH*KW, stop-start)
    and covers output positions ``start:stop`` of images ``b0:b1``, positions counted row-major.
    It is copied into this thread's scratch buffer, which stays in the cache.
    """
    c, kh, kw = windows.shape[1:4]
    b0, b1, r0, r1 = block
    if row_length is None:
        start, stop, source = r0 * per_row, r1 * per_row, windows[b0:b1, ..., r0:r1, :]
    else:
        start, stop = r0 * per_row, min(r1 * per_row, windows.shape[4])
        source = windows[b0:b1, ..., start:stop]
    cols = _scratch("im2col", source.size, windows.dtype).reshape(source.shape)
    np.copyto(cols, source)
    return b0, b1, start, stop, cols.reshape(b1 - b0, c * kh * kw, stop - start)


def _crop_rows(out: np.ndarray, wide: np.ndarray, r0: int, padded_w: int) -> None:
    """Copy ``wide`` (n, O, positions of the flattened padded rows from row ``r0`` on) into ``out`` (n, O, OH, OW).

    Of each row of ``padded_w`` positions, the first OW are outputs; the others straddled two rows.
    An image's last row is short: its positions end right after its OW outputs.
    """
    n, o, length = wide.shape
    ow = out.shape[-1]
    full = length // padded_w
    out[:, :, r0:r0 + full] = wide[..., :full * padded_w].reshape(n, o, full, padded_w)[..., :ow]
    if length > full * padded_w:
        out[:, :, r0 + full] = wide[..., full * padded_w:full * padded_w + ow]


def conv_forward(x, weight, stride, pads, dilation):
    """``conv2d`` on checked, non-empty arrays: ``x`` (N, C, H, W), ``weight`` (O, C, KH, KW)."""
    n, c = x.shape[:2]
    o, _, kh, kw = weight.shape
    if c * o == 1:
        return _one_channel_forward(pad(x, pads), weight, stride, dilation)
    xp = _empty_padded(x, pads)  # padded block by block, by the threads (see _pad_in_blocks)
    oh, ow = output_shape(xp.shape[-2:], (kh, kw), stride, dilation)
    out = np.empty((n, o, oh, ow), dtype=x.dtype)
    w_rows = weight.reshape(o, c * kh * kw)
    if stride == (1, 1) and c * kh * kw > _WIDE_FORWARD_MIN * o:
        # Flattened-row trick (see _WIDE_FORWARD_MIN); the discarded outputs are never read.
        padded_w = xp.shape[-1]
        windows = wide_window_view(xp, (kh, kw), dilation)
        parallel = worth_threads(2 * w_rows.size * n * oh * padded_w, x.dtype)
        blocks, per_row = _im2col_plan(windows, padded_w, parallel)
        fill = _pad_in_blocks(xp, x, pads, blocks, parallel)

        def product(block):  # (O, CKK) @ (n, CKK, positions), then cropped while it is in the cache
            fill(block)
            b0, b1, start, stop, cols = _im2col(windows, block, per_row, padded_w)
            wide = _scratch("wide", (b1 - b0) * o * (stop - start), x.dtype).reshape(b1 - b0, o, stop - start)
            np.matmul(w_rows, cols, out=wide)
            _crop_rows(out[b0:b1], wide, block[2], padded_w)

        _POOL.map(product, blocks, parallel)
        return out
    flat = out.reshape(n, o, oh * ow)
    windows = window_view(xp, (kh, kw), stride, dilation, (oh, ow))
    parallel = worth_threads(2 * w_rows.size * n * oh * ow, x.dtype)
    blocks, per_row = _im2col_plan(windows, None, parallel)
    fill = _pad_in_blocks(xp, x, pads, blocks, parallel)

    def product_into_output(block):
        fill(block)
        b0, b1, start, stop, cols = _im2col(windows, block, per_row)
        np.matmul(w_rows, cols, out=flat[b0:b1, :, start:stop])  # straight into the output

    _POOL.map(product_into_output, blocks, parallel)
    return out


def _one_channel_forward(xp, weight, stride, dilation):
    """One channel in and out: KH*KW scaled slices beat a (1, KH*KW) @ (KH*KW, P) product."""
    n = xp.shape[0]
    kh, kw = weight.shape[2:]
    oh, ow = output_shape(xp.shape[-2:], (kh, kw), stride, dilation)
    out = np.empty((n, 1, oh, ow), dtype=xp.dtype)
    if stride == (1, 1):  # flattened-row trick: each slice is one contiguous run
        padded_w = xp.shape[-1]
        flat = np.ascontiguousarray(xp).reshape(n, -1)
        length = oh * padded_w - dilation[1] * (kw - 1)
        wide = _scratch("taps", n * oh * padded_w, xp.dtype).reshape(n, oh * padded_w)  # last Wp - OW per row unused
        target, scratch = wide[:, :length], _scratch("tap", n * length, xp.dtype).reshape(n, length)
        for k, (u, v) in enumerate(itertools.product(range(kh), range(kw))):
            start = u * dilation[0] * padded_w + v * dilation[1]
            np.multiply(flat[:, start:start + length], weight[0, 0, u, v], out=target if k == 0 else scratch)
            if k:
                target += scratch
        out[:, 0] = wide.reshape(n, oh, padded_w)[..., :ow]
        return out
    scratch = np.empty((n, oh, ow), dtype=xp.dtype)
    for k, (u, v) in enumerate(itertools.product(range(kh), range(kw))):
        rows, cols = offset_slices((u, v), stride, dilation, (oh, ow))
        np.multiply(xp[:, 0, rows, cols], weight[0, 0, u, v], out=out[:, 0] if k == 0 else scratch)
        if k:
            out[:, 0] += scratch
    return out


def conv_backward(grad_out, x, weight, stride, pads, dilation, input_grad=True):
    """``conv2d_backward`` on checked, non-empty arrays; returns ``(grad_x or None, grad_weight, grad_bias)``."""
    n, c, height, width = x.shape
    o, _, kh, kw = weight.shape
    oh, ow = grad_out.shape[-2:]
    xp = _empty_padded(x, pads)  # padded block by block, by the threads (see _pad_in_blocks)
    # grad_weight: im2col rows times grad_out rows, summed over the batch; grad_bias: grad_out summed.
    full_pads = _full_pads(weight.shape, pads, dilation)
    route = _input_grad_route(weight, stride, pads, full_pads) if input_grad else None
    as_forward, by_shares = route == "forward", route == "shares"  # by shares widens grad_out anyway
    if stride == (1, 1) and (_widens_grad_out(weight) or by_shares) and all_finite(x):
        # Flattened-row trick (see _WIDE_GRAD_MIN): the discarded positions get zero gradient, and
        # 0 * x is 0 for finite x.
        row_length = xp.shape[-1]
        windows = wide_window_view(xp, (kh, kw), dilation)
        # When the input gradient is a forward pass over grad_out padded by full_pads (see
        # _conv_input_grad) with this row length, g_wide is made inside that padded grad_out
        # (g_padded): it is the same array plus zero rows around, and the padding is done here.
        padded_here = (as_forward and ow + full_pads[2] + full_pads[3] == row_length
                       and full_pads[2] <= full_pads[1] * row_length)  # and the last row's zeros fit
        if not padded_here:
            full_pads = (0, 0, 0, 0)
        head = full_pads[0] * row_length + full_pads[2]  # zeros before grad_out's first value
        g_padded = np.empty((n, o, oh + full_pads[0] + full_pads[1], row_length), dtype=x.dtype)
        g_flat = g_padded.reshape(n, o, -1)[:, :, head:head + oh * row_length]  # filled a block at a time: g_rows
        g_wide = g_flat.reshape(n, o, oh, row_length)

        def g_rows(block):  # grad_out's rows r0:r1 of images b0:b1, zero at the discarded positions
            b0, b1, r0, r1 = block
            g_wide[b0:b1, :, r0:r1, :ow] = grad_out[b0:b1, :, r0:r1]
            g_wide[b0:b1, :, r0:r1, ow:] = 0
            padded = g_padded[b0:b1].reshape(b1 - b0, o, -1)
            if r0 == 0:
                padded[..., :head] = 0
            if r1 == oh:
                padded[..., head + oh * row_length:] = 0
    else:
        row_length, windows = None, window_view(xp, (kh, kw), stride, dilation, (oh, ow))
        g_wide, g_padded, g_flat, padded_here = None, None, grad_out.reshape(n, o, oh * ow), False
    parallel = worth_threads(2 * g_flat.size * c * kh * kw, x.dtype)
    blocks, per_row = _im2col_plan(windows, row_length, parallel)
    fill = _pad_in_blocks(xp, x, pads, blocks, parallel)
    # Which way round the product (O, P) @ (P, CKK) is faster depends on the BLAS kernel's tile:
    # for OpenBLAS's float32 kernels, with the result's longer side along the tile's long side.
    transposed = x.dtype == np.float32 and c * kh * kw >= o
    ones = np.ones(g_flat.shape[-1], dtype=x.dtype)

    def partial_sums(block):  # this block's shares of grad_weight (as (CKK, O)) and of grad_bias
        fill(block)
        if g_wide is not None:
            g_rows(block)
        b0, b1, start, stop, cols = _im2col(windows, block, per_row, row_length)
        g = g_flat[b0:b1, :, start:stop]
        bias = (g @ ones[:stop - start]).sum(axis=0)  # a BLAS product with ones sums faster than np.sum
        if transposed:
            return np.matmul(cols, g.transpose(0, 2, 1)).sum(axis=0).T, bias
        return np.matmul(g, cols.transpose(0, 2, 1)).sum(axis=0), bias  # the BLAS reads cols transposed in place

    grad_weight = np.zeros(weight.shape, dtype=x.dtype)
    grad_w_rows, grad_bias = grad_weight.reshape(o, c * kh * kw), np.zeros(o, dtype=x.dtype)
    for part_w, part_b in _POOL.map(partial_sums, blocks, parallel):  # block order: same sums on any thread count
        grad_w_rows += part_w
        grad_bias += part_b
    if not input_grad:
        return None, grad_weight, grad_bias
    grad_x = _conv_input_grad(grad_out, weight, xp.shape, stride, pads, dilation, (height, width), route,
                              g_wide, g_padded if padded_here else None)
    return grad_x, grad_weight, grad_bias


def _full_pads(weight_shape, pads, dilation):
    """The padding of ``grad_out`` that makes the input gradient a full correlation (see _conv_input_grad)."""
    kh, kw = weight_shape[2:]
    spans = (dilation[0] * (kh - 1), dilation[1] * (kw - 1))
    return (spans[0] - pads[0], spans[0] - pads[1], spans[1] - pads[2], spans[1] - pads[3])


def _widens_grad_out(weight) -> bool:
    """Whether the weight gradient uses the flattened-row trick for its own sake (see _WIDE_GRAD_MIN)."""
    o, c, kh, kw = weight.shape
    return c * kh * kw > _WIDE_GRAD_MIN * o


def _input_grad_route(weight, stride, pads, full_pads) -> str:
    """How :func:`_conv_input_grad` computes the input gradient: ``"forward"``, ``"shares"`` or ``"scatter"``.

    A forward pass for many input channels (its product is then large enough), else the shares.
    Both multiply the weights by zeros that are not terms of the gradient: exact only when 0 * w
    is 0, i.e. every weight is finite; otherwise each offset scatters its part.
    """
    if not all_finite(weight):
        return "scatter"
    o, c = weight.shape[:2]
    if stride == (1, 1) and c >= _MANY_CHANNELS and min(full_pads) >= 0:
        # The forward pass reads grad_out padded by full_pads. That padding is free when the
        # weight gradient widens grad_out (the flattened-row trick) and the padding is "same"
        # across: the widened rows are then as long as the padded ones, and conv_backward widens
        # grad_out inside its padding. Otherwise the padding is one more copy of all O channels,
        # and from twice as many output channels as input channels on, the shares cost less.
        widened = _widens_grad_out(weight)
        same_across = full_pads[2] + full_pads[3] == pads[2] + pads[3]
        if (widened and same_across) or o < 2 * c:
            return "forward"
    return "shares"


def _conv_input_grad(grad_out, weight, padded_shape, stride, pads, dilation, size, route, g_wide=None,
                     g_padded=None):
    """Gradient with respect to the (unpadded) input, shape (N, C, H, W), the way ``route`` says.

    ``route`` is :func:`_input_grad_route`'s answer. ``g_wide``, if given, is ``grad_out`` with
    zero columns where the flattened padded rows straddle two rows (see :func:`conv_backward`),
    shape (N, O, OH, Wp); ``g_padded``, if given, is ``grad_out`` already padded by :func:`_full_pads`.
    """
    n, o, oh, ow = grad_out.shape
    _, c, kh, kw = weight.shape
    if route == "forward":
        # Many input channels: the input gradient is a full correlation of grad_out with the
        # flipped kernel, channels swapped: one forward pass, whose product is large enough.
        flipped = np.ascontiguousarray(weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])  # (C, O, KH, KW)
        if g_padded is not None:
            return conv_forward(g_padded, flipped, (1, 1), (0, 0, 0, 0), dilation)
        return conv_forward(grad_out, flipped, (1, 1), _full_pads(weight.shape, pads, dilation), dilation)
    if route == "shares":
        return _input_grad_by_shares(grad_out, weight, padded_shape, stride, pads, dilation, size, g_wide)
    # The plain way: each kernel offset scatters W[:, :, u, v].T @ grad_out into its strided slice.
    grad_xp = np.zeros(padded_shape, dtype=grad_out.dtype)
    g_rows = grad_out.reshape(n, o, oh * ow)

    def scatter(batch):  # images b0:b1
        b0, b1 = batch
        contribution = np.empty((b1 - b0, c, oh * ow), dtype=grad_out.dtype)
        for u in range(kh):
            for v in range(kw):
                rows, cols = offset_slices((u, v), stride, dilation, (oh, ow))
                np.matmul(weight[:, :, u, v].T, g_rows[b0:b1], out=contribution)  # (n, C, OH*OW)
                grad_xp[b0:b1, :, rows, cols] += contribution.reshape(b1 - b0, c, oh, ow)

    parallel = worth_threads(2 * g_rows.size * c * kh * kw, grad_out.dtype)
    _POOL.map(scatter, _batch_blocks(n, parallel), parallel)
    grad_x = grad_xp[..., pads[0]:pads[0] + size[0], pads[2]:pads[2] + size[1]]
    return np.ascontiguousarray(grad_x)


def _input_grad_by_shares(grad_out, weight, padded_shape, stride, pads, dilation, size, g_wide=None):
    """The input gradient as each kernel offset's share, ``W[:, :, u, v].T @ grad_out``, added where it was read.

    Split the padded gradient into its stride phases: phase ``(r, s)`` holds the rows ``r, r + sh,
    ...`` and the columns ``s, s + sw, ...`` (stride 1 has one phase: the padded gradient itself).
    Offset (u, v) read phase ``(u*dh % sh, v*dw % sw)``, starting at row ``u*dh // sh`` and column
    ``v*dw // sw``: its share goes to a contiguous run of that phase's flattened rows, once
    ``grad_out`` has zero columns where those runs straddle two rows (the flattened-row trick).
    A block of positions at a time, ONE product gives every offset's share.
    """
    n, o, oh, ow = grad_out.shape
    _, c, kh, kw = weight.shape
    (sh, sw), (dh, dw) = stride, dilation
    rows, cols = -(-padded_shape[-2] // sh), -(-padded_shape[-1] // sw)  # a phase's height and width
    offsets = list(itertools.product(range(kh), range(kw)))
    placed = [((u * dh % sh) * sw + v * dw % sw, (u * dh // sh) * cols + v * dw // sw) for u, v in offsets]
    length = oh * cols - dw * (kw - 1) // sw  # positions (i, j) at i*cols + j; the last row's tail unused
    taps = kh * kw
    w_taps = np.ascontiguousarray(weight.transpose(2, 3, 1, 0)).reshape(taps * c, o)  # rows (u, v, c)
    phases = np.zeros((n, c, sh * sw, rows * cols), dtype=grad_out.dtype)
    parallel = worth_threads(2 * n * o * oh * cols * taps * c, grad_out.dtype)
    batches = _batch_blocks(n, parallel)
    images = batches[0][1]
    # Blocks of positions; a block's shares reach ``reach`` positions beyond it, so blocks two
    # apart never write the same place: even blocks run together, then odd ones (in that order
    # on one thread too: each sum is then added in the same order on any thread count).
    reach = max(start for _, start in placed)
    block = max(256, reach, _INPUT_GRAD_BUDGET_BYTES // (images * taps * c * grad_out.itemsize))
    spans = [(p0, min(p0 + block, length)) for p0 in range(0, length, block)]
    if g_wide is None:
        g_wide = np.zeros((n, o, oh, cols), dtype=grad_out.dtype)
        g_wide[..., :ow] = grad_out
    g_wide = g_wide.reshape(n, o, oh * cols)

    def shares(task):  # images b0:b1, positions p0:p1
        (b0, b1), (p0, p1) = task
        buffer = _scratch("shares", (b1 - b0) * taps * c * block, grad_out.dtype)
        part = buffer[:(b1 - b0) * taps * c * (p1 - p0)].reshape(b1 - b0, taps * c, p1 - p0)
        np.matmul(w_taps, g_wide[b0:b1, :, p0:p1], out=part)  # (n, KK*C, positions)
        part = part.reshape(b1 - b0, taps, c, p1 - p0)
        for k, (phase, start) in enumerate(placed):
            phases[b0:b1, :, phase, start + p0:start + p1] += part[:, k]

    for parity in (0, 1):
        _POOL.map(shares, [(batch, span) for batch in batches for span in spans[parity::2]], parallel)
    # Each phase, cropped to the unpadded input, goes back to its rows and columns of the result.
    phases = phases.reshape(n, c, sh, sw, rows, cols)
    grad_x = np.empty((n, c, *size), dtype=grad_out.dtype)

    def crop(batch):  # images b0:b1
        b0, b1 = batch
        for r, s in itertools.product(range(sh), range(sw)):
            y0, x0 = (r - pads[0]) % sh, (s - pads[2]) % sw  # the phase's first row and column in the input
            q0, c0 = (y0 + pads[0]) // sh, (x0 + pads[2]) // sw  # the same in the phase
            ny, nx = len(range(y0, size[0], sh)), len(range(x0, size[1], sw))
            grad_x[b0:b1, :, y0::sh, x0::sw] = phases[b0:b1, :, r, s, q0:q0 + ny, c0:c0 + nx]

    _POOL.map(crop, batches, parallel)
    return grad_x


def _batch_blocks(n: int, parallel: bool) -> list[tuple[int, int]]:
    """``(b0, b1)`` blocks of the batch: ``_MIN_BLOCKS`` for ``parallel`` work, else one (on any thread count)."""
    size = -(-n // min(n, _MIN_BLOCKS if parallel else 1))
    return [(b, min(b + size, n)) for b in range(0, n, size)]
