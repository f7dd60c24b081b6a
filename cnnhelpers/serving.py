"""How ``make playground`` serves the kernel playground to visitors without running out of memory.

Voilà starts one Python kernel per visit (about 150 MB each, see the README) and, by default,
keeps it until the server stops, even after the visitor has closed the page. Two limits reclaim
them: jupyter_server's culler shuts down kernels idle for ``cull_idle_timeout`` seconds (set on
the command line in the Makefile), and :class:`CappedKernelManager` refuses a new visit while
``max_kernels`` kernels are running, with a message, instead of starting one more.
"""

from __future__ import annotations

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer

__all__ = ["CappedKernelManager"]


class CappedKernelManager(AsyncMappingKernelManager):
    """A kernel manager that runs at most ``max_kernels`` kernels at once.

    Select it with ``--VoilaConfiguration.multi_kernel_manager_class=cnnhelpers.serving.CappedKernelManager``
    and set the cap with ``--CappedKernelManager.max_kernels=N``. Kernels being started count too,
    so that visits arriving together cannot overshoot the cap.
    """

    max_kernels = Integer(20, config=True, help="Most kernels running at once; a visit beyond it gets HTTP 503.")

    _starting = 0

    async def start_kernel(self, *args, **kwargs) -> str:
        if kwargs.get("kernel_id") is None:  # a new kernel, not a restart
            running = len(self.list_kernel_ids()) + self._starting
            if running >= self.max_kernels:
                raise web.HTTPError(503, reason=f"The playground is full ({self.max_kernels} visitors at once); "
                                                f"try again in a few minutes: idle visits are closed automatically")
        self._starting += 1
        try:
            return await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1
