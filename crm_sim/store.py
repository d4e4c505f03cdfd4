"""SQLite storage of a whole `World`: exact round trip, atomic save, online backup, verify.

File layout (one SQLite database; any SQLite client, the records engine and the
``sqlite3`` shell read it):

* ``crm_meta(key, value)`` — format marker, format version, scenario JSON, clock.
* ``crm_tables(name, hidden, position, columns_json, n_rows)`` — the manifest: every
  table with its column → dtype map and its row count.
* one table ``t_<name>`` per world table, columns in schema order.

Values go in through bound parameters only; table and column names come from the
world's schema and are checked against a strict identifier pattern before use.

Bulk tables move as Arrow columns through the ADBC SQLite driver (``adbc-driver-sqlite``):
a column is bound and read as one buffer instead of one Python object per cell, about
ten times faster than ``executemany``/``fetchall``. The file is the same SQLite file.
How each dtype stays exact on that path:

* ``string``: Arrow utf8 in a TEXT column; ``<NA>`` is SQL NULL. pandas keeps these
  python-backed (`crm_sim.strings`), as the world builds them.
* ``int64``: Arrow int64 in an INTEGER column (SQLite integers are 64-bit: exact).
* ``bool``: written as int64 0/1, read back and turned into numpy bool.
* ``boolean``/``Int64``: nullable int64 (NULL for ``<NA>``), back into the masked dtype.
* ``float64``/``Float64``: Arrow double in a column with *no* declared type (see
  `SQL_TYPES`: REAL affinity would lose the sign of -0.0). SQLite stores NaN as NULL, so a
  NaN in ``float64`` comes back as NaN, and ``<NA>`` in ``Float64`` comes back as ``<NA>``.
* The driver guesses a column's Arrow type from the rows of its first batch, so each
  table is read in one batch of all its rows (the manifest knows how many) and then cast
  to the type of its saved dtype; an empty or all-NULL column is cast the same way.
* Saving inserts each table as one Arrow table on one connection, in one transaction.
  Two writer threads (each table piece into its own part file, then copied into the
  world file with SQLite's transfer optimisation) and a one-thread slice pipeline were
  both measured on the 2-core machine: neither was faster than this, both cost more CPU.
* Loading reads tables (big ones as rowid ranges) on two worker threads while the caller
  turns the Arrow columns into pandas. SQLite and the driver run without the GIL, so
  the two halves overlap; rows keep their order, so the frames are the same as with one
  thread. Where no thread can start (a process limit), both run in the caller.
Loading opens the file read-only, so a corrupt or foreign file is never modified.
Saving writes a temporary file next to the target, fills it in one transaction and
then replaces the target, so a failed save never loses what was saved before and
leaves no file behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crm_sim.errors import StoreError
from crm_sim.scenario import Scenario
from crm_sim.strings import wrap_python_strings  # python-backed pandas strings, as built

if TYPE_CHECKING:
    from crm_sim.world import World

FORMAT = "crm-sim-world"
FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
# threads reading tables while the caller converts (the machine may have only 2 cores)
READ_THREADS = 2
# a bigger table is read as rowid ranges of about this many rows, by both threads at once
READ_PART_ROWS = 200_000
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# Float columns get no declared type (no affinity): a REAL-affinity column would store
# -0.0 as the integer 0 and lose the sign, breaking the exact round trip.
SQL_TYPES = {
    "string": "TEXT",
    "bool": "INTEGER",
    "boolean": "INTEGER",
    "int64": "INTEGER",
    "Int64": "INTEGER",
    "float64": "",
    "Float64": "",
}


@dataclass
class VerifyReport:
    """Outcome of `verify`: ok only when integrity_check passes and counts match."""

    path: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok


def _ident(name: str) -> str:
    """A double-quoted SQL identifier, after checking it is a plain name."""
    if not isinstance(name, str) or not IDENT.fullmatch(name):
        raise StoreError(
            f"table or column name {name!r} is not a plain identifier; "
            "Fix: use letters, digits and _ only"
        )
    return f'"{name}"'


def _arrow_column(series: pd.Series, dtype: str):
    """One column as an Arrow array whose SQLite binding keeps the value exactly."""
    import pyarrow as pa

    if dtype == "string":
        # python-backed strings (crm_sim.strings): their own object array (no copy),
        # <NA> read as null
        values = series.array
        objects = (values._ndarray if isinstance(values, pd.arrays.StringArray)
                   else values.to_numpy(dtype=object))
        return pa.array(objects, type=pa.string(), from_pandas=True)
    if dtype == "bool":
        return pa.array(series.to_numpy(dtype=np.int64), type=pa.int64())
    if dtype in ("boolean", "Int64"):
        values = series.astype("Int64")
        return pa.array(values.to_numpy(dtype=np.int64, na_value=0), type=pa.int64(),
                        mask=values.isna().to_numpy())
    if dtype == "Float64":
        return pa.array(series.to_numpy(dtype=np.float64, na_value=np.nan), type=pa.float64(),
                        mask=series.isna().to_numpy())
    if dtype == "float64":
        return pa.array(series.to_numpy(dtype=np.float64), type=pa.float64())
    return pa.array(series.to_numpy(dtype=np.int64), type=pa.int64())


def _column_defs(columns: dict[str, str]) -> str:
    """The column list of a table's CREATE TABLE, each column declared from its saved dtype."""
    return ", ".join(f"{_ident(c)} {SQL_TYPES[d]}".rstrip() for c, d in columns.items())


