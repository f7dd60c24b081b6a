"""Notebook 00 (welcome): what the notebooks run on.

:func:`environment_report` (Python, the key packages, the CPU and the BLAS that does the matrix
products) and :func:`missing_packages`, the check the notebook runs first. The notebook's kernel
slider is :class:`cnnhelpers.kernel_editor.KernelEditor`, shared with notebook 01.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys

__all__ = ["REQUIRED", "missing_packages", "blas_info", "environment_report"]


# import name -> what it is for in the series
REQUIRED = {
    "numpy": "arrays and the convolution arithmetic",
    "matplotlib": "every figure",
    "ipywidgets": "the sliders",
    "ipycanvas": "the drawing pad of notebook 06",
    "skimage": "the photographs (scikit-image)",
    "PIL": "image files (Pillow)",
    "tqdm": "progress bars while training",
    "threadpoolctl": "which BLAS runs the matrix products",
}


def missing_packages() -> list[str]:
    """Import names from :data:`REQUIRED` that cannot be imported (an empty list when all is well)."""
    missing = []
    for name in REQUIRED:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def blas_info() -> list[dict]:
    """The BLAS libraries loaded in this process, as reported by threadpoolctl.

    Each entry has ``library`` (e.g. openblas), ``version``, ``kernel`` (the CPU kernel it chose,
    e.g. Haswell) and ``threads``.
    """
    import numpy as np  # noqa: F401  (loads numpy's BLAS so threadpoolctl can see it)
    from threadpoolctl import threadpool_info

    return [{"library": info.get("internal_api"), "version": info.get("version"),
             "kernel": info.get("architecture"), "threads": info.get("num_threads")}
            for info in threadpool_info() if info.get("user_api") == "blas"]


def environment_report() -> str:
    """A few lines describing Python, the key packages, the CPU and the BLAS.

    Examples
    --------
    >>> "numpy" in environment_report()
    True
    """
    # The interpreter's kind (a virtual environment or not), not its path: a path names one machine.
    where = "virtual environment" if sys.prefix != sys.base_prefix else "system Python"
    lines = [f"Python         {platform.python_version()} ({platform.python_implementation()}, {where})",
             f"machine        {platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()}"]
    for name in ["cnnhelpers", *REQUIRED]:
        try:
            module = importlib.import_module(name)
            lines.append(f"{name:<15}{getattr(module, '__version__', '?')}")
        except ImportError:
            lines.append(f"{name:<15}MISSING: needed for {REQUIRED[name]}")
    for info in blas_info():
        lines.append(f"BLAS           {info['library']} {info['version']}, kernel {info['kernel']}, "
                     f"{info['threads']} threads")
    return "\n".join(lines)
