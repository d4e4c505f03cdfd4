"""Referral network: deterministic graph, reach through contacts, reach scoring."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from crm_sim.errors import LeadError
from crm_sim.leads import reachable_prospects, referral_graph, score_network_reach
from crm_sim.leads.network import RELATIONS

from .conftest import snapshot, unchanged


@pytest.fixture(scope="module")
def graph(lead_world) -> nx.Graph:
    """The lead world's referral graph."""
    return referral_graph(lead_world)


def edge_list(g: nx.Graph) -> list[tuple]:
    """Edges with their data, in a canonical order."""
    return sorted((min(u, v), max(u, v), d["relation"], d["strength"])
                  for u, v, d in g.edges(data=True))


def test_deterministic_and_survives_save_load(lead_world, graph, tmp_path):
    """Rebuilding, or rebuilding from a saved and loaded world, gives the same graph."""
    from crm_sim.world import World

    assert edge_list(referral_graph(lead_world)) == edge_list(graph)
    loaded = World.load(lead_world.copy().save(tmp_path / "w.sqlite"))
    assert edge_list(referral_graph(loaded)) == edge_list(graph)


def test_nodes_and_edges_well_formed(lead_world, graph):
    """Every customer, contact and prospect is a node; edges carry a relation and 0..1 strength."""
    kinds = nx.get_node_attributes(graph, "kind")
    n_prospects = lead_world.hidden["lead_truth"]["entity_id"].nunique()
    assert sum(k == "prospect" for k in kinds.values()) == n_prospects
    assert sum(k == "customer" for k in kinds.values()) == len(lead_world.tables["customers"])
    assert sum(k == "contact" for k in kinds.values()) == len(lead_world.tables["contacts"])
    for _, _, d in graph.edges(data=True):
        assert d["relation"] in RELATIONS and 0.0 <= d["strength"] <= 1.0
    assert not any(set(d) & {"name", "phone", "email", "is_genuine"}
                   for _, d in graph.nodes(data=True))


def test_contacts_work_at_their_customer(lead_world, graph):
    """Each contact person is tied to their account with relation works_at."""
    for k, c in lead_world.tables["contacts"][["contact_id", "customer_id"]].head(30).values:
        assert graph[k][c]["relation"] == "works_at"


def test_referrals_are_edges(lead_world, graph):
    """Every referral record links its referrer to the referred prospect's node."""
    truth = lead_world.hidden["lead_truth"].set_index("record_id")
    ref = lead_world.tables["src_referral"]
    for rid, by in ref[["record_id", "referred_by"]].values:
        assert graph.has_edge(by, truth.loc[rid, "prospect_node"])


def test_genuine_prospects_better_connected(lead_world, graph):
    """Genuine prospects have more ties than fakes on average (the network is informative)."""
    ent = lead_world.hidden["lead_truth"].drop_duplicates("entity_id")
    deg = ent["prospect_node"].map(dict(graph.degree()))
    assert deg[ent["is_genuine"].to_numpy()].mean() > deg[~ent["is_genuine"].to_numpy()].mean()


class TestReachable:
    """Which prospects can be reached through existing contacts."""

    def test_one_hop_from_referrer_finds_referral(self, lead_world, graph):
        """A referrer reaches the prospect they referred in one hop, via themselves."""
        truth = lead_world.hidden["lead_truth"].set_index("record_id")
        rid, by = lead_world.tables["src_referral"][["record_id", "referred_by"]].iloc[0]
        out = reachable_prospects(graph, [by], max_hops=1)
        row = out.set_index("prospect_id").loc[truth.loc[rid, "prospect_node"]]
        assert (row["hops"], row["via"]) == (1, by)
        assert row["path"] == f"{by} > {truth.loc[rid, 'prospect_node']}"

    def test_more_hops_reach_more(self, graph, lead_world):
        """Reach grows with max_hops and shrinks with min_strength; only prospects listed."""
        starts = lead_world.tables["customers"]["customer_id"].head(25).tolist()
        r1 = reachable_prospects(graph, starts, max_hops=1)
        r2 = reachable_prospects(graph, starts, max_hops=2)
        r2s = reachable_prospects(graph, starts, max_hops=2, min_strength=0.6)
        assert set(r1["prospect_id"]) < set(r2["prospect_id"])
        assert set(r2s["prospect_id"]) <= set(r2["prospect_id"])
        assert len(r2s) < len(r2)
        kinds = nx.get_node_attributes(graph, "kind")
        assert {kinds[p] for p in r2["prospect_id"]} == {"prospect"}
        assert r2["hops"].is_monotonic_increasing
        assert r2["path"].str.split(" > ").str[0].tolist() == r2["via"].tolist()
        assert (r2["path_strength"].between(0, 1)).all()

    def test_empty_start(self, graph):
        """No starting contacts reach nobody (empty, typed frame)."""
        out = reachable_prospects(graph, [])
        assert len(out) == 0 and list(out.columns) == [
            "prospect_id", "hops", "via", "path", "path_strength"]

    @pytest.mark.parametrize("args,match", [
        ((["C999999"],), "C999999"), (("C000001",), "list"), ((["C000001"], 0), "max_hops"),
        ((["C000001"], 2, 1.5), "min_strength"), (([7],), "strings")])
    def test_bad_input(self, graph, args, match):
        """Unknown ids are named; bad hops/strength say what is allowed."""
        with pytest.raises(LeadError, match=match):
            reachable_prospects(graph, *args)

    def test_not_a_graph(self):
        """Passing a DataFrame instead of the graph is a LeadError with the fix."""
        with pytest.raises(LeadError, match="referral_graph"):
            reachable_prospects(pd.DataFrame(), ["C000001"])