def _connect_for_writing(path: Path):
    """An ADBC connection to a private new file, set up for one bulk write.

    No journal and no syncs (the finished world file is fsynced once by `_atomic_sqlite`),
    big pages and cache (fewer page splits per bulk row), no other connection. Pragmas
    come first: they cannot change inside a transaction. Autocommit stays on and the
    caller opens its one transaction with BEGIN.
    """
    import adbc_driver_sqlite.dbapi as adbc

    conn = adbc.connect(str(path), autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("PRAGMA journal_mode=OFF")
            cur.fetchall()
            for pragma in ("synchronous=OFF", "page_size=65536", "cache_size=-262144",
                           "locking_mode=EXCLUSIVE"):
                cur.execute(f"PRAGMA {pragma}")
    except BaseException:
        conn.close()
        raise
    return conn


def _arrow_table(df: pd.DataFrame, columns: dict[str, str]):
    """A whole table as one Arrow table, columns in schema order."""
    import pyarrow as pa

    return pa.table({c: _arrow_column(df[c], d) for c, d in columns.items()})


def _write(cur, world: World) -> None:
    """Fill the world file on `cur`: metadata, manifest and every table (caller's transaction).

    Each table goes in as one Arrow table: the driver binds column buffers, not Python
    objects, and SQLite inserts without the GIL.
    """
    cur.execute("CREATE TABLE crm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    cur.execute(
        "CREATE TABLE crm_tables (name TEXT PRIMARY KEY, hidden INTEGER NOT NULL, "
        "position INTEGER NOT NULL, columns_json TEXT NOT NULL, n_rows INTEGER NOT NULL)")
    meta = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "scenario": json.dumps(world.scenario.to_dict(), sort_keys=True),
        "today": world.today,
    }
    for key, value in sorted(meta.items()):
        cur.execute("INSERT INTO crm_meta (key, value) VALUES (?, ?)", (key, value))
    everything = [(name, False, df) for name, df in world.tables.items()]
    everything += [(name, True, df) for name, df in world.hidden.items()]
    for position, (name, hidden, df) in enumerate(everything):
        columns = world.schema[name]
        cur.execute(f"CREATE TABLE {_ident('t_' + name)} ({_column_defs(columns)})")
        if len(df):
            cur.adbc_ingest("t_" + name, _arrow_table(df, columns), mode="append")
        cur.execute("INSERT INTO crm_tables VALUES (?, ?, ?, ?, ?)",
                    (name, int(hidden), position, json.dumps(columns), len(df)))


