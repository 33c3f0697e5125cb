"""The ``%%symgrad`` cell magic, loaded with ``%load_ext symgrad``.

It runs the cell in one Session shared by the whole notebook and shows every
result richly (LaTeX, SVG plots). As rpy2's ``%%R``: ``-i X`` copies the
NumPy array (or number) ``X`` from Python into the session before the cell
runs, ``-o W1`` copies the numeric value ``W1`` back out as a NumPy array
(a float for a scalar) after it; both may repeat or list names with commas.
"""

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from . import Error, Session


def _names(groups):
    """``["X", "y,z"]`` -> ``["X", "y", "z"]``."""
    return [name.strip() for group in groups for name in group.split(",") if name.strip()]


@magics_class
class SymgradMagics(Magics):
    """The ``%%symgrad`` magic and the notebook's session."""

    def __init__(self, shell):
        super().__init__(shell)
        self.session = Session()

    @magic_arguments()
    @argument(
        "-i",
        "--input",
        action="append",
        default=[],
        metavar="NAME",
        help="copy the NumPy array or number NAME from Python into the session",
    )
    @argument(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="NAME",
        help="copy the numeric value NAME out to Python as a NumPy array",
    )
    @cell_magic
    def symgrad(self, line, cell):
        """Run the cell as symgrad statements (``%%symgrad -i X -o W1``)."""
        args = parse_argstring(self.symgrad, line)
        for name in _names(args.input):
            if name not in self.shell.user_ns:
                raise Error(f"error: -i {name}: there is no Python variable '{name}'")
            try:
                self.session[name] = self.shell.user_ns[name]
            except (TypeError, ValueError) as e:
                raise Error(f"error: -i {name}: {e}") from None
        self.session.run(cell, origin="<cell>", on_result=display)
        for name in _names(args.output):
            try:
                self.shell.user_ns[name] = self.session[name]
            except KeyError:
                raise Error(f"error: -o {name}: '{name}' is not bound in the session") from None
