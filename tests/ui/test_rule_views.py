"""Match reviewer, lead rule builder and prospect finder: driven from code as clicks would.

Each view's value is a decision rule as data; these tests set controls (through the
widgets and through the methods), press buttons, and read what the view shows.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from crm_sim.errors import PolicyError
from crm_sim.leads import rules
from crm_sim.leads.qualification import management_standards
from crm_sim.leads.resolution import normalise_phone
from crm_sim.leads.sources import ensure_sources
from crm_sim.scenario import Scenario
from crm_sim.ui.lead_rule import LeadRuleBuilder
from crm_sim.ui.match_reviewer import MatchReviewer
from crm_sim.ui.prospect_finder import ProspectFinder
from crm_sim.world import World


@pytest.fixture(scope="module")
def world() -> World:
    """A small world with lead sources."""
    w = World.build(Scenario(seed=33, n_customers=200))
    ensure_sources(w)
    return w


@pytest.fixture(scope="module")
def records(world) -> pd.DataFrame:
    """Every source record stacked."""
    return pd.concat(ensure_sources(world).values(), ignore_index=True)


# ------------------------------------------------------------------ match reviewer
def test_matcher_starts_empty_and_says_so(records):
    """With no field ticked nothing links, and the view says what that costs."""
    m = MatchReviewer(records)
    assert m.links == []
    assert any("stays its own customer" in msg for msg in m.messages())


def test_matcher_slider_and_checkbox_drive_the_rule(records):
    """Ticking a box and moving its slider set the rule, as the methods do."""
    m = MatchReviewer(records)
    m._use["email"].value = True
    m._cut["email"].value = 70
    assert m.value["match_on"] == {"email": 70.0}
    assert len(m.links) > 0
    m.use_field("email", False)
    assert m._use["email"].value is False and m.value["match_on"] == {}


def test_matcher_warns_about_phone_without_names(records):
    """Linking on a shared phone with names under half alike draws a plain-words warning."""
    m = MatchReviewer(records)
    m.set_similarity("phone", 20)
    assert any("office number" in msg for msg in m.messages())


def test_matcher_reject_and_confirm_change_links(records):
    """Rejecting a suggested match unlinks it; the verdict travels in the value."""
    m = MatchReviewer(records, rules.TAUGHT_LINK_RULE)
    before = len(m.links)
    shown = m.suggestions()
    m.reject(0)
    assert len(m.links) == before - 1
    assert m.value["decisions"] == [[shown.iloc[0]["_a"], shown.iloc[0]["_b"], False]]
    assert m.suggestions().iloc[0]["your verdict"] in ("different", "")


def test_matcher_invalid_input_is_refused_in_words(records):
    """A similarity of 150 or a missing suggestion raises a PolicyError; nothing changes."""
    m = MatchReviewer(records, rules.TAUGHT_LINK_RULE)
    with pytest.raises(PolicyError, match="0 to 100"):
        m.set_similarity("phone", 150)
    assert m.value["match_on"]["phone"] == 70.0
    with pytest.raises(PolicyError, match="suggestion"):
        m.confirm(99)


def test_matcher_value_is_plain_json(records):
    """The value survives JSON, as submit needs."""
    m = MatchReviewer(records, rules.TAUGHT_LINK_RULE)
    assert json.loads(json.dumps(m.value))["kind"] == "link_rule"


# ------------------------------------------------------------------ lead rule builder
def test_lead_builder_taught_steps_equal_the_taught_rule(world, records):
    """Merging on phone and e-mail, soonest then richest, is the taught rule."""
    b = LeadRuleBuilder(records, management_standards(world), world.today)
    b.merge_on(["phone", "email"])
    b.rank_by(["soonest", "largest_budget"])
    assert b.value == rules.taught_lead_rule(management_standards(world))
    assert b.messages()[0].startswith("<b>")
    assert len(b.leads) <= 40


def test_lead_builder_warns_on_purchased_consent_and_loose_standards(world, records):
    """Consent from a purchased list and loosened standards are named in words."""
    b = LeadRuleBuilder(records, management_standards(world), world.today)
    b._purchased.value = True                      # the checkbox, as a click
    b.set_standard("min_deal_hkd", 0)
    text = " ".join(b.messages())
    assert "purchased list" in text and "min_deal_hkd" in text
    assert b._min_deal.value == 0
    b.use_management_standards()
    assert "Standards changed" not in " ".join(b.messages())


def test_lead_builder_refuses_bad_values(world, records):
    """Forty-one leads or an unknown standard raise a PolicyError naming the field."""
    b = LeadRuleBuilder(records, management_standards(world), world.today)
    with pytest.raises(PolicyError, match="max_leads"):
        b.set_max_leads(41)
    with pytest.raises(PolicyError, match="standard"):
        b.set_standard("shoe_size", 3)


# ------------------------------------------------------------------ prospect finder
def test_finder_excluding_customers_removes_them(world, records):
    """Ticking 'leave out customers' drops people whose phone or e-mail is a customer's."""
    from crm_sim.leads.network import referral_graph

    edges = [{"source": str(a), "target": str(b_), "source_kind": g.nodes[a]["kind"],
              "target_kind": g.nodes[b_]["kind"], "relation": d.get("relation", ""),
              "strength": float(d.get("strength", 0))}
             for g in [referral_graph(world)] for a, b_, d in g.edges(data=True)]
    customers = world.tables["customers"].to_dict("records")
    f = ProspectFinder(edges, customers, records)
    assert any("already our customers" in m for m in f.messages())
    f._exclude.value = True
    assert f.value["exclude_customers"] is True
    phones = set(normalise_phone(world.tables["customers"]["phone"].astype(str))) - {""}
    listed = records.set_index("record_id").loc[f.prospects, "phone"].astype(str)
    assert f.prospects and not set(normalise_phone(listed)) & phones
    with pytest.raises(PolicyError, match="min_known_by"):
        f.set("min_known_by", 0)


