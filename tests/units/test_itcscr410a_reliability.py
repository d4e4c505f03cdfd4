"""ITCSCR410A's performance cells are reliable across 20 unseen companies.

For each performance cell graded on the unseen company, on 20 small worlds built once:
the taught method (as the no-code rule the notebook's solution sets) scores full marks on
at least 19; a naive or random answer of the right shape scores at most a quarter of the
points on at least 19; a different sound method scores at least 80 % on at least 19.
No trainee code runs here: rules are data the evaluators apply themselves.
"""

from __future__ import annotations

import pytest
from unit_loader import evaluators_module, helper_module

from autograders.checks import EvalContext, registered
from crm_sim.leads import rules
from crm_sim.scenario import Scenario
from crm_sim.world import World

U = evaluators_module("ITCSCR410A")
desk = helper_module("ITCSCR410A", "profile_desk")
SEEDS = range(4100, 4120)


@pytest.fixture(scope="module")
def worlds() -> list[World]:
    """20 small unseen companies (200 customers each) with their lead sources."""
    out = []
    for seed in SEEDS:
        world = World.build(Scenario(seed=seed, n_customers=200))
        desk.ensure_sources(world)
        out.append(world)
    return out


@pytest.fixture(scope="module")
def ev():
    """The unit's evaluators by grade_id."""
    return registered("ITCSCR410A")


def grade(ev, gid: str, artifact, world: World) -> float:
    """The score of `artifact` at cell `gid` with `world` as the unseen company."""
    ctx = EvalContext(unit="ITCSCR410A", trainee_id="t-rel", trainee_seed=1,
                      hidden_seed=world.scenario.seed)
    ctx._cache["hidden"] = world
    ctx._cache["trainee"] = world
    return ev[gid](artifact, ctx).score


def count(scores, test) -> int:
    """How many companies' scores pass `test`."""
    return sum(1 for s in scores if test(s))


# ------------------------------------------------------------------ record linking
def test_link_rule_taught_full_on_19_of_20(ev, worlds):
    """The matcher's taught thresholds score full marks on at least 19 of 20 companies."""
    scores = [grade(ev, "resolve_function_test", rules.TAUGHT_LINK_RULE, w) for w in worlds]
    assert count(scores, lambda s: s == 1.0) >= 19, scores


def test_link_rule_naive_at_most_a_quarter(ev, worlds):
    """Linking everyone named in the same district (a careless rule) scores <= a quarter."""
    naive = {"kind": "link_rule", "match_on": {"district": 0}}
    scores = [grade(ev, "resolve_function_test", naive, w) for w in worlds]
    assert count(scores, lambda s: s <= 0.25) >= 19, scores


def test_link_rule_other_sound_method_at_least_80(ev, worlds):
    """A different sound rule (e-mail loosely, phone strictly, same-district names) >= 80%."""
    other = {"kind": "link_rule", "match_on": {"email": 50, "phone": 75, "district": 95}}
    scores = [grade(ev, "resolve_function_test", other, w) for w in worlds]
    assert count(scores, lambda s: s >= 0.8) >= 19, scores


# ------------------------------------------------------------------ lead qualification
def taught_leads(world: World) -> dict:
    """The notebook's lead rule with management's standards of that company."""
    return rules.taught_lead_rule(desk.standards_for(world))


@pytest.mark.parametrize("gid", ["lead_list_test", "qualify_function_test"])
def test_lead_rule_taught_full_on_19_of_20(gid, ev, worlds):
    """The taught lead rule scores full marks on at least 19 of 20 companies."""
    scores = [grade(ev, gid, taught_leads(w), w) for w in worlds]
    assert count(scores, lambda s: s == 1.0) >= 19, scores


@pytest.mark.parametrize("gid", ["lead_list_test", "qualify_function_test"])
def test_lead_rule_naive_at_most_a_quarter(gid, ev, worlds):
    """No standards, no merging, newest first (a raw list) scores at most a quarter."""
    def naive(world):
        return {"kind": "lead_rule", "merge_on": [], "rank_by": ["newest"],
                "consent_from_purchased": True,
                "standards": {"require_budget": False, "min_deal_hkd": 0,
                              "authority_levels": [], "require_need": False,
                              "max_timeline_months": None, "require_consent": False,
                              "require_contact": False, "max_record_age_days": None}}
    scores = [grade(ev, gid, naive(w), w) for w in worlds]
    assert count(scores, lambda s: s <= 0.25) >= 19, scores


