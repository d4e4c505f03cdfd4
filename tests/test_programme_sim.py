"""The monthly programme simulation: determinism, sanity, programmes, validation, storage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_sim import FieldError, Scenario, World
from crm_sim.programme_sim import (
    KPI_COLUMNS,
    ab_test,
    set_shared_view,
    shared_view_of,
    simulate,
    uplift_estimate,
)
from crm_sim.programmes import KINDS, Programme


class StandInPolicy:
    """The smallest object with the policy protocol of the u512/u516 seam."""

    def __init__(self, rates=None, respects_consent=True, adherence=None, purpose="retention"):
        self.rates = rates or {"corporate": ("visit", 0.5), "sme": ("phone", 0.5),
                               "individual": ("message", 0.5)}
        self.respects_consent = respects_consent
        self._adherence = adherence
        self.purpose = purpose
        self.logged = []

    def contact_plan(self):
        """Planned contacts per segment, channel and purpose."""
        return pd.DataFrame({
            "segment": list(self.rates), "channel": [c for c, _ in self.rates.values()],
            "per_month": [r for _, r in self.rates.values()],
            "purpose": [self.purpose] * len(self.rates)})

    def targets(self):
        """A target for the SME segment only."""
        return pd.DataFrame({"segment": ["sme"], "new_customers_per_month": [5.0],
                             "retention_rate": [0.99]})


class AdherentPolicy(StandInPolicy):
    """Adds the optional adherence and staff_log parts of the protocol."""

    def adherence(self, world):
        """Every staff member serves SMEs with the same adherence."""
        staff = world.tables["staff"]
        return pd.DataFrame({"actor_id": staff["staff_id"].astype(str),
                             "actor_kind": "staff", "segment": "sme",
                             "adherence": self._adherence})

    def staff_log(self, world, month, rng):
        """One row a month, with a draw from the month's stream."""
        self.logged.append(month)
        return pd.DataFrame({"month": [month], "actor_id": ["S0001"],
                             "rule": ["over_contact"], "draw": [float(rng.random())]})


@pytest.fixture(scope="module")
def world():
    """A 3,000-customer ICT company shared by the module's tests."""
    return World.build(Scenario(seed=5, n_customers=3000))


def test_same_seed_same_bytes(world):
    """Two runs of the same world and inputs give identical KPI tables."""
    a = simulate(world, StandInPolicy(), [Programme("news")], commit=False)
    b = simulate(World.build(world.scenario), StandInPolicy(), [Programme("news")],
                 commit=False)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    pd.testing.assert_frame_equal(a.surveys, b.surveys)


def test_kpi_table_shape(world):
    """Twelve months × segments of KPIs with the documented columns and dtypes."""
    r = simulate(world, commit=False)
    assert list(r.kpis.columns) == list(KPI_COLUMNS)
    assert len(r.kpis) == 12 * len(world.scenario.segments)
    assert (r.kpis["retention_rate"].between(0, 1)).all()


def test_what_if_leaves_world_alone(world):
    """commit=False changes no table and not the clock."""
    before = (world.today, len(world.customers), sorted(world.tables))
    simulate(world, StandInPolicy(), [Programme("member_rewards")], commit=False)
    assert (world.today, len(world.customers), sorted(world.tables)) == before


def test_well_targeted_contact_raises_retention(world):
    """Good contact within capacity keeps more customers than no contact."""
    none = simulate(world, commit=False).summary()
    good = simulate(world, StandInPolicy(), commit=False).summary()
    assert good["churned"] < none["churned"]
    assert good["perception"] > none["perception"]


def test_ignoring_consent_raises_complaints(world):
    """Marketing to customers without consent means breaches and more complaints."""
    ok = simulate(world, StandInPolicy(), commit=False).summary()
    bad = simulate(world, StandInPolicy(respects_consent=False), commit=False).summary()
    assert ok["unconsented_contacts"] == 0
    assert bad["unconsented_contacts"] > 100
    assert bad["complaints"] > ok["complaints"]


def test_low_adherence_skips_consent(world):
    """A poorly adhering team contacts some customers without consent (regulatory risk)."""
    good = simulate(world, AdherentPolicy(adherence=1.0), commit=False).kpis
    poor = simulate(world, AdherentPolicy(adherence=0.3), commit=False).kpis
    sme = poor["segment"] == "sme"
    assert good.loc[sme, "unconsented_contacts"].sum() == 0
    assert poor.loc[sme, "unconsented_contacts"].sum() > 0
    assert poor.loc[sme, "adherence"].iloc[0] == pytest.approx(0.3)