class TestScoreReach:
    """Reach scoring: exact counts for known choices."""

    def test_known_counts(self, lead_world, graph):
        """Scores count genuine new, fake and existing-customer choices exactly."""
        truth = lead_world.hidden["lead_truth"].drop_duplicates("entity_id")
        starts = [n for n, k in graph.nodes(data="kind") if k in ("customer", "contact")]
        reached = set(nx.multi_source_dijkstra_path_length(graph, starts, cutoff=2))
        in_reach = truth["prospect_node"].isin(reached).to_numpy()
        new = (truth["is_genuine"] & (truth["customer_id"] == "")).to_numpy()
        good = truth.loc[new & in_reach, "prospect_node"].head(6).tolist()
        fake = truth.loc[~truth["is_genuine"].to_numpy(), "prospect_node"].head(3).tolist()
        cust = truth.loc[(truth["customer_id"] != "").to_numpy(), "prospect_node"].head(2)
        got = score_network_reach(lead_world, good + fake + cust.tolist() + good[:1])
        assert got["n_chosen"] == 12 and got["n_entities"] == 11 and got["duplicates"] == 1
        assert got["genuine_new"] == 6 and got["not_genuine"] == 3
        assert got["existing_customers"] == 2
        assert got["precision"] == pytest.approx(6 / 11)
        assert got["available_genuine_new"] == int((new & in_reach).sum())
        assert got["recall"] == pytest.approx(6 / got["available_genuine_new"])

    def test_all_genuine_perfect_precision(self, lead_world, graph):
        """Choosing only reachable genuine new prospects gives precision 1."""
        starts = lead_world.tables["customers"]["customer_id"].tolist()
        found = reachable_prospects(graph, starts, max_hops=2)["prospect_id"]
        truth = lead_world.hidden["lead_truth"].drop_duplicates("entity_id").set_index(
            "prospect_node")
        ok = truth.loc[found]
        keep = found[(ok["is_genuine"] & (ok["customer_id"] == "")).to_numpy()].tolist()
        got = score_network_reach(lead_world, keep)
        assert got["precision"] == 1.0 and got["not_genuine"] == 0

    def test_any_record_id_of_entity_accepted(self, lead_world):
        """A non-node record id of a prospect counts as that prospect."""
        truth = lead_world.hidden["lead_truth"]
        other = truth[truth["record_id"] != truth["prospect_node"]].iloc[0]
        a = score_network_reach(lead_world, [other["record_id"]])
        b = score_network_reach(lead_world, [other["prospect_node"]])
        assert a == b

    def test_unknown_and_customer_ids(self, fresh_world):
        """Customer ids are not prospects: LeadError naming them; world unchanged."""
        before = snapshot(fresh_world)
        with pytest.raises(LeadError, match="C000001"):
            score_network_reach(fresh_world, ["C000001"])
        with pytest.raises(LeadError, match="list"):
            score_network_reach(fresh_world, "EV0001")
        assert unchanged(fresh_world, before)

    def test_empty_choice(self, lead_world):
        """Choosing nobody scores zero without dividing by zero."""
        got = score_network_reach(lead_world, [])
        assert got["precision"] == 0.0 and got["recall"] == 0.0 and np.isfinite(got["recall"])