def test_lead_rule_other_sound_method_at_least_80(ev, worlds):
    """Management's standards with the largest budgets first (not soonest) scores >= 80%."""
    def other(world):
        rule = taught_leads(world)
        return {**rule, "rank_by": ["largest_budget", "soonest"]}
    scores = [grade(ev, "qualify_function_test", other(w), w) for w in worlds]
    assert count(scores, lambda s: s >= 0.8) >= 19, scores


# ------------------------------------------------------------------ referral network
def test_prospect_rule_taught_full_on_19_of_20(ev, worlds):
    """The taught prospect rule (known to a customer, not a customer) is full on >= 19."""
    scores = [grade(ev, "network_test", rules.TAUGHT_PROSPECT_RULE, w) for w in worlds]
    assert count(scores, lambda s: s == 1.0) >= 19, scores


def test_prospect_rule_other_sound_method_at_least_80(ev, worlds):
    """Ranking by how many customers know them (not tie strength) scores >= 80% on >= 19."""
    other = {**rules.TAUGHT_PROSPECT_RULE, "rank_by": "known_by", "min_known_by": 1}
    scores = [grade(ev, "network_test", other, w) for w in worlds]
    assert count(scores, lambda s: s >= 0.8) >= 19, scores


def test_prospect_list_random_at_most_a_quarter(worlds):
    """Thirty random prospects of the graph (known to us or not) score <= a quarter."""
    import random

    scores = []
    for w in worlds:
        edges = desk.referral_edges(w)
        nodes = sorted({e[end] for e in edges for end in ("source", "target")
                        if e[f"{end}_kind"] == "prospect"})
        picked = random.Random(w.scenario.seed).sample(nodes, 30)
        scores.append(U.network_verdict(w, picked).score)
    assert count(scores, lambda s: s <= 0.25) >= 19, scores


# ------------------------------------------------------------------ recommendations
TAUGHT_RECOMMEND = {"kind": "recommend_rule", "plays": [
    {"action": "cross_sell_call",
     "pick_by": ["customers", "consent_rate", "sale_rate", "monthly_value"],
     "expected_effect": {"metric": "retained_value", "change": 100_000}},
    {"action": "referral_reward", "pick_by": ["customers", "consent_rate", "satisfied_share"],
     "expected_effect": {"metric": "new_customers", "change": 10}}]}


def test_recommend_rule_taught_full_on_19_of_20(ev, worlds):
    """The taught rule per segment signal scores full marks on at least 19 of 20."""
    scores = [grade(ev, "recommend_test", TAUGHT_RECOMMEND, w) for w in worlds]
    assert count(scores, lambda s: s == 1.0) >= 19, scores


def test_recommend_rule_naive_at_most_a_quarter(ev, worlds):
    """Service calls to the segment with most complaints, effect unstated: <= a quarter."""
    naive = {"kind": "recommend_rule", "plays": [
        {"action": "win_back_call", "pick_by": ["complaint_rate"],
         "expected_effect": {"metric": "new_customers", "change": 0}}]}
    scores = [grade(ev, "recommend_test", naive, w) for w in worlds]
    assert count(scores, lambda s: s <= 0.25) >= 19, scores


def test_recommend_rule_other_sound_method_at_least_80(ev, worlds):
    """Offer by consented value (customers x consent x value), referrals by consent: >= 80%."""
    other = {"kind": "recommend_rule", "plays": [
        {"action": "cross_sell_call", "pick_by": ["customers", "consent_rate", "mean_value"],
         "expected_effect": {"metric": "retained_value", "change": 50_000}},
        {"action": "referral_reward", "pick_by": ["customers", "consent_rate"],
         "expected_effect": {"metric": "new_customers", "change": 5}}]}
    scores = [grade(ev, "recommend_test", other, w) for w in worlds]
    assert count(scores, lambda s: s >= 0.8) >= 19, scores


