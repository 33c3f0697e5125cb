"""The symgrad Jupyter kernel: a thin ipykernel wrapper over ``Session``.

Installed with the package (kernelspec ``symgrad``); ``python -m
symgrad.kernel -f CONNECTION_FILE`` starts it. Results display richly
(LaTeX, SVG plots), Tab completes names and functions, Shift-Tab shows
``:help NAME``, and an interrupt stops a long ``descend`` with the session
kept.
"""

import contextlib
import re

from ipykernel.kernelbase import Kernel

from . import Error, Session, __version__

#: A name, or a ``:`` command, ending at the cursor.
_WORD_BEFORE = re.compile(r":?[A-Za-z_][A-Za-z0-9_]*$|:$")
#: The rest of a name after the cursor.
_WORD_AFTER = re.compile(r"^[A-Za-z0-9_]*")


class SymgradKernel(Kernel):
    implementation = "symgrad"
    implementation_version = __version__
    language = "symgrad"
    language_version = __version__
    language_info = {
        "name": "symgrad",
        "version": __version__,
        "mimetype": "text/x-symgrad",
        "file_extension": ".sg",
    }
    banner = "symgrad — symbolic algebra and gradients. Type :help for help."

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # (`self.session` is the kernel's messaging session.)
        self.symgrad = Session()

    def _show(self, result, silent, kind="display_data"):
        if silent:
            return
        content = {"data": result._repr_mimebundle_(), "metadata": {}}
        if kind == "execute_result":
            content["execution_count"] = self.execution_count
        self.send_response(self.iopub_socket, kind, content)

    def do_execute(
        self,
        code,
        silent,
        store_history=True,
        user_expressions=None,
        allow_stdin=False,
        *,
        cell_id=None,
    ):
        # Every result but the last is display data; the last is the
        # cell's execute result (Out[n]).
        pending = []

        def on_result(result):
            if pending:
                self._show(pending.pop(), silent)
            pending.append(result)

        try:
            with contextlib.redirect_stdout(_Stdout(self, silent)):
                self.symgrad.run(code, origin="<cell>", on_result=on_result)
        except (Error, KeyboardInterrupt) as e:
            for result in pending:
                self._show(result, silent)
            return self._error(e, silent)
        for result in pending:
            self._show(result, silent, "execute_result")
        return {
            "status": "ok",
            "execution_count": self.execution_count,
            "payload": [],
            "user_expressions": {},
        }

    def _error(self, error, silent):
        if isinstance(error, KeyboardInterrupt):
            name, traceback = "KeyboardInterrupt", ["interrupted: the session is kept"]
        else:
            name, traceback = "Error", error._render_traceback_()
        content = {"ename": name, "evalue": str(error), "traceback": traceback}
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    def do_is_complete(self, code):
        if Session.is_complete(code):
            return {"status": "complete"}
        return {"status": "incomplete", "indent": ""}

    def do_complete(self, code, cursor_pos):
        word = _WORD_BEFORE.search(code[:cursor_pos])
        prefix = word.group() if word else ""
        start = cursor_pos - len(prefix)
        matches = sorted({n for n in self.symgrad.completions() if n.startswith(prefix)})
        return {
            "status": "ok",
            "matches": matches,
            "cursor_start": start,
            "cursor_end": cursor_pos,
            "metadata": {},
        }

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        before = _WORD_BEFORE.search(code[:cursor_pos])
        after = _WORD_AFTER.match(code[cursor_pos:])
        word = (before.group() if before else "") + after.group()
        data = {}
        if word:
            try:
                data = self.symgrad.run(f":help {word}")._repr_mimebundle_()
            except Error:
                pass
        return {"status": "ok", "found": bool(data), "data": data, "metadata": {}}


class _Stdout:
    """Progress lines of `descend` and `sgd`, sent as the cell's stdout."""

    def __init__(self, kernel, silent):
        self.kernel, self.silent = kernel, silent

    def write(self, text):
        if text and not self.silent:
            content = {"name": "stdout", "text": text}
            self.kernel.send_response(self.kernel.iopub_socket, "stream", content)
        return len(text)

    def flush(self):
        pass


if __name__ == "__main__":
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(kernel_class=SymgradKernel)
