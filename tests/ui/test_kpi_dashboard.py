"""KPI dashboard driven from code: re-runs on each control, chart data per segment."""

from __future__ import annotations

import pytest

from crm_sim import FieldError, Scenario, World
from crm_sim.programmes import Programme
from crm_sim.ui.kpi_dashboard import KpiDashboard


@pytest.fixture(scope="module")
def world():
    """A small ICT company."""
    return World.build(Scenario(seed=6, n_customers=800))


def test_one_line_per_segment_per_month(world):
    """The chart has one line per segment with one value per simulated month."""
    view = KpiDashboard(world, months=6, kpi="nps")
    assert set(view.chart_data) == set(world.scenario.segments)
    assert all(len(v) == 6 for v in view.chart_data.values())


def test_controls_rerun_the_simulation(world):
    """Moving months, KPI or the shared view re-runs; the company itself is not changed."""
    today = world.today
    view = KpiDashboard(world, months=3)
    view.set_months(5)
    assert view.result.kpis["month"].nunique() == 5
    view.show("consistency")
    off = sum(sum(v) for v in view.chart_data.values())
    view.set_shared_view(True)
    on = sum(sum(v) for v in view.chart_data.values())
    assert on > off
    assert world.today == today and "kpi_history" not in world.tables


def test_programmes_change_the_lines(world):
    """A referral reward raises the new-customer line."""
    view = KpiDashboard(world, months=6, kpi="new_customers")
    before = sum(sum(v) for v in view.chart_data.values())
    view.set_programmes([Programme("referral_rewards", params={"reward_hkd": 2000})])
    assert sum(sum(v) for v in view.chart_data.values()) > before


def test_bad_controls_name_the_field(world):
    """An unknown KPI or month count raises FieldError naming it."""
    view = KpiDashboard(world, months=2)
    with pytest.raises(FieldError, match="kpi"):
        view.show("happiness")
    with pytest.raises(FieldError, match="months"):
        view.set_months(99)
