"""Tests of `World.build` and the World extension points (tables, schema, rows, copy)."""

import re

import numpy as np
import pandas as pd
import pytest

from crm_sim import FieldError, Scenario, World
from crm_sim.catalogue import ROLES, SEGMENT_PROFILES
from crm_sim.providers.hk import address, hkid
from crm_sim.schema import CHANNELS, HIDDEN_TABLES, LANGUAGES, OUTCOMES, PURPOSES, SEGMENTS, TABLES

HKID_SEGMENTS = {s for s, p in SEGMENT_PROFILES.items() if p["hkid"] > 0}
BUSINESS = {s for s, p in SEGMENT_PROFILES.items() if p["business"]}


@pytest.fixture(scope="module", params=["ict", "timepiece"])
def world(request):
    """One small world per industry, shared by the module's tests."""
    return World.build(Scenario(seed=31, n_customers=300, industry=request.param))


def test_tables_match_schema_exactly(world):
    """Every public and hidden table has exactly the schema's columns, in order, with its dtypes."""
    assert list(world.tables) == list(TABLES)
    assert list(world.hidden) == list(HIDDEN_TABLES)
    for name, spec in {**TABLES, **HIDDEN_TABLES}.items():
        df = world.table(name)
        assert list(df.columns) == list(spec), name
        assert {c: str(t) for c, t in df.dtypes.items()} == spec, name
        assert isinstance(df.index, pd.RangeIndex) and df.index.start == 0
    for table in world.tables.values():
        assert len(table) > 0


def test_convenience_properties(world):
    """world.customers etc. are the stored tables; the clock is start + months."""
    assert world.customers is world.tables["customers"]
    assert world.latent is world.hidden["latent"]
    assert world.today == "2026-01-01" == world.scenario.end_date
    assert len(world.customers) == 300


def test_identifiers_unique_and_formatted(world):
    """Ids are unique and follow their formats; phone numbers are valid HK numbers, unique."""
    c = world.customers
    assert c["customer_id"].is_unique and c["customer_id"].str.fullmatch(r"C\d{6}").all()
    assert world.interactions["interaction_id"].str.fullmatch(r"I\d{7}").all()
    assert world.interactions["interaction_id"].is_unique
    assert c["phone"].str.fullmatch(r"[23569]\d{7}").all() and c["phone"].is_unique
    assert c["district"].isin(tuple(address.Provider.districts)).all()
    assert c["segment"].isin(SEGMENTS[world.scenario.industry]).all()
    assert c["preferred_channel"].isin(CHANNELS).all()
    assert c["preferred_language"].isin(LANGUAGES).all()
    assert c["email"].str.fullmatch(r"[a-z.]+\d*@[a-z.]+").all() and c["email"].is_unique


def test_hkid_only_where_expected(world):
    """HKIDs only for person segments that need one; each valid and unique."""
    c = world.customers
    held = c["hkid"] != ""
    assert not (held & c["segment"].isin(BUSINESS)).any()
    assert set(c.loc[held, "segment"]) <= HKID_SEGMENTS
    assert held.any()
    assert all(hkid.is_valid(v) for v in c.loc[held, "hkid"])
    assert c.loc[held, "hkid"].is_unique


def test_business_names_and_contacts(world):
    """Business accounts: a Limited company, 1-3 contacts, one decision maker; others none."""
    c = world.customers
    business = c["segment"].isin(BUSINESS)
    assert c.loc[business, "company"].str.endswith("Limited").all()
    assert (c.loc[~business, "company"] == "").all()
    contacts = world.contacts
    assert set(contacts["customer_id"]) == set(c.loc[business, "customer_id"])
    per = contacts.groupby("customer_id")["is_decision_maker"].agg(["sum", "size"])
    assert (per["sum"] == 1).all() and per["size"].between(1, 3).all()
    assert contacts["contact_id"].is_unique