# ------------------------------------------------------------------ profile summary
TAUGHT_FIGURES = {"kind": "figure_specs", "figures": {
    "customers_by_segment": {"measure": "count", "group_by": "segment"},
    "mean_value_by_segment": {"measure": "mean", "group_by": "segment",
                              "column": "lifetime_value", "round": 2},
    "consent_rate": {"measure": "share_true", "column": "dm_consent", "round": 4},
    "top_districts": {"measure": "count", "group_by": "district", "top": 3}}}


def test_summary_figures_taught_full_on_20(ev, worlds):
    """The figures as taught are exact on all 20 companies."""
    scores = [grade(ev, "summary_test", TAUGHT_FIGURES, w) for w in worlds]
    assert count(scores, lambda s: s == 1.0) >= 19, scores


def test_summary_figures_naive_at_most_a_quarter(ev, worlds):
    """Counting rows for every figure (a naive pivot) earns at most one figure in four."""
    naive = {"kind": "figure_specs", "figures": {
        name: {"measure": "count", "group_by": "segment"} for name in TAUGHT_FIGURES["figures"]}}
    scores = [grade(ev, "summary_test", naive, w) for w in worlds]
    assert count(scores, lambda s: s <= 0.25) >= 19, scores


def test_summary_figures_other_sound_method_full(ev, worlds):
    """Consent as the mean of the flag (not 'share true'), unrounded: still right (within 0.006)."""
    other = {"kind": "figure_specs", "figures": {
        **TAUGHT_FIGURES["figures"],
        "consent_rate": {"measure": "mean", "column": "dm_consent"}}}
    scores = [grade(ev, "summary_test", other, w) for w in worlds]
    assert count(scores, lambda s: s >= 0.8) >= 19, scores


# ------------------------------------------------------------------ privacy by design
# Cells judged on the trainee's own company: each of the 20 worlds is the trainee's here.
def marketing_pick(world: World, columns: list[str]) -> object:
    """The marketing list the column picker gives with the taught choices."""
    from autograders.checks import to_plain
    from crm_sim.ui.column_picker import ColumnPicker

    picker = ColumnPicker(desk.stacked_sources(world), purpose="direct_marketing")
    picker.filter_rows("source", [s for s, uses in U.PURPOSE_KEY.items()
                                  if "direct_marketing" in uses])
    picker.filter_rows("dm_consent", [True])
    picker.keep_only(columns)
    return to_plain(picker.value)


def test_marketing_taught_full_naive_zero_other_full(ev, worlds):
    """Taught list full on >= 19; every record listed <= a quarter; fewer columns >= 80%."""
    from autograders.checks import to_plain

    taught = [grade(ev, "marketing_test", marketing_pick(
        w, ["record_id", "name", "phone", "email", "segment", "need"]), w) for w in worlds]
    naive = [grade(ev, "marketing_test", to_plain(desk.stacked_sources(w)), w) for w in worlds]
    other = [grade(ev, "marketing_test", marketing_pick(
        w, ["record_id", "phone", "email", "segment"]), w) for w in worlds]
    assert count(taught, lambda s: s == 1.0) >= 19, taught
    assert count(naive, lambda s: s <= 0.25) >= 19, naive
    assert count(other, lambda s: s >= 0.8) >= 19, other


def profiles_of(world: World):
    """The profiles built from the taught link rule on `world`."""
    return desk.build_profiles(world, rules.apply_link_rule(desk.stacked_sources(world),
                                                            rules.TAUGHT_LINK_RULE))


def test_share_taught_full_naive_zero_other_full(ev, worlds):
    """Contact dropped, company masked: full on >= 19; the raw table 0; company dropped full."""
    from autograders.checks import to_plain
    from crm_sim.ui.column_picker import ColumnPicker

    taught, naive, other = [], [], []
    for w in worlds:
        profiles = profiles_of(w)
        picker = ColumnPicker(profiles, purpose="analysis")
        for column in ["name", "phone", "email", "record_ids"]:
            picker.choose(column, "drop")
        picker.choose("company", "mask")
        taught.append(grade(ev, "share_test", to_plain(picker.value), w))
        naive.append(grade(ev, "share_test", to_plain(profiles), w))
        picker.choose("company", "drop")
        other.append(grade(ev, "share_test", to_plain(picker.value), w))
    assert count(taught, lambda s: s == 1.0) >= 19, taught
    assert count(naive, lambda s: s <= 0.25) >= 19, naive
    assert count(other, lambda s: s >= 0.8) >= 19, other


