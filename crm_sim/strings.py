"""Keep pandas' python-backed strings in the simulation, now that pyarrow is installed.

Why: the store needs pyarrow (the ADBC driver speaks Arrow), and with pyarrow present
pandas 3 backs every string column with Arrow by default. That changes behaviour a
trainee or an evaluator can see: ``Series.map`` with a dict of dicts, for one, turns the
dicts into Arrow structs and fills keys the dict never had. Worlds, notebooks and
evaluators were written and tested on python-backed strings, so this module pins them,
unless someone chose a storage on purpose (the option is only changed from "auto").
"""

from __future__ import annotations

import pandas as pd


def keep_python_strings() -> None:
    """Use python-backed pandas strings unless a storage was chosen explicitly."""
    if pd.get_option("mode.string_storage") == "auto":
        pd.set_option("mode.string_storage", "python")


keep_python_strings()