def test_consent_fields_consistent(world):
    """Consent on: date+channel, no withdrawal; withdrawal date only when off, before today."""
    c = world.customers
    on, withdrawn = c["dm_consent"], c["consent_withdrawn_date"] != ""
    assert (c.loc[on, "consent_date"] != "").all() and (c.loc[on, "consent_channel"] != "").all()
    assert not (on & withdrawn).any()
    never = ~on & ~withdrawn
    assert (c.loc[never, "consent_date"] == "").all() and (
        c.loc[never, "consent_channel"] == ""
    ).all()
    w = c[withdrawn]
    assert (w["consent_date"] <= w["consent_withdrawn_date"]).all()
    assert (w["consent_withdrawn_date"] <= world.today).all()
    assert c["consent_channel"].isin(("",) + CHANNELS).all()
    assert on.any() and withdrawn.any() and never.any()


def test_dates_and_tenure(world):
    """`since` is before today; tenure_months counts whole months from since to today."""
    c = world.customers
    assert (c["since"] < world.today).all()
    since = pd.to_datetime(c["since"])
    today = pd.Timestamp(world.today)
    months = (
        (today.year - since.dt.year) * 12
        + (today.month - since.dt.month)
        - (since.dt.day > today.day)
    )
    assert (c["tenure_months"] == months).all()
    assert (c["lifetime_value"] >= 0).all()


def test_staff_outsourcers_products(world):
    """Every role of the industry is staffed; skills in [0, 1]; products priced in HKD."""
    roles = {r[0] for r in ROLES[world.scenario.industry]}
    assert set(world.staff["role"]) == roles
    for col in ("skill", "product_knowledge", "soft_skill"):
        assert world.staff[col].between(0, 1).all()
    assert (world.staff["capacity_hours_week"] > 0).all()
    assert world.outsourcers["agency"].str.endswith("Limited").all()
    assert world.outsourcers["quality"].between(0, 1).all()
    assert (world.products["price"] > 0).all()
    assert world.products["segment_fit"].isin(SEGMENTS[world.scenario.industry]).all()


def test_interactions_consistent(world):
    """Interactions: real customers/agents, in the window after joining, ordered, valid codes."""
    i, c = world.interactions, world.customers
    assert i["customer_id"].isin(c["customer_id"]).all()
    agents = set(world.staff["staff_id"]) | set(world.outsourcers["outsourcer_id"])
    assert i["agent_id"].isin(agents).all()
    assert i["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d").all()
    assert i["timestamp"].is_monotonic_increasing
    assert (i["timestamp"] >= world.scenario.start_date).all() and (
        i["timestamp"] < world.today
    ).all()
    joined = i["customer_id"].map(c.set_index("customer_id")["since"])
    assert (i["timestamp"].str.slice(0, 10) >= joined).all()
    assert i["channel"].isin(CHANNELS).all() and i["purpose"].isin(PURPOSES).all()
    assert i["outcome"].isin(OUTCOMES).all()
    assert set(i["outcome"]) == set(OUTCOMES)
    assert ((i["purpose"] == "complaint") == (i["outcome"] == "complaint")).all()
    assert (i["duration_min"] > 0).all()


def test_info_captured_is_json_object(world):
    """info_captured is always a JSON object; sales name a product of the catalogue."""
    import json

    values = world.interactions["info_captured"]
    parsed = {v: json.loads(v) for v in values.unique()}
    assert all(isinstance(p, dict) for p in parsed.values())
    sales = values[world.interactions["outcome"] == "sale"].map(parsed)
    named = [p["product"] for p in sales if "product" in p]
    assert named and set(named) <= set(world.products["product_id"])
    assert "{}" in parsed


def test_no_promotion_without_consent(world):
    """The history never sends a promotion to a customer without consent in force."""
    i, c = world.interactions, world.customers
    promo = i[i["purpose"] == "promotion"]
    consent = promo["customer_id"].map(c.set_index("customer_id")["dm_consent"])
    assert consent.all()


