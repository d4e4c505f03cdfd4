"""Decision rules as data: record linking and lead selection a grader applies itself.

A trainee who is not a programmer decides *how* records are matched and *which* leads
go first; the decision is a small dict (JSON) that these functions apply to any sources.
The grader applies the same dict to a company the trainee never sees, so no trainee code
runs and the rule is judged on what it does there, exactly like a submitted function.

Link rule::

    {"kind": "link_rule",
     "match_on": {"email": 70, "phone": 70, "mailbox": 80, "district": 95},
     "skip_generic_mailboxes": True}

``match_on`` names the fields two records may share to be linked, each with the name
similarity (0-100, rapidfuzz ``token_set_ratio``) the two names must reach as well; a
field left out never links. ``mailbox`` is the part of the e-mail before ``@``;
``district`` links near-identical names in the same district.

Lead rule::

    {"kind": "lead_rule", "merge_on": ["phone", "email"], "standards": {...},
     "consent_from_purchased": False, "rank_by": ["soonest", "largest_budget"],
     "max_leads": 40}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from crm_sim.errors import PolicyError

LINK_FIELDS = ("email", "phone", "mailbox", "district")
TAUGHT_LINK_RULE: dict[str, Any] = {
    "kind": "link_rule",
    "match_on": {"email": 70, "phone": 70, "mailbox": 80, "district": 95},
    "skip_generic_mailboxes": True,
}
MERGE_FIELDS = ("phone", "email")
RANKINGS = {
    "soonest": ("timeline_months", True),
    "largest_budget": ("budget_hkd", False),
    "newest": ("captured_date", False),
}
LEAD_COLUMNS = ["record_id", "name", "company", "phone", "email", "need", "budget_hkd",
                "timeline_months", "authority", "captured_date"]
MAX_LEADS = 40


# ---------------------------------------------------------------------- link rule
def check_link_rule(rule: Any) -> dict[str, Any]:
    """The rule, validated, in its canonical form.

    Raises:
        PolicyError: not a link rule, an unknown field, or a similarity outside 0-100.
    """
    if not isinstance(rule, Mapping) or rule.get("kind") != "link_rule":
        raise PolicyError("link rule", type(rule).__name__,
                          'a dict with "kind": "link_rule"', "take the matcher's value")
    match_on = rule.get("match_on")
    if not isinstance(match_on, Mapping):
        raise PolicyError("match_on", match_on, "a dict {field: name similarity 0-100}",
                          'e.g. {"email": 70, "phone": 70}')
    out = {}
    for field, cut in match_on.items():
        if field not in LINK_FIELDS:
            raise PolicyError("match_on", field, f"one of {', '.join(LINK_FIELDS)}",
                              "link only on fields the sources hold")
        if isinstance(cut, bool) or not isinstance(cut, int | float) or not 0 <= cut <= 100:
            raise PolicyError(f"match_on.{field}", cut, "a name similarity from 0 to 100",
                              "0 links on the field alone; 100 needs identical names")
        out[field] = float(cut)
    skip = rule.get("skip_generic_mailboxes", True)
    if not isinstance(skip, bool):
        raise PolicyError("skip_generic_mailboxes", skip, "True or False",
                          "True ignores enquiry@ and info@ style mailboxes")
    return {"kind": "link_rule", "match_on": out, "skip_generic_mailboxes": skip}


def _link_keys(df: pd.DataFrame, skip_generic: bool) -> pd.DataFrame:
    from crm_sim.leads.resolution import normalise_email, normalise_name, normalise_phone

    df = df.copy()
    for col in ("name", "phone", "email", "district"):
        df[col] = df[col].fillna("").astype(str) if col in df else ""
    keys = pd.DataFrame(index=df.index)
    keys["phone"] = normalise_phone(df["phone"]).astype(str)
    keys["email"] = normalise_email(df["email"]).astype(str)
    box = keys["email"].str.split("@").str[0].where(keys["email"].str.len() > 0, "")
    if skip_generic:
        # a mailbox name used at several domains ("enquiry", "info") identifies nobody
        domains = keys.loc[box != "", "email"].groupby(box[box != ""]).nunique()
        box = box.where(~box.isin(domains[domains > 2].index), "")
    keys["mailbox"] = box
    keys["district"] = df["district"].str.lower()
    keys["name"] = normalise_name(df["name"], fold_variants=True).astype(str)
    return keys


def candidate_pairs(records: pd.DataFrame, rule: Any) -> pd.DataFrame:
    """Every pair of records sharing a field the rule matches on, with name similarity.

    Columns: ``a``, ``b`` (row positions), ``field``, ``similarity`` and ``linked``
    (the similarity reaches the rule's bar for that field).
    """
    from rapidfuzz import fuzz

    rule = check_link_rule(rule)
    records = records.reset_index(drop=True)
    keys = _link_keys(records, rule["skip_generic_mailboxes"])
    names = keys["name"].tolist()
    rows = []
    for field, cut in rule["match_on"].items():
        col = keys[field]
        for _, idx in col[col != ""].groupby(col[col != ""]).groups.items():
            idx = list(idx)
            for i, a in enumerate(idx):
                for b in idx[i + 1:]:
                    if field == "district" and (not names[a] or not names[b]):
                        continue
                    # an empty name cannot contradict a shared phone or e-mail
                    sim = 100.0 if not names[a] or not names[b] else float(
                        fuzz.token_set_ratio(names[a], names[b]))
                    rows.append((a, b, field, sim, sim >= cut))
    out = pd.DataFrame(rows, columns=["a", "b", "field", "similarity", "linked"])
    return out.astype({"a": int, "b": int, "field": str, "similarity": float,
                       "linked": bool})


def apply_link_rule(records: pd.DataFrame, rule: Any,
                    decisions: Mapping[tuple[str, str], bool] | None = None) -> list[list[str]]:
    """Pairs of record_ids the rule links (a spanning forest: A-B, B-C links A-C).

    Args:
        records: every source record (one row each, with ``record_id``).
        rule: a link rule (see the module docstring).
        decisions: reviewer verdicts on pairs of record_ids (default: those the rule
            carries, see `reviewed`); a rejected pair is never linked directly and a
            confirmed one always is. They name the reviewer's own records; record ids
            repeat between companies, so a grader applying the rule elsewhere passes
            ``decisions={}`` and only the thresholds act.
    """
    records = records.reset_index(drop=True)
    pairs = candidate_pairs(records, rule)
    ids = records["record_id"].astype(str).tolist()
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if decisions is None:
        decisions = {(str(a), str(b)): bool(ok) for a, b, ok in reviewed(rule)}
    verdict = {frozenset(k): bool(v) for k, v in dict(decisions).items()}
    out = []

    def link(a: int, b: int) -> None:
        if find(a) != find(b):
            parent[find(b)] = find(a)
            out.append([ids[a], ids[b]])

    pos = {rid: i for i, rid in enumerate(ids)}
    for key, ok in verdict.items():
        if ok and len(key) == 2 and all(k in pos for k in key):
            a, b = sorted(pos[k] for k in key)
            link(a, b)
    for a, b, linked in pairs[["a", "b", "linked"]].itertuples(index=False):
        if linked and verdict.get(frozenset((ids[a], ids[b])), True):
            link(int(a), int(b))
    return out


def reviewed(rule: Any) -> list[tuple[str, str, bool]]:
    """The reviewer's verdicts a link rule carries: ``[[id_a, id_b, confirmed], ...]``.

    Malformed entries are skipped: they are notes about the trainee's own records and
    never change how the rule treats another company.
    """
    out = []
    entries = rule.get("decisions", []) if isinstance(rule, Mapping) else []
    for entry in entries if isinstance(entries, list | tuple) else []:
        if isinstance(entry, list | tuple) and len(entry) == 3 and \
                isinstance(entry[2], bool):
            out.append((str(entry[0]), str(entry[1]), entry[2]))
    return out


# ---------------------------------------------------------------------- lead rule
def check_lead_rule(rule: Any) -> dict[str, Any]:
    """The lead rule, validated, in canonical form (standards as a `LeadStandards`).

    Raises:
        PolicyError: not a lead rule, or a field with an invalid value.
    """
    from crm_sim.leads.qualification import LeadStandards

    if not isinstance(rule, Mapping) or rule.get("kind") != "lead_rule":
        raise PolicyError("lead rule", type(rule).__name__,
                          'a dict with "kind": "lead_rule"', "take the lead rule's value")
    merge_on = rule.get("merge_on", list(MERGE_FIELDS))
    if not isinstance(merge_on, list | tuple) or any(m not in MERGE_FIELDS for m in merge_on):
        raise PolicyError("merge_on", merge_on, f"a list from {list(MERGE_FIELDS)}",
                          'e.g. ["phone", "email"]')
    rank_by = rule.get("rank_by", [])
    if not isinstance(rank_by, list | tuple) or any(r not in RANKINGS for r in rank_by):
        raise PolicyError("rank_by", rank_by, f"a list from {list(RANKINGS)}",
                          'e.g. ["soonest", "largest_budget"]')
    max_leads = rule.get("max_leads", MAX_LEADS)
    if isinstance(max_leads, bool) or not isinstance(max_leads, int) or \
            not 1 <= max_leads <= MAX_LEADS:
        raise PolicyError("max_leads", max_leads, f"a whole number from 1 to {MAX_LEADS}",
                          "sales can work 40 leads a month")
    purchased = rule.get("consent_from_purchased", False)
    if not isinstance(purchased, bool):
        raise PolicyError("consent_from_purchased", purchased, "True or False",
                          "False: consent counts only where it was given to us")
    standards = rule.get("standards")
    standards = LeadStandards.from_dict(standards) if not isinstance(
        standards, LeadStandards) else standards
    return {"kind": "lead_rule", "merge_on": list(merge_on), "rank_by": list(rank_by),
            "max_leads": max_leads, "consent_from_purchased": purchased,
            "standards": standards}


def merge_prospects(records: pd.DataFrame, merge_on: list[str],
                    consent_from_purchased: bool = False) -> pd.DataFrame:
    """One row per prospect: records sharing a merge field joined, newest value first.

    Consent counts from any record of the prospect, the purchased list only when
    ``consent_from_purchased`` (it never should: those people consented to someone else).
    The row's ``record_id`` is its newest record with consent, else its newest record.
    """
    from crm_sim.leads.resolution import normalise_email, normalise_phone

    df = records.reset_index(drop=True).copy()
    parent = list(range(len(df)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    norm = {"phone": normalise_phone, "email": normalise_email}
    for field in merge_on:
        first: dict[str, int] = {}
        for i, k in enumerate(norm[field](df[field].fillna("").astype(str))):
            if k and k in first:
                parent[find(i)] = find(first[k])
            elif k:
                first[k] = i
    df["_who"] = [find(i) for i in range(len(df))]
    df = df.sort_values(["captured_date", "record_id"], ascending=[False, True])
    text = [c for c in df.columns if c not in ("budget_hkd", "timeline_months",
                                               "dm_consent", "_who")]
    merged = df.assign(**{c: df[c].replace("", None) for c in text}).groupby("_who").first()
    merged[text] = merged[text].fillna("")
    consent = df["dm_consent"].astype(bool)
    if not consent_from_purchased:
        consent &= df["source"] != "purchased"
    merged["dm_consent"] = consent.groupby(df["_who"]).any()
    with_consent = df[consent].groupby("_who")["record_id"].first()
    merged["record_id"] = with_consent.reindex(merged.index).fillna(merged["record_id"])
    return merged.reset_index(drop=True)


def apply_lead_rule(records: pd.DataFrame, rule: Any, today: Any) -> pd.DataFrame:
    """The lead list the rule gives on `records`: merged, qualified, ranked, cut.

    Raises:
        PolicyError: the rule is invalid (see `check_lead_rule`).
    """
    from crm_sim.leads.qualification import qualify_frame

    rule = check_lead_rule(rule)
    if records.empty:
        return pd.DataFrame(columns=LEAD_COLUMNS)
    merged = merge_prospects(records, rule["merge_on"], rule["consent_from_purchased"])
    judged = qualify_frame(merged, rule["standards"], as_of=today)
    ok = judged[judged["qualified"]]
    cols = [RANKINGS[r][0] for r in rule["rank_by"]] + ["record_id"]
    asc = [RANKINGS[r][1] for r in rule["rank_by"]] + [True]
    ok = ok.sort_values(cols, ascending=asc, kind="stable")
    return ok[[c for c in LEAD_COLUMNS if c in ok]].head(rule["max_leads"]) \
        .reset_index(drop=True)


def taught_lead_rule(standards: Any) -> dict[str, Any]:
    """The notebook's method as a rule: merge on phone and e-mail, soonest then richest."""
    data = standards.to_dict() if hasattr(standards, "to_dict") else dict(standards)
    return {"kind": "lead_rule", "merge_on": ["phone", "email"], "standards": data,
            "consent_from_purchased": False, "rank_by": ["soonest", "largest_budget"],
            "max_leads": MAX_LEADS}


# ---------------------------------------------------------------------- prospect rule
PROSPECTS_MAX = 30
PROSPECT_RANKINGS = ("known_by", "tie_strength")
TAUGHT_PROSPECT_RULE: dict[str, Any] = {
    "kind": "prospect_rule", "min_known_by": 1, "through_contacts": True,
    "exclude_customers": True, "satisfied_only": False, "rank_by": "tie_strength",
    "max_prospects": PROSPECTS_MAX,
}


def check_prospect_rule(rule: Any) -> dict[str, Any]:
    """The prospect rule, validated, in canonical form.

    Raises:
        PolicyError: not a prospect rule, or a field with an invalid value.
    """
    if not isinstance(rule, Mapping) or rule.get("kind") != "prospect_rule":
        raise PolicyError("prospect rule", type(rule).__name__,
                          'a dict with "kind": "prospect_rule"', "take the view's value")
    out = {**TAUGHT_PROSPECT_RULE, **{k: v for k, v in rule.items()
                                      if k in TAUGHT_PROSPECT_RULE}}
    n = out["min_known_by"]
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10:
        raise PolicyError("min_known_by", n, "a whole number from 1 to 10",
                          "how many of our customers must know the person")
    for flag in ("through_contacts", "exclude_customers", "satisfied_only"):
        if not isinstance(out[flag], bool):
            raise PolicyError(flag, out[flag], "True or False", f"{flag}=True")
    if out["rank_by"] not in PROSPECT_RANKINGS:
        raise PolicyError("rank_by", out["rank_by"], " or ".join(PROSPECT_RANKINGS),
                          "tie_strength puts the closest acquaintances first")
    m = out["max_prospects"]
    if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= PROSPECTS_MAX:
        raise PolicyError("max_prospects", m, f"a whole number from 1 to {PROSPECTS_MAX}",
                          "sales can approach 30 introductions")
    return out


def known_prospects(edges: list[Mapping], customers: list[Mapping],
                    through_contacts: bool = True,
                    only_customers: set[str] | None = None) -> pd.DataFrame:
    """Every prospect tied to one of our customers (or their staff), with how well known.

    Columns: ``prospect``, ``known_by`` (distinct customers/contacts tied to them) and
    ``tie_strength`` (sum of the ties' strengths). With ``only_customers`` only ties to
    those customers count (e.g. the satisfied ones), and staff do not.
    """
    ours = {str(c.get("customer_id")) for c in customers}
    if only_customers is not None:
        ours &= set(only_customers)
        through_contacts = False
    rows = []
    for e in edges:
        ends = [(e["source"], e["source_kind"]), (e["target"], e["target_kind"])]
        for (node, kind), (other, other_kind) in (ends, ends[::-1]):
            if kind == "prospect" and (other in ours or (
                    through_contacts and other_kind == "contact")):
                rows.append((str(node), str(other), float(e.get("strength", 0.0))))
    df = pd.DataFrame(rows, columns=["prospect", "via", "strength"])
    return df.groupby("prospect").agg(known_by=("via", "nunique"),
                                      tie_strength=("strength", "sum")).reset_index()


def apply_prospect_rule(edges: list[Mapping], customers: list[Mapping],
                        records: pd.DataFrame, rule: Any,
                        satisfied: set[str] | None = None) -> list[str]:
    """The prospects (graph node ids) the rule gives, best first.

    ``records`` are the lead sources: a prospect node is a source record, so with
    ``exclude_customers`` a prospect whose phone or e-mail is a customer's is left out
    (already ours: an introduction is wasted on them). ``satisfied`` are the customers
    who last said they were highly satisfied; with ``satisfied_only`` only they count as
    introducers (a satisfied customer recommends us; an unhappy one warns people off).
    """
    from crm_sim.leads.resolution import normalise_email, normalise_phone

    rule = check_prospect_rule(rule)
    only = set(satisfied or ()) if rule["satisfied_only"] else None
    known = known_prospects(edges, customers, rule["through_contacts"], only)
    known = known[known["known_by"] >= rule["min_known_by"]]
    if rule["exclude_customers"] and len(known):
        cust = pd.DataFrame(customers)
        theirs = set()
        for col, norm in (("phone", normalise_phone), ("email", normalise_email)):
            if col in cust:
                theirs |= set(norm(cust[col].fillna("").astype(str))) - {""}
        rec = records.set_index(records["record_id"].astype(str))
        rec = rec.reindex(known["prospect"])
        phone = normalise_phone(rec["phone"].fillna("").astype(str)).to_numpy()
        email = normalise_email(rec["email"].fillna("").astype(str)).to_numpy()
        ours = [p in theirs or m in theirs for p, m in zip(phone, email, strict=True)]
        known = known[~pd.Series(ours, index=known.index)]
    order = ["known_by", "tie_strength"] if rule["rank_by"] == "known_by" else \
        ["tie_strength", "known_by"]
    known = known.sort_values(order + ["prospect"], ascending=[False, False, True],
                              kind="stable")
    return known["prospect"].head(rule["max_prospects"]).tolist()
