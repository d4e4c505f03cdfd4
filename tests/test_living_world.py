"""The trainee's company lives: it persists across notebooks and a month passes with results."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_sim import simulate
from crm_sim.errors import FieldError
from crm_sim.ui import session
from crm_sim.world import engine_state

UNIT = "ITCSCR304A"


@pytest.fixture()
def trainee(monkeypatch, tmp_path):
    """A trainee whose workspace is a fresh folder."""
    monkeypatch.setenv("CRM_TRAINEE_ID", "t-living")
    monkeypatch.setenv("CRM_WORLD_DIR", str(tmp_path))
    return tmp_path


def _call_plan(world, n=60, purpose="promotion"):
    """Plan n phone calls on the first day of the month to the first n customers."""
    customers = world.customers["customer_id"].head(n).tolist()
    staff = world.staff["staff_id"].tolist()
    return [{"customer_id": c, "slot": f"{world.today}T10:{i % 50:02d}", "channel": "phone",
             "assignee": staff[i % len(staff)], "purpose": purpose, "script": ["needs"]}
            for i, c in enumerate(customers)]


def test_first_use_saves_and_later_notebooks_load(trainee):
    """my_world builds and saves on first use; the next call loads the same tables and state."""
    first = session.my_world(UNIT)
    path = trainee / ".crm_world" / f"{UNIT}.sqlite"
    assert path.exists() and first.path == path and first.sealed
    first.run_plan(_call_plan(first, 10))
    session.save_my_world(first)
    again = session.my_world(UNIT)
    assert again.sealed and again.hidden == {}
    for name, table in first.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], table)
    for name, table in engine_state(first).items():
        pd.testing.assert_frame_equal(engine_state(again)[name], table)


def test_loaded_world_continues_exactly(trainee):
    """A saved and loaded world gives the same next calls and month as one never saved."""
    kept = session.my_world(UNIT)
    kept.autosave = None
    session.save_my_world(kept)
    loaded = session.my_world(UNIT)
    loaded.autosave = None
    a, b = kept.run_plan(_call_plan(kept)), loaded.run_plan(_call_plan(loaded))
    pd.testing.assert_frame_equal(a.records, b.records)
    pd.testing.assert_frame_equal(kept.advance_month(), loaded.advance_month())


def test_advance_month_is_deterministic_and_moves_the_clock(trainee):
    """Same seed, same actions: identical month results; the clock moves one month."""
    results = []
    for _ in range(2):
        world = session.reset_my_world(UNIT)
        world.run_plan(_call_plan(world))
        start = world.today
        results.append(world.advance_month())
        assert world.today > start and world.today[:7] != start[:7]
    pd.testing.assert_frame_equal(*results)
    assert list(results[0].columns) == list(simulate.MONTH_RESULTS_COLUMNS)


def test_calls_change_the_month_results(trainee):
    """Calling customers shows in the month: contacts counted, more survey answers."""
    quiet = session.reset_my_world(UNIT)
    quiet_month = quiet.advance_month()
    busy = session.reset_my_world(UNIT)
    busy.run_plan(_call_plan(busy, 200, "routine"))
    busy_month = busy.advance_month()
    called = busy_month["contacts"] > 0
    assert called.sum() == 200 and quiet_month["contacts"].sum() == 0
    assert (busy_month.loc[called, "survey_score"].notna().sum()
            > quiet_month.loc[called, "survey_score"].notna().sum())
    untouched = ~called & busy_month["survey_score"].notna()
    assert untouched.any()     # common random numbers: customers not called answer alike
    pd.testing.assert_series_equal(busy_month.loc[untouched, "survey_score"],
                                   quiet_month.loc[untouched, "survey_score"])


def test_broken_follow_up_promises_cost_satisfaction(trainee):
    """Promised follow-ups that never come lower survey scores against kept promises."""
    def month(keep: bool):
        world = session.reset_my_world(UNIT)
        plan = _call_plan(world, 300, "routine")
        world.run_plan(plan)
        promised = world.interactions.tail(300)
        promised = promised[promised["follow_up"] != ""]
        if keep:
            staff = world.staff["staff_id"].iloc[0]
            world.run_plan([{"customer_id": c, "slot": f"{world.today[:8]}20T10:00",
                             "channel": "phone", "assignee": staff, "purpose": "follow_up",
                             "script": []} for c in promised["customer_id"].unique()])
        return world.advance_month(), set(promised["customer_id"])

    broken, who = month(False)
    kept, _ = month(True)
    rows = broken["customer_id"].isin(who)
    assert rows.any()
    assert broken.loc[rows, "follow_ups_kept"].sum() == 0
    assert kept.loc[rows, "follow_ups_kept"].sum() > 0
    assert broken.loc[rows, "complained"].sum() >= kept.loc[rows, "complained"].sum()


def test_month_records_public_results(trainee):
    """Opt-outs reach customers, complaints reach interactions, purchases lifetime value."""
    world = session.my_world(UNIT)
    before_ltv = world.customers["lifetime_value"].sum()
    n_inter = len(world.interactions)
    months = world.advance_month(3)
    assert months["month"].nunique() == 3 and len(world.tables["month_results"]) == len(months)
    opted = months.loc[months["opted_out"], "customer_id"]
    assert (~world.customers.set_index("customer_id").loc[opted, "dm_consent"]).all()
    new = world.interactions.iloc[n_inter:]
    assert (new["purpose"] == "complaint").sum() == months["complained"].sum()
    assert np.isclose(world.customers["lifetime_value"].sum() - before_ltv,
                      months["sales_value"].sum(), atol=0.05 * len(months))
    assert world.hidden == {}


def test_advance_month_autosaves_the_trainees_world(trainee):
    """advance_month on my_world's world saves it: the next notebook sees the new month."""
    world = session.my_world(UNIT)
    world.advance_month()
    later = session.my_world(UNIT)
    assert later.today == world.today
    pd.testing.assert_frame_equal(later.tables["month_results"], world.tables["month_results"])


