"""Lead sources: deterministic, messy in the documented ways, truth hidden and saved."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pandas as pd
import pytest

from crm_sim.errors import LeadError
from crm_sim.leads import all_records, generate_sources, load_sources
from crm_sim.leads.columns import SOURCE_COLUMNS, SOURCE_TABLES, SOURCES, TRUTH_COLUMNS
from crm_sim.leads.resolution import ROMANISATION_VARIANTS, normalise_phone
from crm_sim.scenario import Scenario
from crm_sim.world import World

from .conftest import snapshot, unchanged

SCRIPT = """
import hashlib, pandas as pd
from crm_sim.world import World
from crm_sim.scenario import Scenario
from crm_sim.leads import generate_sources
w = World.build(Scenario(seed=11, n_customers=250, months_history=2))
s = generate_sources(w, n_prospects=200)
frames = [s[k] for k in sorted(s)] + [w.hidden["lead_truth"]]
print(hashlib.sha256(b"".join(pd.util.hash_pandas_object(f).values.tobytes()
                              for f in frames)).hexdigest())
"""


def digest(world: World) -> str:
    """Hash of every source table and the truth, as the SCRIPT computes it."""
    s = load_sources(world)
    frames = [s[k] for k in sorted(s)] + [world.hidden["lead_truth"]]
    return hashlib.sha256(b"".join(pd.util.hash_pandas_object(f).values.tobytes()
                                   for f in frames)).hexdigest()


@pytest.fixture(scope="module")
def records(lead_world) -> pd.DataFrame:
    """All records stacked, with the truth's entity id attached."""
    truth = lead_world.hidden["lead_truth"].set_index("record_id")
    recs = all_records(lead_world)
    return recs.assign(entity=truth.loc[recs["record_id"], "entity_id"].to_numpy(),
                       stale=truth.loc[recs["record_id"], "is_stale"].to_numpy())


def test_same_seed_same_tables_in_another_process(lead_world):
    """A fresh process building the same world and sources gets byte-identical tables."""
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True, timeout=300)
    assert out.stdout.strip() == digest(lead_world)


def test_different_seed_or_month_differs(lead_world):
    """Another seed, or another month, draws different sources."""
    other = World.build(Scenario(seed=12, n_customers=250, months_history=2))
    generate_sources(other, n_prospects=200)
    assert digest(other) != digest(lead_world)
    month = World.build(Scenario(seed=11, n_customers=250, months_history=2))
    generate_sources(month, n_prospects=200, month="2025-01")
    assert digest(month) != digest(lead_world)


def test_tables_registered_with_schema(lead_world):
    """Five public src_* tables with the documented columns/dtypes; truth is hidden."""
    for name, table in SOURCE_TABLES.items():
        df = lead_world.tables[table]
        assert list(df.columns) == list(SOURCE_COLUMNS)
        assert lead_world.schema[table] == SOURCE_COLUMNS
        assert str(df["budget_hkd"].dtype) == "Float64" and df["dm_consent"].dtype == bool
        assert df["record_id"].str.startswith(SOURCES[name]).all()
        assert (df["source"] == name).all()
    assert "lead_truth" in lead_world.hidden and "lead_truth" not in lead_world.tables
    assert list(lead_world.hidden["lead_truth"].columns) == list(TRUTH_COLUMNS)


def test_record_ids_unique_and_truth_complete(lead_world, records):
    """record_id is unique across sources and every record has exactly one truth row."""
    assert records["record_id"].is_unique
    truth = lead_world.hidden["lead_truth"]
    assert sorted(truth["record_id"]) == sorted(records["record_id"])
    assert records["record_id"].iloc[0] in {"CC0001", "EV0001"}


def test_duplicates_with_spelling_variants(records):
    """Some entities appear in several sources, under differently written names."""
    sizes = records.groupby("entity").size()
    assert (sizes >= 2).sum() >= 40
    multi = records[records["entity"].isin(sizes[sizes >= 2].index) & (records["name"] != "")]
    varied = multi.groupby("entity")["name"].nunique()
    assert (varied >= 2).sum() >= 20
    variants = {v for vs in ROMANISATION_VARIANTS.values() for v in vs}
    words = set(" ".join(records["name"].str.title()).replace(",", " ").split())
    assert words & variants, "no romanisation variant (Chen, Wang, ...) present"
    western = records["name"].str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+")
    assert western.sum() >= 5, "no swapped (given-name-first) names"


