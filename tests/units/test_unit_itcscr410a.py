"""Evaluators of unit ITCSCR410A: exact marks for correct, partial, wrong and hostile work.

Evaluators are called directly on small worlds (300 customers) through a real
`EvalContext`; submitted functions run through the real sandbox (`call_function`) with a
short timeout. One slow test grades the real notebooks end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from unit_loader import evaluators_module, helper_module
from unit_notebooks import cell_sources, graded_code_cells, run_cell, solution_cells

from autograders.checks import EvalContext, registered, to_plain
from autograders.sandbox.limits import Limits
from autograders.slots import acquire_slot
from crm_sim import privacy
from crm_sim.scenario import Scenario
from crm_sim.world import World

UNIT_DIR = Path(__file__).resolve().parents[2] / "course" / "units" / "ITCSCR410A"
U = evaluators_module("ITCSCR410A")
desk = helper_module("ITCSCR410A", "profile_desk")
NOTEBOOKS = ("01_integrate_and_protect", "02_qualify_and_grow", "03_review_and_present")


# --------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def ctx():
    """A context whose trainee and hidden worlds are small, built once, with sources.

    Its sandbox slot is leased like a grading worker's: the sandbox kills every process of
    a slot's uid after a run, so a fixed slot would kill the functions of another test run
    on the machine (and be killed by it).
    """
    with acquire_slot() as lease:
        c = EvalContext(unit="ITCSCR410A", trainee_id="t-410a", trainee_seed=11,
                        hidden_seed=12, limits=Limits(cell_timeout_s=30, memory_mb=1536),
                        slot=lease.slot)
        c._cache["trainee"] = World.build(Scenario(seed=11, n_customers=300))
        c._cache["hidden"] = World.build(Scenario(seed=12, n_customers=300))
        desk.ensure_sources(c._cache["trainee"])
        desk.ensure_sources(c._cache["hidden"])
        yield c


def short_ctx(ctx: EvalContext) -> EvalContext:
    """`ctx` (same worlds and slot) with a 3 s call timeout, for functions that loop."""
    short = EvalContext(unit=ctx.unit, trainee_id=ctx.trainee_id, trainee_seed=ctx.trainee_seed,
                        hidden_seed=ctx.hidden_seed, limits=Limits(cell_timeout_s=3),
                        slot=ctx.slot)
    short._cache.update(ctx._cache)
    return short


@pytest.fixture(scope="module")
def cells() -> dict[str, str]:
    """grade_id -> source of every cell of the unit's source notebooks."""
    return cell_sources(UNIT_DIR, NOTEBOOKS)


@pytest.fixture(scope="module")
def ev():
    """The unit's evaluators by grade_id."""
    return registered("ITCSCR410A")


def solve(cells: dict[str, str], exercise: str, ns: dict) -> dict:
    """Run an exercise's view cell then its solution cell (which drives the view) in `ns`."""
    ns.setdefault("desk", desk)
    ns.setdefault("pd", pd)
    run_cell(cells[f"{exercise}_widget"], ns)
    return run_cell(cells[f"{exercise}_impl"], ns)


def fn(source: str, name: str) -> dict:
    """A function artefact exactly as `submit` would make it."""
    return {"__function__": name, "qualname": name, "source": source}


def truth_links(world, entities=None) -> list[list[str]]:
    """Chain links of the true entities (all, or only `entities`)."""
    t = world.hidden["lead_truth"]
    links = []
    for ent, grp in t.groupby("entity_id"):
        if entities is not None and ent not in entities:
            continue
        ids = sorted(grp["record_id"].astype(str))
        links += [[a, b] for a, b in zip(ids, ids[1:], strict=False)]
    return links


def test_every_test_cell_has_an_evaluator(ev):
    """Each graded test cell of the notebooks is registered, and nothing else is."""
    assert graded_code_cells(UNIT_DIR, NOTEBOOKS) == set(ev)


def test_unit_spec_check_passes():
    """`crm-course check` finds no hole in the unit (ids mapped, points agree)."""
    from autograders.unitspec import check_unit

    report = check_unit(UNIT_DIR)
    assert report.ok, report.holes


def test_variants_name_real_solution_cells(cells):
    """Every VARIANTS key is a solution cell of the notebooks."""
    solution_ids = solution_cells(UNIT_DIR, NOTEBOOKS)
    for variant in U.VARIANTS.values():
        assert set(variant) <= solution_ids


# --------------------------------------------------------------------- knowledge
@pytest.mark.parametrize("gid", sorted(U.MC_KEYS))
def test_multiple_choice_key_and_wrong_letter(gid, ev, ctx, cells, monkeypatch):
    """The notebook's answer (in the trainee's option order) scores 1, another letter 0."""
    from crm_sim.ui.quiz import shown_letter

    monkeypatch.setenv("CRM_TRAINEE_ID", ctx.trainee_id)
    answer_cell = gid.replace("_test", "_answer")
    ns = run_cell(cells[answer_cell], {"shown_letter": shown_letter})
    value = next(v for k, v in ns.items() if k.startswith("answer_"))
    assert ev[gid](value, ctx).score == 1.0
    wrong = next(x for x in "abcd" if x != value)
    verdict = ev[gid](wrong, ctx)
    assert verdict.score == 0.0
    assert f'"{U.MC_KEYS[gid]}"' not in verdict.message


@pytest.mark.parametrize("hostile", [None, 5, "", "ab", float("nan"), ["a"], {"a": 1}, " B "])
def test_multiple_choice_hostile(hostile, ev, ctx):
    """Non-letters score 0 with a message; padding and case are tolerated."""
    from crm_sim.ui.quiz import shown_letter

    key = shown_letter("answer_k2", U.MC_KEYS["q_k2_test"], trainee=ctx.trainee_id)
    if hostile == " B ":
        hostile = f" {key.upper()} "
    verdict = ev["q_k2_test"](hostile, ctx)
    assert verdict.score == (1.0 if hostile == f" {key.upper()} " else 0.0)
    assert verdict.message


