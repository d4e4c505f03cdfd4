"""Kernel-side submit, plain-data serialisation and the evaluator registry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autograders.checks import (
    RegistryError,
    SubmitError,
    evaluator,
    evaluator_module,
    is_plain,
    load_evaluators,
    registered,
    submit,
    to_frame,
    to_plain,
    to_series,
)
from autograders.results import Verdict


@dataclasses.dataclass
class Call:
    """A dataclass answer, as a trainee might submit one."""

    customer_id: str
    when: dt.date
    minutes: float


def test_dataframe_round_trip():
    """A DataFrame becomes a tagged records form that rebuilds to equal values."""
    df = pd.DataFrame({"id": ["C1", "C2"], "spend": [10.5, np.nan], "n": [1, 2]})
    plain = to_plain(df)
    assert is_plain(plain)
    assert plain["__frame__"]["columns"] == ["id", "spend", "n"]
    assert plain["__frame__"]["records"] == [["C1", 10.5, 1], ["C2", None, 2]]
    back = to_frame(json.loads(json.dumps(plain)))
    assert back["id"].tolist() == ["C1", "C2"] and back["n"].tolist() == [1, 2]


def test_frame_dtypes_survive_the_round_trip():
    """Datetime, timedelta, category, bool and int columns come back with their dtypes."""
    df = pd.DataFrame({
        "when": pd.to_datetime(["2024-01-02 03:04", None]),
        "wait": pd.to_timedelta([90, 30], unit="s"),
        "seg": pd.Categorical(["sme", "corp"]),
        "ok": [True, False], "n": [1, 2], "name": ["a", "b"],
    })
    back = to_frame(json.loads(json.dumps(to_plain(df))))
    assert back["when"].dtype.kind == "M" and back["when"].iloc[0] == df["when"].iloc[0]
    assert pd.isna(back["when"].iloc[1])
    assert back["wait"].tolist() == df["wait"].tolist()
    assert back["seg"].dtype == "category" and back["ok"].dtype == bool
    assert back["n"].dtype == "int64" and back["name"].tolist() == ["a", "b"]
    s = pd.Series(pd.to_datetime(["2024-05-01"]), name="d")
    assert to_series(json.loads(json.dumps(to_plain(s)))).dtype.kind == "M"


def test_forged_frame_dtypes_are_harmless():
    """Nonsense dtype strings from a kernel leave the plain column as it is."""
    forged = {"__frame__": {"columns": ["a"], "records": [["x"], ["y"]],
                            "dtypes": ["datetime64[ns]; rm -rf /"]}}
    assert to_frame(forged)["a"].isna().all()          # coerced, never executed or raised
    weird = {"__frame__": {"columns": ["a"], "records": [["x"]], "dtypes": ["int64"]}}
    assert to_frame(weird)["a"].tolist() == ["x"]


def test_series_numpy_and_dates_become_plain():
    """Series, numpy scalars/arrays, dates and timestamps become plain JSON types."""
    s = pd.Series([1, 2], index=["a", "b"], name="x")
    plain = to_plain({"s": s, "f": np.float64(1.5), "i": np.int32(3),
                      "arr": np.arange(3), "d": dt.date(2024, 1, 2),
                      "ts": pd.Timestamp("2024-01-02 03:04"), "t": (1, 2), "b": np.bool_(True)})
    assert plain["f"] == 1.5 and type(plain["i"]) is int and plain["arr"] == [0, 1, 2]
    assert plain["d"] == "2024-01-02" and plain["ts"].startswith("2024-01-02T03:04")
    assert plain["t"] == [1, 2] and plain["b"] is True
    assert to_series(plain["s"]).to_dict() == {"a": 1, "b": 2}
    assert is_plain(plain)


def test_dataclass_becomes_dict():
    """A dataclass becomes a dict of its fields (nested values converted too)."""
    assert to_plain(Call("C1", dt.date(2024, 5, 1), 3.0)) == {
        "customer_id": "C1", "when": "2024-05-01", "minutes": 3.0}


def test_function_becomes_source(tmp_path):
    """A function defined in source becomes its name and dedented source."""
    mod = tmp_path / "helper_mod.py"
    mod.write_text("def squares(n):\n    return [i * i for i in range(n)]\n")
    import importlib.util

    spec = importlib.util.spec_from_file_location("helper_mod", mod)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    plain = to_plain(m.squares)
    assert plain["__function__"] == "squares"
    assert "return [i * i for i in range(n)]" in plain["source"]


def test_custom_eq_object_is_rejected():
    """An object overriding __eq__ (always True) is refused with a message naming the fix."""
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    with pytest.raises(SubmitError) as info:
        to_plain({"answer": [AlwaysEqual()]}, "q1")
    assert "__eq__" in str(info.value) and "q1" in str(info.value)


def test_plain_custom_object_is_rejected():
    """An arbitrary object without to_dict is refused, not stringified."""
    class Thing:
        pass

    with pytest.raises(SubmitError, match="Thing object cannot be graded"):
        to_plain(Thing())


def test_object_with_to_dict_is_converted_and_rechecked():
    """to_dict() output is used, but itself must be plain (a lying to_dict is refused)."""
    class Good:
        def to_dict(self):
            return {"a": 1}

    class Liar:
        def to_dict(self):
            return Liar()

    assert to_plain(Good()) == {"a": 1}
    with pytest.raises(SubmitError):
        to_plain(Liar())


def test_str_int_float_subclasses_are_coerced_to_base_types():
    """Subclasses of str/int/float/dict/list come back as exact base types and values."""
    class S(str):
        def __eq__(self, other):
            return True

        def __str__(self):
            return "lie"

    class Int(int):
        def __eq__(self, other):
            return True

    class D(dict):
        def items(self):
            return [("forged", 1)]

    out = to_plain([S("truth"), Int(7), D(real=2)])
    assert out == ["truth", 7, {"real": 2}]
    assert [type(v) for v in out] == [str, int, dict]


def test_self_reference_and_huge_values_fail_fast():
    """A self-referencing list is refused (depth cap) instead of recursing forever."""
    loop: list = []
    loop.append(loop)
    with pytest.raises(SubmitError, match="nested"):
        to_plain(loop)


def test_nan_becomes_none_and_is_plain_rejects_rich_types():
    """NaN/inf become None; is_plain accepts only exact JSON types."""
    assert to_plain([float("nan"), float("inf"), 1.0]) == [None, None, 1.0]
    assert is_plain({"a": [1, "x", None, True, 2.5]})
    assert not is_plain({"a": (1, 2)}) and not is_plain({1: "a"}) and not is_plain(float("nan"))


def test_submit_without_nonce_prints_ready(capsys, tmp_path, monkeypatch):
    """Outside grading, submit only validates and prints; it writes no file."""
    monkeypatch.setenv("CRM_ARTIFACT_DIR", str(tmp_path))
    submit("q1", pd.DataFrame({"a": [1]}))
    assert "✔ q1 is ready to submit" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_submit_without_nonce_reports_problem(capsys):
    """An unsubmittable value prints what is wrong instead of raising."""
    submit("q1", object())
    assert capsys.readouterr().out.startswith("✘ q1:")


def test_submit_with_nonce_writes_artifact(tmp_path, monkeypatch):
    """With a nonce, the artefact file holds grade_id, nonce and the plain value."""
    monkeypatch.setenv("CRM_ARTIFACT_DIR", str(tmp_path))
    submit("q1", {"x": np.int64(3)}, nonce="abc")
    record = json.loads((tmp_path / "q1.json").read_text())
    assert record == {"grade_id": "q1", "nonce": "abc", "value": {"x": 3}}


def test_submit_with_nonce_records_rejection(tmp_path, monkeypatch):
    """A refused value is recorded as an error (so the grade says why), not as a value."""
    monkeypatch.setenv("CRM_ARTIFACT_DIR", str(tmp_path))

    class AlwaysEqual:
        def __eq__(self, other):
            return True

    submit("q2", AlwaysEqual(), nonce="n")
    record = json.loads((tmp_path / "q2.json").read_text())
    assert "value" not in record and "__eq__" in record["error"]


def test_submit_refuses_path_like_grade_id(tmp_path, monkeypatch, capsys):
    """A grade_id that could escape the artefact directory writes nothing."""
    monkeypatch.setenv("CRM_ARTIFACT_DIR", str(tmp_path))
    submit("../evil", 1, nonce="n")
    assert list(tmp_path.iterdir()) == [] and "✘" in capsys.readouterr().out


def test_registry_registers_and_refuses_conflicts():
    """@evaluator registers per unit; a different function for the same cell raises."""
    @evaluator("TESTUNIT_A", "cell1")
    def first(artifact, ctx):
        return Verdict(1.0, "ok")

    assert registered("TESTUNIT_A") == {"cell1": first}
    with pytest.raises(RegistryError, match="already registered"):
        @evaluator("TESTUNIT_A", "cell1")
        def second(artifact, ctx):
            return Verdict(0.0, "no")
    assert registered("TESTUNIT_B") == {}


def test_load_evaluators_by_file_path(tmp_path):
    """A relative .py path is loaded from the unit dir without touching sys.path."""
    import sys

    (tmp_path / "my_evals.py").write_text(textwrap.dedent('''
        from autograders.checks import evaluator
        from autograders.results import Verdict

        @evaluator("TESTUNIT_FILE", "q_test")
        def check(artifact, ctx):
            return Verdict(1.0 if artifact == 42 else 0.0, "checked")
    '''))
    before = list(sys.path)
    found = load_evaluators("TESTUNIT_FILE", "my_evals.py", base_dir=tmp_path)
    assert sys.path == before
    assert set(found) == {"q_test"} and found["q_test"](42, None).score == 1.0
    assert load_evaluators("TESTUNIT_FILE", "my_evals.py", base_dir=tmp_path) == found


def test_load_evaluators_by_module_and_missing_module():
    """A dotted module is imported; a missing default module is a clear RegistryError."""
    import sys
    import types

    mod = types.ModuleType("h5_fake_units_mod")
    sys.modules["h5_fake_units_mod"] = mod
    exec("from autograders.checks import evaluator\n"
         "@evaluator('TESTUNIT_MOD', 'x')\n"
         "def f(a, c):\n    return None\n", mod.__dict__)
    assert set(load_evaluators("TESTUNIT_MOD", "h5_fake_units_mod")) == {"x"}
    with pytest.raises(RegistryError, match="unit folder"):
        load_evaluators("NOSUCHUNIT")
    with pytest.raises(RegistryError, match="grading/evaluators.py"):
        load_evaluators("NOSUCHUNIT", base_dir=Path("/nonexistent/NOSUCHUNIT"))


def _unit_folder(root: Path, code: str, helper_value: int) -> Path:
    """A unit folder: a released helper beside the notebooks, evaluators + key in grading/."""
    unit = root / code
    (unit / "grading").mkdir(parents=True)
    (unit / "helper.py").write_text(f"def shape(x):\n    return {helper_value}\n")
    (unit / "grading" / "key.py").write_text("ANSWER = 42\n")
    (unit / "grading" / "evaluators.py").write_text(textwrap.dedent(f'''
        from autograders.checks import evaluator
        from autograders.results import Verdict

        from .. import helper
        from .key import ANSWER

        @evaluator("{code}", "q_test")
        def check(artifact, ctx):
            return Verdict(1.0 if artifact == ANSWER else 0.0, str(helper.shape(artifact)))
    '''))
    return unit


def test_unit_folder_is_a_package_loaded_by_path(tmp_path):
    """grading/evaluators.py imports the unit's helper (..) and its key (.), sys.path untouched."""
    import sys

    unit = _unit_folder(tmp_path, "TESTUNIT_PKG", 7)
    before = list(sys.path)
    found = load_evaluators("TESTUNIT_PKG", None, base_dir=unit)
    assert sys.path == before
    verdict = found["q_test"](42, None)
    assert (verdict.score, verdict.message) == (1.0, "7")
    assert found["q_test"].__module__ == "crm_units.testunit_pkg.grading.evaluators"
    assert sys.modules["crm_units.testunit_pkg.helper"].__file__ == str(unit / "helper.py")
    assert evaluator_module("TESTUNIT_PKG", None, base_dir=unit).ANSWER == 42


