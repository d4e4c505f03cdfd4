"""Tests of `crm_sim.summary`: counts add up and the text rendering shows every block."""

import json

import pytest

from crm_sim import Scenario, World
from crm_sim.summary import render_text, summarise


@pytest.fixture(scope="module")
def world():
    """A small ICT world."""
    return World.build(Scenario(seed=8, n_customers=200))


def test_counts_add_up(world):
    """Counts per segment, district, role, channel, outcome and month sum to the totals."""
    data = summarise(world)
    assert sum(data["customers"]["by_segment"].values()) == 200 == data["customers"]["total"]
    assert sum(data["customers"]["by_district"].values()) == 200
    assert sum(data["staff"]["by_role"].values()) == len(world.staff)
    total = len(world.interactions)
    for key in ("by_channel", "by_outcome", "by_month"):
        assert sum(data["interactions"][key].values()) == total
    assert list(data["interactions"]["by_month"]) == sorted(data["interactions"]["by_month"])
    assert len(data["interactions"]["by_month"]) == 12
    assert data["customers"]["dm_consent"] == int(world.customers["dm_consent"].sum())
    json.dumps(data)  # plain data only


def test_most_frequent_first(world):
    """Count tables list the most frequent value first."""
    counts = list(summarise(world)["customers"]["by_segment"].values())
    assert counts == sorted(counts, reverse=True)


def test_render_text(world):
    """The text version names the world and shows each block with its figures."""
    text = render_text(summarise(world))
    assert text.startswith("World: ict · seed 8 · 200 customers")
    for heading in (
        "Customers per segment",
        "Customers per district",
        "Staff by role",
        "Products by category",
        "Contacts by channel",
        "Contacts by outcome",
        "Contacts by month",
    ):
        assert heading + ":" in text
    assert "2025-06" in text
