"""Who knows whom: the referral network behind new business contacts.

ITCSCR304A P4 and ITCSCR410A P2 ask trainees to find new business contacts *through*
existing ones. The world therefore carries a social graph: customers, the contact persons
of business accounts, and the prospects behind the lead sources, joined by edges with a
relationship type and a strength (0..1). Genuine prospects are better connected to
existing customers than fake sign-ups are, so working the network pays, as it does in
life.

The graph is rebuilt on demand from the world's tables and the named stream
``leads.network``: the same world (saved, loaded, or rebuilt in another process) always
gives the same graph, so nothing but the tables needs storing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from crm_sim.errors import LeadError
from crm_sim.leads.columns import SOURCE_TABLES, TRUTH_TABLE

__all__ = ["RELATIONS", "reachable_prospects", "referral_graph", "score_network_reach"]

RELATIONS = ("works_at", "referral", "friend", "family", "business_partner",
             "former_colleague", "supplier", "club_member", "colleague")
# Mean number of ties per node (illustrative, chosen so that a 2-hop search from a few
# dozen customers reaches a useful but incomplete share of the prospects).
_CUSTOMER_TIES = 1.0
_GENUINE_PROSPECT_TIES = 1.4
_FAKE_PROSPECT_TIES = 0.3
_PROSPECT_PEER_TIES = 0.3


def _truth(world: Any, engine: bool = False) -> pd.DataFrame:
    """The lead truth: `world.hidden`'s, or with `engine` also a sealed world's engine state.

    Building the graph (what the trainee sees) is simulation and may use the engine's
    state; scoring a choice against the truth is the grader's and reads `world.hidden`.
    """
    from crm_sim.world import engine_state

    hidden = engine_state(world) if engine else getattr(world, "hidden", None)
    if hidden is None or TRUTH_TABLE not in hidden:
        raise LeadError("world", "no lead sources", "a world with lead sources",
                        "call crm_sim.leads.generate_sources(world) first")
    return hidden[TRUTH_TABLE]


def _draw_ties(rng: np.random.Generator, n_from: int, mean: np.ndarray | float,
               n_to: int) -> tuple[np.ndarray, np.ndarray]:
    """Poisson(mean) random ties from each of n_from nodes to n_to targets (indices)."""
    k = rng.poisson(mean, n_from) if n_to else np.zeros(n_from, dtype=int)
    src = np.repeat(np.arange(n_from), k)
    dst = rng.integers(0, max(n_to, 1), len(src))
    return src, dst


def _edges(world: Any) -> pd.DataFrame:
    """Every tie as a row: u, v, relation, strength (deterministic, vectorised)."""
    rng = world.streams.generator("leads.network")
    truth = _truth(world, engine=True)
    customers = world.tables["customers"]["customer_id"].astype(str).to_numpy()
    contacts = world.tables.get("contacts")
    parts = []
    if contacts is not None and len(contacts):
        parts.append(pd.DataFrame({
            "u": contacts["contact_id"].astype(str).to_numpy(),
            "v": contacts["customer_id"].astype(str).to_numpy(),
            "relation": "works_at", "strength": 0.9}))
    people = np.concatenate([customers, contacts["contact_id"].astype(str).to_numpy()
                             if contacts is not None else np.array([], dtype=object)])
    a, b = _draw_ties(rng, len(customers), _CUSTOMER_TIES, len(customers))
    parts.append(pd.DataFrame({
        "u": customers[a], "v": customers[b],
        "relation": np.array(["friend", "family", "business_partner"])[
            rng.integers(0, 3, len(a))],
        "strength": np.round(rng.uniform(0.2, 0.9, len(a)), 3)}))

    ent = truth.drop_duplicates("entity_id").sort_values("entity_id")
    nodes = ent["prospect_node"].astype(str).to_numpy()
    genuine = ent["is_genuine"].to_numpy(dtype=bool)
    mean = np.where(genuine, _GENUINE_PROSPECT_TIES, _FAKE_PROSPECT_TIES)
    a, b = _draw_ties(rng, len(nodes), mean, len(people))
    parts.append(pd.DataFrame({
        "u": nodes[a], "v": people[b],
        "relation": np.array(["friend", "former_colleague", "supplier", "club_member"])[
            rng.integers(0, 4, len(a))],
        "strength": np.round(rng.beta(2.0, 3.0, len(a)), 3)}))
    a, b = _draw_ties(rng, len(nodes), _PROSPECT_PEER_TIES, len(nodes))
    parts.append(pd.DataFrame({
        "u": nodes[a], "v": nodes[b], "relation": "colleague",
        "strength": np.round(rng.uniform(0.2, 0.7, len(a)), 3)}))

    ref_table = world.tables.get(SOURCE_TABLES["referral"])
    if ref_table is not None and len(ref_table):
        node_of = truth.set_index("record_id")["prospect_node"]
        ids = ref_table["record_id"].astype(str)
        parts.append(pd.DataFrame({
            "u": ref_table["referred_by"].astype(str).to_numpy(),
            "v": node_of.loc[ids].astype(str).to_numpy(),
            "relation": "referral", "strength": 0.8}))
    edges = pd.concat(parts, ignore_index=True)
    edges = edges[(edges["u"] != edges["v"]) & (edges["u"] != "") & (edges["v"] != "")]
    u, v = edges["u"].to_numpy(dtype=str), edges["v"].to_numpy(dtype=str)
    swap = u > v
    lo, hi = np.where(swap, v, u), np.where(swap, u, v)
    edges = edges.assign(u=lo, v=hi).sort_values(
        ["u", "v", "strength", "relation"], ascending=[True, True, False, True], kind="stable")
    return edges.drop_duplicates(["u", "v"]).reset_index(drop=True)


def referral_graph(world: Any) -> nx.Graph:
    """The world's network of customers, contacts and prospects.

    Nodes carry ``kind`` ("customer", "contact", "prospect"); customers also ``segment``,
    contacts their ``customer_id``. A prospect's node id is one of its source record ids
    (the smallest), so it can be looked up in the ``src_*`` tables. Edges carry
    ``relation`` (see `RELATIONS`) and ``strength`` (0..1). No personal data (names,
    phones) is put on the graph, so it can be shown freely.

    Raises:
        LeadError: the world has no lead sources yet.
    """
    if not all(hasattr(world, a) for a in ("tables", "hidden", "streams")):
        raise LeadError("world", type(world).__name__, "a crm_sim World",
                        "build one with World.build(Scenario(...))")
    truth = _truth(world, engine=True)
    g = nx.Graph()
    cust = world.tables["customers"]
    g.add_nodes_from(
        (cid, {"kind": "customer", "segment": seg})
        for cid, seg in zip(cust["customer_id"].astype(str), cust["segment"].astype(str),
                            strict=True))
    contacts = world.tables.get("contacts")
    if contacts is not None:
        g.add_nodes_from(
            (k, {"kind": "contact", "customer_id": c})
            for k, c in zip(contacts["contact_id"].astype(str),
                            contacts["customer_id"].astype(str), strict=True))
    g.add_nodes_from((p, {"kind": "prospect"})
                     for p in np.unique(truth["prospect_node"].astype(str)))
    e = _edges(world)
    g.add_edges_from(
        (u, v, {"relation": r, "strength": float(s)})
        for u, v, r, s in zip(e["u"], e["v"], e["relation"], e["strength"], strict=True))
    return g


def _as_id_list(ids: Any, field: str) -> list[str]:
    if isinstance(ids, pd.Series):
        ids = ids.tolist()
    if isinstance(ids, str) or not isinstance(ids, Iterable):
        raise LeadError(field, ids, "a list of ids such as ['C000001']",
                        "wrap a single id in a list")
    ids = list(ids)
    bad = [i for i in ids if not isinstance(i, str)]
    if bad:
        raise LeadError(field, bad[:5], "ids as strings", "use the id columns as they are")
    return ids


def reachable_prospects(graph: nx.Graph, from_ids: Any, max_hops: int = 2,
                        min_strength: float = 0.0) -> pd.DataFrame:
    """Prospects within ``max_hops`` ties of the given customers/contacts.

    Args:
        graph: from `referral_graph`.
        from_ids: customer or contact ids to start from (your existing relationships).
        max_hops: longest chain of introductions to follow (1..4).
        min_strength: ignore ties weaker than this (0..1).

    Returns:
        DataFrame prospect_id, hops, via (the starting id), path (ids joined by " > "),
        path_strength (product of tie strengths), sorted by hops, strongest first.

    Raises:
        LeadError: not a graph, unknown ids (named), or bad max_hops/min_strength.
    """
    if not isinstance(graph, nx.Graph):
        raise LeadError("graph", type(graph).__name__, "a networkx Graph",
                        "use referral_graph(world)")
    ids = _as_id_list(from_ids, "from_ids")
    unknown = [i for i in dict.fromkeys(ids) if i not in graph]
    if unknown:
        raise LeadError("from_ids", ", ".join(unknown[:10]), "customer or contact ids in the graph",
                        f"{len(unknown)} unknown id(s): use customer_id / contact_id values")
    if isinstance(max_hops, bool) or not isinstance(max_hops, (int, np.integer)) or not (
        1 <= max_hops <= 4
    ):
        raise LeadError("max_hops", max_hops, "an int from 1 to 4", "max_hops=2")
    if isinstance(min_strength, bool) or not isinstance(min_strength, (int, float)) or not (
        0.0 <= min_strength <= 1.0
    ):
        raise LeadError("min_strength", min_strength, "a number from 0 to 1", "min_strength=0.5")
    columns = {"prospect_id": "string", "hops": "int64", "via": "string", "path": "string",
               "path_strength": "float64"}
    if not ids:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in columns.items()})
    g = graph
    if min_strength > 0:
        g = nx.subgraph_view(graph, filter_edge=lambda u, v: graph[u][v].get(
            "strength", 0.0) >= min_strength)
    starts = sorted(set(ids))
    dist, paths = nx.multi_source_dijkstra(g, starts, cutoff=max_hops,
                                           weight=lambda u, v, d: 1)
    rows = []
    for node in sorted(dist):
        if node in starts or g.nodes[node].get("kind") != "prospect":
            continue
        path = paths[node]
        strength = float(np.prod([g[u][v].get("strength", 0.0)
                                  for u, v in zip(path[:-1], path[1:], strict=False)]))
        rows.append((node, int(dist[node]), path[0], " > ".join(path), round(strength, 6)))
    out = pd.DataFrame(rows, columns=list(columns)).astype(columns)
    return out.sort_values(["hops", "path_strength", "prospect_id"],
                           ascending=[True, False, True], kind="stable").reset_index(drop=True)


def score_network_reach(world: Any, chosen_prospect_ids: Any, max_hops: int = 2) -> dict:
    """How good a trainee's network-sourced prospects are (graders' view).

    Args:
        world: the world with lead sources.
        chosen_prospect_ids: prospect node ids or any source record ids the trainee
            proposes to approach as new business contacts.
        max_hops: how far from existing customers/contacts counts as "reached through
            the network".

    Returns:
        dict: n_chosen, n_entities, duplicates, genuine_new (genuine prospects that are
        not yet customers), not_genuine, existing_customers, not_reached (not within
        max_hops of any customer or contact), precision (genuine_new / n_entities),
        available_genuine_new (genuine new prospects reachable in the network), recall.

    Raises:
        LeadError: unknown ids (named) or no lead sources.
    """
    truth = _truth(world)
    ids = _as_id_list(chosen_prospect_ids, "chosen_prospect_ids")
    by_record = truth.set_index("record_id")
    unknown = [i for i in dict.fromkeys(ids) if i not in by_record.index]
    if unknown:
        raise LeadError("chosen_prospect_ids", ", ".join(unknown[:10]),
                        "prospect ids (record ids from the src_* tables or the graph)",
                        f"{len(unknown)} unknown id(s): customers are not prospects")
    graph = referral_graph(world)
    starts = [n for n, k in graph.nodes(data="kind") if k in ("customer", "contact")]
    reached = set(nx.multi_source_dijkstra_path_length(
        graph, starts, cutoff=max_hops, weight=lambda u, v, d: 1)) if starts else set()
    chosen = by_record.loc[ids]
    ent = chosen.drop_duplicates("entity_id")
    new = ent["is_genuine"].to_numpy(dtype=bool) & (ent["customer_id"].astype(str) == "").to_numpy()
    in_reach = ent["prospect_node"].astype(str).isin(reached).to_numpy()
    all_ent = truth.drop_duplicates("entity_id")
    avail = int((all_ent["is_genuine"].to_numpy(dtype=bool)
                 & (all_ent["customer_id"].astype(str) == "").to_numpy()
                 & all_ent["prospect_node"].astype(str).isin(reached).to_numpy()).sum())
    genuine_new = int((new & in_reach).sum())
    n_ent = len(ent)
    return {
        "n_chosen": len(ids),
        "n_entities": n_ent,
        "duplicates": len(ids) - n_ent,
        "genuine_new": genuine_new,
        "not_genuine": int((~ent["is_genuine"].to_numpy(dtype=bool)).sum()),
        "existing_customers": int((ent["customer_id"].astype(str) != "").sum()),
        "not_reached": int((~in_reach).sum()),
        "precision": genuine_new / n_ent if n_ent else 0.0,
        "available_genuine_new": avail,
        "recall": genuine_new / avail if avail else 0.0,
    }
