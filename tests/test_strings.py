"""Tests of crm_sim.strings: python-backed text columns, and wrapping the engine's own arrays."""

import numpy as np
import pandas as pd

from crm_sim.population import to_frame
from crm_sim.strings import PYTHON_STRING, wrap_python_strings


def test_string_columns_are_python_backed():
    """Importing the engine pins pandas' "string" dtype to python storage with <NA>."""
    built = pd.array(["a", None], dtype="string")
    assert built.dtype == PYTHON_STRING
    assert built.dtype.storage == "python" and built[1] is pd.NA


def test_wrapped_array_equals_pd_array_without_copying():
    """wrap_python_strings gives pd.array's dtype and values, around the same object array."""
    values = np.array(["陳大文", "", pd.NA, "a'b"], dtype=object)
    wrapped = wrap_python_strings(values)
    expected = pd.array(np.array(["陳大文", "", None, "a'b"], dtype=object), dtype="string")
    pd.testing.assert_extension_array_equal(wrapped, expected)
    assert wrapped.dtype == expected.dtype
    assert wrapped._ndarray is values


def test_to_frame_takes_arrays_once_and_copies_a_repeat():
    """to_frame gives schema dtypes; one array given for two columns backs only one of them."""
    ids = np.array(["P001", "P002"], dtype=object)
    frame = to_frame("products", {
        "product_id": ids,
        "name": ids,                                    # same array again: must be copied
        "category": ["broadband", "mobile"],            # a list still converts as before
        "price": np.array([1.5, 2.0]),
        "segment_fit": np.array(["sme", "consumer"], dtype=object),
    })
    assert frame.dtypes.astype(str).tolist() == ["string", "string", "string", "float64",
                                                 "string"]
    frame.loc[0, "name"] = "changed"
    assert frame.loc[0, "product_id"] == "P001"
    assert frame["category"].tolist() == ["broadband", "mobile"]
