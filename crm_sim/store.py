"""SQLite storage of a whole `World`: exact round trip, atomic save, online backup, verify.

File layout (one SQLite database, stdlib ``sqlite3``):

* ``crm_meta(key, value)`` — format marker, format version, scenario JSON, clock.
* ``crm_tables(name, hidden, position, columns_json, n_rows)`` — the manifest: every
  table with its column → dtype map and its row count.
* one table ``t_<name>`` per world table, columns in schema order.

Values go in through bound parameters only; table and column names come from the
world's schema and are checked against a strict identifier pattern before use.
Loading opens the file read-only, so a corrupt or foreign file is never modified.
Saving writes a temporary file next to the target in one transaction and then
replaces the target, so a failed save never loses what was saved before.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crm_sim.errors import StoreError
from crm_sim.scenario import Scenario

if TYPE_CHECKING:
    from crm_sim.world import World

FORMAT = "crm-sim-world"
FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
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


def _column_values(series: pd.Series, dtype: str) -> list:
    """Python values for sqlite3 (None for missing), in row order."""
    if dtype == "string":
        values = series.astype(object)
        return values.where(series.notna(), None).tolist()
    if dtype in ("bool", "boolean", "Int64"):
        out = series.astype(object).where(series.notna(), None).tolist()
        return [None if v is None else int(v) for v in out]
    if dtype == "Float64":
        return series.astype(object).where(series.notna(), None).tolist()
    return series.tolist()


def _write(conn: sqlite3.Connection, world: World) -> None:
    """Write every table, the manifest and the metadata inside one transaction."""
    conn.execute("CREATE TABLE crm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute(
        "CREATE TABLE crm_tables (name TEXT PRIMARY KEY, hidden INTEGER NOT NULL, "
        "position INTEGER NOT NULL, columns_json TEXT NOT NULL, n_rows INTEGER NOT NULL)"
    )
    meta = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "scenario": json.dumps(world.scenario.to_dict(), sort_keys=True),
        "today": world.today,
    }
    conn.executemany("INSERT INTO crm_meta (key, value) VALUES (?, ?)", sorted(meta.items()))
    everything = [(name, False, df) for name, df in world.tables.items()]
    everything += [(name, True, df) for name, df in world.hidden.items()]
    for position, (name, hidden, df) in enumerate(everything):
        columns = world.schema[name]
        defs = ", ".join(f"{_ident(c)} {SQL_TYPES[d]}".rstrip() for c, d in columns.items())
        table = _ident("t_" + name)
        conn.execute(f"CREATE TABLE {table} ({defs})")
        data = [_column_values(df[c], d) for c, d in columns.items()]
        marks = ", ".join("?" * len(columns))
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", zip(*data, strict=True))
        conn.execute(
            "INSERT INTO crm_tables VALUES (?, ?, ?, ?, ?)",
            (name, int(hidden), position, json.dumps(columns), len(df)),
        )


def _atomic_sqlite(dest: Path, fill) -> Path:
    """Create `dest` via a temporary SQLite file filled by `fill(conn)`, then replace."""
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
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            # A private temp file: no journal or syncs while filling; one fsync at the end.
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            fill(conn)
        finally:
            conn.close()
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

    def fill(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN")
        try:
            _write(conn, world)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

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


def _to_series(values: list, dtype: str) -> pd.array:
    """A column read from SQLite back into its pandas dtype, exactly."""
    if dtype == "string":
        return pd.array(values, dtype="string")
    if dtype == "bool":
        return np.asarray(values, dtype=np.int64).astype(bool)
    if dtype == "int64":
        return np.asarray(values, dtype=np.int64)
    if dtype == "float64":
        return np.array(values, dtype=np.float64)  # None (SQL NULL, a saved NaN) -> NaN
    if dtype == "boolean":
        return pd.array([None if v is None else bool(v) for v in values], dtype="boolean")
    return pd.array(values, dtype=dtype)


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
        if name not in self.manifest:
            raise StoreError(
                f"{str(self.path)!r} has no table {name!r}; tables: {self.names()}. "
                "Fix: use one of those names"
            )
        columns, n_rows = self.manifest[name]["columns"], self.manifest[name]["n_rows"]
        try:
            cols = ", ".join(_ident(c) for c in columns)
            rows = self._conn.execute(
                f"SELECT {cols} FROM {_ident('t_' + name)} ORDER BY rowid"
            ).fetchall()
            data = list(zip(*rows, strict=True)) if rows else [[] for _ in columns]
            df = pd.DataFrame(
                {c: _to_series(list(v), d) for (c, d), v in zip(columns.items(), data, strict=True)}
            )
        except (sqlite3.DatabaseError, KeyError, ValueError, TypeError) as exc:
            raise self._damaged(exc) from exc
        if len(df) != n_rows:
            raise StoreError(
                f"{str(self.path)!r}: table {name!r} has {len(df)} rows, manifest says "
                f"{n_rows}; Fix: restore the file from a backup"
            )
        return df

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._conn.close()

    def __enter__(self) -> WorldFile:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def load(path: str | Path) -> World:
    """Read a world saved by `save`; the file is opened read-only and never modified."""
    from crm_sim.world import World

    with WorldFile(path) as wf:
        tables = {name: wf.read(name) for name in wf.names(hidden=False)}
        hidden = {name: wf.read(name) for name in wf.names(hidden=True)}
        schema = {name: m["columns"] for name, m in wf.manifest.items()}
        world = World(wf.scenario, tables, hidden, wf.today, schema=schema)
    world.path = Path(path)
    return world


def backup(world: World, dest: str | Path) -> Path:
    """Write `world` to an in-memory database, copy it to `dest` with the online backup API.

    The copy is atomic (temporary file, then replace) and verified before returning.
    """
    memory = sqlite3.connect(":memory:", isolation_level=None)
    try:
        memory.execute("BEGIN")
        _write(memory, world)
        memory.execute("COMMIT")
        out = _atomic_sqlite(Path(dest), lambda conn: memory.backup(conn))
    finally:
        memory.close()
    report = verify(out)
    if not report.ok:
        raise StoreError(f"backup {str(out)!r} failed verification: {'; '.join(report.problems)}")
    return out


def backup_file(src: str | Path, dest: str | Path) -> Path:
    """Copy a saved world file to `dest` with the online backup API (source read-only)."""
    conn = _open_readonly(src)
    try:
        out = _atomic_sqlite(Path(dest), lambda target: conn.backup(target))
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