def test_purpose_and_access_taught_full_naive_zero(ev, worlds):
    """Notice-based purposes and need-based access: full everywhere; 'everything' 0."""
    everything = {s: ["service", "analysis", "direct_marketing"] for s in U.PURPOSE_KEY}
    all_full = {r: dict.fromkeys(
        ["identifier", "contact", "government_id", "profile", "consent", "financial",
         "activity", "other"], "full") for r in ("agency", "consultant")}
    taught_access = {"agency": {"identifier": "full", "contact": "full", "profile": "full",
                                "consent": "full", "activity": "full"},
                     "consultant": {"identifier": "full", "profile": "full",
                                    "consent": "full", "financial": "full",
                                    "activity": "full", "other": "full"}}
    lean_access = {"agency": {"identifier": "full", "contact": "full", "consent": "full"},
                   "consultant": {"identifier": "full", "profile": "full",
                                  "financial": "full"}}
    for w in worlds[:5]:        # world-independent answers: five companies show it
        assert grade(ev, "purpose_test", {s: sorted(u) for s, u in U.PURPOSE_KEY.items()},
                     w) == 1.0
        assert grade(ev, "purpose_test", everything, w) == 0.0
        assert grade(ev, "access_test", taught_access, w) == 1.0
        assert grade(ev, "access_test", all_full, w) == 0.0
        assert grade(ev, "access_test", lean_access, w) == 1.0


# ------------------------------------------------------------------ review plan
def test_plan_taught_full_random_low(ev, worlds):
    """All steps by SQL: full on >= 19; a random-tool plan of the required steps <= 1/4."""
    import random

    from crm_sim import profile_review as review

    taught_plan = [{"step": s, "tool": "sql"} for s in review.STEPS]
    taught = [grade(ev, "plan_test", taught_plan, w) for w in worlds]
    assert count(taught, lambda s: s == 1.0) >= 19, taught
    naive = []
    for w in worlds:
        rng = random.Random(w.scenario.seed)
        steps = list(review.STEPS)
        rng.shuffle(steps)
        naive.append(grade(ev, "plan_test", [{"step": s, "tool": "spreadsheet"}
                                             for s in steps], w))
    assert count(naive, lambda s: s <= 0.25) >= 19, naive


# ------------------------------------------------------------------ SQL (database tools)
def test_sql_taught_full_naive_low_other_full(ev, worlds):
    """The taught query full on >= 19 stores; one column only <= 1/4; another sound query full.

    The other query computes consent with SUM/COUNT instead of AVG(CASE ...).
    """
    from autograders.checks import EvalContext
    from autograders.sandbox.limits import Limits
    from autograders.slots import acquire_slot

    taught = ("SELECT segment, COUNT(*) AS customers, AVG(lifetime_value) AS mean_value, "
              "AVG(CASE WHEN dm_consent THEN 1.0 ELSE 0.0 END) AS consent_rate "
              "FROM customers GROUP BY segment ORDER BY segment")
    naive = "SELECT segment FROM customers GROUP BY segment ORDER BY segment"
    other = ("SELECT segment, COUNT(1) AS customers, SUM(lifetime_value) * 1.0 / COUNT(*) "
             "AS mean_value, SUM(dm_consent) * 1.0 / COUNT(*) AS consent_rate "
             "FROM customers GROUP BY 1 ORDER BY 1")
    scores = {"taught": [], "naive": [], "other": []}
    with acquire_slot() as lease:
        for w in worlds:
            ctx = EvalContext(unit="ITCSCR410A", trainee_id="t-rel", trainee_seed=1,
                              hidden_seed=w.scenario.seed, slot=lease.slot,
                              limits=Limits(cell_timeout_s=30))
            ctx._cache["hidden"] = w
            for name, sql in (("taught", taught), ("naive", naive), ("other", other)):
                scores[name].append(ev["sql_test"](sql, ctx).score)
    assert count(scores["taught"], lambda s: s == 1.0) >= 19, scores
    assert count(scores["naive"], lambda s: s <= 0.25) >= 19, scores
    assert count(scores["other"], lambda s: s >= 0.8) >= 19, scores

