"""The README's Python examples (`>>>` lines) print what the README shows."""

import doctest
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_examples_print_what_they_show():
    text = README.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs = {}
    blocks = 0
    # Each fenced block with `>>>` lines, in order, in one namespace.
    for block in re.finditer(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M):
        if ">>> " not in block.group(1):
            continue
        blocks += 1
        line = text.count("\n", 0, block.start(1))
        runner.run(parser.get_doctest(block.group(1), globs, "README.md", str(README), line))
    assert blocks, "the README has no >>> examples"
    failed, tried = runner.summarize(verbose=False)
    assert failed == 0, f"{failed} of {tried} README examples print something else (see above)"
