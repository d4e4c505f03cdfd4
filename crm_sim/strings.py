"""Keep pandas' python-backed strings in the simulation, now that pyarrow is installed.

Why: the store needs pyarrow (the ADBC driver speaks Arrow), and with pyarrow present
pandas 3 backs every string column with Arrow by default. That changes behaviour a
trainee or an evaluator can see: ``Series.map`` with a dict of dicts, for one, turns the
dicts into Arrow structs and fills keys the dict never had. Worlds, notebooks and
evaluators were written and tested on python-backed strings, so this module pins them,
unless someone chose a storage on purpose (the option is only changed from "auto").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.arrays import StringArray

# the dtype `pd.array(values, dtype="string")` gives once `keep_python_strings` has run
PYTHON_STRING = pd.StringDtype(storage="python", na_value=pd.NA)


def keep_python_strings() -> None:
    """Use python-backed pandas strings unless a storage was chosen explicitly."""
    if pd.get_option("mode.string_storage") == "auto":
        pd.set_option("mode.string_storage", "python")


def wrap_python_strings(values: np.ndarray) -> StringArray:
    """A python-backed string array around `values` itself: no copy, no per-element check.

    Why: ``pd.array(values, dtype="string")`` copies the array and looks at every element
    to turn non-strings into text, which is a third of building a 100,000-customer world
    and most of loading one. The engine's text columns need neither: they are object arrays
    of ``str`` it has just made (`crm_sim.textcols`, numpy indexing of str pools, text
    read back from Arrow), with ``pd.NA`` for a missing value. So the caller must hand
    over an object ndarray of ``str``/``pd.NA`` only, that nothing else will modify;
    anything else (a list, None or NaN for missing, numbers) goes through ``pd.array``.
    """
    return StringArray._simple_new(values, PYTHON_STRING)


keep_python_strings()