# --------------------------------------------------------------------- professionalism
@pytest.mark.parametrize("gid, answer, expected", [
    ("prof_x1_test", {"choice": "c", "reasons": ["purpose_limited", "offer_alternative",
                                                 "attendee_interest"]}, 1.0),
    ("prof_x1_test", {"choice": "c", "reasons": ["purpose_limited", "offer_alternative"]},
     0.5 + 0.5 * 2 / 3),
    ("prof_x1_test", {"choice": "c", "reasons": ["purpose_limited", "offer_alternative",
                                                 "attendee_interest", "masking_enough"]},
     0.5 + 0.5 * 2 / 3),
    ("prof_x1_test", {"choice": "C", "reasons": ["key_account_first"]}, 0.5),
    ("prof_x1_test", {"choice": "a", "reasons": ["purpose_limited"]}, 0.0),
    ("prof_x1_test", {"choice": "c", "reasons": ["made_up", "purpose_limited"]}, 0.5),
    ("prof_x1b_test", {"choice": "b", "reasons": ["contacts_not_consented",
                                                  "customer_relationship", "better_leads"]}, 1.0),
    ("prof_x1b_test", {"choice": "b", "reasons": ["target_pressure"]}, 0.5),
    ("prof_x1b_test", {"choice": "c", "reasons": ["better_leads"]}, 0.0),
])
def test_judgement_marks(gid, answer, expected, ev, ctx):
    """Half for the choice, half for the justification net of wrong reasons."""
    assert ev[gid](answer, ctx).score == pytest.approx(expected)


@pytest.mark.parametrize("hostile", [None, "c", ["c"], {"choice": 3, "reasons": []},
                                     {"choice": "c", "reasons": "purpose_limited"},
                                     {"choice": "c", "reasons": [1, None] * 10_000}])
def test_judgement_hostile(hostile, ev, ctx):
    """Malformed answers score 0 (or only the choice) without raising."""
    verdict = ev["prof_x1_test"](hostile, ctx)
    assert verdict.score in (0.0, 0.5)
    assert verdict.message


# --------------------------------------------------------------------- integrate
def test_resolve_links_cell_is_gone(ev):
    """Links scored on the trainee's own entity truth are no longer graded."""
    assert "resolve_links_test" not in ev


def test_resolution_truth_scores_full(ctx):
    """The true entities' links score 1.0 with F1 1 (the rule the function is judged by)."""
    world = ctx.hidden_world()
    stats, error = U._score_links(world, truth_links(world))
    assert not error
    verdict = U._resolution_verdict(stats, "hidden sources")
    assert verdict.score == 1.0
    assert verdict.evidence["f1"] == 1.0


