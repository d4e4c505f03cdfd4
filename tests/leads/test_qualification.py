"""Lead qualification: each rule, scalar == vectorised, standards as data, outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_sim.errors import LeadError, PolicyError
from crm_sim.leads import (
    LeadStandards,
    all_records,
    entity_view,
    management_standards,
    qualify,
    qualify_frame,
    score_lead_list,
    simulate_conversions,
)
from crm_sim.leads.columns import SOURCE_COLUMNS

from .conftest import snapshot, unchanged

TODAY = "2026-01-01"
GOOD = {
    "record_id": "EV0001", "source": "event", "captured_date": "2025-12-10",
    "name": "Chan Tai Man, Peter", "company": "Jade Digital Trading Limited",
    "title": "Director", "authority": "decision_maker", "phone": "9123 4567",
    "email": "peter.chan@jade-digital.com.hk", "district": "Kwun Tong", "segment": "sme",
    "need": "cloud", "budget_hkd": 50_000.0, "timeline_months": 3.0, "dm_consent": True,
    "referred_by": "",
}
STRICT = LeadStandards(min_deal_hkd=20_000, excluded_segments=("individual",),
                       excluded_districts=("Islands",), required_fields=("name", "company"))

# (change to GOOD, the one reason it must produce under STRICT)
RULES = [
    ({"budget_hkd": np.nan}, ["budget: not stated", "deal size: budget below 20,000 HKD"]),
    ({"budget_hkd": 5_000.0}, ["deal size: budget below 20,000 HKD"]),
    ({"authority": "influencer"}, ["authority: not decision_maker"]),
    ({"authority": ""}, ["authority: not decision_maker"]),
    ({"need": ""}, ["need: not stated"]),
    ({"timeline_months": 12.0}, ["timeline: unknown or beyond 6 months"]),
    ({"timeline_months": None}, ["timeline: unknown or beyond 6 months"]),
    ({"dm_consent": False}, ["consent: no direct-marketing consent on record"]),
    ({"segment": "individual"}, ["segment: individual is excluded"]),
    ({"district": "Islands"}, ["district: Islands is excluded"]),
    ({"company": " "}, ["missing: company"]),
    ({"name": None}, ["missing: name"]),
    ({"phone": "", "email": ""}, ["contact: no phone or e-mail"]),
    ({"captured_date": "2024-06-01"}, ["stale: captured more than 365 days ago"]),
    ({"captured_date": "last year"}, ["stale: captured more than 365 days ago"]),
]


def frame(rows: list[dict]) -> pd.DataFrame:
    """Hand-built leads with the source dtypes (as a trainee's stacked table has)."""
    df = pd.DataFrame(rows)
    return df.astype({c: d for c, d in SOURCE_COLUMNS.items() if d != "bool"})


class TestRules:
    """Each management rule on its own, scalar and vectorised."""

    def test_good_lead_qualifies(self):
        """A lead meeting every rule is qualified with no reasons."""
        assert qualify(GOOD, STRICT, TODAY).qualified
        assert qualify(GOOD, STRICT, TODAY).reasons == ()

    @pytest.mark.parametrize("change,reasons", RULES)
    def test_each_rule(self, change, reasons):
        """Breaking one rule fails the lead with exactly that rule's reason(s)."""
        got = qualify({**GOOD, **change}, STRICT, TODAY)
        assert not got.qualified and list(got.reasons) == reasons
        row = qualify_frame(frame([{**GOOD, **change}]), STRICT, TODAY).iloc[0]
        assert (bool(row["qualified"]), row["reasons"]) == (False, "; ".join(reasons))

    def test_rules_can_be_switched_off(self):
        """With every rule off, even an empty lead qualifies."""
        off = LeadStandards(require_budget=False, authority_levels=(), require_need=False,
                            max_timeline_months=None, require_consent=False,
                            required_fields=(), require_contact=False,
                            max_record_age_days=None)
        empty = {c: "" for c in SOURCE_COLUMNS} | {"budget_hkd": np.nan,
                                                   "timeline_months": np.nan,
                                                   "dm_consent": False}
        assert qualify(empty, off).qualified
        assert qualify_frame(frame([empty]), off)["qualified"].all()

    def test_several_reasons_in_rule_order(self):
        """All failed rules are listed, in the documented order."""
        got = qualify({**GOOD, "need": "", "dm_consent": False, "authority": "end_user"},
                      STRICT, TODAY)
        assert got.reasons == ("authority: not decision_maker", "need: not stated",
                               "consent: no direct-marketing consent on record")


class TestVectorised:
    """The vectorised qualify_frame against qualify, and its input checks."""

    @pytest.mark.parametrize("standards", [
        LeadStandards(), STRICT,
        LeadStandards(authority_levels=("decision_maker", "influencer"),
                      max_timeline_months=12, require_consent=False, min_deal_hkd=1e5),
    ])
    def test_frame_equals_scalar_on_world_records(self, lead_world, standards):
        """qualify_frame agrees with qualify row by row on real messy records."""
        for df in (all_records(lead_world), entity_view(lead_world)):
            out = qualify_frame(df, standards, lead_world.today)
            scalar = [qualify(r, standards, lead_world.today)
                      for r in df.to_dict("records")]
            assert out["qualified"].tolist() == [s.qualified for s in scalar]
            assert out["reasons"].tolist() == ["; ".join(s.reasons) for s in scalar]
            assert 0 < out["qualified"].sum() < len(df) or standards.min_deal_hkd >= 1e5

    def test_frame_copy_and_columns(self, lead_world):
        """qualify_frame returns a copy with two added columns; the input is untouched."""
        df = all_records(lead_world)
        before = df.copy()
        out = qualify_frame(df, LeadStandards(), lead_world.today)
        assert df.equals(before)
        assert list(out.columns) == [*df.columns, "qualified", "reasons"]

    def test_missing_column_named(self):
        """A frame lacking a column a rule needs: LeadError naming that column."""
        df = frame([GOOD]).drop(columns=["need"])
        with pytest.raises(LeadError, match="need"):
            qualify_frame(df, STRICT, TODAY)
        with pytest.raises(LeadError, match="need"):
            qualify({k: v for k, v in GOOD.items() if k != "need"}, STRICT, TODAY)

    def test_text_budget_refused(self):
        """A budget typed as text is a LeadError telling how to convert it."""
        df = frame([GOOD]).astype({"budget_hkd": "string"})
        with pytest.raises(LeadError, match="to_numeric"):
            qualify_frame(df, STRICT, TODAY)
        with pytest.raises(LeadError, match="budget_hkd"):
            qualify({**GOOD, "budget_hkd": "50k"}, STRICT, TODAY)

    def test_as_of_needed_for_staleness(self):
        """Without as_of the staleness rule cannot run: LeadError with the fix."""
        with pytest.raises(LeadError, match="world.today"):
            qualify(GOOD, STRICT)
        with pytest.raises(LeadError, match="as_of"):
            qualify_frame(frame([GOOD]), STRICT, "yesterday")


class TestStandards:
    """LeadStandards as validated, round-trippable data."""

    def test_round_trip(self):
        """to_dict is plain JSON data and from_dict restores an equal object."""
        data = STRICT.to_dict()
        assert data["excluded_segments"] == ["individual"]
        assert LeadStandards.from_dict(data) == STRICT

    @pytest.mark.parametrize("kwargs,field", [
        ({"min_deal_hkd": -1}, "min_deal_hkd"), ({"min_deal_hkd": float("nan")}, "min_deal_hkd"),
        ({"max_timeline_months": "6"}, "max_timeline_months"),
        ({"authority_levels": ["boss"]}, "authority_levels"),
        ({"excluded_segments": "individual"}, "excluded_segments"),
        ({"excluded_districts": ["Kowloon"]}, "excluded_districts"),
        ({"required_fields": ["budget_hkd"]}, "required_fields"),
        ({"require_consent": "yes"}, "require_consent"),
        ({"max_record_age_days": 0}, "max_record_age_days"),
    ])
    def test_invalid(self, kwargs, field):
        """Each invalid setting is a PolicyError naming the field."""
        with pytest.raises(PolicyError, match=field):
            LeadStandards(**kwargs)

    def test_unknown_key(self):
        """A misspelt key in from_dict is refused, not ignored."""
        with pytest.raises(PolicyError, match="min_deal"):
            LeadStandards.from_dict({"min_deal": 5})

    def test_dict_accepted_and_described(self):
        """The dict form is accepted by qualify; describe() words every active rule."""
        assert qualify(GOOD, STRICT.to_dict(), TODAY).qualified
        text = " ".join(STRICT.describe())
        for word in ("Budget", "20,000", "decision_maker", "Islands", "Consent", "365"):
            assert word in text


class TestOutcomes:
    """Later-month conversions and lead-list scoring."""

    def test_conversions_deterministic_and_order_free(self, lead_world):
        """Same ids give the same outcome; a lead's outcome ignores the rest of the list."""
        ids = all_records(lead_world)["record_id"].tolist()
        full = simulate_conversions(lead_world, ids)
        assert full.equals(simulate_conversions(lead_world, ids))
        sub = simulate_conversions(lead_world, ids[::-7])
        assert sub["converted"].tolist() == full.set_index("record_id").loc[
            ids[::-7], "converted"].tolist()
        assert list(full.columns) == ["record_id", "month", "converted", "value_hkd"]
        assert full["month"].iloc[0] == "2025-04"
        assert 0 < full["converted"].sum() < len(ids)

    def test_conversions_follow_truth(self, lead_world):
        """Non-genuine never convert; records of one entity convert together."""
        truth = lead_world.hidden["lead_truth"]
        out = simulate_conversions(lead_world, truth["record_id"].tolist(), month_offset=2)
        conv = out["converted"].to_numpy()
        assert not conv[~truth["is_genuine"].to_numpy()].any()
        per_entity = pd.Series(conv).groupby(truth["entity_id"].to_numpy()).nunique()
        assert (per_entity == 1).all()
        assert (out.loc[out["converted"], "value_hkd"] > 0).all()
        assert (out.loc[~out["converted"], "value_hkd"] == 0).all()

    @pytest.mark.parametrize("ids,offset,match", [
        (["EV0001", "ZZ1"], 1, "ZZ1"), ("EV0001", 1, "list"), (["EV0001"], 0, "month_offset"),
        (["EV0001"], 1.5, "month_offset"), ([3], 1, "strings")])
    def test_conversions_bad_input(self, fresh_world, ids, offset, match):
        """Unknown ids, a bare string or a bad month: LeadError; world unchanged."""
        before = snapshot(fresh_world)
        with pytest.raises(LeadError, match=match):
            simulate_conversions(fresh_world, ids, offset)
        assert unchanged(fresh_world, before)

    def test_qualified_leads_are_better(self, lead_world):
        """Management's standards pick prospects with higher true propensity."""
        truth = lead_world.hidden["lead_truth"]
        q = qualify_frame(entity_view(lead_world), management_standards(lead_world),
                          lead_world.today)["qualified"].to_numpy()
        assert q.sum() >= 5
        assert truth["propensity"][q].mean() > truth["propensity"][~q].mean()

    def test_score_good_list(self, lead_world):
        """A list of qualified, de-duplicated leads complies fully and is complete."""
        view = entity_view(lead_world)
        truth = lead_world.hidden["lead_truth"]
        q = qualify_frame(view, management_standards(lead_world), lead_world.today)
        good = q[q["qualified"].to_numpy()].assign(
            entity=lambda d: truth.set_index("record_id").loc[d["record_id"], "entity_id"]
            .to_numpy()).drop_duplicates("entity").drop(columns="entity")
        got = score_lead_list(lead_world, good)
        assert got["rule_compliance"] == 1.0 and got["rule_failures"] == {}
        assert got["duplicates"] == 0 and got["no_consent"] == 0
        assert got["complete_rows"] == len(good) == got["n_leads"] == got["n_entities"]
        assert 0 <= got["conversions"] <= len(good)
        assert got["precision"] == got["conversions"] / len(good)

    def test_score_bad_list(self, lead_world):
        """Bare ids of unqualified, duplicated records: low compliance, all key fields missing."""
        view = entity_view(lead_world)
        q = qualify_frame(view, management_standards(lead_world), lead_world.today)
        bad = q.loc[~q["qualified"].to_numpy(), "record_id"].head(30).tolist()
        got = score_lead_list(lead_world, bad + bad[:5])
        assert got["n_leads"] == 35 and got["duplicates"] >= 5
        assert got["rule_compliance"] == 0.0
        assert sum(got["rule_failures"].values()) >= 35
        assert got["missing_key_fields"] == dict.fromkeys(got["missing_key_fields"], 35)
        assert got["complete_rows"] == 0

    def test_submitted_values_cannot_fake_compliance(self, lead_world):
        """Typing a big budget into the list does not make a lead comply."""
        view = entity_view(lead_world)
        q = qualify_frame(view, management_standards(lead_world), lead_world.today)
        bad = view[~q["qualified"].to_numpy()].head(10).assign(
            budget_hkd=1e9, authority="decision_maker", timeline_months=1.0, dm_consent=True)
        assert score_lead_list(lead_world, bad)["rule_compliance"] < 1.0

    def test_score_unknown_ids(self, fresh_world):
        """A list with unknown ids names them and changes nothing."""
        before = snapshot(fresh_world)
        with pytest.raises(LeadError, match="C000001"):
            score_lead_list(fresh_world, pd.DataFrame({"record_id": ["C000001"]}))
        with pytest.raises(LeadError, match="record_id"):
            score_lead_list(fresh_world, pd.DataFrame({"id": ["EV0001"]}))
        assert unchanged(fresh_world, before)


# ------------------------------------------------------------------ property check
_text = st.sampled_from(["", " ", "x", None])
_lead = st.fixed_dictionaries({
    "record_id": st.just("EV0001"), "source": st.just("event"),
    "captured_date": st.sampled_from(["2025-12-01", "2024-12-31", "2025-01-01", "", "bad"]),
    "name": _text, "company": _text, "title": _text,
    "authority": st.sampled_from(["decision_maker", "influencer", "", None]),
    "phone": _text, "email": _text,
    "district": st.sampled_from(["Islands", "Kwun Tong", "", None]),
    "segment": st.sampled_from(["individual", "sme", "", None]),
    "need": _text,
    "budget_hkd": st.one_of(st.none(), st.sampled_from([0.0, 19_999.0, 20_000.0, 1e6])),
    "timeline_months": st.one_of(st.none(), st.sampled_from([0.0, 6.0, 6.5, 24.0])),
    "dm_consent": st.booleans(), "referred_by": st.just(""),
})


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_lead, min_size=1, max_size=8))
def test_property_frame_equals_scalar(rows):
    """On random leads (blanks, None, edge values) the frame verdicts equal the scalar ones."""
    df = frame(rows)
    out = qualify_frame(df, STRICT, TODAY)
    for i, row in enumerate(df.to_dict("records")):
        got = qualify(row, STRICT, TODAY)
        assert bool(out["qualified"].iloc[i]) == got.qualified
        assert out["reasons"].iloc[i] == "; ".join(got.reasons)