def test_staff_log_gets_month_and_stream(world):
    """Simulate calls policy.staff_log once a month and keeps its rows, deterministically."""
    p1, p2 = AdherentPolicy(adherence=0.8), AdherentPolicy(adherence=0.8)
    a = simulate(world, p1, months=3, commit=False)
    b = simulate(world, p2, months=3, commit=False)
    assert p1.logged == ["2026-01", "2026-02", "2026-03"]
    pd.testing.assert_frame_equal(a.policy_log, b.policy_log)


def test_shared_view_improves_consistency_and_perception(world):
    """With one customer view staff act consistently and perception is higher."""
    off = simulate(world, StandInPolicy(), shared_view=False, commit=False)
    on = simulate(world, StandInPolicy(), shared_view=True, commit=False)
    assert on.kpis["consistency"].mean() > off.kpis["consistency"].mean() + 0.15
    assert on.summary()["perception"] > off.summary()["perception"]
    assert on.kpis["resolution_days"].mean() < off.kpis["resolution_days"].mean()


@pytest.mark.parametrize("kind,measure,sign", [
    ("long_term_discount", "churned", -1), ("trade_in", "revenue", 1),
    ("member_rewards", "churned", -1), ("referral_rewards", "new_customers", 1),
    ("news", "perception", 1), ("service_pledge", "perception", 1),
    ("staff_training", "perception", 1), ("complaint_recovery", "perception", 1),
])
def test_programme_effect_sign(world, kind, measure, sign):
    """Each programme moves its own outcome in the documented direction."""
    params = {"long_term_discount": {"discount": 0.2, "min_tenure_months": 0},
              "trade_in": {"credit": 0.3}, "member_rewards": {"points_rate": 0.1},
              "referral_rewards": {"reward_hkd": 1500}, "news": {"per_month": 2},
              "service_pledge": {"response_hours": 72, "advertise_hkd": 100000},
              "staff_training": {"hours_per_staff": 12},
              "complaint_recovery": {"goodwill_hkd": 2000}}[kind]
    base = simulate(world, StandInPolicy(), commit=False)
    with_it = simulate(world, StandInPolicy(), [Programme(kind, params=params)], commit=False)
    assert sign * (with_it.summary()[measure] - base.summary()[measure]) > 0
    assert with_it.kpis["programme_cost"].sum() > base.kpis["programme_cost"].sum()


def test_give_away_wrecks_contribution(world):
    """A 50% discount for everyone costs more margin than it saves in churn."""
    base = simulate(world, StandInPolicy(), commit=False).summary()
    giveaway = simulate(world, StandInPolicy(), [Programme(
        "long_term_discount", params={"discount": 0.5, "min_tenure_months": 0})],
        commit=False).summary()
    assert giveaway["contribution"] < base["contribution"]


def test_commit_moves_world_and_round_trips(tmp_path):
    """A committed run adds new customers and tables that survive save and load."""
    w = World.build(Scenario(seed=8, n_customers=800))
    n0 = len(w.customers)
    set_shared_view(w, True)
    r = w.simulate(AdherentPolicy(adherence=0.7), [Programme("referral_rewards", ("sme",))],
                   months=6)
    assert w.today == "2026-07-01"
    assert len(w.customers) == n0 + len(r.new_customers) > n0
    assert w.customers["customer_id"].is_unique
    assert set(w.customers["customer_id"]) == set(w.hidden["latent"]["customer_id"])
    loaded = World.load(w.save(tmp_path / "w.sqlite"))
    assert len(w.tables["policy_log"]) == 6 and len(w.tables["adherence_history"]) > 0
    for name in ("kpi_history", "survey_responses", "programmes", "sim_settings", "customers",
                 "adherence_history", "policy_log"):
        pd.testing.assert_frame_equal(loaded.tables[name], w.tables[name])
    pd.testing.assert_frame_equal(loaded.hidden["kpi_truth"], w.hidden["kpi_truth"])
    assert shared_view_of(loaded) is True


def test_second_commit_appends_history():
    """Running twice keeps one KPI history of both runs."""
    w = World.build(Scenario(seed=9, n_customers=400))
    w.simulate(months=2)
    w.simulate(months=3)
    assert w.tables["kpi_history"]["month"].nunique() == 5