def test_phone_formats_vary_but_normalise(records):
    """At least five phone layouts occur, and all normalise to 8 digits."""
    present = records.loc[records["phone"] != "", "phone"]
    layouts = present.str.replace(r"\d", "9", regex=True).unique()
    assert len(layouts) >= 5
    assert normalise_phone(present).str.fullmatch(r"\d{8}").all()


def test_missing_fields_and_no_consent(records, lead_world):
    """Every messy field is blank somewhere; no-consent records exist; referrals never consent."""
    for col in ("name", "phone", "email", "district", "segment", "need", "authority"):
        assert (records[col] == "").any(), col
    assert records["budget_hkd"].isna().any() and records["budget_hkd"].notna().any()
    assert (~records["dm_consent"]).sum() >= 50 and records["dm_consent"].sum() >= 50
    ref = lead_world.tables["src_referral"]
    assert len(ref) and not ref["dm_consent"].any()
    assert ref["referred_by"].isin(lead_world.tables["customers"]["customer_id"]).all()
    assert (lead_world.tables["src_purchased"]["need"] == "").all()


def test_stale_records_are_old(records, lead_world):
    """Truth-stale records were captured over a year before today; fresh ones recently."""
    today = pd.Timestamp(lead_world.today)
    age = (today - pd.to_datetime(records["captured_date"])).dt.days
    assert records["stale"].sum() >= 5
    assert (age[records["stale"]] > 365).all()
    assert (age[~records["stale"]].between(1, 31)).all()


def test_truth_prospects_and_customers(lead_world):
    """Truth has genuine and non-genuine entities, and existing customers that exist."""
    truth = lead_world.hidden["lead_truth"]
    ent = truth.drop_duplicates("entity_id")
    assert 0.6 < ent["is_genuine"].mean() < 0.95
    assert (ent.loc[~ent["is_genuine"], "propensity"] == 0).all()
    assert ent["propensity"].between(0, 1).all()
    existing = ent.loc[ent["customer_id"] != "", "customer_id"]
    assert len(existing) >= 5
    assert existing.isin(lead_world.tables["customers"]["customer_id"]).all()


def test_rerun_returns_same_and_other_args_raise(fresh_world):
    """Re-running the cell is harmless; other arguments raise and change nothing."""
    first = load_sources(fresh_world)
    again = generate_sources(fresh_world, n_prospects=200)
    assert all(again[k].equals(first[k]) for k in first)
    before = snapshot(fresh_world)
    with pytest.raises(LeadError, match="already has lead sources"):
        generate_sources(fresh_world, n_prospects=201)
    assert unchanged(fresh_world, before)


@pytest.mark.parametrize("kwargs,field", [
    ({"n_prospects": 5}, "n_prospects"), ({"n_prospects": "200"}, "n_prospects"),
    ({"n_prospects": True}, "n_prospects"), ({"month": "2025-13"}, "month"),
    ({"month": "Dec"}, "month"), ({"month": "2099-01"}, "month")])
def test_bad_arguments(kwargs, field):
    """Bad n_prospects or month: LeadError naming the field; the world gains nothing."""
    world = World.build(Scenario(seed=3, n_customers=30, months_history=0))
    before = snapshot(world)
    with pytest.raises(LeadError, match=field):
        generate_sources(world, **kwargs)
    assert unchanged(world, before)


def test_save_load_round_trip(lead_world, tmp_path):
    """Sources and hidden truth survive save/load exactly (truth stays hidden)."""
    loaded = World.load(lead_world.copy().save(tmp_path / "w.sqlite"))
    for t in SOURCE_TABLES.values():
        assert loaded.tables[t].equals(lead_world.tables[t])
    assert loaded.hidden["lead_truth"].equals(lead_world.hidden["lead_truth"])
    assert "lead_truth" not in loaded.tables


def test_load_sources_needs_sources():
    """Asking for sources of a world without them says how to fix it."""
    world = World.build(Scenario(seed=3, n_customers=30, months_history=0))
    with pytest.raises(LeadError, match="generate_sources"):
        load_sources(world)


def test_timepiece_world_uses_its_segments_and_catalogue():
    """A watch retailer's sources carry its own segments and product categories."""
    from crm_sim.schema import SEGMENTS

    world = World.build(Scenario(seed=5, n_customers=60, industry="timepiece",
                                 months_history=0))
    recs = pd.concat(generate_sources(world, n_prospects=40).values())
    segs = set(recs["segment"]) - {""}
    assert segs and segs <= set(SEGMENTS["timepiece"])
    needs = set(recs["need"]) - {""}
    assert needs and needs <= set(world.tables["products"]["category"])
