"""`World`: every table of one simulated company, its hidden truth and its clock.

Build one with `World.build(Scenario(...))`. Public tables (what trainees see) live in
`world.tables`, the hidden truth graders score against in `world.hidden`; both are
plain pandas DataFrames whose columns and dtypes follow `world.schema` (which starts as
`crm_sim.schema` and grows when a subsystem calls `register_table`). Randomness for
anything done *to* the world comes from `world.streams`, never from a global RNG.

A trainee's kernel gets a *sealed* world (`World.seal`): `world.hidden` is empty, and the
state the simulation needs to answer calls lives with the engine (`engine_state`), where
no trainee-facing helper returns it. This is not a secrecy boundary (the engine is open
source and a trainee's seed follows from their id, so anyone can rebuild their own
world's truth); the defence is that no grade depends on the truth of the trainee's own
world: decisions are graded on an unseen company built where the evaluators run.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.history import generate_history
from crm_sim.population import build_population
from crm_sim.rng import Streams
from crm_sim.scenario import Scenario, add_months
from crm_sim.schema import HIDDEN_TABLES, TABLES

# dtypes a table column may have: each round-trips exactly through the SQLite store.
SUPPORTED_DTYPES = ("string", "bool", "int64", "float64", "boolean", "Int64", "Float64")
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class World:
    """One simulated company: tables, hidden tables, schema, clock and random streams.

    Attributes:
        scenario: The `Scenario` it was built from.
        streams: Named random streams (`Streams(scenario.seed)`); subsystems draw from
            `world.streams.generator("<subsystem>")`.
        tables: Public tables by name (customers, contacts, staff, ...).
        hidden: Hidden tables by name (latent, ...): never shown to trainees.
        schema: Column → dtype per table, for every table in `tables` and `hidden`.
        path: The file this world was last saved to or loaded from (or None).
    """

    def __init__(
        self,
        scenario: Scenario,
        tables: dict[str, pd.DataFrame],
        hidden: dict[str, pd.DataFrame],
        today: str,
        schema: dict[str, dict[str, str]] | None = None,
    ):
        self.scenario = scenario
        self.streams = Streams(scenario.seed)
        self.tables = dict(tables)
        self.hidden = dict(hidden)
        base = {**TABLES, **HIDDEN_TABLES}
        self.schema = {
            name: dict((schema or {}).get(name) or base[name])
            for name in [*self.tables, *self.hidden]
        }
        self._today = _check_date("today", today)
        self.path: Path | None = None
        self._engine_state: dict[str, pd.DataFrame] | None = None
        # called with the world after each change (calls, months); set by ui.session.my_world
        self.autosave = None

    # ----------------------------------------------------------------- building
    @classmethod
    def build(cls, scenario: Scenario) -> World:
        """Build a fresh world: population, then `months_history` months of history."""
        if not isinstance(scenario, Scenario):
            raise FieldError(
                "scenario",
                type(scenario).__name__,
                "a crm_sim.Scenario",
                "World.build(Scenario(seed=1, n_customers=500))",
            )
        streams = Streams(scenario.seed)
        built, arrays = build_population(scenario, streams)
        interactions, latent, spend = generate_history(scenario, streams, built, arrays)
        customers = built["customers"].copy(deep=False)  # only lifetime_value is replaced
        customers["lifetime_value"] = np.round(
            customers["lifetime_value"].to_numpy(float) + spend, 2
        )
        tables = {name: built[name] for name in TABLES if name in built}
        tables["customers"] = customers
        tables["interactions"] = interactions
        return cls(scenario, tables, {"latent": latent}, scenario.end_date)

    # -------------------------------------------------------------- conveniences
    @property
    def today(self) -> str:
        """The simulation clock, an ISO date string."""
        return self._today

    @today.setter
    def today(self, value: str) -> None:
        self._today = _check_date("today", value)

    def advance(self, months: int = 1) -> str:
        """Move the clock forward by whole months (a monthly step calls this last); new date."""
        if isinstance(months, bool) or not isinstance(months, int) or months < 0:
            raise FieldError("months", months, "an integer ≥ 0", "e.g. world.advance(1)")
        self._today = add_months(self._today, months)
        return self._today

    def advance_month(self, months: int = 1) -> pd.DataFrame:
        """Let months pass with results (sales, survey answers, opt-outs, complaints).

        See `crm_sim.simulate.advance`; returns the new ``month_results`` rows. A world
        opened with `crm_sim.ui.session.my_world` saves itself afterwards (`autosave`), as
        it does after calls.
        """
        from crm_sim import simulate

        return simulate.advance(self, months)

    def simulate(self, policy=None, programmes=(), months: int = 12, **kwargs):
        """Run months under a contact policy and a programme portfolio; KPI tables back.

        See `crm_sim.programme_sim.simulate` (``commit=False`` for a what-if run).
        """
        from crm_sim import programme_sim

        return programme_sim.simulate(self, policy, programmes, months, **kwargs)

    @property
    def customers(self) -> pd.DataFrame:
        """The customers table."""
        return self.tables["customers"]

    @property
    def contacts(self) -> pd.DataFrame:
        """People at business accounts (decision makers and colleagues)."""
        return self.tables["contacts"]

    @property
    def staff(self) -> pd.DataFrame:
        """Own staff."""
        return self.tables["staff"]

    @property
    def outsourcers(self) -> pd.DataFrame:
        """Call-centre agencies."""
        return self.tables["outsourcers"]

    @property
    def products(self) -> pd.DataFrame:
        """Products and services with HKD prices."""
        return self.tables["products"]

    @property
    def interactions(self) -> pd.DataFrame:
        """Every past contact (channel, time, purpose, outcome, agent)."""
        return self.tables["interactions"]

    @property
    def latent(self) -> pd.DataFrame:
        """The hidden latent state per customer (graders only; not in a sealed world)."""
        if self.sealed:
            raise _sealed_error("latent")
        return self.hidden["latent"]

    @property
    def sealed(self) -> bool:
        """True for a trainee's world: its hidden state is kept by the engine, not shown."""
        return self._engine_state is not None

    def seal(self) -> World:
        """Move the hidden tables out of `hidden` into the engine's state; returns self.

        Calls, follow-ups and pilots still simulate customers (they read `engine_state`),
        but `hidden` is empty, `table()` and `latent` refuse hidden tables, and `save`
        writes only public tables. Sealing is one-way and survives `copy()`.
        """
        if self._engine_state is None:
            self._engine_state = self.hidden
            self.hidden = {}
        return self

    def table(self, name: str) -> pd.DataFrame:
        """A table by name, public or hidden; FieldError naming the known tables if absent."""
        if name in self.tables:
            return self.tables[name]
        if name in self.hidden:
            return self.hidden[name]
        if self.sealed and name in self._engine_state:
            raise _sealed_error(name)
        raise FieldError(
            "table",
            name,
            f"one of {sorted([*self.tables, *self.hidden])}",
            "register it first with world.register_table(name, df)",
        )

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items())
        sc = self.scenario
        return f"World({sc.industry}, seed={sc.seed}, today={self.today}, {sizes})"

    def copy(self) -> World:
        """A deep copy: changing it never touches this world."""
        other = copy.deepcopy(self)
        other.path = self.path
        other.autosave = None     # a copy (a practice console's) never overwrites the saved one
        return other

    # ------------------------------------------------------------ extension points
    def register_table(
        self,
        name: str,
        df: pd.DataFrame,
        hidden: bool = False,
        columns: dict[str, str] | None = None,
    ) -> pd.DataFrame:
        """Add a table a later subsystem owns (leads, sources, ...); save/load keep it.

        Args:
            name: Lower-case identifier, not already used.
            df: The rows (may be empty when `columns` is given).
            hidden: True for truth graders use but trainees must not see.
            columns: Column → dtype (one of SUPPORTED_DTYPES); inferred from `df` when None.

        Returns:
            The stored table (coerced to the declared dtypes).
        """
        if not isinstance(name, str) or not TABLE_NAME.fullmatch(name):
            raise FieldError(
                "name",
                name,
                "lower-case letters, digits, _ (starting with a letter)",
                'e.g. "leads"',
            )
        if name in self.schema:
            raise FieldError(
                "name",
                name,
                f"a new table name (taken: {sorted(self.schema)})",
                "use append_rows to add rows to an existing table",
            )
        if not isinstance(df, pd.DataFrame):
            raise FieldError(
                "df", type(df).__name__, "a pandas DataFrame", "pass pd.DataFrame(rows)"
            )
        if columns is None:
            columns = {str(c): _infer_dtype(name, str(c), df[c]) for c in df.columns}
        columns = dict(columns)
        for column, dtype in columns.items():
            if not isinstance(column, str) or not COLUMN_NAME.fullmatch(column):
                raise FieldError(
                    f"{name} column",
                    column,
                    "letters, digits and _ (starting with a letter or _)",
                    'rename it, e.g. "lead score" -> "lead_score"',
                )
            if dtype not in SUPPORTED_DTYPES:
                raise FieldError(
                    f"{name}.{column}",
                    dtype,
                    f"one of {SUPPORTED_DTYPES}",
                    "store dates as ISO strings, lists as JSON strings",
                )
        table = _conform(name, df, columns)
        self.schema[name] = columns
        (engine_state(self) if hidden else self.tables)[name] = table
        return table

    def append_rows(self, table: str, df: pd.DataFrame) -> pd.DataFrame:
        """Append rows to a table after checking columns and dtypes; keeps the table's dtypes.

        On any error the table is left exactly as it was.
        """
        state = engine_state(self)
        home = self.tables if table in self.tables or table not in state else state
        current = home[table] if table in home else self.table(table)
        if not isinstance(df, pd.DataFrame):
            raise FieldError(
                "df", type(df).__name__, "a pandas DataFrame", "pass pd.DataFrame(rows)"
            )
        rows = _conform(table, df, self.schema[table])
        combined = pd.concat([current, rows], ignore_index=True) if len(current) else rows
        if not _has_dtypes(combined, self.schema[table]):
            combined = combined.astype(self.schema[table])
        home[table] = combined
        return combined

    # ------------------------------------------------------------------ storage
    def save(self, path: str | Path) -> Path:
        """Write the whole world to a SQLite file atomically (see crm_sim.store)."""
        from crm_sim import store

        self.path = store.save(self, path)
        return self.path

    @classmethod
    def load(cls, path: str | Path) -> World:
        """Read a world saved with `save`; StoreError for corrupt or foreign files."""
        from crm_sim import store

        return store.load(path)

    def backup(self, dest: str | Path) -> Path:
        """Copy this world into `dest` with SQLite's online backup API, then verify it."""
        from crm_sim import store

        return store.backup(self, dest)

    def verify(self, path: str | Path | None = None):
        """Check a saved file (default: this world's `path`): integrity and row counts."""
        from crm_sim import store

        return store.verify(path if path is not None else self.path)

    # ------------------------------------------------------------------ contact
    def call(self, customer_id: str, staff_id: str, channel: str, script=(), when=None, **kwargs):
        """Make and record one call; see `crm_sim.calls.call`."""
        from crm_sim import calls

        return calls.call(self, customer_id, staff_id, channel, script, when, **kwargs)

    def run_plan(self, plan, checklist=None, **kwargs):
        """Execute a whole call plan at once; see `crm_sim.calls.run_plan`."""
        from crm_sim import calls

        return calls.run_plan(self, plan, checklist, **kwargs)


