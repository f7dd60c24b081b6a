"""Project-wide pytest set-up.

nbval executes cells with ``store_history=False``. IPython decides whether a trailing ``;``
silences a cell's result by reading the *history*, so under nbval ``plot(...);`` shows its figure
twice and every such cell fails, although Jupyter shows it once. We run cells as Jupyter does,
with history on, so that a notebook behaves the same in JupyterLab, in nbconvert and in the tests.
"""

import nbval.kernel


def _execute_like_jupyter(self, cell_input, allow_stdin=None):
    return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)


nbval.kernel.RunningKernel.execute_cell_input = _execute_like_jupyter
