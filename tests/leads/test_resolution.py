"""Entity resolution: normalisers and the pairwise scorer against hidden truth."""

from __future__ import annotations

from itertools import combinations

import pandas as pd
import pytest

from crm_sim.errors import LeadError
from crm_sim.leads import normalise_email, normalise_name, normalise_phone, score_resolution
from crm_sim.scenario import Scenario
from crm_sim.world import World

from .conftest import snapshot, unchanged


@pytest.fixture(scope="module")
def truth(lead_world) -> pd.DataFrame:
    """The hidden record -> entity table."""
    return lead_world.hidden["lead_truth"][["record_id", "entity_id"]]


@pytest.fixture(scope="module")
def true_pairs(truth) -> list[tuple[str, str]]:
    """Every truly linked pair of records, sorted."""
    pairs = []
    for _, grp in truth.groupby("entity_id"):
        pairs += list(combinations(sorted(grp["record_id"]), 2))
    return sorted(pairs)


@pytest.fixture(scope="module")
def false_pairs(truth) -> list[tuple[str, str]]:
    """Pairs of records of different entities (deterministic choice)."""
    ids = truth.sort_values("record_id")
    out = []
    rec, ent = ids["record_id"].tolist(), ids["entity_id"].tolist()
    for i in range(len(rec) - 1):
        if ent[i] != ent[i + 1]:
            out.append((rec[i], rec[i + 1]))
    return out


class TestNormalisers:
    """Format noise removed by the normalisers."""

    def test_phone_layouts_collapse(self):
        """Every layout of one number gives the same 8 digits; junk gives ''."""
        s = pd.Series(["+852 9123 4567", "9123-4567", "91234567", "(852) 9123-4567",
                       "+85291234567", "0085291234567", "1234", "01234567", None])
        assert normalise_phone(s).tolist() == ["91234567"] * 6 + ["", "", ""]

    def test_email_case_and_spaces(self):
        """E-mails are lower-cased and stripped; non-addresses become ''."""
        s = pd.Series([" Peter.Chan@X.com ", "PETER.CHAN@X.COM", "peter", ""])
        assert normalise_email(s).tolist() == ["peter.chan@x.com"] * 2 + ["", ""]

    def test_name_order_case_punctuation(self):
        """Name order, case, commas and hyphens do not matter after normalising."""
        s = pd.Series(["Chan Tai Man, Peter", "PETER CHAN TAI-MAN", "Tai Man Chan, Peter"])
        assert normalise_name(s).nunique() == 1

    def test_fold_variants_optional(self):
        """Chen folds to chan only when asked; typos are left alone."""
        s = pd.Series(["Chen Siu Ming", "Chan Siu Ming", "Cahn Siu Ming"])
        assert normalise_name(s).nunique() == 3
        folded = normalise_name(s, fold_variants=True)
        assert folded[0] == folded[1] != folded[2]

    @pytest.mark.parametrize("fn", [normalise_phone, normalise_email, normalise_name])
    def test_series_required(self, fn):
        """A plain list is refused with a LeadError that says to pass a column."""
        with pytest.raises(LeadError, match="Series"):
            fn(["91234567"])


class TestScore:
    """Scoring links against the hidden truth."""

    def test_perfect_clusters(self, lead_world, truth):
        """Clusters equal to the truth score P=R=F1=1."""
        got = score_resolution(lead_world, truth.rename(columns={"entity_id": "cluster"}))
        assert (got["precision"], got["recall"], got["f1"]) == (1.0, 1.0, 1.0)
        assert got["true_pairs"] == got["true_positives"] > 0

    def test_perfect_pairs_any_order(self, lead_world, true_pairs):
        """The true pairs as a list (reversed, and duplicated) also score 1."""
        links = [(b, a) for a, b in true_pairs] + true_pairs[:5]
        got = score_resolution(lead_world, links)
        assert (got["precision"], got["recall"], got["f1"]) == (1.0, 1.0, 1.0)
        assert got["predicted_pairs"] == len(true_pairs)

    def test_no_links(self, lead_world, true_pairs):
        """No links: precision 0, recall 0, F1 0, all true pairs missed."""
        got = score_resolution(lead_world, [])
        assert (got["precision"], got["recall"], got["f1"]) == (0.0, 0.0, 0.0)
        assert got["false_negatives"] == len(true_pairs)

    def test_half_right(self, lead_world, true_pairs, false_pairs):
        """Half the true pairs plus as many wrong ones: P=0.5, R=half, F1 exact."""
        k = len(true_pairs) // 2
        links = pd.DataFrame(true_pairs[:k] + false_pairs[:k],
                             columns=["record_id_a", "record_id_b"])
        got = score_resolution(lead_world, links)
        r = k / len(true_pairs)
        assert got["precision"] == 0.5
        assert got["recall"] == pytest.approx(r)
        assert got["f1"] == pytest.approx(2 * 0.5 * r / (0.5 + r))
        assert (got["true_positives"], got["false_positives"]) == (k, k)

    def test_everything_in_one_cluster(self, lead_world, truth, true_pairs):
        """Lumping all records together: recall 1, precision true/all pairs."""
        n = len(truth)
        got = score_resolution(lead_world, {r: "all" for r in truth["record_id"]})
        assert got["recall"] == 1.0
        assert got["precision"] == pytest.approx(len(true_pairs) / (n * (n - 1) / 2))

    def test_clusters_and_pairs_agree(self, lead_world, truth):
        """The same partial clustering scored as clusters and as exploded pairs agrees."""
        part = truth.head(120).assign(cluster=lambda d: d["entity_id"].str[-1])
        pairs = [(a, b) for _, g in part.groupby("cluster")
                 for a, b in combinations(g["record_id"], 2)]
        assert score_resolution(lead_world, part[["record_id", "cluster"]]) == \
            score_resolution(lead_world, pairs)

    @pytest.mark.parametrize("links,match", [
        ([("EV0001", "NOPE1")], "NOPE1"),
        (pd.DataFrame({"record_id": ["XX9"], "cluster": [1]}), "XX9"),
        ([("EV0001", "EV0001")], "itself"),
        (pd.DataFrame({"record_id": ["EV0001", "EV0001"], "cluster": [1, 2]}), "one cluster"),
        (pd.DataFrame({"a": ["EV0001"], "b": ["EV0002"]}), "record_id_a"),
        ([("EV0001",)], "pairs"),
        ("EV0001,EV0002", "DataFrame"),
        ([(1, 2)], "unknown"),
    ])
    def test_bad_input(self, fresh_world, links, match):
        """Unknown ids are named; malformed inputs say what shape is expected; no change."""
        before = snapshot(fresh_world)
        with pytest.raises(LeadError, match=match):
            score_resolution(fresh_world, links)
        assert unchanged(fresh_world, before)

    def test_world_without_sources(self):
        """Scoring before generate_sources says how to fix it."""
        world = World.build(Scenario(seed=3, n_customers=30, months_history=0))
        with pytest.raises(LeadError, match="generate_sources"):
            score_resolution(world, [])