def engine_state(world: Any) -> dict[str, pd.DataFrame]:
    """The hidden tables the simulation reads and updates (engine use only).

    `world.hidden` for a grader's world; a sealed world's private state otherwise. The
    returned dict is the live one: assigning a table to it updates the world.
    """
    state = getattr(world, "_engine_state", None)
    return getattr(world, "hidden", {}) if state is None else state


def autosave(world: Any) -> None:
    """Save `world` if it asked to be saved after each change (`my_world` sets the hook)."""
    hook = getattr(world, "autosave", None)
    if hook is not None:
        hook(world)


def _sealed_error(name: str) -> FieldError:
    return FieldError(
        "table", name, "a public table (this world's hidden state stays with the engine)",
        "work from what customers said and did: world.tables",
    )


def _check_date(field: str, value: Any) -> str:
    """An ISO date string, or FieldError."""
    try:
        ok = isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        ok = False
    if not ok:
        raise FieldError(field, value, "an ISO date string 'YYYY-MM-DD'", 'e.g. "2026-01-01"')
    return value


def _infer_dtype(table: str, column: str, series: pd.Series) -> str:
    """The supported dtype name matching a column, or FieldError."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean" if isinstance(dtype, pd.BooleanDtype) else "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "Int64" if isinstance(dtype, pd.Int64Dtype) else "int64"
    if pd.api.types.is_float_dtype(dtype):
        return "Float64" if isinstance(dtype, pd.Float64Dtype) else "float64"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "string"
    raise FieldError(
        f"{table}.{column}",
        str(dtype),
        f"one of {SUPPORTED_DTYPES}",
        "pass columns={...} or convert dates to ISO strings",
    )


def _dtype(name: str) -> Any:
    """The pandas dtype object a schema's dtype name stands for (parsed once).

    Keyed by pandas' string storage option too, since "string" means whatever it names
    when parsed (`crm_sim.strings` sets python storage; a caller may change it).
    """
    return _parsed_dtype(name, pd.get_option("mode.string_storage"))


@functools.lru_cache(maxsize=256)
def _parsed_dtype(name: str, string_storage: str) -> Any:
    return pd.api.types.pandas_dtype(name)


def _has_dtypes(df: pd.DataFrame, columns: dict[str, str]) -> bool:
    """True when `df` has exactly `columns`, in order, each already of its schema dtype.

    Why: ``astype`` to the dtype a column already has returns equal values at the cost
    of pandas resolving every dtype again; a desk workflow appends hundreds of small
    batches (a graded 104917L3 notebook: 900), so that cost was most of its evaluation.
    """
    dtypes = df.dtypes
    return list(df.columns) == list(columns) and all(
        dtypes.iloc[i] == _dtype(dtype) for i, dtype in enumerate(columns.values()))


def _conform(table: str, df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """`df` with exactly `columns` in order and dtype; FieldError naming what is wrong."""
    have = [str(c) for c in df.columns]
    missing = [c for c in columns if c not in have]
    extra = [c for c in have if c not in columns]
    if missing or extra:
        raise FieldError(
            f"{table} columns",
            have,
            f"exactly {list(columns)}",
            f"add {missing}" if missing else f"drop {extra}",
        )
    out = {}
    for column, dtype in columns.items():
        series = df[column]
        if dtype in ("bool", "int64") and series.isna().any():
            raise FieldError(
                f"{table}.{column}",
                "missing values",
                f"no missing values ({dtype})",
                "fill them or use a nullable dtype",
            )
        if dtype == "string" and not (
            pd.api.types.is_string_dtype(series.dtype)
            or pd.api.types.is_object_dtype(series.dtype)
            or len(series) == 0
        ):
            raise FieldError(
                f"{table}.{column}",
                str(series.dtype),
                "text (string dtype)",
                "convert with .astype(str) (dates as ISO strings)",
            )
        if dtype in ("bool", "boolean") and not (
            pd.api.types.is_bool_dtype(series.dtype) or len(series) == 0
        ):
            raise FieldError(
                f"{table}.{column}",
                str(series.dtype),
                "True/False values",
                "convert with .astype(bool)",
            )
        try:
            # a column already of its dtype is kept (equal values, no dtype parsing)
            converted = series if series.dtype == _dtype(dtype) else series.astype(dtype)
            if dtype in ("int64", "Int64") and pd.api.types.is_float_dtype(series.dtype):
                if not (series.dropna() == series.dropna().round()).all():
                    raise ValueError("fractional values")
        except (TypeError, ValueError) as exc:
            raise FieldError(
                f"{table}.{column}", str(series.dtype), dtype, f"convert the column to {dtype}"
            ) from exc
        out[column] = converted.reset_index(drop=True)
    return pd.DataFrame(out)