def test_another_trainees_file_is_not_used(trainee, monkeypatch):
    """A world file copied from a classmate is ignored: the trainee gets their own company."""
    theirs = session.my_world(UNIT)
    theirs.advance_month()
    monkeypatch.setenv("CRM_TRAINEE_ID", "t-other")
    with pytest.warns(UserWarning, match="another trainee"):
        mine = session.my_world(UNIT)
    assert mine.scenario.seed != theirs.scenario.seed and "month_results" not in mine.tables


def test_advance_refuses_bad_months(trainee):
    """The months argument must be a positive whole number, named in the error."""
    world = session.my_world(UNIT)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(FieldError, match="months"):
            simulate.advance(world, bad)


def test_calls_on_my_world_are_saved_for_the_next_notebook(trainee):
    """A plan run on my_world's world is in the next notebook's world without an explicit save."""
    world = session.my_world(UNIT)
    summary = world.run_plan(_call_plan(world, 25))
    later = session.my_world(UNIT)
    assert set(summary.records["interaction_id"]) <= set(later.interactions["interaction_id"])


def test_a_copy_never_overwrites_the_saved_world(trainee):
    """Practice on world.copy() (a call console's) leaves the saved company as it was."""
    world = session.my_world(UNIT)
    practice = world.copy()
    practice.run_plan(_call_plan(practice, 25))
    assert len(session.my_world(UNIT).interactions) == len(world.interactions)


def test_unwritable_workspace_warns_and_the_notebook_goes_on(trainee, monkeypatch):
    """A workspace that cannot be written costs persistence (a warning), not the notebook."""
    blocker = trainee / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CRM_WORLD_DIR", str(blocker))
    with pytest.warns(UserWarning, match="could not be saved"):
        world = session.my_world(UNIT)
    with pytest.warns(UserWarning, match="could not be saved"):
        world.advance_month()
    assert "month_results" in world.tables


def test_calls_count_in_the_next_step_once_whatever_their_slot(trainee):
    """A plan for next month made today counts in the step that follows, and only once."""
    from crm_sim.scenario import add_months

    world = session.my_world(UNIT)
    plan = _call_plan(world, 40)
    later = add_months(world.today, 1)
    for row in plan:
        row["slot"] = later + row["slot"][10:]
    world.run_plan(plan)
    first = world.advance_month()
    second = world.advance_month()
    assert first["contacts"].sum() == 40 and second["contacts"].sum() == 0


def test_a_saved_company_is_never_released_nor_graded(tmp_path):
    """Releases skip .crm_world (nbgrader config); grading copies no saved company."""
    from autograders.grading import released_support

    config = (Path(__file__).resolve().parents[1] / "course" / "nbgrader_config.py").read_text()
    assert '".crm_world"' in config
    release = tmp_path / "ITCSCR304A"
    (release / ".crm_world").mkdir(parents=True)
    (release / ".crm_world" / "ITCSCR304A.sqlite").write_bytes(b"x")
    (release / "periodic_calls.py").write_text("")
    assert [Path(p).name for p in released_support(release)] == ["periodic_calls.py"]


def test_month_summary_compares_called_and_other_customers(trainee):
    """month_summary splits each month by segment or by called/not called, with the totals."""
    world = session.my_world(UNIT)
    world.run_plan(_call_plan(world, 120, "routine"))
    month = world.advance_month()
    called = simulate.month_summary(world, "called")
    assert called.loc[(month["month"].iloc[0], "called"), "customers"] == 120
    assert called["customers"].sum() == len(month)
    by_segment = simulate.month_summary(world)
    assert by_segment["complaints"].sum() == month["complained"].sum()
    assert by_segment["survey_answers"].sum() == month["survey_score"].notna().sum()
    with pytest.raises(FieldError, match="by"):
        simulate.month_summary(world, "channel")
