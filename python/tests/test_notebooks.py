"""The example notebooks, executed with nbclient: the %%symgrad ones on the
Python kernel, one on the symgrad kernel. The outputs of the cells
translated from examples/NAME.sg must be what the CLI prints for the script
(examples/NAME.out, checked by the Rust tests); the NumPy cells assert
their own checks (-i/-o round trips against NumPy)."""

import pathlib
import xml.etree.ElementTree as ET

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
NOTEBOOKS = sorted((EXAMPLES / "notebooks").glob("*.ipynb"))


def shown_text(cell):
    """The text a terminal would show for a cell's outputs."""
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream" and out.name == "stdout":
            parts.append(out.text)
        elif out.output_type in ("display_data", "execute_result"):
            parts.append(out.data["text/plain"] + "\n")
        elif out.output_type == "error" or out.output_type == "stream":
            raise AssertionError(f"unexpected output in\n{cell.source}\n{out}")
    return "".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_shows_what_the_cli_prints(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    example = [c for c in nb.cells if "example" in c.metadata.get("tags", [])]
    assert example
    script = path.stem.removesuffix("_kernel")
    expected = (EXAMPLES / f"{script}.out").read_text()
    assert "".join(shown_text(c) for c in example) == expected
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    latex = [o.data["text/latex"] for o in outputs if "text/latex" in o.get("data", {})]
    assert latex and all(t.startswith("$\\displaystyle ") and t.endswith("$") for t in latex)
    for o in outputs:
        if "image/svg+xml" in o.get("data", {}):
            assert ET.fromstring(o.data["image/svg+xml"]).tag.endswith("svg")


def test_errors_in_the_magic_are_a_short_message(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext symgrad"),
        nbformat.v4.new_code_cell("%%symgrad\na = 1\nb = a +\nc = 2"),
        nbformat.v4.new_code_cell("%%symgrad -i missing\n1"),
    ]
    for cell in nb.cells[1:]:
        cell.metadata["tags"] = ["raises-exception"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=60).execute()
    syntax, missing = (c.outputs for c in nb.cells[1:])
    assert [o.output_type for o in syntax] == ["error"]
    traceback = "\n".join(syntax[0].traceback)
    assert traceback.startswith("\x1b[1;31merror\x1b[0m: ")
    assert "<cell>:2:" in traceback and "b = a +" in traceback
    assert "Traceback" not in traceback and len(syntax[0].traceback) <= 8
    assert "there is no Python variable 'missing'" in "\n".join(missing[0].traceback)
