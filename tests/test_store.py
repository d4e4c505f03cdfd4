"""Tests of the SQLite store: exact round trip, bad files refused, atomic save, backup, verify."""

import hashlib
import sqlite3

import numpy as np
import pandas as pd
import pytest

from crm_sim import Scenario, StoreError, World, store


def table_hashes(world):
    """sha256 of every table's CSV text (public and hidden)."""
    return {
        name: hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
        for name, df in {**world.tables, **world.hidden}.items()
    }


@pytest.fixture(scope="module")
def world():
    """A small world with extra registered tables (public + hidden, nullable dtypes, empty)."""
    w = World.build(Scenario(seed=77, n_customers=250, industry="timepiece"))
    w.register_table(
        "leads",
        pd.DataFrame(
            {
                "lead_id": ["L1", "L2", "L3"],
                "note": ["a", None, "ç 中文 'quoted'"],
                "score": [-0.0, np.nan, 1e-300],
                "count": [1, -2, 2**62],
                "hot": [True, False, True],
                "maybe": pd.array([True, None, False], dtype="boolean"),
                "n": pd.array([1, None, 3], dtype="Int64"),
                "f": pd.array([-0.0, None, float("inf")], dtype="Float64"),
            }
        ),
    )
    w.register_table("empty_truth", pd.DataFrame({"x": pd.array([], dtype="string")}), hidden=True)
    w.today = "2026-03-01"
    return w


@pytest.fixture(scope="module")
def saved(world, tmp_path_factory):
    """The module world saved once, and loaded back."""
    path = tmp_path_factory.mktemp("store") / "world.sqlite"
    world.save(path)
    return path, World.load(path)


def test_round_trip_exact(world, saved):
    """Every table (incl. registered and hidden ones) comes back with equal values and dtypes."""
    _, loaded = saved
    assert list(loaded.tables) == list(world.tables)
    assert list(loaded.hidden) == list(world.hidden)
    for name in [*world.tables, *world.hidden]:
        pd.testing.assert_frame_equal(loaded.table(name), world.table(name), check_exact=True)
    assert table_hashes(loaded) == table_hashes(world)
    assert loaded.schema == world.schema


def test_round_trip_scenario_clock_path(world, saved):
    """Scenario, clock and path survive; the loaded world's streams are the same streams."""
    path, loaded = saved
    assert loaded.scenario == world.scenario and loaded.today == "2026-03-01"
    assert loaded.path == path
    assert np.array_equal(
        loaded.streams.generator("x").random(3), world.streams.generator("x").random(3)
    )


def test_save_again_is_identical(saved, tmp_path):
    """Saving a loaded world and loading it again changes nothing."""
    _, loaded = saved
    again = World.load(loaded.save(tmp_path / "again.sqlite"))
    assert table_hashes(again) == table_hashes(loaded)


@pytest.mark.parametrize("content", [b"", b"hello, not a database\n" * 50, bytes(range(256)) * 40])
def test_non_sqlite_file_refused_unchanged(tmp_path, content):
    """A file that is not SQLite raises StoreError and its bytes are untouched."""
    path = tmp_path / "bad.sqlite"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a SQLite file"):
        World.load(path)
    assert path.read_bytes() == content


def test_corrupt_world_refused_unchanged(saved, tmp_path):
    """A world file with damaged pages raises StoreError (load and verify) and is not modified."""
    path, _ = saved
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 4096):  # scribble over every page but the header
        data[offset + 8 : offset + 400] = b"\xff" * 392
    bad = tmp_path / "corrupt.sqlite"
    bad.write_bytes(bytes(data))
    before = bad.read_bytes()
    with pytest.raises(StoreError):
        World.load(bad)
    assert bad.read_bytes() == before
    try:
        report = store.verify(bad)
    except StoreError:
        pass
    else:
        assert not report.ok and report.problems
    assert bad.read_bytes() == before


def test_truncated_world_refused(saved, tmp_path):
    """A world file cut in half raises StoreError and is left as it was."""
    path, _ = saved
    bad = tmp_path / "half.sqlite"
    bad.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    before = bad.read_bytes()
    with pytest.raises(StoreError):
        World.load(bad)
    assert bad.read_bytes() == before


def test_foreign_sqlite_refused_unchanged(tmp_path):
    """Another application's SQLite file raises StoreError naming the problem; bytes unchanged."""
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER, body TEXT)")
    conn.execute("INSERT INTO notes VALUES (?, ?)", (1, "hi"))
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a crm-sim world"):
        World.load(path)
    with pytest.raises(StoreError, match="not a crm-sim world"):
        store.verify(path)
    assert path.read_bytes() == before


