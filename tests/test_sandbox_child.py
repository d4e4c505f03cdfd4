"""The grading child's own start-up: what it skips importing keeps notebooks validated."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from autograders.sandbox.child import _skip_iri_grammar
_skip_iri_grammar()
import nbformat
from nbformat.v4 import new_code_cell, new_notebook
nb = new_notebook(cells=[new_code_cell("x = 1")])
nbformat.validate(nb)
bad = new_notebook(cells=[new_code_cell("x = 1")])
bad.cells[0]["cell_type"] = "not-a-type"
try:
    nbformat.validate(bad)
    print("INVALID-ACCEPTED")
except nbformat.ValidationError:
    print("INVALID-REFUSED")
loaded = [m for m in sys.modules if m.startswith("rfc3987_syntax") and sys.modules[m]]
print("GRAMMAR", loaded)
"""


def test_child_skips_the_iri_grammar_and_still_validates_notebooks():
    """Without rfc3987_syntax the child still validates notebooks and refuses a bad one."""
    out = subprocess.run([sys.executable, "-I", "-c", PROBE], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "INVALID-REFUSED" in out
    assert "GRAMMAR []" in out
