"""Turn whatever a trainee hands to `submit` into plain JSON data, or refuse it.

Why this exists: the grader must never compare against an object built by trainee code.
An object whose ``__eq__`` always returns True, or a ``str`` subclass lying about its
contents, would pass any equality check made on it. So at the kernel boundary every value
becomes dict/list/str/int/float/bool/None built by *this* code, using the base types'
own methods (``str.__str__``, ``int.__index__``...) so an overriding subclass cannot
intervene. Anything we do not know how to copy faithfully is rejected with a message
that tells the trainee what to submit instead.

Tagged forms (so evaluators can rebuild rich values with `to_frame` / `to_series`):
- DataFrame -> ``{"__frame__": {"columns": [...], "records": [[...], ...]}}``
- Series    -> ``{"__series__": {"name": ..., "index": [...], "values": [...]}}``
- function  -> ``{"__function__": name, "source": "def ...", "qualname": ...}``
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import inspect
import math
import textwrap
import types
from typing import Any

from crm_sim.errors import FieldError

MAX_DEPTH = 40               # deeper than any honest answer; stops self-referencing lists
MAX_ITEMS = 2_000_000        # total containers' items: stops a billion-element generator

_ALLOWED = (
    "a DataFrame, Series, dict, list, tuple, str, int, float, bool, None, a date, "
    "a numpy scalar/array, a dataclass, or a function defined in the notebook"
)


class SubmitError(FieldError):
    """The value handed to `submit` cannot be turned into plain data."""

    def __init__(self, grade_id: str, value: Any, why: str, fix: str):
        self.grade_id, self.why = grade_id, why
        shown = f"<{type(value).__module__}.{type(value).__qualname__}>"
        super().__init__(f"submit({grade_id!r}) value", shown, _ALLOWED,
                         f"{why}. {fix[:1].upper()}{fix[1:]}")


class _Walker:
    """One conversion: counts items so a huge or cyclic value fails fast, not slowly."""

    def __init__(self, grade_id: str):
        self.grade_id = grade_id
        self.items = 0

    def fail(self, value: Any, why: str, fix: str) -> SubmitError:
        return SubmitError(self.grade_id, value, why, fix)

    def count(self, n: int, value: Any) -> None:
        self.items += n
        if self.items > MAX_ITEMS:
            raise self.fail(value, f"the value holds more than {MAX_ITEMS:,} items",
                            "submit only the table or list the question asks for")

    def convert(self, value: Any, depth: int = 0) -> Any:  # noqa: C901 - one dispatch table
        if depth > MAX_DEPTH:
            raise self.fail(value, f"the value is nested more than {MAX_DEPTH} levels deep "
                            "(or refers to itself)", "submit a flat table, dict or list")
        # Exact plain types first (fast path). bool before int: bool is an int subclass.
        if value is None or type(value) is bool:
            return value
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, str):
            return str.__str__(value)        # a subclass's __str__/__eq__ cannot intervene
        if isinstance(value, int):
            return int.__index__(value)
        if isinstance(value, float):
            f = float.__float__(value)
            return None if math.isnan(f) or math.isinf(f) else f
        if isinstance(value, dict):
            return self._mapping(value, dict.items(value), depth)
        if isinstance(value, (list, tuple)):
            seq = list.__iter__(value) if isinstance(value, list) else tuple.__iter__(value)
            return self._sequence(value, seq, depth)
        if isinstance(value, (set, frozenset)):
            try:
                items = sorted(value)
            except TypeError:
                items = list(value)
            return self._sequence(value, iter(items), depth)
        if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
            return value.isoformat()
        if isinstance(value, _dt.timedelta):
            return value.total_seconds()
        if isinstance(value, decimal.Decimal):
            return self.convert(float(value), depth + 1)
        if isinstance(value, (types.FunctionType, types.LambdaType)):
            return self._function(value)
        mod = type(value).__module__ or ""
        if mod.startswith(("numpy", "pandas")):
            return self._scientific(value, depth)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            out = {}
            for f in dataclasses.fields(value):
                out[f.name] = self.convert(getattr(value, f.name), depth + 1)
            return out
        for method in ("to_dict", "to_records"):
            fn = getattr(type(value), method, None)
            if callable(fn):
                return self.convert(fn(value), depth + 1)
        if type(value).__eq__ is not object.__eq__:
            raise self.fail(value, "objects of your own classes (here one that defines its own "
                            "__eq__) cannot be graded", "submit the plain data it holds, "
                            "e.g. a dict or a DataFrame")
        raise self.fail(value, f"a {type(value).__qualname__} object cannot be graded",
                        "submit the plain data it holds, e.g. a dict, list or DataFrame")

    def _mapping(self, value: Any, items: Any, depth: int) -> dict:
        out: dict[str, Any] = {}
        n = 0
        for k, v in items:
            n += 1
            if isinstance(k, (str, int, float, bool)) or k is None:
                key = self.convert(k, depth + 1)
                key = key if isinstance(key, str) else ("null" if key is None else str(key))
            elif isinstance(k, (_dt.date, _dt.datetime)) or type(k).__module__.startswith(
                ("numpy", "pandas")
            ):
                key = str(self.convert(k, depth + 1))
            else:
                raise self.fail(value, f"a dict key of type {type(k).__qualname__} cannot be "
                                "graded", "use text or numbers as keys")
            out[key] = self.convert(v, depth + 1)
        self.count(n, value)
        return out

    def _sequence(self, value: Any, items: Any, depth: int) -> list:
        out = [self.convert(v, depth + 1) for v in items]
        self.count(len(out), value)
        return out

    def _function(self, fn: Any) -> dict:
        try:
            source = textwrap.dedent(inspect.getsource(fn))
        except (OSError, TypeError) as exc:
            raise self.fail(fn, "the source of this function cannot be found",
                            "define it with `def` in a notebook cell and run that cell "
                            "again") from exc
        return {"__function__": fn.__name__, "qualname": fn.__qualname__, "source": source}

    def _scientific(self, value: Any, depth: int) -> Any:
        import numpy as np

        if isinstance(value, np.generic):
            return self.convert(value.item(), depth + 1)
        if isinstance(value, np.ndarray):
            self.count(int(value.size), value)
            return self.convert(value.tolist(), depth + 1)
        import pandas as pd

        if isinstance(value, pd.DataFrame):
            self.count(int(value.size), value)
            columns = [self.convert(c, depth + 1) for c in value.columns]
            columns = [c if isinstance(c, str) else str(c) for c in columns]
            rows = value.astype(object).to_numpy().tolist()
            return {"__frame__": {"columns": columns,
                                  "records": self.convert(rows, depth + 1),
                                  "dtypes": [str(t) for t in value.dtypes]}}
        if isinstance(value, pd.Series):
            self.count(int(value.size), value)
            return {"__series__": {
                "name": self.convert(value.name, depth + 1),
                "dtype": str(value.dtype),
                "index": self.convert(value.index.astype(object).tolist(), depth + 1),
                "values": self.convert(value.astype(object).tolist(), depth + 1),
            }}
        if isinstance(value, pd.Index):
            return self.convert(value.astype(object).tolist(), depth + 1)
        if isinstance(value, pd.Timestamp):
            return None if pd.isna(value) else value.isoformat()
        if isinstance(value, pd.Timedelta):
            return None if pd.isna(value) else value.total_seconds()
        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Interval):
            return [self.convert(value.left, depth + 1), self.convert(value.right, depth + 1)]
        raise self.fail(value, f"a {type(value).__qualname__} cannot be graded",
                        "convert it to a DataFrame, Series, list or number first")


def to_plain(value: Any, grade_id: str = "answer") -> Any:
    """Convert `value` to plain JSON data, or raise `SubmitError` saying what to submit.

    Args:
        value: whatever the trainee passed to `submit`.
        grade_id: named in the error message so the trainee knows which cell failed.

    Returns:
        dict/list/str/int/float/bool/None only (NaN and infinities become None).
    """
    return _Walker(grade_id).convert(value)


def is_plain(value: Any, depth: int = 0) -> bool:
    """True when `value` is made only of exact JSON types (what the loader accepts)."""
    if depth > MAX_DEPTH + 5:
        return False
    t = type(value)
    if value is None or t in (bool, int, str):
        return True
    if t is float:
        return math.isfinite(value)
    if t is list:
        return all(is_plain(v, depth + 1) for v in value)
    if t is dict:
        return all(type(k) is str and is_plain(v, depth + 1) for k, v in value.items())
    return False


def _pandas():
    """pandas, with the python-backed strings the trainee's kernel used (`crm_sim.strings`)."""
    import pandas as pd

    try:
        from crm_sim.strings import keep_python_strings
    except ImportError:   # a grader without crm_sim: pandas' own default
        return pd
    keep_python_strings()
    return pd