def test_missing_file_and_unsaved_world(tmp_path):
    """Loading a missing path and verifying a never-saved world raise StoreError with a fix."""
    with pytest.raises(StoreError, match="no world file"):
        World.load(tmp_path / "nothing.sqlite")
    fresh = World.build(Scenario(seed=1, n_customers=5, months_history=0))
    with pytest.raises(StoreError, match="Fix"):
        fresh.verify()


def test_failed_save_keeps_previous_file(world, tmp_path, monkeypatch):
    """If writing fails half-way, the existing file is byte-identical and no temp file is left."""
    path = tmp_path / "keep.sqlite"
    world.save(path)
    before = path.read_bytes()
    real_write = store._write

    def broken(cur, w):
        real_write(cur, w)
        raise OSError("disk full")

    monkeypatch.setattr(store, "_write", broken)
    with pytest.raises(StoreError, match="disk full"):
        world.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.sqlite"]
    monkeypatch.undo()
    assert World.load(path).today == world.today


def test_save_refuses_directory_and_missing_folder(world, tmp_path):
    """Saving onto a directory or into a missing folder raises StoreError."""
    with pytest.raises(StoreError, match="directory"):
        world.save(tmp_path)
    with pytest.raises(StoreError, match="does not exist"):
        world.save(tmp_path / "no" / "such" / "w.sqlite")


def test_backup_and_verify(world, saved, tmp_path):
    """backup() writes a verified copy that loads to the same tables; backup_file copies a file."""
    dest = world.backup(tmp_path / "backup.sqlite")
    report = world.verify(dest)
    assert report.ok and report.row_counts["customers"] == 250 and report.row_counts["leads"] == 3
    assert table_hashes(World.load(dest)) == table_hashes(world)
    path, _ = saved
    copy = store.backup_file(path, tmp_path / "copy.sqlite")
    assert table_hashes(World.load(copy)) == table_hashes(world)


def test_verify_detects_row_count_tampering(saved, tmp_path):
    """Deleting rows behind the store's back makes verify fail and load refuse the file."""
    path, loaded = saved
    tampered = tmp_path / "tampered.sqlite"
    store.backup_file(path, tampered)
    conn = sqlite3.connect(tampered)
    conn.execute("DELETE FROM t_interactions WHERE rowid % 2 = 0")
    conn.commit()
    conn.close()
    report = store.verify(tampered)
    assert not report.ok
    assert any("interactions" in p for p in report.problems)
    with pytest.raises(StoreError, match="manifest"):
        World.load(tampered)
    assert loaded.verify().ok  # the original is untouched


def test_world_file_reads_single_tables(saved):
    """WorldFile reads one table with its dtypes and names the tables when one is missing."""
    path, loaded = saved
    with store.WorldFile(path) as wf:
        assert wf.scenario == loaded.scenario and wf.today == loaded.today
        assert wf.names(hidden=True) == ["latent", "empty_truth"]
        pd.testing.assert_frame_equal(wf.read("customers"), loaded.customers)
        with pytest.raises(StoreError, match="no table 'nope'.*customers"):
            wf.read("nope")


def _extra_tables():
    """Hypothesis strategy: a registered table with one column of every supported dtype."""
    from hypothesis import strategies as st

    n = st.integers(0, 6)
    return n.flatmap(
        lambda k: st.fixed_dictionaries(
            {
                "s": st.lists(st.one_of(st.none(), st.text(max_size=8)), min_size=k, max_size=k),
                "b": st.lists(st.booleans(), min_size=k, max_size=k),
                "i": st.lists(st.integers(-(2**63), 2**63 - 1), min_size=k, max_size=k),
                "f": st.lists(
                    st.one_of(st.just(-0.0), st.floats(allow_nan=True)), min_size=k, max_size=k
                ),
                "nb": st.lists(st.one_of(st.none(), st.booleans()), min_size=k, max_size=k),
                "ni": st.lists(
                    st.one_of(st.none(), st.integers(-(2**62), 2**62)), min_size=k, max_size=k
                ),
            }
        )
    )


def test_round_trip_property():
    """Any table of supported dtypes (NaN, NA, unicode, extremes, empty) round-trips exactly."""
    import tempfile

    from hypothesis import given, settings

    base = World.build(Scenario(seed=1, n_customers=5, months_history=0))

    @settings(max_examples=40, deadline=None)
    @given(_extra_tables())
    def check(data):
        world = base.copy()
        frame = pd.DataFrame(
            {
                "s": pd.array(data["s"], dtype="string"),
                "b": np.array(data["b"], dtype=bool),
                "i": np.array(data["i"], dtype=np.int64),
                "f": np.array(data["f"], dtype=np.float64),
                "nb": pd.array(data["nb"], dtype="boolean"),
                "ni": pd.array(data["ni"], dtype="Int64"),
            }
        )
        world.register_table("extra", frame)
        with tempfile.TemporaryDirectory() as tmp:
            loaded = World.load(world.save(f"{tmp}/w.sqlite"))
        pd.testing.assert_frame_equal(loaded.tables["extra"], world.tables["extra"])
        assert table_hashes(loaded) == table_hashes(world)

    check()


