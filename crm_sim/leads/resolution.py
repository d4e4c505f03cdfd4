"""Entity resolution: helpers a trainee may use, and the scorer graders use.

Integrating intelligence from several sources (ITCSCR410A P1, P4) starts by deciding
which records are the same person. That decision is the trainee's; the engine supplies
normalisers that remove the *format* noise (phone layouts, e-mail case, name order and
punctuation) and leaves the *judgement* noise (Chan or Chen? a typo or another person?)
to them. `score_resolution` compares their links with the hidden truth pairwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import LeadError
from crm_sim.leads.columns import TRUTH_TABLE

__all__ = [
    "ROMANISATION_VARIANTS",
    "normalise_email",
    "normalise_name",
    "normalise_phone",
    "score_resolution",
]

# Hong Kong (Cantonese) spelling of a surname -> spellings of the same character seen in
# other romanisations (Mandarin pinyin, Wade-Giles, typists' habits). Illustrative list
# of well-known pairs; used to put realistic variants into the sources and, if a trainee
# wishes, to fold them back (normalise_name(..., fold_variants=True)).
ROMANISATION_VARIANTS: dict[str, tuple[str, ...]] = {
    "Chan": ("Chen", "Chann"),
    "Wong": ("Wang", "Huang"),
    "Lee": ("Li", "Lei"),
    "Cheung": ("Zhang", "Chang"),
    "Lau": ("Liu", "Low"),
    "Ng": ("Wu", "Eng"),
    "Ho": ("He", "Hoh"),
    "Leung": ("Liang", "Leong"),
    "Lam": ("Lin", "Lum"),
    "Tse": ("Xie", "Cheh"),
    "Cheng": ("Zheng", "Chang"),
    "Yeung": ("Yang", "Young"),
    "Chow": ("Zhou", "Chau"),
    "Tsang": ("Zeng", "Tsan"),
    "Mak": ("Mai", "Mack"),
    "Tang": ("Deng", "Tung"),
    "Kwok": ("Guo", "Kwock"),
    "Law": ("Luo", "Lo"),
    "Chu": ("Zhu", "Choo"),
    "Fung": ("Feng", "Foong"),
    "Choi": ("Cai", "Tsoi"),
    "Yip": ("Ye", "Yap"),
    "Chung": ("Zhong", "Cheung"),
    "Tam": ("Tan", "Taam"),
    "Kwan": ("Guan", "Quan"),
    "Poon": ("Pan", "Pun"),
    "Hui": ("Xu", "Hsu"),
    "Yuen": ("Yuan", "Yun"),
    "Chiu": ("Zhao", "Chiew"),
}

_FOLD = {v.lower(): k.lower() for k, vs in ROMANISATION_VARIANTS.items() for v in vs}
# Variants shared by two surnames ("Chang", "Cheung") cannot be folded safely.
for _v in ("chang", "cheung", "lo"):
    _FOLD.pop(_v, None)


def _series(values: Any, name: str) -> pd.Series:
    if not isinstance(values, pd.Series):
        raise LeadError(name, type(values).__name__, "a pandas Series of text",
                        f"pass a column, e.g. df['{name}']")
    return values.astype("string").fillna("")


def normalise_phone(values: pd.Series) -> pd.Series:
    """Hong Kong numbers to their 8 bare digits; "" when not a valid HK number.

    ``"+852 9123 4567"``, ``"9123-4567"``, ``"(852) 91234567"`` and ``"0085291234567"``
    all become ``"91234567"``. A number that is too short, too long or starts with 0/1
    becomes "" so that it never links two records by accident.

    Raises:
        LeadError: ``values`` is not a Series.
    """
    s = _series(values, "phone")
    digits = s.str.replace(r"\D", "", regex=True)
    digits = digits.str.replace(r"^(?:00852|852)(?=\d{8}$)", "", regex=True)
    ok = digits.str.fullmatch(r"[2-9]\d{7}").to_numpy(dtype=bool, na_value=False)
    return digits.where(ok, "").astype("string")


def normalise_email(values: pd.Series) -> pd.Series:
    """Lower-cased e-mail addresses without spaces; "" when not e-mail shaped.

    Raises:
        LeadError: ``values`` is not a Series.
    """
    s = _series(values, "email").str.lower().str.replace(r"\s+", "", regex=True)
    ok = s.str.fullmatch(r"[^@]+@[^@]+\.[a-z]{2,}").to_numpy(dtype=bool, na_value=False)
    return s.where(ok, "").astype("string")


def normalise_name(values: pd.Series, fold_variants: bool = False) -> pd.Series:
    """Names reduced to lower-case words in alphabetical order.

    ``"Chan Tai Man, Peter"``, ``"PETER CHAN TAI-MAN"`` and ``"Tai Man Chan, Peter"``
    all become ``"chan man peter tai"``, so word order, case, commas and hyphens no
    longer hide a match. With ``fold_variants=True`` well-known romanisation variants
    of surnames are folded to the Hong Kong spelling (``Chen`` -> ``chan``); typos are
    left for fuzzy matching (e.g. ``rapidfuzz``).

    Raises:
        LeadError: ``values`` is not a Series or fold_variants is not a bool.
    """
    if not isinstance(fold_variants, bool):
        raise LeadError("fold_variants", fold_variants, "True or False", "fold_variants=True")
    s = _series(values, "name").str.lower().str.replace(r"[^\w\s]|_", " ", regex=True)
    words = s.str.split()

    def canon(ws: list[str]) -> str:
        if fold_variants:
            ws = [_FOLD.get(w, w) for w in ws]
        return " ".join(sorted(ws))

    return words.map(canon).astype("string")


# ---------------------------------------------------------------------- scoring
def _truth_entities(world: Any) -> pd.Series:
    hidden = getattr(world, "hidden", None)
    if not isinstance(hidden, Mapping) or TRUTH_TABLE not in hidden:
        raise LeadError("world", "no lead sources", "a world with lead sources",
                        "call crm_sim.leads.generate_sources(world) first")
    t = hidden[TRUTH_TABLE]
    return pd.Series(t["entity_id"].to_numpy(), index=pd.Index(t["record_id"].astype(str)))


def _unknown(ids: Iterable[Any], known: pd.Index, field: str) -> None:
    ids = pd.Index(pd.unique(np.asarray(list(ids), dtype=object)))
    bad = [i for i in ids if not isinstance(i, str) or i not in known]
    if bad:
        shown = ", ".join(map(repr, bad[:10])) + (" ..." if len(bad) > 10 else "")
        raise LeadError(field, shown, "record ids of this world's src_* tables",
                        f"{len(bad)} unknown id(s): use the record_id values exactly")


def _comb2(n: np.ndarray) -> int:
    n = n.astype(np.int64)
    return int((n * (n - 1) // 2).sum())


def _score(tp: int, predicted: int, true: int, n: int) -> dict[str, Any]:
    precision = tp / predicted if predicted else (1.0 if true == 0 else 0.0)
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "true_positives": int(tp),
        "false_positives": int(predicted - tp),
        "false_negatives": int(true - tp),
        "predicted_pairs": int(predicted),
        "true_pairs": int(true),
        "n_records": int(n),
    }


def score_resolution(world: Any, pred_links: Any) -> dict[str, Any]:
    """Pairwise precision, recall and F1 of a trainee's record links against the truth.

    Args:
        world: a world with lead sources (`generate_sources`).
        pred_links: either **pairs** — a DataFrame with ``record_id_a`` and
            ``record_id_b`` or a list of ``(record_id_a, record_id_b)`` tuples, each
            meaning "same person/company" — or **clusters** — a DataFrame with
            ``record_id`` and ``cluster`` (or a dict record_id -> cluster label); records
            sharing a label are linked, records left out stand alone.

    Returns:
        dict: precision, recall, f1, true_positives, false_positives, false_negatives,
        predicted_pairs, true_pairs, n_records. Pairs are unordered and counted once.
        With no predicted links precision is 0 (1 if there was nothing to link).

    Raises:
        LeadError: unknown record ids (named), a record linked to itself, a record in two
            clusters, or an input of another shape.
    """
    truth = _truth_entities(world)
    known = truth.index
    true_pairs = _comb2(truth.value_counts().to_numpy())
    if isinstance(pred_links, Mapping):
        pred_links = pd.DataFrame({"record_id": list(pred_links.keys()),
                                   "cluster": list(pred_links.values())})
    if isinstance(pred_links, pd.DataFrame):
        cols = set(pred_links.columns)
        if {"record_id", "cluster"} <= cols:
            return _score_clusters(truth, pred_links, true_pairs)
        if {"record_id_a", "record_id_b"} <= cols:
            a = pred_links["record_id_a"].tolist()
            b = pred_links["record_id_b"].tolist()
        else:
            raise LeadError("pred_links", sorted(map(str, cols)),
                            "columns record_id_a, record_id_b (pairs) or record_id, cluster",
                            "rename your columns")
    elif isinstance(pred_links, (list, tuple)):
        bad = [p for p in pred_links if not isinstance(p, (list, tuple)) or len(p) != 2]
        if bad:
            raise LeadError("pred_links", bad[:3], "(record_id_a, record_id_b) pairs",
                            "make every link a 2-tuple of record ids")
        a = [p[0] for p in pred_links]
        b = [p[1] for p in pred_links]
    else:
        raise LeadError("pred_links", type(pred_links).__name__,
                        "a DataFrame, a list of id pairs, or a dict record_id -> cluster",
                        "see the score_resolution docstring")
    _unknown(a + b, known, "pred_links")
    a_arr, b_arr = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    selfs = a_arr == b_arr
    if selfs.any():
        raise LeadError("pred_links", f"({a_arr[selfs][0]!r}, {a_arr[selfs][0]!r})",
                        "links between two different records",
                        "drop pairs that link a record to itself")
    ia, ib = known.get_indexer(a_arr), known.get_indexer(b_arr)
    lo, hi = np.minimum(ia, ib).astype(np.int64), np.maximum(ia, ib).astype(np.int64)
    codes = np.unique(lo * len(known) + hi)
    lo, hi = codes // len(known), codes % len(known)
    ent = truth.to_numpy()
    tp = int((ent[lo] == ent[hi]).sum())
    return _score(tp, len(codes), true_pairs, len(known))


def _score_clusters(truth: pd.Series, df: pd.DataFrame, true_pairs: int) -> dict[str, Any]:
    """Pair counts from the contingency table of predicted clusters x true entities."""
    ids = df["record_id"].tolist()
    _unknown(ids, truth.index, "pred_links")
    labels = df["cluster"]
    if labels.isna().any():
        raise LeadError("cluster", "missing label", "a label for every listed record",
                        "leave unclustered records out of the table")
    pairs = pd.DataFrame({"record_id": ids, "cluster": labels.astype(str).to_numpy()})
    dup = pairs.drop_duplicates().duplicated("record_id", keep=False)
    if dup.any():
        rid = pairs.loc[dup, "record_id"].iloc[0]
        raise LeadError("pred_links", rid, "each record in at most one cluster",
                        "give each record_id a single cluster label")
    pairs = pairs.drop_duplicates()
    pairs["entity"] = truth.loc[pairs["record_id"]].to_numpy()
    predicted = _comb2(pairs.groupby("cluster").size().to_numpy())
    tp = _comb2(pairs.groupby(["cluster", "entity"]).size().to_numpy())
    return _score(tp, predicted, true_pairs, len(truth))