def to_frame(artifact: Any):
    """Rebuild a pandas DataFrame from the ``__frame__`` form (None if it is not one)."""
    pd = _pandas()

    if not (isinstance(artifact, dict) and isinstance(artifact.get("__frame__"), dict)):
        return None
    body = artifact["__frame__"]
    columns, records = body.get("columns"), body.get("records")
    if not isinstance(columns, list) or not isinstance(records, list):
        return None
    if any(not isinstance(r, list) or len(r) != len(columns) for r in records):
        return None
    frame = pd.DataFrame(records, columns=columns)
    dtypes = body.get("dtypes")
    if isinstance(dtypes, list) and len(dtypes) == len(columns):
        for i, dtype in enumerate(dtypes):
            restored = _restore(frame.iloc[:, i], dtype)
            if restored is not None:
                frame[frame.columns[i]] = restored
    return frame


def _restore(column, dtype: Any):
    """The column converted back to `dtype` (datetimes, timedeltas, categories, bools).

    Only a short list of conversions is tried, and any failure keeps the plain column:
    the dtype string may come from a trainee's kernel.
    """
    import pandas as pd

    if not isinstance(dtype, str):
        return None
    try:
        if dtype.startswith("datetime64"):
            return pd.to_datetime(column, errors="coerce", format="ISO8601")
        if dtype.startswith("timedelta64"):
            return pd.to_timedelta(column, unit="s", errors="coerce")
        if dtype == "category":
            return column.astype("category")
        if dtype == "bool" and column.notna().all():
            return column.astype(bool)
        if dtype.startswith(("int", "uint")) and column.notna().all():
            return column.astype("int64")
        if dtype.startswith("float"):
            return column.astype("float64")
    except (ValueError, TypeError, OverflowError):
        return None
    return None


def to_series(artifact: Any):
    """Rebuild a pandas Series from the ``__series__`` form (None if it is not one)."""
    pd = _pandas()

    if not (isinstance(artifact, dict) and isinstance(artifact.get("__series__"), dict)):
        return None
    body = artifact["__series__"]
    index, values = body.get("index"), body.get("values")
    if not isinstance(index, list) or not isinstance(values, list) or len(index) != len(values):
        return None
    series = pd.Series(values, index=index, name=body.get("name"))
    restored = _restore(series, body.get("dtype"))
    return series if restored is None else restored