def test_latent_aligned_and_bounded(world):
    """The latent table has one row per customer in the same order, states in range."""
    latent = world.latent
    assert latent["customer_id"].tolist() == world.customers["customer_id"].tolist()
    for col in ("satisfaction", "perception", "propensity", "fatigue"):
        assert latent[col].between(0, 1).all()
    assert latent["churn_hazard"].between(0, 0.25).all()
    assert latent["channel_affinity"].isin(CHANNELS).all()
    assert 0 < (~latent["active"]).sum() < len(latent) * 0.5


def test_sales_add_to_lifetime_value():
    """Customers with sales in the history carry more lifetime value than prior spend alone."""
    from crm_sim.population import build_population
    from crm_sim.rng import Streams

    sc = Scenario(seed=4, n_customers=200)
    world = World.build(sc)
    prior = build_population(sc, Streams(sc.seed))[0]["customers"]["lifetime_value"]
    buyers = world.customers["customer_id"].isin(
        world.interactions.loc[world.interactions["outcome"] == "sale", "customer_id"]
    )
    assert (world.customers.loc[buyers, "lifetime_value"] > prior[buyers]).all()
    assert (world.customers.loc[~buyers, "lifetime_value"] == prior[~buyers]).all()


def test_zero_months_history():
    """months_history=0 gives an empty interactions table with the schema's dtypes."""
    world = World.build(Scenario(seed=2, n_customers=50, months_history=0))
    assert len(world.interactions) == 0
    assert {c: str(t) for c, t in world.interactions.dtypes.items()} == TABLES["interactions"]
    assert world.today == world.scenario.start_date


def test_history_window_with_mid_month_start():
    """With a mid-month start, every interaction lies in [start_date, today)."""
    world = World.build(
        Scenario(seed=3, n_customers=150, start_date="2025-03-15", months_history=2)
    )
    ts = world.interactions["timestamp"]
    assert world.today == "2025-05-15"
    assert (ts >= "2025-03-15").all() and (ts < "2025-05-15").all() and len(ts) > 0


def test_build_refuses_non_scenario():
    """World.build with a dict raises FieldError pointing at Scenario."""
    with pytest.raises(FieldError, match="Scenario"):
        World.build({"seed": 1})


def test_today_setter_validates():
    """The clock only accepts ISO date strings."""
    world = World.build(Scenario(seed=2, n_customers=20, months_history=1))
    world.today = "2026-02-01"
    assert world.today == "2026-02-01"
    with pytest.raises(FieldError, match="today"):
        world.today = "1 Feb 2026"
    assert world.today == "2026-02-01"


def test_advance_moves_clock_by_months():
    """advance() adds whole months (day clipped); negative or non-int months are refused."""
    world = World.build(Scenario(seed=2, n_customers=20, start_date="2025-01-31", months_history=1))
    assert world.today == "2025-02-28"
    assert world.advance() == "2025-03-28" == world.today
    with pytest.raises(FieldError, match="months"):
        world.advance(-1)
    with pytest.raises(FieldError, match="months"):
        world.advance(1.5)
    assert world.today == "2025-03-28"


@pytest.fixture
def small():
    """A fresh tiny world a test may change."""
    return World.build(Scenario(seed=9, n_customers=40, months_history=2))


def test_append_rows_validates_and_keeps_dtypes(small):
    """append_rows adds rows in schema order with schema dtypes; bad rows change nothing."""
    before = small.staff.copy()
    row = before.iloc[[0]].copy()
    row["staff_id"] = "S9999"
    row = row[list(reversed(row.columns))]  # column order does not matter
    small.append_rows("staff", row)
    assert len(small.staff) == len(before) + 1
    assert {c: str(t) for c, t in small.staff.dtypes.items()} == TABLES["staff"]
    assert small.staff["staff_id"].iloc[-1] == "S9999"
    snapshot = small.staff.copy()
    with pytest.raises(FieldError, match="staff columns"):
        small.append_rows("staff", row.drop(columns=["skill"]))
    with pytest.raises(FieldError, match="staff.skill"):
        small.append_rows("staff", row.assign(skill="high"))
    with pytest.raises(FieldError, match="staff columns"):
        small.append_rows("staff", row.assign(tenure=1).drop(columns=["capacity_hours_week"]))
    with pytest.raises(FieldError, match="table"):
        small.append_rows("nope", row)
    pd.testing.assert_frame_equal(small.staff, snapshot)