def _every_dtype_world():
    """A world whose extra tables hold every stored dtype, NULL-led columns and empty tables."""
    w = World.build(Scenario(seed=5, n_customers=40, months_history=2))
    customers = w.tables["customers"].copy()
    customers.loc[:, "name"] = [f"陳大文 {i}" for i in range(len(customers))]
    customers.loc[:, "address"] = [f"香港九龍旺角彌敦道{i}號 ünïcode 🏢"
                                   for i in range(len(customers))]
    w.tables["customers"] = customers.astype(customers.dtypes.to_dict())
    n = 3000          # more rows than one driver batch, with NULLs in the first 2,000
    lead = 2000
    w.register_table(
        "every_dtype",
        pd.DataFrame({
            "s": pd.array([None] * lead + ["張三", "", "a'b\"c", *["x"] * (n - lead - 3)],
                          dtype="string"),
            "i": np.array([-(2**63), 2**63 - 1, 0, *range(n - 3)], dtype=np.int64),
            "b": np.array([True, False] * (n // 2)),
            "nb": pd.array([None] * lead + [True, False] * ((n - lead) // 2), dtype="boolean"),
            "ni": pd.array([None] * lead + [2**62, -1] * ((n - lead) // 2), dtype="Int64"),
            "f": np.array([np.nan] * lead + [-0.0, 1e-300, np.inf, -np.inf, 0.1]
                          * ((n - lead) // 5), dtype=np.float64),
            "nf": pd.array([None] * lead + [-0.0, 2.5] * ((n - lead) // 2), dtype="Float64"),
        }),
        columns={"s": "string", "i": "int64", "b": "bool", "nb": "boolean", "ni": "Int64",
                 "f": "float64", "nf": "Float64"},
    )
    w.register_table(
        "every_dtype_empty",
        pd.DataFrame({
            "s": pd.array([], dtype="string"), "i": np.array([], dtype=np.int64),
            "b": np.array([], dtype=bool), "nb": pd.array([], dtype="boolean"),
            "ni": pd.array([], dtype="Int64"), "f": np.array([], dtype=np.float64),
            "nf": pd.array([], dtype="Float64"),
        }),
        hidden=True,
    )
    w.register_table("all_null", pd.DataFrame({
        "s": pd.array([None] * 5, dtype="string"), "nf": pd.array([None] * 5, dtype="Float64"),
        "ni": pd.array([None] * 5, dtype="Int64")}))
    return w


def test_arrow_round_trip_every_dtype(tmp_path):
    """Every table and dtype (NULL-led, unicode, extreme, empty, all-NULL) round-trips exactly."""
    w = _every_dtype_world()
    path = w.save(tmp_path / "every.sqlite")
    back = World.load(path)
    assert list(back.tables) == list(w.tables) and list(back.hidden) == list(w.hidden)
    assert back.schema == w.schema
    for name, df in {**w.tables, **w.hidden}.items():
        got = {**back.tables, **back.hidden}[name]
        pd.testing.assert_frame_equal(got, df, check_exact=True, obj=name)
        for column in df.columns:      # bit patterns: -0.0 keeps its sign
            if df[column].dtype == np.float64:
                assert np.array_equal(np.signbit(got[column].to_numpy()),
                                      np.signbit(df[column].to_numpy()))
    neg = back.tables["every_dtype"]["nf"].iloc[2000]
    assert neg == 0 and np.signbit(neg)
    assert back.tables["customers"]["address"].iloc[0].startswith("香港九龍")
    assert table_hashes(back) == table_hashes(w)


def test_arrow_file_is_plain_sqlite(tmp_path):
    """The Arrow-written file is ordinary SQLite: sqlite3 reads text, -0.0 as real, NaN as NULL."""
    w = _every_dtype_world()
    path = w.save(tmp_path / "plain.sqlite")
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        row = conn.execute("SELECT s, f, typeof(f), nf FROM t_every_dtype WHERE rowid = 2001"
                           ).fetchone()
        assert row[0] == "張三" and row[2] == "real" and str(row[1]) == "-0.0"
        assert conn.execute("SELECT COUNT(*) FROM t_every_dtype WHERE f IS NULL").fetchone() == (
            2000,)
        assert conn.execute("SELECT name FROM t_customers LIMIT 1").fetchone()[0] == "陳大文 0"
    finally:
        conn.close()
    assert store.verify(path).ok


def test_type_clash_in_column_is_store_error(saved, tmp_path):
    """A column holding text where the manifest says int64 is refused as damaged, not crashed."""
    path = tmp_path / "clash.sqlite"
    path.write_bytes(saved[0].read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE t_customers SET tenure_months = 'twelve' WHERE rowid = 7")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="damaged"):
        World.load(path)


def test_file_written_row_by_row_with_sqlite3_still_loads(tmp_path):
    """Tables bound row by row through sqlite3 (the previous writer's way) load exactly."""
    w = _every_dtype_world()
    path = w.save(tmp_path / "rows.sqlite")
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM crm_tables")]
    for name in names:
        rows = conn.execute(f'SELECT * FROM "t_{name}" ORDER BY rowid').fetchall()
        conn.execute(f'DELETE FROM "t_{name}"')
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            conn.executemany(f'INSERT INTO "t_{name}" VALUES ({marks})', rows)
    conn.commit()
    conn.close()
    back = World.load(path)
    for name, df in {**w.tables, **w.hidden}.items():
        got = {**back.tables, **back.hidden}[name]
        pd.testing.assert_frame_equal(got, df, check_exact=True, obj=name)


def test_repeated_text_columns_round_trip_with_nulls(tmp_path):
    """Long text columns of few distinct values (shared str path) keep NULLs, order, unicode."""
    w = World.build(Scenario(seed=2, n_customers=20, months_history=0))
    n = 20_000
    cycle = ["電話", None, "", "email", "a'b"]
    w.register_table("repeated", pd.DataFrame({
        "few": pd.array([cycle[i % 5] for i in range(n)], dtype="string"),
        "many": pd.array([None if i % 11 == 0 else f"唯一{i}" for i in range(n)], dtype="string"),
        "late": pd.array(["x"] * (n - 3) + [None, "尾", None], dtype="string"),
    }))
    back = World.load(w.save(tmp_path / "repeated.sqlite"))
    pd.testing.assert_frame_equal(back.tables["repeated"], w.tables["repeated"], check_exact=True)
    assert back.tables["repeated"]["few"].isna().sum() == n // 5


def test_load_in_rowid_parts_round_trips_exactly(tmp_path, monkeypatch):
    """Tables read as several rowid ranges (NULL-led, all-NULL, gapped rowids) come back exact."""
    monkeypatch.setattr(store, "READ_PART_ROWS", 700)     # every_dtype: 5 parts, 3 all-NULL
    w = _every_dtype_world()
    path = w.save(tmp_path / "parts.sqlite")
    conn = sqlite3.connect(path)                          # rowids 10, 20, ...: uneven ranges
    conn.execute("UPDATE t_every_dtype SET rowid = rowid * 10 + 100000")
    conn.execute("UPDATE t_every_dtype SET rowid = rowid - 100000")
    conn.commit()
    conn.close()
    with store.WorldFile(path) as wf:
        assert len(wf._parts("every_dtype")) == 5
    back = World.load(path)
    for name, df in {**w.tables, **w.hidden}.items():
        got = {**back.tables, **back.hidden}[name]
        pd.testing.assert_frame_equal(got, df, check_exact=True, obj=name)


def test_same_world_saves_to_the_same_bytes(tmp_path):
    """Two saves of one world give byte-identical files, and no part file is left behind."""
    w = _every_dtype_world()
    first = w.save(tmp_path / "first.sqlite").read_bytes()
    second = w.save(tmp_path / "second.sqlite").read_bytes()
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.sqlite", "second.sqlite"]


def test_failed_insert_keeps_previous_file(world, tmp_path, monkeypatch):
    """An insert the driver refuses (a column of the wrong length) is a StoreError; file intact."""
    path = tmp_path / "keep.sqlite"
    world.save(path)
    before = path.read_bytes()
    real_column = store._arrow_column

    def bad_column(series, dtype):
        if series.name == "tenure_months":
            return real_column(series.astype("string"), "string")[:1]   # wrong length
        return real_column(series, dtype)

    monkeypatch.setattr(store, "_arrow_column", bad_column)
    with pytest.raises(StoreError, match="could not save"):
        world.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.sqlite"]


def test_save_and_load_work_when_no_thread_can_start(tmp_path, monkeypatch):
    """Under a process limit that forbids threads, save and load run in one thread, exactly."""
    import threading

    w = _every_dtype_world()
    threaded = w.save(tmp_path / "threaded.sqlite").read_bytes()

    def refuse(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    monkeypatch.setattr(store, "READ_PART_ROWS", 700)
    path = w.save(tmp_path / "single.sqlite")
    assert path.read_bytes() == threaded
    back = World.load(path)
    for name, df in {**w.tables, **w.hidden}.items():
        got = {**back.tables, **back.hidden}[name]
        pd.testing.assert_frame_equal(got, df, check_exact=True, obj=name)