@pytest.mark.parametrize("call,field", [
    (lambda w: simulate(w, months=0), "months"),
    (lambda w: simulate(w, programmes=[Programme("news", params={"per_month": 2})],
                        months=True), "months"),
    (lambda w: simulate(w, programmes=[{"kind": "lottery"}]), "programme.kind"),
    (lambda w: simulate(w, programmes=[{"kind": "news", "params": {"per_month": 9}}]),
     "news.per_month"),
    (lambda w: simulate(w, programmes=[{"kind": "news", "segments": ["vip"]}]),
     "programmes[0].segments"),
    (lambda w: simulate(w, programmes=[Programme("news"), Programme("news", ("sme",))]),
     "programmes[1]"),
    (lambda w: simulate(w, StandInPolicy(rates={"sme": ("fax", 1.0)})),
     "policy.contact_plan() row 0 channel"),
    (lambda w: simulate(w, StandInPolicy(rates={"sme": ("phone", -1.0)})),
     "policy.contact_plan() row 0 per_month"),
    (lambda w: simulate(w, StandInPolicy(purpose="lottery")),
     "policy.contact_plan() row 0 purpose"),
    (lambda w: simulate(w, AdherentPolicy(adherence=1.5)), "policy.adherence(world).adherence"),
    (lambda w: simulate(w, object()), "policy"),
    (lambda w: simulate(w, shared_view="yes"), "shared_view"),
])
def test_bad_input_names_field_and_leaves_world(call, field):
    """Each malformed input raises FieldError naming its field; the world is unchanged."""
    w = World.build(Scenario(seed=2, n_customers=200))
    before = (w.today, {k: v.copy() for k, v in w.tables.items()})
    with pytest.raises(FieldError) as err:
        call(w)
    assert err.value.field == field
    assert err.value.fix
    assert w.today == before[0]
    assert sorted(w.tables) == sorted(before[1])
    for name, table in before[1].items():
        pd.testing.assert_frame_equal(w.tables[name], table)


def test_failure_inside_commit_leaves_world_unchanged(monkeypatch):
    """A failure after the run (here: a staff log of the wrong shape) changes nothing."""
    w = World.build(Scenario(seed=2, n_customers=200))
    before = {k: v.copy() for k, v in w.tables.items()}

    class BadLog(StandInPolicy):
        def staff_log(self, world, month, rng):
            raise FieldError("staff_log", month, "rows", "fix the policy")

    with pytest.raises(FieldError):
        simulate(w, BadLog())
    assert sorted(w.tables) == sorted(before)
    assert w.today == "2026-01-01"


def test_ab_test_estimate_covers_truth(world):
    """The difference in means of a randomised test brackets the true uplift."""
    ab = ab_test(world, Programme("member_rewards", params={"points_rate": 0.1}),
                 "individual", months=3)
    est = uplift_estimate(ab.data, "bought")
    assert ab.true_uplift["bought"] > 0
    assert est["low"] <= ab.true_uplift["bought"] <= est["high"]
    assert set(ab.data["arm"]) == {"treatment", "control"}
    assert abs(est["n_treatment"] - est["n_control"]) < 0.2 * len(ab.data)


def test_economics_vary_between_worlds():
    """Two seeds respond differently to the same programme (no answer fits every company)."""
    from crm_sim.programmes import draw_programme_response
    from crm_sim.rng import Streams

    a = draw_programme_response(("corporate", "sme", "individual"), Streams(1))
    b = draw_programme_response(("corporate", "sme", "individual"), Streams(2))
    assert not np.allclose(a.response, b.response)
    assert a.response.shape == (3, len(KINDS))


# Documented in docs/programmes.md ("Calibration"): the default company's KPIs, 12 months,
# no planned contact and no programme, fall inside published typical ranges.
CALIBRATION = {
    "annual_retention": (0.80, 0.97), "survey_nps": (-10.0, 60.0), "csat": (65.0, 95.0),
    "complaints_per_customer_month": (0.005, 0.03), "survey_response_rate": (0.05, 0.25),
    "share_of_wallet": (0.15, 0.50), "resolution_days": (2.0, 10.0),
}


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_default_world_kpis_within_calibration(seed):
    """The default company's yearly KPIs lie inside the documented calibration ranges."""
    r = simulate(World.build(Scenario(seed=seed, n_customers=2000)), commit=False)
    t, s = r.totals(), r.summary()
    measured = {
        "annual_retention": 1 - s["churned"] / s["customers_start"],
        "survey_nps": t["nps"].mean(), "csat": t["csat"].mean(),
        "complaints_per_customer_month": (t["complaints"] / t["customers_start"]).mean(),
        "survey_response_rate": (t["survey_responses"] / t["customers_start"]).mean(),
        "share_of_wallet": r.kpis["share_of_wallet"].mean(),
        "resolution_days": r.kpis["resolution_days"].mean(),
    }
    for name, (low, high) in CALIBRATION.items():
        assert low <= measured[name] <= high, (name, measured[name])


def test_survey_nps_leans_above_the_truth(world):
    """Response bias: surveyed NPS reads higher than if every customer answered honestly."""
    r = simulate(world, commit=False)
    assert r.totals()["nps"].mean() > r.truth["nps_all"].mean() + 5