def _atomic_sqlite(dest: Path, fill) -> Path:
    """Create `dest` via a temporary SQLite file filled by `fill(tmp_path)`, then replace."""
    dest = Path(dest)
    if dest.exists() and dest.is_dir():
        raise StoreError(
            f"path {str(dest)!r} is a directory; Fix: give a file name such as world.sqlite"
        )
    if not dest.parent.exists():
        raise StoreError(f"folder {str(dest.parent)!r} does not exist; Fix: create it first")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        fill(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, dest.stat().st_mode & 0o777 if dest.exists() else 0o644)
        os.replace(tmp, dest)
    except StoreError:
        tmp.unlink(missing_ok=True)
        raise
    except Exception as exc:  # any failure: drop the temp file, keep the old file intact
        tmp.unlink(missing_ok=True)
        raise StoreError(
            f"could not save to {str(dest)!r}: {exc}; the previous file (if any) is unchanged"
        ) from exc
    return dest


def save(world: World, path: str | Path) -> Path:
    """Save `world` to `path` atomically (temporary file, one transaction, replace)."""

    def fill(tmp: Path) -> None:
        conn = _connect_for_writing(tmp)
        try:
            with conn.cursor() as cur:
                cur.execute("BEGIN")
                try:
                    _write(cur, world)
                    cur.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(Exception):   # keep the first error, not this one
                        cur.execute("ROLLBACK")
                    raise
        finally:
            conn.close()

    return _atomic_sqlite(Path(path), fill)