def test_append_rows_matches_full_conversion_and_is_not_shared(small):
    """Rows of the schema dtypes give what a full astype gives; later caller edits stay out."""
    row = small.staff.iloc[[0]].copy()
    row["staff_id"] = "S9998"
    expected = pd.concat([small.staff, row], ignore_index=True).astype(small.schema["staff"])
    small.append_rows("staff", row)
    pd.testing.assert_frame_equal(small.staff, expected)
    row.loc[row.index[0], "staff_id"] = "S0000"   # the caller changes its own frame later
    assert small.staff["staff_id"].iloc[-1] == "S9998"


def test_append_rows_converts_columns_of_another_dtype(small):
    """A column of another dtype (int32 hours, object ids) still ends in the schema dtype."""
    row = small.staff.iloc[[0]].copy()
    row["staff_id"] = pd.Series(["S9997"], dtype=object, index=row.index)
    row["capacity_hours_week"] = row["capacity_hours_week"].astype("int32")
    small.append_rows("staff", row)
    assert {c: str(t) for c, t in small.staff.dtypes.items()} == TABLES["staff"]
    assert small.staff["staff_id"].iloc[-1] == "S9997"


def test_register_table(small):
    """register_table adds a public or hidden table with declared or inferred dtypes."""
    leads = pd.DataFrame(
        {"lead_id": ["L1", "L2"], "score": [0.5, 0.7], "n": [1, 2], "ok": [True, False]}
    )
    stored = small.register_table("leads", leads)
    assert small.schema["leads"] == {
        "lead_id": "string",
        "score": "float64",
        "n": "int64",
        "ok": "bool",
    }
    assert small.tables["leads"] is stored and str(stored["lead_id"].dtype) == "string"
    small.register_table("truth", pd.DataFrame({"x": []}), hidden=True, columns={"x": "Int64"})
    assert "truth" in small.hidden and "truth" not in small.tables
    small.append_rows("truth", pd.DataFrame({"x": [1, None]}))
    assert small.hidden["truth"]["x"].isna().tolist() == [False, True]
    with pytest.raises(FieldError, match="name"):
        small.register_table("leads", leads)
    with pytest.raises(FieldError, match="name"):
        small.register_table("Bad Name", leads)
    with pytest.raises(FieldError, match="dates.when"):
        small.register_table("dates", pd.DataFrame({"when": pd.to_datetime(["2025-01-01"])}))
    with pytest.raises(FieldError, match="odd.x"):
        small.register_table(
            "odd",
            leads[["lead_id"]].rename(columns={"lead_id": "x"}),
            columns={"x": "datetime64[ns]"},
        )
    with pytest.raises(FieldError, match="spaced column"):
        small.register_table("spaced", pd.DataFrame({"lead score": [1]}))
    assert (
        "dates" not in small.schema and "odd" not in small.schema and "spaced" not in small.schema
    )


def test_copy_is_independent(small):
    """Changing a copy's tables or clock leaves the original unchanged."""
    other = small.copy()
    other.customers.loc[0, "name"] = "Changed"
    other.today = "2030-01-01"
    assert small.customers.loc[0, "name"] != "Changed"
    assert small.today != "2030-01-01"


def test_streams_are_the_worlds():
    """world.streams is seeded from the scenario, so subsystems draw reproducibly from it."""
    a = World.build(Scenario(seed=5, n_customers=10, months_history=0))
    b = World.build(Scenario(seed=5, n_customers=10, months_history=0))
    assert a.streams.seed == 5
    assert np.array_equal(
        a.streams.generator("calls").random(3), b.streams.generator("calls").random(3)
    )


def test_repr_mentions_sizes(small):
    """Repr names the industry, seed, clock and table sizes."""
    text = repr(small)
    assert re.search(r"World\(ict, seed=9, today=\d{4}-\d\d-\d\d, customers=40", text)
