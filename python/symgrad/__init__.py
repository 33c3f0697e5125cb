"""symgrad: symbolic algebra and gradients for machine-learning losses.

>>> import symgrad
>>> s = symgrad.Session()
>>> print(s.run("diff(x^3, x)"))
3*x^2

``Session.run`` runs statements of the symgrad language and returns the last
result (rich output in notebooks); ``s["X"] = array`` binds data, ``s["W"]``
reads a numeric value back and ``s.eval("L", W=array)`` evaluates an
expression at given values. ``%load_ext symgrad`` adds the ``%%symgrad``
cell magic to IPython; ``symgrad`` is also a Jupyter kernel.
"""

from ._symgrad import Error, Result, Session, __version__

__all__ = ["Error", "Result", "Session", "__version__"]


def load_ipython_extension(ipython):
    """``%load_ext symgrad``: registers the ``%%symgrad`` cell magic."""
    from .magic import SymgradMagics

    ipython.register_magics(SymgradMagics(ipython))


def _render_traceback_(error):
    """How IPython and the kernel show an Error: the REPL's message with
    ``error`` in red, not a Python traceback."""
    from ._symgrad import colour_error

    return colour_error(str(error)).splitlines()


Error._render_traceback_ = _render_traceback_