def _open_readonly(path: str | Path) -> sqlite3.Connection:
    """Open an existing crm-sim file read-only; StoreError for missing/foreign/corrupt files."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(
            f"no world file at {str(path)!r}; Fix: check the path or build one "
            "with `crm-course world build`"
        )
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise StoreError(
            f"{str(path)!r} is not a SQLite file (it may be corrupt or another "
            "kind of file); Fix: load a file written by World.save"
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{str(path)!r} is corrupt ({exc}); Fix: restore it from a backup"
        ) from exc
    names = {r[0] for r in rows}
    if not {"crm_meta", "crm_tables"} <= names:
        conn.close()
        raise StoreError(
            f"{str(path)!r} is a SQLite file but not a crm-sim world (no manifest); "
            "Fix: load a file written by World.save"
        )
    try:
        marker = dict(conn.execute("SELECT key, value FROM crm_meta").fetchall())
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(
            f"{str(path)!r} is corrupt ({exc}); Fix: restore it from a backup"
        ) from exc
    if marker.get("format") != FORMAT:
        conn.close()
        raise StoreError(
            f"{str(path)!r} is not a crm-sim world (format {marker.get('format')!r}); "
            "Fix: load a file written by World.save"
        )
    if marker.get("format_version") != str(FORMAT_VERSION):
        conn.close()
        raise StoreError(
            f"{str(path)!r} has format version {marker.get('format_version')!r}; this "
            f"engine reads version {FORMAT_VERSION}. Fix: rebuild the world"
        )
    return conn


def _arrow_type(dtype: str):
    """The Arrow type a column of saved dtype `dtype` is read as."""
    import pyarrow as pa

    return pa.string() if dtype == "string" else (
        pa.float64() if dtype in ("float64", "Float64") else pa.int64())


def _as_type(column, dtype: str):
    """`column` cast to `_arrow_type(dtype)` (the driver guessed from the values it saw)."""
    want = _arrow_type(dtype)
    return column if column.type == want else column.cast(want)


def _to_series(column, dtype: str):
    """An Arrow column read from SQLite back into its pandas dtype, exactly."""
    column = _as_type(column, dtype)
    if dtype == "string":
        return wrap_python_strings(_str_objects(column))   # fresh str objects, <NA> for NULL
    if dtype in ("float64", "Float64"):
        values = column.to_numpy(zero_copy_only=False)   # NULL (a saved NaN) -> NaN
        if dtype == "float64":
            return np.array(values, dtype=np.float64)
        mask = column.is_null().to_numpy(zero_copy_only=False)
        return pd.arrays.FloatingArray(np.array(values, dtype=np.float64), mask)
    mask = column.is_null().to_numpy(zero_copy_only=False)
    values = column.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    if dtype == "bool":
        if mask.any():
            raise ValueError("a bool column holds NULL")
        return values.astype(bool)
    if dtype == "int64":
        if mask.any():
            raise ValueError("an int64 column holds NULL")
        return values
    if dtype == "boolean":
        return pd.arrays.BooleanArray(values.astype(bool), mask)
    if dtype == "Int64":
        return pd.arrays.IntegerArray(values, mask)
    raise ValueError(f"unknown dtype {dtype!r}")


def _str_objects(column) -> np.ndarray:
    """Arrow text as an object array of str (pd.NA for NULL), made in C.

    Most text columns repeat a few values (channels, outcomes, customer ids in the
    interactions): those are dictionary-encoded and each distinct value becomes one str
    shared by its rows, instead of one new str per row. A sample decides which way.
    """
    import pyarrow.compute as pc

    n = len(column)
    sample = column.slice(0, min(n, 4096))
    if n < 8192 or pc.count_distinct(sample).as_py() > len(sample) // 4:
        words = column.to_numpy(zero_copy_only=False)
        if column.null_count:
            words[column.is_null().to_numpy(zero_copy_only=False)] = pd.NA
        return words
    encoded = pc.dictionary_encode(column).combine_chunks()
    words = encoded.dictionary.to_numpy(zero_copy_only=False)
    words = np.append(words, pd.NA)                 # the last slot stands for NULL
    index = encoded.indices.fill_null(len(words) - 1).to_numpy(zero_copy_only=False)
    return words[index]


def _map_file(conn) -> None:
    """Map the file into memory on `conn`: no read() copy per page."""
    with conn.cursor() as cur:
        cur.execute("PRAGMA mmap_size=1073741824")
        cur.fetchall()


def _query_arrow(conn, sql: str, n_rows: int):
    """One query's rows as an Arrow table, in one batch.

    The driver infers each column's type from its first batch and fails on a later
    batch of another type (a NULL-led column), so the whole table is one batch.
    """
    cur = conn.cursor()
    try:
        cur.adbc_statement.set_options(
            **{"adbc.sqlite.query.batch_rows": str(max(int(n_rows), 0) + 1)}
        )
        cur.execute(sql)
        return cur.fetch_arrow_table()
    finally:
        cur.close()


def _fetch_arrow(uri: str, sql: str, n_rows: int):
    """`_query_arrow` on a read-only connection of its own (for a worker thread)."""
    import adbc_driver_sqlite.dbapi as adbc

    conn = adbc.connect(uri)
    try:
        _map_file(conn)
        return _query_arrow(conn, sql, n_rows)
    finally:
        conn.close()


class WorldFile:
    """A saved world opened read-only, for reading single tables without loading everything.

    Use as a context manager::

        with WorldFile("world.sqlite") as wf:
            wf.scenario, wf.today, wf.names()
            customers = wf.read("customers")     # StoreError if there is no such table

    Raises:
        StoreError: On opening a missing, corrupt or foreign file (which is left unchanged).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._conn = _open_readonly(self.path)
        self._arrow = None
        try:
            self.meta = dict(self._conn.execute("SELECT key, value FROM crm_meta").fetchall())
            rows = self._conn.execute(
                "SELECT name, hidden, columns_json, n_rows FROM crm_tables ORDER BY position"
            ).fetchall()
            self.manifest = {
                name: {"hidden": bool(h), "columns": json.loads(cols), "n_rows": int(n)}
                for name, h, cols, n in rows
            }
            self.scenario = Scenario.from_dict(json.loads(self.meta["scenario"]))
            self.today = self.meta["today"]
        except (sqlite3.DatabaseError, KeyError, ValueError, TypeError) as exc:
            self.close()
            raise self._damaged(exc) from exc

    def _damaged(self, exc: Exception) -> StoreError:
        """The StoreError for a file whose content cannot be read back."""
        return StoreError(
            f"{str(self.path)!r} is damaged ({type(exc).__name__}: {exc}); "
            "Fix: restore it from a backup"
        )

    def names(self, hidden: bool | None = None) -> list[str]:
        """Table names in saved order (only public or only hidden ones when `hidden` is set)."""
        return [n for n, m in self.manifest.items() if hidden is None or m["hidden"] == hidden]

    def read(self, name: str) -> pd.DataFrame:
        """One table with its saved dtypes; StoreError naming the tables that exist."""
        sql, n_rows = self._query(name)
        try:
            table = self._read_arrow(sql, n_rows)
        except Exception as exc:  # noqa: BLE001 - any driver/Arrow failure: a damaged file
            raise self._damaged(exc) from exc
        return self._frame(name, table)

    def read_many(self, names: list[str]) -> dict[str, pd.DataFrame]:
        """Several tables, each as `read` gives it: read by worker threads, converted here.

        Why: SQLite reading runs in the ADBC driver without the GIL, so reading the next
        tables overlaps turning this one into pandas columns. Each worker has its own
        read-only connection.
        """
        parts = {name: self._parts(name) for name in names}
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        jobs = [(name, k, sql, n) for name, queries in parts.items()
                for k, (sql, n) in enumerate(queries)]
        jobs.sort(key=lambda job: -job[3])      # biggest first: the last to finish is small
        with ThreadPoolExecutor(max_workers=READ_THREADS,
                                thread_name_prefix="crm-store-load") as readers:
            try:
                fetched = {(name, k): readers.submit(_fetch_arrow, uri, sql, n)
                           for name, k, sql, n in jobs}
            except RuntimeError:             # no thread could start (a process limit)
                return {name: self.read(name) for name in names}
            frames = {}
            try:
                for name, queries in parts.items():
                    try:
                        tables = [fetched[name, k].result() for k in range(len(queries))]
                    except Exception as exc:  # noqa: BLE001 - driver/Arrow failure: damaged
                        raise self._damaged(exc) from exc
                    frames[name] = self._frame(name, tables)
            except BaseException:
                for job in fetched.values():
                    job.cancel()
                raise
        return frames

    def _parts(self, name: str) -> list[tuple[str, int]]:
        """Queries reading table `name` in row order, one per rowid range of `READ_PART_ROWS`.

        Each carries an upper bound of its rows (the driver reads a query in one batch of
        at most that many). Ranges are split by rowid, which SQLite seeks without a scan.
        """
        sql, n_rows = self._query(name)
        if n_rows <= READ_PART_ROWS:
            return [(sql, n_rows)]
        try:
            low, high = self._conn.execute(
                f"SELECT min(rowid), max(rowid) FROM {_ident('t_' + name)}").fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from exc
        if low is None:
            return [(sql, n_rows)]
        k = -(-n_rows // READ_PART_ROWS)
        edges = [low + (high - low + 1) * i // k for i in range(k)] + [high + 1]
        select, order = sql.split(" ORDER BY ")
        return [(f"{select} WHERE rowid >= {a} AND rowid < {b} ORDER BY {order}", n_rows)
                for a, b in zip(edges[:-1], edges[1:], strict=True)]

    def _query(self, name: str) -> tuple[str, int]:
        """The SELECT of table `name` in saved row order, and its row count from the manifest."""
        if name not in self.manifest:
            raise StoreError(
                f"{str(self.path)!r} has no table {name!r}; tables: {self.names()}. "
                "Fix: use one of those names"
            )
        columns, n_rows = self.manifest[name]["columns"], self.manifest[name]["n_rows"]
        cols = ", ".join(_ident(c) for c in columns)
        return f"SELECT {cols} FROM {_ident('t_' + name)} ORDER BY rowid", n_rows

    def _frame(self, name: str, tables) -> pd.DataFrame:
        """Table `name` as a DataFrame with its saved dtypes (StoreError if odd).

        `tables` is the Arrow table read, or its parts in row order.
        """
        import pyarrow as pa

        columns, n_rows = self.manifest[name]["columns"], self.manifest[name]["n_rows"]
        tables = tables if isinstance(tables, list) else [tables]
        try:
            for table in tables:
                if table.num_columns != len(columns):
                    raise ValueError(f"{table.num_columns} columns read, {len(columns)} saved")
            df = pd.DataFrame(
                {
                    c: _to_series(pa.chunked_array(
                        [chunk for t in tables for chunk in _as_type(t.column(i), d).chunks],
                        type=_arrow_type(d)), d)
                    for i, (c, d) in enumerate(columns.items())
                },
                copy=False,
            )
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - any driver/Arrow failure: a damaged file
            raise self._damaged(exc) from exc
        if len(df) != n_rows:
            raise StoreError(
                f"{str(self.path)!r}: table {name!r} has {len(df)} rows, manifest says "
                f"{n_rows}; Fix: restore the file from a backup"
            )
        return df

    def _read_arrow(self, sql: str, n_rows: int):
        """One query's rows as an Arrow table, on this file's own read-only ADBC connection."""
        import adbc_driver_sqlite.dbapi as adbc

        if self._arrow is None:
            self._arrow = adbc.connect(f"{self.path.resolve().as_uri()}?mode=ro")
            _map_file(self._arrow)
        return _query_arrow(self._arrow, sql, n_rows)

    def close(self) -> None:
        """Close the connections (idempotent)."""
        self._conn.close()
        if self._arrow is not None:
            self._arrow.close()
            self._arrow = None

    def __enter__(self) -> WorldFile:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def load(path: str | Path) -> World:
    """Read a world saved by `save`; the file is opened read-only and never modified."""
    from crm_sim.world import World

    with WorldFile(path) as wf:
        frames = wf.read_many(wf.names())
        tables = {name: frames[name] for name in wf.names(hidden=False)}
        hidden = {name: frames[name] for name in wf.names(hidden=True)}
        schema = {name: m["columns"] for name, m in wf.manifest.items()}
        world = World(wf.scenario, tables, hidden, wf.today, schema=schema)
    world.path = Path(path)
    return world


def backup(world: World, dest: str | Path) -> Path:
    """Copy `world` to `dest` with SQLite's online backup API.

    The world is saved to a private temporary file first (the same writer as `save`),
    then copied; the copy is atomic (temporary file, then replace) and verified.
    """
    dest = Path(dest)
    if not dest.parent.exists():
        raise StoreError(f"folder {str(dest.parent)!r} does not exist; Fix: create it first")
    with tempfile.TemporaryDirectory(prefix=".crm-backup-") as tmp:
        staged = save(world, Path(tmp) / "world.sqlite")
        return backup_file(staged, dest)


def backup_file(src: str | Path, dest: str | Path) -> Path:
    """Copy a saved world file to `dest` with the online backup API (source read-only)."""
    conn = _open_readonly(src)
    try:
        def copy(tmp: Path) -> None:
            target = sqlite3.connect(tmp)
            try:
                conn.backup(target)
            finally:
                target.close()

        out = _atomic_sqlite(Path(dest), copy)
    finally:
        conn.close()
    report = verify(out)
    if not report.ok:
        raise StoreError(f"backup {str(out)!r} failed verification: {'; '.join(report.problems)}")
    return out


def verify(path: str | Path | None) -> VerifyReport:
    """`PRAGMA integrity_check` plus row counts against the manifest; never modifies the file.

    Raises:
        StoreError: When `path` is None, missing, not SQLite or not a crm-sim world.
    """
    if path is None:
        raise StoreError(
            "this world has not been saved or loaded yet, so there is no file to "
            "verify; Fix: call world.save(path) first or pass a path"
        )
    conn = _open_readonly(path)
    problems: list[str] = []
    counts: dict[str, int] = {}
    try:
        check = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if check != ["ok"]:
            problems.extend(f"integrity_check: {line}" for line in check[:10])
        for name, n_rows in conn.execute("SELECT name, n_rows FROM crm_tables ORDER BY position"):
            try:
                (actual,) = conn.execute(f"SELECT COUNT(*) FROM {_ident('t_' + name)}").fetchone()
            except sqlite3.DatabaseError as exc:
                problems.append(f"table {name!r}: {exc}")
                continue
            counts[name] = actual
            if actual != n_rows:
                problems.append(f"table {name!r}: {actual} rows, manifest says {n_rows}")
    except sqlite3.DatabaseError as exc:
        problems.append(f"database error: {exc}")
    finally:
        conn.close()
    return VerifyReport(str(path), not problems, problems, counts)