def test_resolution_half_the_entities_scores_by_tier(ctx):
    """Linking only about half the true pairs (precision 1) lands in the 0.5 tier."""
    world = ctx.hidden_world()
    t = world.hidden["lead_truth"]
    sizes = t.groupby("entity_id").size()
    multi = sizes[sizes > 1].sort_index()
    total = int((multi * (multi - 1) // 2).sum())
    chosen, pairs = [], 0
    for ent, n in multi.items():
        if pairs >= 0.5 * total:
            break
        chosen.append(ent)
        pairs += n * (n - 1) // 2
    stats, _ = U._score_links(world, truth_links(world, set(chosen)))
    verdict = U._resolution_verdict(stats, "hidden sources")
    assert verdict.evidence["precision"] == 1.0
    assert 0.6 <= verdict.evidence["f1"] < 0.75
    assert verdict.score == 0.5
    assert "recall" in verdict.message


def rule_in(source: str, name: str) -> dict:
    """The rule a solution cell sets (the no-code track's artefact), as plain data."""
    return to_plain(run_cell(source, {})[name])


def test_resolve_analyst_function_on_hidden_sources(ev, ctx, cells):
    """The analyst track's link_records still scores 1.0 on the hidden sources."""
    good = ev["resolve_function_test"](fn(cells["resolve_analyst"], "link_records"), ctx)
    assert good.score == 1.0, good.message
    assert good.evidence["where"] == "hidden sources"


def test_resolve_rule_variants_exact_points(ev, ctx):
    """No-code variants: e-mail+phone only 0.75 (6 of 8 points), no field ticked 0."""
    partial = ev["resolve_function_test"](rule_in(U.VARIANTS["partial"]["resolve_impl"],
                                                  "link_rule"), ctx)
    assert partial.score == 0.75, partial.message
    assert "recall" in partial.message
    wrong = ev["resolve_function_test"](rule_in(U.VARIANTS["wrong"]["resolve_impl"],
                                                "link_rule"), ctx)
    assert wrong.score == 0.0
    assert "no records were linked" in wrong.message


def test_resolve_function_everything_in_one_profile_is_penalised(ev, ctx):
    """Chaining every record into one profile has precision near 0: score 0."""
    chain = ("def link_records(sources):\n"
             "    ids = sorted(r['record_id'] for rs in sources.values() for r in rs)\n"
             "    return [[a, b] for a, b in zip(ids, ids[1:])]\n")
    verdict = ev["resolve_function_test"](fn(chain, "link_records"), ctx)
    assert verdict.score == 0.0
    assert "precision" in verdict.message


def test_resolve_function_graded_on_the_hidden_world(ev, ctx):
    """A function returning the trainee world's true links scores 1 there, not here."""
    own = ctx.trainee_world()
    cheat_links = truth_links(own)
    stats, _ = U._score_links(own, cheat_links)
    assert U._resolution_verdict(stats, "your sources").score == 1.0
    cheat = ("def link_records(sources):\n    import json\n"
             f"    return json.loads({json.dumps(json.dumps(cheat_links))})\n")
    verdict = ev["resolve_function_test"](fn(cheat, "link_records"), ctx)
    assert verdict.score < 1.0
    assert verdict.message


LOOPED = ("did not finish in time", "was stopped")   # a timed-out or killed call


@pytest.mark.parametrize("source, kinds", [
    ("def link_records(sources):\n    raise RuntimeError('boom')\n", ("raised",)),
    ("def link_records(sources):\n    while True:\n        pass\n", LOOPED),
    ("def link_records(sources):\n    return 'EV0001'\n", ()),
    ("def link_records(sources):\n    return [[float('nan'), None]]\n", ()),
    ("def link_records(sources):\n    return None\n", ()),
    ("def link_records(sources):\n    return [['EV0001']]\n", ()),
    ("def link_records(sources):\n    return [[1, 2]]\n", ()),
    ("def link_records(sources):\n    return [['EV0001', 'NOPE']]\n", ()),
    ("def link_records(sources):\n    return [['EV0001', 'EV0001']]\n", ()),
    ("def link_records(sources):\n    return [['EV0001', 'EV0002']] * 100001\n", ()),
])
def test_resolve_function_hostile(source, kinds, ev, ctx):
    """Functions that raise, loop or return junk, malformed, self or huge links score 0."""
    short = short_ctx(ctx)
    verdict = ev["resolve_function_test"](fn(source, "link_records"), short)
    assert verdict.score == 0.0
    assert verdict.message
    if kinds:
        assert any(k in verdict.message for k in kinds), verdict.message


def test_resolve_function_not_a_function(ev, ctx):
    """A list where a function is expected scores 0 and says to submit the function."""
    verdict = ev["resolve_function_test"]([["EV0001", "EV0002"]], ctx)
    assert verdict.score == 0.0
    assert "function" in verdict.message


# --------------------------------------------------------------------- privacy
def test_purposes_key_partial_wrong(ev, ctx, cells):
    """Notebook answer 1.0; the partial variant 3/5; everything-everywhere 0."""
    ns = solve(cells, "purpose", {"sources": desk.source_frames(ctx.trainee_world())})
    assert ev["purpose_test"](ns["allowed_uses"], ctx).score == 1.0
    ns = run_cell(U.VARIANTS["partial"]["purpose_impl"], {})
    partial = ev["purpose_test"](ns["allowed_uses"], ctx)
    assert partial.score == pytest.approx(3 / 5)
    assert set(partial.evidence["wrong_sources"]) == {"purchased", "referral"}
    everything = {s: ["direct_marketing", "service", "analysis"] for s in U.PURPOSE_KEY}
    verdict = ev["purpose_test"](everything, ctx)
    assert verdict.score == 0.0
    assert set(verdict.evidence["unlawful_marketing"]) == {"purchased", "referral"}
    no_marketing = {s: sorted(U.PURPOSE_KEY[s] - {"direct_marketing"}) for s in U.PURPOSE_KEY}
    assert ev["purpose_test"](no_marketing, ctx).score == pytest.approx(2 / 5)


@pytest.mark.parametrize("hostile", [None, [], "event", {"event": "service"},
                                     {"event": [1, 2]}])
def test_purposes_hostile(hostile, ev, ctx):
    """Malformed purpose maps score 0 without raising."""
    assert ev["purpose_test"](hostile, ctx).score == 0.0


def _marketing_frame(ctx, cells):
    world = ctx.trainee_world()
    ns = {"pd": pd, "sources": desk.source_frames(world)}
    solve(cells, "purpose", ns)
    ns["world"] = world
    solve(cells, "marketing", ns)
    return ns["marketing_list"]


def test_marketing_list_marks(ev, ctx, cells):
    """Compliant+complete+minimal 1.0; half the list 0.75; an extra column 0.75."""
    good = _marketing_frame(ctx, cells)
    assert ev["marketing_test"](to_plain(good), ctx).score == 1.0
    half = good.iloc[: len(good) // 2]
    assert ev["marketing_test"](to_plain(half), ctx).score == 0.75
    stacked = pd.concat(desk.source_frames(ctx.trainee_world()).values())
    extra = good.merge(stacked[["record_id", "budget_hkd"]], on="record_id")
    verdict = ev["marketing_test"](to_plain(extra), ctx)
    assert verdict.score == 0.75
    assert verdict.evidence["minimisation"]


def test_marketing_empty_list_scores_zero(ev, ctx, cells):
    """An empty list (nobody without consent, but no call list either) scores 0, not 0.75."""
    empty = _marketing_frame(ctx, cells).head(0)
    verdict = ev["marketing_test"](to_plain(empty), ctx)
    assert verdict.score == 0.0, verdict.message
    assert "include the rest" in verdict.message


def test_marketing_a_tenth_of_the_list_scores_a_quarter(ev, ctx, cells):
    """A compliant, minimal list holding a tenth of the eligible records scores 0.25."""
    good = _marketing_frame(ctx, cells)
    verdict = ev["marketing_test"](to_plain(good.head(len(good) // 10)), ctx)
    assert verdict.score == 0.25, verdict.message


def test_marketing_list_one_record_without_consent_fails(ev, ctx, cells):
    """Adding a single non-consented record makes the exercise score 0."""
    good = _marketing_frame(ctx, cells)
    stacked = pd.concat(desk.source_frames(ctx.trainee_world()).values())
    bad_row = stacked[~stacked["dm_consent"].astype(bool)].head(1)[list(good.columns)]
    verdict = ev["marketing_test"](to_plain(pd.concat([good, bad_row])), ctx)
    assert verdict.score == 0.0
    assert verdict.evidence["no_consent"] == 1


@pytest.mark.parametrize("hostile", [None, [], {"record_id": ["EV0001"]},
                                     pd.DataFrame({"x": [1]}),
                                     pd.DataFrame({"record_id": ["NOPE"]})])
def test_marketing_list_hostile(hostile, ev, ctx):
    """Not a frame, no record_id, unknown ids: 0 with a message."""
    verdict = ev["marketing_test"](to_plain(hostile), ctx)
    assert verdict.score == 0.0
    assert verdict.message


def _profiles(ctx, cells):
    world = ctx.trainee_world()
    ns = {}
    run_cell(cells["resolve_analyst"], ns)
    return desk.build_profiles(world, ns["link_records"](desk.source_records(world)))


def test_share_marks(ev, ctx, cells):
    """Masked minimal 1.0; masked but with contact columns 0.5; unmasked 0."""
    profiles = _profiles(ctx, cells)
    ns = solve(cells, "share", {"profiles": profiles})
    assert ev["share_test"](to_plain(ns["shared_profiles"]), ctx).score == 1.0
    masked_all = privacy.mask_frame(profiles)
    assert ev["share_test"](to_plain(masked_all), ctx).score == 0.5
    verdict = ev["share_test"](to_plain(profiles), ctx)
    assert verdict.score == 0.0
    assert "phone" in verdict.message


def test_share_free_text_leak_fails(ev, ctx, cells):
    """A phone number hidden in a free-text column is found and fails the exercise."""
    profiles = _profiles(ctx, cells)
    ns = solve(cells, "share", {"profiles": profiles})
    shared = ns["shared_profiles"].copy()
    shared["notes"] = ""
    shared.loc[shared.index[0], "notes"] = "call her on 9123 4567 after 6pm"
    verdict = ev["share_test"](to_plain(shared), ctx)
    assert verdict.score == 0.0
    assert "notes" in verdict.message


def test_share_one_column_of_segments_is_not_a_profile_table(ev, ctx, cells):
    """A leak-free table of segments only lacks what the review needs: 0, not 1."""
    profiles = _profiles(ctx, cells)
    verdict = ev["share_test"](to_plain(profiles[["segment"]]), ctx)
    assert verdict.score == 0.0, verdict.message
    assert "profile_id" in verdict.message


def test_share_a_sample_of_profiles_is_incomplete(ev, ctx, cells):
    """The right columns for only ten profiles: rows out of range, 0."""
    profiles = _profiles(ctx, cells)
    ns = solve(cells, "share", {"profiles": profiles})
    verdict = ev["share_test"](to_plain(ns["shared_profiles"].head(10)), ctx)
    assert verdict.score == 0.0
    assert "one row per profile" in verdict.message


@pytest.mark.parametrize("hostile", [None, "table", pd.DataFrame(),
                                     {"__frame__": {"columns": ["a"], "records": [[1, 2]]}}])
def test_share_hostile(hostile, ev, ctx):
    """Empty or malformed tables score 0."""
    assert ev["share_test"](to_plain(hostile), ctx).score == 0.0


def test_access_marks(ev, ctx, cells):
    """Notebook policy 1.0; everything-full (HKIDs opened) 0; invalid category 0."""
    ns = solve(cells, "access", {})
    assert ev["access_test"](ns["role_access"], ctx).score == 1.0
    ns = run_cell(U.VARIANTS["wrong"]["access_impl"], {})
    wrong = ev["access_test"](ns["role_access"], ctx)
    assert wrong.score == 0.0
    assert "HKID" in wrong.message
    assert ev["access_test"]({"agency": {"secrets": "full"}}, ctx).score == 0.0


def test_access_empty_policy_scores_zero(ev, ctx):
    """Granting nothing is not least privilege, it is no access: 0, not 0.5."""
    assert ev["access_test"]({}, ctx).score == 0.0
    assert ev["access_test"]({"agency": {}, "consultant": {}}, ctx).score == 0.0


def test_access_least_privilege(ev, ctx, cells):
    """Spending data for the call centre, or contact in full for the consultant, each cost 1/6."""
    policy = solve(cells, "access", {})["role_access"]
    greedy_agency = {**policy, "agency": {**policy["agency"], "financial": "full"}}
    verdict = ev["access_test"](greedy_agency, ctx)
    assert verdict.score == pytest.approx(5 / 6)
    assert "least privilege" in verdict.message
    nosy = {**policy, "consultant": {**policy["consultant"], "contact": "full"}}
    assert ev["access_test"](nosy, ctx).score == pytest.approx(5 / 6)


@pytest.mark.parametrize("hostile", [None, [], {"agency": "full"}, {"agency": {"contact": 1}}])
def test_access_hostile(hostile, ev, ctx):
    """Malformed policies score 0 with a message."""
    verdict = ev["access_test"](hostile, ctx)
    assert verdict.score == 0.0
    assert verdict.message


# --------------------------------------------------------------------- leads
QUALIFY_RETURN = "return ok[cols].head(40).reset_index(drop=True)"


def _qualify_variant(cells, new_return: str) -> dict:
    """The notebook's qualify_leads with its last line replaced."""
    assert QUALIFY_RETURN in cells["qualify_analyst"]
    return fn(cells["qualify_analyst"].replace(QUALIFY_RETURN, new_return), "qualify_leads")


def test_lead_list_marks(ev, ctx, cells):
    """Solution 1.0 on hidden sources; only record_id 2/3; one duplicate tolerated, three 2/3."""
    good = ev["lead_list_test"](fn(cells["qualify_analyst"], "qualify_leads"), ctx)
    assert good.score == 1.0, good.message
    assert good.evidence["where"] == "the hidden sources"
    assert good.evidence["n_leads"] > 0
    ids_only = ev["lead_list_test"](
        _qualify_variant(cells, 'return ok[["record_id"]].head(40)'), ctx)
    assert ids_only.score == pytest.approx(2 / 3), ids_only.message
    assert "key information" in ids_only.message
    out = "out = ok[cols].head(40).reset_index(drop=True)\n    "
    one = _qualify_variant(cells, out + "return pd.concat([out, out.head(1)], ignore_index=True)")
    assert ev["lead_list_test"](one, ctx).score == 1.0     # one slip tolerated
    three = _qualify_variant(cells, out + "return pd.concat([out, out.head(3)], "
                                          "ignore_index=True)")
    verdict = ev["lead_list_test"](three, ctx)
    assert verdict.score == pytest.approx(2 / 3)
    assert "duplicate" in verdict.message


def test_lead_list_a_failing_lead(ev, ctx, cells):
    """Adding one complete record of a prospect who never consented costs the standards third."""
    failing = _qualify_variant(cells, (
        "out = ok[cols].head(40).reset_index(drop=True)\n"
        "    never = ~consent.groupby(df['_who']).transform('any')\n"
        "    full = df[['name', 'phone', 'need', 'authority']].ne('').all(axis=1) & \\\n"
        "        df[['budget_hkd', 'timeline_months']].notna().all(axis=1)\n"
        "    return pd.concat([out, df.loc[never & full, cols].head(1)], ignore_index=True)"))
    verdict = ev["lead_list_test"](failing, ctx)
    assert verdict.score == pytest.approx(2 / 3)
    assert "standards" in verdict.message


def test_lead_list_variants(ev, ctx):
    """The wrong rule (no standards, no merging, newest first) scores 0 on both lead cells."""
    wrong_rule = rule_in(U.VARIANTS["wrong"]["qualify_impl"], "lead_rule")
    wrong = ev["lead_list_test"](wrong_rule, ctx)
    assert wrong.score == 0.0, wrong.message
    assert "standards" in wrong.message and "key information" in wrong.message
    assert ev["qualify_function_test"](wrong_rule, ctx).score == 0.0
    assert "qualify_impl" not in U.VARIANTS["partial"]   # partial trainees qualify correctly


def test_lead_rule_no_code_solution_full(ev, ctx, cells):
    """The lead rule the notebook's solution sets through the view scores 1.0 on both cells."""
    from crm_sim.ui.lead_rule import LeadRuleBuilder

    world = ctx.trainee_world()
    builder = LeadRuleBuilder(desk.stacked_sources(world), desk.standards_for(world),
                              world.today)
    rule = run_cell(cells["qualify_impl"], {"lead_builder": builder})["lead_rule"]
    assert ev["lead_list_test"](rule, ctx).score == 1.0
    assert ev["qualify_function_test"](rule, ctx).score == 1.0


def test_lead_rule_partial_exact_points(ev, ctx):
    """Management's standards without merging records: rules right, too few leads (2/3)."""
    rule = {**U.rules.taught_lead_rule(desk.standards_for(ctx.hidden_world())),
            "merge_on": []}
    verdict = ev["lead_list_test"](rule, ctx)
    assert verdict.score == pytest.approx(2 / 3), verdict.message
    assert "full list" in verdict.message


def test_lead_list_of_one_lead_is_not_full_marks(ev, ctx):
    """A compliant list of a single lead misses the size third: 2/3, not 3/3."""
    rule = {**U.rules.taught_lead_rule(desk.standards_for(ctx.hidden_world())),
            "max_leads": 1}
    verdict = ev["lead_list_test"](rule, ctx)
    assert verdict.score == pytest.approx(2 / 3), verdict.message


def test_link_rule_no_code_solution_full(ev, ctx, cells):
    """The link rule the notebook's solution sets through the matcher scores 1.0."""
    from crm_sim.ui.match_reviewer import MatchReviewer

    matcher = MatchReviewer(desk.stacked_sources(ctx.trainee_world()))
    rule = run_cell(cells["resolve_impl"], {"matcher": matcher})["link_rule"]
    assert ev["resolve_function_test"](rule, ctx).score == 1.0


def test_invalid_rules_score_zero_with_a_reason(ev, ctx):
    """A malformed rule scores 0 and names the field to fix."""
    bad_link = {"kind": "link_rule", "match_on": {"phone": 300}}
    verdict = ev["resolve_function_test"](bad_link, ctx)
    assert verdict.score == 0.0 and "match_on.phone" in verdict.message
    bad_lead = {"kind": "lead_rule", "standards": {}, "max_leads": 400}
    verdict = ev["lead_list_test"](bad_lead, ctx)
    assert verdict.score == 0.0 and "max_leads" in verdict.message


def test_lead_list_graded_on_the_hidden_world(ev, ctx):
    """A function returning the trainee world's truth-perfect list scores 1 there, not here."""
    from crm_sim.leads.qualification import entity_view, qualify_frame

    world = ctx.trainee_world()
    view = entity_view(world)
    entity = world.hidden["lead_truth"].set_index("record_id")["entity_id"]
    view["_entity"] = entity.loc[view["record_id"].astype(str)].to_numpy()
    ok = qualify_frame(view, desk.standards_for(world), as_of=world.today)
    ok = ok[ok["qualified"]].drop_duplicates("_entity").head(U.LEAD_LIST_MAX)
    perfect = ok[["record_id", "name", "phone", "email", "need", "budget_hkd",
                  "timeline_months", "authority"]].reset_index(drop=True)
    assert U._lead_list_verdict(world, perfect, "your sources").score == 1.0
    literal = json.dumps(json.dumps(perfect.to_dict("list")))
    cheat = ("def qualify_leads(records, standards, today):\n    import json\n"
             "    import pandas as pd\n"
             f"    return pd.DataFrame(json.loads({literal}))\n")
    verdict = ev["lead_list_test"](fn(cheat, "qualify_leads"), ctx)
    assert verdict.score < 1.0
    assert verdict.evidence["where"] == "the hidden sources"


@pytest.mark.parametrize("source, kinds", [
    ("def qualify_leads(records, standards, today):\n    raise ValueError('x')\n", ("raised",)),
    ("def qualify_leads(records, standards, today):\n    while True:\n        pass\n",
     LOOPED),
    ("def qualify_leads(records, standards, today):\n    return records\n", ()),
    ("def qualify_leads(records, standards, today):\n    return None\n", ()),
    ("def qualify_leads(records, standards, today):\n    import pandas as pd\n"
     "    return pd.DataFrame({'record_id': []})\n", ()),
    ("def qualify_leads(records, standards, today):\n    import pandas as pd\n"
     "    return pd.DataFrame({'record_id': ['NOPE']})\n", ()),
    ("def qualify_leads(records, standards, today):\n    import pandas as pd\n"
     "    return pd.DataFrame({'record_id': [1.5]})\n", ()),
    ("def qualify_leads(records, standards, today):\n    import pandas as pd\n"
     "    return pd.DataFrame({'name': ['x']})\n", ()),
])
def test_lead_list_hostile(source, kinds, ev, ctx):
    """Raising, looping, wrong-type, empty, unknown-id and id-less results score 0."""
    short = short_ctx(ctx)
    verdict = ev["lead_list_test"](fn(source, "qualify_leads"), short)
    assert verdict.score == 0.0
    assert verdict.message
    if kinds:
        assert any(k in verdict.message for k in kinds), verdict.message


@pytest.mark.parametrize("hostile", [None, [], pd.DataFrame({"record_id": ["EV0001"]})])
def test_lead_list_not_a_function(hostile, ev, ctx):
    """A list where the function is expected scores 0 and says to submit the function."""
    verdict = ev["lead_list_test"](to_plain(hostile), ctx)
    assert verdict.score == 0.0
    assert "function" in verdict.message


def test_qualify_function_on_hidden_sources(ev, ctx, cells):
    """Solution 1.0; keeping only record_id and name loses the key-field part (0.8)."""
    good = ev["qualify_function_test"](fn(cells["qualify_analyst"], "qualify_leads"), ctx)
    assert good.score == 1.0, good.message
    thin = cells["qualify_analyst"].replace(
        'return ok[cols].head(40).reset_index(drop=True)',
        'return ok[["record_id", "name"]].head(40).reset_index(drop=True)')
    assert thin != cells["qualify_analyst"]
    verdict = ev["qualify_function_test"](fn(thin, "qualify_leads"), ctx)
    assert verdict.score == pytest.approx(0.8)
    assert "key fields" in verdict.message


@pytest.mark.parametrize("source", [
    "def qualify_leads(records, standards, today):\n    import pandas as pd\n"
    "    return pd.DataFrame({'record_id': []})\n",
    "def qualify_leads(records, standards, today):\n    return records\n",
    "def qualify_leads(records, standards, today):\n    raise ValueError('x')\n",
    "def qualify_leads(records, standards, today):\n    import pandas as pd\n"
    "    return pd.DataFrame({'record_id': ['NOPE']})\n",
])
def test_qualify_function_hostile(source, ev, ctx):
    """Empty, wrong-type, raising and unknown-id results score 0."""
    assert ev["qualify_function_test"](fn(source, "qualify_leads"), ctx).score == 0.0


# --------------------------------------------------------------------- network
def test_network_analyst_function_is_graded_the_same_way(ev, ctx, cells):
    """The analyst track's find_prospects is scored on the hidden graph like the rule.

    It cannot see the lead sources, so it cannot leave existing customers out: on seed 12
    it stays under full marks, and the feedback says whether the taught rule reaches more.
    """
    verdict = ev["network_test"](fn(cells["network_analyst"], "find_prospects"), ctx)
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.evidence["taught_method_reaches"] >= verdict.evidence["genuine_new"]
    assert "hidden company" in verdict.message


def test_network_rule_marks(ev, ctx, cells):
    """The finder's solution rule 1.0 on the hidden graph; partial 0.5; wrong 0 (exact)."""
    from crm_sim.ui.prospect_finder import ProspectFinder

    world = ctx.trainee_world()
    finder = ProspectFinder(desk.referral_edges(world), desk.customer_records(world),
                            desk.stacked_sources(world))
    rule = run_cell(cells["network_impl"], {"prospect_finder": finder})["prospect_rule"]
    good = ev["network_test"](rule, ctx)
    assert good.score == 1.0, good.message
    partial = ev["network_test"](rule_in(U.VARIANTS["partial"]["network_impl"],
                                         "prospect_rule"), ctx)
    assert partial.score == 0.5, partial.message
    assert "full marks from 88%" in partial.message
    wrong = ev["network_test"](rule_in(U.VARIANTS["wrong"]["network_impl"],
                                       "prospect_rule"), ctx)
    assert wrong.score == 0.0


def test_network_rule_keeping_customers_is_told_to_leave_them_out(ev, ctx):
    """A rule keeping existing customers, cut to 12, scores 0 and is told what to change."""
    rule = {**U.rules.TAUGHT_PROSPECT_RULE, "exclude_customers": False, "max_prospects": 12}
    verdict = ev["network_test"](rule, ctx)
    assert verdict.score == 0.0
    assert "Leave out existing customers" in verdict.message


def test_network_graded_on_the_hidden_world(ev, ctx):
    """A function returning the trainee graph's genuine new prospects scores < 1 here."""
    from crm_sim.leads import network as net

    world = ctx.trainee_world()
    truth = world.hidden["lead_truth"].drop_duplicates("entity_id")
    graph = net.referral_graph(world)
    best = truth[truth["is_genuine"].astype(bool) & (truth["customer_id"].astype(str) == "")
                 & truth["prospect_node"].astype(str).isin(set(graph.nodes))]
    cheat_ids = sorted(best["prospect_node"].astype(str))[:U.PROSPECTS_MAX]
    own = net.score_network_reach(world, cheat_ids)
    assert own["genuine_new"] >= 0.8 * min(U.PROSPECTS_MAX, own["available_genuine_new"])
    cheat = ("def find_prospects(edges, customers):\n"
             f"    return {cheat_ids!r}\n")
    verdict = ev["network_test"](fn(cheat, "find_prospects"), ctx)
    assert verdict.score < 1.0
    assert verdict.message


@pytest.mark.parametrize("source, kinds", [
    ("def find_prospects(edges, customers):\n    raise KeyError('source')\n", ("raised",)),
    ("def find_prospects(edges, customers):\n    while True:\n        pass\n",
     LOOPED),
    ("def find_prospects(edges, customers):\n    return []\n", ()),
    ("def find_prospects(edges, customers):\n    return 'EV0001'\n", ()),
    ("def find_prospects(edges, customers):\n    return [1, 2]\n", ()),
    ("def find_prospects(edges, customers):\n    return ['NOPE']\n", ()),
    ("def find_prospects(edges, customers):\n    return None\n", ()),
    ("def find_prospects(edges, customers):\n    return ['x'] * 100_000\n", ()),
])
def test_network_hostile(source, kinds, ev, ctx):
    """Raising, looping, empty, non-text, unknown and huge results score 0 with a message."""
    verdict = ev["network_test"](fn(source, "find_prospects"), short_ctx(ctx))
    assert verdict.score == 0.0
    assert verdict.message
    if kinds:
        assert any(k in verdict.message for k in kinds), verdict.message


@pytest.mark.parametrize("hostile", [None, ["EV0001"], "EV0001"])
def test_network_not_a_function(hostile, ev, ctx):
    """A list where the function is expected scores 0 and says to submit the function."""
    verdict = ev["network_test"](hostile, ctx)
    assert verdict.score == 0.0
    assert "function" in verdict.message


# --------------------------------------------------------------------- review
def test_sql_marks(ev, ctx, cells):
    """The query builder's SQL (the solution) 1.0; without consent_rate 0.75; a wrong query 0."""
    ns = solve(cells, "sql", {"customers": ctx.trainee_world().tables["customers"]})
    assert ev["sql_test"](ns["SQL_SEGMENTS"], ctx).score == 1.0
    three = ("SELECT segment, COUNT(*) AS customers, AVG(lifetime_value) AS mean_value "
             "FROM customers GROUP BY segment ORDER BY segment")
    assert ev["sql_test"](three, ctx).score == 0.75
    assert ev["sql_test"]("SELECT 1 AS x", ctx).score == 0.0


def test_reference_sql_is_a_full_marks_answer(ev, ctx):
    """The analyst track's model query (a fingerprint reference) earns full marks."""
    assert ev["sql_test"](U.REFERENCE_SQL_SEGMENTS, ctx).score == 1.0


@pytest.mark.parametrize("hostile", [None, 42, "", "DROP TABLE customers",
                                     "SELECT * FROM latent", "SELECT * FROM t_latent",
                                     "SELECT 1; SELECT 2", "x" * (U.MAX_TEXT + 1),
                                     "SELECT * FROM customers c1, customers c2, customers c3"])
def test_sql_hostile(hostile, ev, ctx):
    """Non-queries, writes, hidden tables, several statements, huge results: 0."""
    verdict = ev["sql_test"](hostile, ctx)
    assert verdict.score == 0.0
    assert verdict.message


@pytest.mark.parametrize("query", [
    "SELECT length(randomblob(200000000)) AS segment FROM customers c1, customers c2",
    "SELECT zeroblob(2000000000) AS segment",
], ids=["randomblob_per_row", "zeroblob_2g"])
def test_sql_attacks_end_as_a_failed_cell_in_time(ev, ctx, query):
    """A query built to hold or bloat the grader scores 0 within the limit, in the jail."""
    import resource
    import time

    short = short_ctx(ctx)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    verdict = ev["sql_test"](query, short)
    assert time.monotonic() - start < short.limits.cell_timeout_s + 25
    assert verdict.score == 0.0 and "failed on the hidden store" in verdict.message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024


def test_plan_marks(ev, ctx, cells):
    """Solution 1.0; required steps only (spare time) 0.75; one step late 0.25; [] 0."""
    from crm_sim.ui.review_planner import ReviewPlanner

    planner = ReviewPlanner(len(ctx.trainee_world().tables["customers"]))
    ns = run_cell(cells["plan_impl"], {"planner": planner})
    assert ev["plan_test"](ns["review_plan"], ctx).score == 1.0
    required = [{"step": s, "tool": "pandas"} for s in U.review.REQUIRED_STEPS]
    assert ev["plan_test"](required, ctx).score == 0.75
    ns = run_cell(U.VARIANTS["partial"]["plan_impl"], {})
    verdict = ev["plan_test"](ns["review_plan"], ctx)
    assert verdict.score == pytest.approx(0.25)
    assert verdict.evidence["missing_required"] == ["contact_history"]
    assert ev["plan_test"]([], ctx).score == 0.0


@pytest.mark.parametrize("hostile", [None, "plan", {"step": "segment_mix"},
                                     [{"step": "nope", "tool": "sql"}],
                                     [{"step": "segment_mix", "tool": "excel"}],
                                     [{"step": "segment_mix", "tool": "sql"}] * 1000])
def test_plan_hostile(hostile, ev, ctx):
    """Malformed plans score 0 with a message naming the problem."""
    verdict = ev["plan_test"](hostile, ctx)
    assert verdict.score == 0.0
    assert "malformed" in verdict.message


def test_summary_marks(ev, ctx, cells):
    """Builder solution and analyst function 1.0; the partial figures 2/4; none 0."""
    from crm_sim.ui.figure_builder import FigureBuilder

    assert ev["summary_test"](fn(cells["summary_analyst"], "profile_summary"),
                              ctx).score == 1.0
    builder = FigureBuilder(pd.DataFrame(desk.customer_records(ctx.trainee_world())),
                            list(U.reference_summary(ctx.trainee_world().tables["customers"])))
    figures = run_cell(cells["summary_impl"], {"figures": builder})["summary_figures"]
    assert ev["summary_test"](figures, ctx).score == 1.0
    partial = ev["summary_test"](rule_in(U.VARIANTS["partial"]["summary_impl"],
                                         "summary_figures"), ctx)
    assert partial.score == 0.5
    assert set(partial.evidence["wrong"]) == {"mean_value_by_segment", "top_districts"}
    wrong = ev["summary_test"](rule_in(U.VARIANTS["wrong"]["summary_impl"],
                                       "summary_figures"), ctx)
    assert wrong.score == 0.0


def test_summary_figures_refused_in_words(ev, ctx):
    """A figure averaging a column that is not there scores 0 and names it."""
    bad = {"kind": "figure_specs", "figures": {
        "consent_rate": {"measure": "mean", "column": "happiness"}}}
    verdict = ev["summary_test"](bad, ctx)
    assert verdict.score == 0.0 and "happiness" in verdict.message


@pytest.mark.parametrize("source", [
    "def profile_summary(customers):\n    return {'consent_rate': float('nan')}\n",
    "def profile_summary(customers):\n    return [1, 2]\n",
    "def profile_summary(customers):\n    import os\n    os._exit(3)\n",
    "def profile_summary(customers):\n    return {'customers_by_segment': True, "
    "'consent_rate': True, 'top_districts': 'abc', 'mean_value_by_segment': None}\n",
])
def test_summary_hostile(source, ev, ctx):
    """NaN, wrong types, a dying process and bool-for-number all score 0."""
    assert ev["summary_test"](fn(source, "profile_summary"), ctx).score == 0.0


# --------------------------------------------------------------------- present
UNSEEN = 20


@pytest.fixture(scope="module")
def unseen_worlds() -> list[World]:
    """Twenty unseen companies of the unit's size (seeds unrelated to the trainee's)."""
    return [World.build(Scenario(seed=9200 + i, n_customers=800)) for i in range(UNSEEN)]


def function_in(source: str, name: str) -> str:
    """The source of function `name` as defined in a cell's `source` (what submit sends)."""
    import ast

    node = next(n for n in ast.parse(source).body
                if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.get_source_segment(source, node)


def defined(source: str, name: str):
    """Function `name` defined by `source` with what the sandbox gives it (pd, np)."""
    import numpy as np

    return run_cell(source, {"pd": pd, "np": np})[name]


def own_truth_answer(world) -> list[dict]:
    """The best advice found by search on `world`'s hidden truth (what a cheat would copy)."""
    import itertools

    from crm_sim import profile_review as review

    segments = sorted(world.customers["segment"].unique())
    value_actions = [a for a, spec in review.ACTIONS.items()
                     if spec["metric"] == "retained_value"]
    best = None
    for seg_v, action, seg_n in itertools.product(segments, value_actions, segments):
        recs = [{"target_segment": seg_v, "action": action,
                 "expected_effect": {"metric": "retained_value", "change": 1}},
                {"target_segment": seg_n, "action": "referral_reward",
                 "expected_effect": {"metric": "new_customers", "change": 1}}]
        r = review.execute_recommendations(recs, world.customers, world.latent)
        key = (U.recommendation_verdict(recs, world).score,
               r["retained_value"] + 1e4 * r["new_customers"])
        if best is None or key > best[0]:
            best = (key, recs)
    return best[1]


def test_recommend_taught_method_full_on_unseen_companies(cells, unseen_worlds):
    """The notebook's recommend() scores full marks on at least 19 of 20 unseen companies."""
    recommend = defined(function_in(cells["recommend_analyst"], "recommend"), "recommend")
    scores = [U.recommendation_verdict(recommend(desk.recommend_inputs(w)), w).score
              for w in unseen_worlds]
    assert sum(s == 1.0 for s in scores) >= 19, scores


def test_recommend_read_off_own_truth_misses_unseen_companies(ctx, cells, unseen_worlds):
    """Advice searched on the trainee's own truth: 1.0 there, clearly less on unseen companies.

    Three segments and two goals bound how often a fixed answer is wrong (it is right by
    chance where its segments happen to be best), so the claim is: below full marks on at
    least 12 of 20 companies and a mean at least 0.2 below the taught method's.
    """
    own = ctx.trainee_world()
    copied = own_truth_answer(own)
    assert U.recommendation_verdict(copied, own).score == 1.0
    recommend = defined(function_in(cells["recommend_analyst"], "recommend"), "recommend")
    taught = [U.recommendation_verdict(recommend(desk.recommend_inputs(w)), w).score
              for w in unseen_worlds]
    scores = [U.recommendation_verdict(copied, w).score for w in unseen_worlds]
    assert sum(s < 1.0 for s in scores) >= 12, scores
    assert sum(scores) / UNSEEN <= sum(taught) / UNSEEN - 0.2, (scores, taught)


def test_recommend_best_segments_differ_between_companies(unseen_worlds):
    """The best offer segment is not the same in every unseen company."""
    best = {own_truth_answer(w)[0]["target_segment"] for w in unseen_worlds[:8]}
    assert len(best) >= 2


def test_recommendation_marks(ev, ctx, cells):
    """Analyst function and the no-code rule 1.0 on the unseen company; partial 0.2; wrong 0."""
    from crm_sim.ui.recommender import Recommender

    good = ev["recommend_test"](fn(function_in(cells["recommend_analyst"], "recommend"),
                                   "recommend"), ctx)
    assert good.score == 1.0, good.message
    json.dumps(good.evidence)  # plain data for the assessor
    view = Recommender(desk.recommend_inputs(ctx.trainee_world()))
    rule = run_cell(cells["recommend_impl"], {"recommender": view})["recommend_rule"]
    assert ev["recommend_test"](rule, ctx).score == 1.0
    partial = rule_in(U.VARIANTS["partial"]["recommend_impl"], "recommend_rule")
    assert ev["recommend_test"](partial, ctx).score == pytest.approx(0.2)
    wrong = rule_in(U.VARIANTS["wrong"]["recommend_impl"], "recommend_rule")
    verdict = ev["recommend_test"](wrong, ctx)
    assert verdict.score == 0.0
    assert "PDPO" in verdict.message


def test_recommendation_list_is_not_a_function(ev, ctx):
    """Submitting the list (not recommend) earns 0 and says what to submit."""
    recs = [{"target_segment": "sme", "action": "cross_sell_call",
             "expected_effect": {"metric": "retained_value", "change": 1}}]
    verdict = ev["recommend_test"](recs, ctx)
    assert verdict.score == 0.0
    assert "recommend" in verdict.message


@pytest.mark.parametrize("body", [
    "return None", "return 'cross_sell'", "return [{}] * 4",
    "return [{'target_segment': 'martians', 'action': 'cross_sell_call',"
    " 'expected_effect': {'metric': 'retained_value', 'change': 1}}]",
    "return [{'target_segment': 'sme', 'action': 'cross_sell_call',"
    " 'expected_effect': {'metric': 'retained_value', 'change': float('nan')}}]",
    "return [{'target_segment': 'sme', 'action': 'bribe',"
    " 'expected_effect': {'metric': 'retained_value', 'change': 1}}]",
    "return [{'target_segment': 'sme', 'action': 'cross_sell_call',"
    " 'expected_effect': {'metric': 'retained_value', 'change': 1}}] * 100_000",
])
def test_recommendation_hostile(body, ev, ctx):
    """Malformed, NaN or huge advice cannot be executed: 0 with the reason."""
    verdict = ev["recommend_test"](fn(f"def recommend(signals):\n    {body}\n", "recommend"),
                                   ctx)
    assert verdict.score == 0.0
    assert "cannot be executed" in verdict.message or "failed" in verdict.message


def test_recommendation_raising_function(ev, ctx):
    """A function that raises on the unseen company scores 0, named by exception type only."""
    verdict = ev["recommend_test"](fn("def recommend(signals):\n"
                                      "    raise ValueError(str(signals))\n", "recommend"), ctx)
    assert verdict.score == 0.0
    assert "while running on the unseen company" in verdict.message
    assert "mean_value" not in verdict.message


def test_rubric_for_the_written_answer():
    """The manually graded cell has a three-point rubric for the instructor."""
    assert U.RUBRICS["recommend_written"].count("\n") >= 3


# --------------------------------------------------------------------- end to end
@pytest.mark.slow
def test_notebooks_graded_end_to_end(tmp_path):
    """Full, partial and wrong variants through grade_notebook: per-AC outcome as designed."""
    from unit_grading import criterion_fractions

    from autograders.unitspec import load_unit_spec

    spec = load_unit_spec(UNIT_DIR)
    outcome = criterion_fractions("ITCSCR410A", UNIT_DIR, NOTEBOOKS, U.VARIANTS, tmp_path,
                                  secret="s3cret-410a")
    manual = spec.criteria["AC-ii"].cells["recommend_written"] / spec.criteria[
        "AC-ii"].max_points
    # full: everything autograded is right; the written answer waits for the instructor
    assert outcome["full"]["AC-i"] == pytest.approx(1.0)
    assert outcome["full"]["AC-ii"] == pytest.approx(1.0 - manual)
    assert outcome["full"]["AC-ii"] >= spec.criteria["AC-ii"].threshold
    # partial: competent on neither criterion, but clearly above wrong
    for cid, crit in spec.criteria.items():
        assert outcome["wrong"][cid] < outcome["partial"][cid] < crit.threshold
    assert outcome["wrong"]["AC-i"] < 0.2
    assert outcome["wrong"]["AC-ii"] < 0.2


@pytest.mark.parametrize("nb, x", [("01_integrate_and_protect", "x1"),
                                   ("02_qualify_and_grow", "x1b")])
def test_judgement_view_solution_scores_full(nb, x, ev, ctx, cells):
    """Driving the judgement view as the solution does gives full marks for the call."""
    ns = run_cell(cells[f"prof_{x}_reasons"], {"desk": desk})
    run_cell(cells[f"prof_{x}_answer"], ns)
    verdict = ev[f"prof_{x}_test"](ns[f"answer_{x}"], ctx)
    assert verdict.score == 1.0


def test_qualify_rule_partial_exact_points(ev, ctx):
    """Five leads where sales can work forty: compliant, but few sales (0.8) and short (2/3)."""
    rule = {**U.rules.taught_lead_rule(desk.standards_for(ctx.hidden_world())),
            "max_leads": 5}
    verdict = ev["qualify_function_test"](rule, ctx)
    assert verdict.score == pytest.approx(0.8), verdict.message
    assert "few of your leads bought" in verdict.message
    assert ev["lead_list_test"](rule, ctx).score == pytest.approx(2 / 3)


def test_reviewer_verdicts_on_own_records_do_not_travel(ev, ctx):
    """Verdicts confirming every true pair of one's own world change nothing on the unseen one."""
    own = truth_links(ctx.trainee_world())
    cheat = {**U.rules.TAUGHT_LINK_RULE, "match_on": {"email": 70},
             "decisions": [[a, b, True] for a, b in own]}
    plain = {**U.rules.TAUGHT_LINK_RULE, "match_on": {"email": 70}}
    got, want = ev["resolve_function_test"](cheat, ctx), ev["resolve_function_test"](plain, ctx)
    assert got.score == want.score
    assert got.evidence["f1"] == want.evidence["f1"]