# ------------------------------------------------------------------ recommender
def test_recommender_picks_the_segment_with_the_largest_product(world):
    """A play aimed by customers x consent picks the segment where that product is largest."""
    from crm_sim import segment_rules
    from crm_sim.ui.recommender import Recommender

    signals = segment_signals_of(world)
    view = Recommender(signals)
    assert view.messages() == ["No action funded yet: pick one per goal."]
    advice = view.set_play("new_customers", "referral_reward", ["customers", "consent_rate"], 5)
    score = segment_rules.segment_scores(signals, ["customers", "consent_rate"])
    assert advice[0]["target_segment"] == score.idxmax()
    assert view._controls["new_customers"][0].value == "referral_reward"
    assert "Nothing funded for existing customers' value" in " ".join(view.messages())


def test_recommender_warns_and_refuses_in_words(world):
    """Marketing not aimed by consent is flagged; an action of the wrong goal is refused."""
    from crm_sim.ui.recommender import Recommender

    view = Recommender(segment_signals_of(world))
    view.set_play("retained_value", "cross_sell_call", ["mean_value"], 1000)
    assert any("only customers who consented" in m for m in view.messages())
    with pytest.raises(PolicyError, match="moves another goal"):
        view.set_play("retained_value", "referral_reward", ["customers"], 1)
    act, pick, _ = view._controls["retained_value"]
    act.value = "(none)"                                         # a click
    assert view.value["plays"] == []


def segment_signals_of(_world: World) -> pd.DataFrame:
    """A small segment signal table of the shape a profile review shows."""
    return pd.DataFrame({"segment": ["corporate", "individual", "sme"],
                         "customers": [40, 200, 60], "mean_value": [90_000, 8_000, 30_000],
                         "mean_tenure_months": [48, 30, 36],
                         "consent_rate": [0.5, 0.3, 0.6], "sale_rate": [0.1, 0.05, 0.08],
                         "satisfied_share": [0.6, 0.4, 0.7]})


def test_finder_satisfied_only_counts_only_satisfied_introducers(world, records):
    """With 'only people satisfied customers know' ticked, every listed person knows one."""
    from crm_sim.leads.network import referral_graph

    g = referral_graph(world)
    edges = [{"source": str(a), "target": str(b_), "source_kind": g.nodes[a]["kind"],
              "target_kind": g.nodes[b_]["kind"], "relation": d.get("relation", ""),
              "strength": float(d.get("strength", 0))} for a, b_, d in g.edges(data=True)]
    customers = world.tables["customers"].to_dict("records")
    happy = set(sorted(c["customer_id"] for c in customers)[:50])
    f = ProspectFinder(edges, customers, records, satisfied=happy)
    f._happy.value = True                                     # a click
    for p in f.prospects:
        assert any((e["source"] == p and e["target"] in happy) or
                   (e["target"] == p and e["source"] in happy) for e in edges)