def test_same_unit_from_another_folder_reuses_no_module(tmp_path):
    """Loading a unit from a second folder (a copy of the course) drops the first's modules."""
    first = _unit_folder(tmp_path / "a", "TESTUNIT_TWO", 1)
    second = _unit_folder(tmp_path / "b", "TESTUNIT_TWO", 2)
    assert load_evaluators("TESTUNIT_TWO", None, base_dir=first)["q_test"](0, None).message == "1"
    assert load_evaluators("TESTUNIT_TWO", None, base_dir=second)["q_test"](0, None).message \
        == "2"


def test_private_evaluators_by_absolute_path_still_see_the_unit_helpers(tmp_path):
    """A centre's private grading folder elsewhere loads with the unit's released helpers."""
    unit = _unit_folder(tmp_path / "course", "TESTUNIT_PRIV", 3)
    private = tmp_path / "private-keys"
    (unit / "grading").rename(private)
    found = load_evaluators("TESTUNIT_PRIV", str(private / "evaluators.py"), base_dir=unit)
    assert found["q_test"](42, None).message == "3"


def test_load_evaluators_broken_file_is_domain_error(tmp_path):
    """A unit file that fails to import raises RegistryError naming the file."""
    (tmp_path / "bad.py").write_text("raise RuntimeError('boom')\n")
    with pytest.raises(RegistryError, match="bad.py"):
        load_evaluators("TESTUNIT_BAD", "bad.py", base_dir=tmp_path)
