"""`open_desk`: the watch retailer's tables, drawn reproducibly and kept by save/load."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from crm_sim import desk
from crm_sim.desk import catalogue as cat
from crm_sim.scenario import Scenario
from crm_sim.world import World

from .conftest import snapshot

SCRIPT = """
import hashlib, json
from crm_sim import Scenario, World, desk
w = desk.open_desk(World.build(Scenario(seed=3, n_customers=250, industry="timepiece")))
t = {**w.tables, **w.hidden}
print(json.dumps({k: hashlib.sha256(v.to_csv(index=False).encode()).hexdigest()
                  for k, v in t.items() if k.startswith("desk_")}))
"""


def _hashes(world: World) -> dict[str, str]:
    tables = {**world.tables, **world.hidden}
    return {k: hashlib.sha256(v.to_csv(index=False).encode()).hexdigest()
            for k, v in tables.items() if k.startswith("desk_")}


def test_every_table_registered_with_its_schema(desk_world):
    """Each desk table exists with exactly its declared columns and dtypes."""
    for name, spec in {**desk.SCHEMAS, **desk.HIDDEN_SCHEMAS}.items():
        df = desk_world.table(name)
        assert {c: str(t) for c, t in df.dtypes.items()} == spec, name
        assert list(df.columns) == list(spec)
    assert "desk_truth" in desk_world.hidden and "desk_truth" not in desk_world.tables


def test_retailer_content_is_plausible(desk_world):
    """Boutiques, kinds, serials, warranties and repairs hang together."""
    t = desk_world.tables
    assert len(t["desk_boutiques"]) == len(cat.BOUTIQUES)
    assert set(t["desk_customers"]["kind"]) <= set(cat.KINDS)
    assert "tourist" in set(t["desk_customers"]["kind"])
    assert t["desk_sales"]["serial_no"].is_unique and len(t["desk_sales"]) > 0
    assert (t["desk_warranties"]["sale_id"] == t["desk_sales"]["sale_id"]).all()
    assert (t["desk_warranties"]["ends"] > t["desk_warranties"]["starts"]).all()
    assert t["desk_repairs"]["serial_no"].isin(t["desk_sales"]["serial_no"]).all()
    assert t["desk_comms"]["comm_id"].is_unique
    assert t["desk_comms"]["timestamp"].is_monotonic_increasing
    assert set(t["desk_comms"]["channel"]) <= set(cat.COMM_CHANNELS)
    assert t["desk_info"]["classification"].isin(cat.CLASSIFICATIONS).all()
    assert (t["desk_info"]["field"] == "vip_note").sum() == t["desk_customers"]["vip"].sum()
    assert set(t["desk_complaints"]["status"]) <= set(cat.COMPLAINT_STATES)
    assert len(t["desk_events"]) == 0


def test_open_desk_keeps_existing_tables_and_is_idempotent():
    """The world's own tables are untouched; a second call changes nothing."""
    world = World.build(Scenario(seed=4, n_customers=200, industry="timepiece"))
    before = {k: v.copy() for k, v in world.tables.items()}
    desk.open_desk(world)
    for name, df in before.items():
        pd.testing.assert_frame_equal(world.tables[name], df)
    snap = snapshot(world)
    desk.open_desk(world)
    assert snapshot(world).keys() == snap.keys()
    assert all(snapshot(world)[k] is v for k, v in snap.items())


def test_ict_world_refused_and_untouched():
    """An ICT world is refused and keeps exactly its tables (other units are tuned on it)."""
    world = World.build(Scenario(seed=4, n_customers=150))
    names = list(world.tables)
    with pytest.raises(desk.DeskError, match="timepiece"):
        desk.open_desk(world)
    assert list(world.tables) == names


def test_same_seed_same_bytes_across_processes():
    """A fresh process draws byte-identical desk tables from the same scenario."""
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONHASHSEED": "random"})
    here = _hashes(desk.open_desk(World.build(Scenario(seed=3, n_customers=250,
                                                       industry="timepiece"))))
    assert json.loads(out.stdout) == here


def test_different_seed_different_records():
    """Another seed gives other sales and communications."""
    a = _hashes(desk.open_desk(World.build(Scenario(seed=1, n_customers=150,
                                                    industry="timepiece"))))
    b = _hashes(desk.open_desk(World.build(Scenario(seed=2, n_customers=150,
                                                    industry="timepiece"))))
    assert a["desk_sales"] != b["desk_sales"] and a["desk_comms"] != b["desk_comms"]
    assert a["desk_models"] == b["desk_models"]


def test_round_trip_through_save_and_load(w, tmp_path):
    """Every desk table, hidden truth included, comes back exactly after save/load."""
    c = w.customers["customer_id"].iloc[0]
    desk.record_communication(w, c, "S0001", "email", "Sent the brochure.")
    path = w.save(tmp_path / "shop.sqlite")
    back = World.load(path)
    for name in [*desk.SCHEMAS, *desk.HIDDEN_SCHEMAS]:
        pd.testing.assert_frame_equal(back.table(name), w.table(name), check_exact=True)
    assert back.schema == w.schema


def test_sealed_world_keeps_truth_with_the_engine():
    """On a sealed (trainee) world the truth goes to the engine's state, not `hidden`."""
    world = World.build(Scenario(seed=4, n_customers=150, industry="timepiece")).seal()
    desk.open_desk(world)
    assert world.hidden == {}
    with pytest.raises(Exception, match="hidden state"):
        world.table("desk_truth")