def test_before_after_is_biased_where_the_randomised_comparison_is_not(world):
    """Before/after on the treated misses the true uplift; arms and adjusted bracket it."""
    ab = ab_test(world, Programme("member_rewards", params={"points_rate": 0.1}),
                 "individual", months=3)
    truth = ab.true_uplift["bought"]
    for method in ("arms", "adjusted"):
        est = uplift_estimate(ab.data, "bought", method=method)
        assert est["low"] <= truth <= est["high"], method
    naive = uplift_estimate(ab.data, "bought", method="before_after")
    assert not naive["low"] <= truth <= naive["high"]


def test_pledge_kept_rate_falls_with_a_tighter_pledge(world):
    """A 4-hour pledge is broken more often than a week-long one."""
    def kept(hours):
        r = simulate(world, programmes=[Programme("service_pledge", params={
            "response_hours": hours})], commit=False)
        return r.kpis["pledge_kept_rate"].mean()
    assert kept(4) < kept(168) == pytest.approx(1.0)


def test_sealed_world_simulates_and_keeps_truth_hidden(tmp_path):
    """A trainee's sealed world runs a year; its truth table stays with the engine."""
    w = World.build(Scenario(seed=10, n_customers=300)).seal()
    w.simulate(StandInPolicy(), [Programme("news")], months=2)
    assert "kpi_truth" not in w.tables and "kpi_truth" not in w.hidden
    assert "kpi_history" in w.tables
    with pytest.raises(FieldError):
        w.table("kpi_truth")


def test_contact_policy_of_the_policy_engine_drives_the_simulation():
    """u512's ContactPolicy runs through the seam; dropping its consent rule costs breaches."""
    from dataclasses import replace

    from crm_sim.policy import starter_policy

    world = World.build(Scenario(seed=44, n_customers=800))
    policy = starter_policy(world)
    lawful = simulate(world, policy, [Programme("news")], months=3, commit=False)
    careless = policy.replace(privacy=replace(policy.privacy, respects_consent=False))
    reckless = simulate(world, careless, [Programme("news")], months=3, commit=False)
    assert lawful.summary()["unconsented_contacts"] < reckless.summary()["unconsented_contacts"]
    assert lawful.summary()["complaints"] < reckless.summary()["complaints"]
    assert set(lawful.adherence["actor_kind"]) <= {"staff", "outsourcer"}


def test_failure_while_writing_puts_the_world_back(monkeypatch):
    """A table that cannot be written half-way through the commit leaves no trace."""
    w = World.build(Scenario(seed=2, n_customers=200))
    w.simulate(AdherentPolicy(adherence=0.9), months=1)
    before = {k: v.copy() for k, v in w.tables.items()}
    hidden = {k: v.copy() for k, v in w.hidden.items()}
    today, schema = w.today, {k: dict(v) for k, v in w.schema.items()}

    def broken(table, df):
        raise FieldError(table, "rows", "a writable table", "free some disk space")

    monkeypatch.setattr(w, "append_rows", broken)
    with pytest.raises(FieldError):
        w.simulate(AdherentPolicy(adherence=0.9), months=2)
    assert w.today == today and w.schema == schema
    assert sorted(w.tables) == sorted(before) and sorted(w.hidden) == sorted(hidden)
    for name, table in before.items():
        pd.testing.assert_frame_equal(w.tables[name], table)
    for name, table in hidden.items():
        pd.testing.assert_frame_equal(w.hidden[name], table)


def test_competitor_moves_raise_churn(world, monkeypatch):
    """With competitors' offers hitting harder, more customers leave (same luck otherwise)."""
    from crm_sim import programme_sim

    calm = simulate(world, StandInPolicy(), commit=False)
    monkeypatch.setattr(programme_sim, "COMPETITOR_HAZARD", 4.0)
    fierce = simulate(world, StandInPolicy(), commit=False)
    assert calm.kpis["competitor_move"].any()
    assert fierce.summary()["churned"] > calm.summary()["churned"]


def test_segment_moves_balance_and_targets_are_reported(world):
    """Customers moving out of segments move into others; the policy's targets are copied."""
    r = simulate(world, StandInPolicy(), commit=False)
    per_month = r.kpis.groupby("month")[["moved_in", "moved_out"]].sum()
    assert (per_month["moved_in"] == per_month["moved_out"]).all()
    assert per_month["moved_in"].sum() > 0
    sme = r.kpis[r.kpis["segment"] == "sme"]
    assert (sme["target_new_customers"] == 5.0).all()
    assert (sme["target_retention_rate"] == 0.99).all()
    assert r.kpis.loc[r.kpis["segment"] != "sme", "target_new_customers"].isna().all()
