"""autograders: hidden-seed evaluation, sandboxed autograding, criterion mapping, reports.

Importing the package marks ``rfc3987_syntax`` as absent. jsonschema (pulled in by
nbformat) imports it when installed and builds a parser at import time: about 1.6 s in
every process that reads a notebook (the CLI, each grading worker, each sandboxed run),
for an "iri" format check that notebook validation never uses. jsonschema guards that
import with ImportError and simply skips the one checker.
"""

import sys

SKIPPED_MODULES = ("rfc3987_syntax",)

for _name in SKIPPED_MODULES:
    sys.modules.setdefault(_name, None)  # type: ignore[arg-type]
