"""The ITCSCR410A desk: data access and visible checks for the profile-review notebooks.

Notebooks stay thin by calling these functions. Each ``show_*`` function prints
feedback a trainee can act on, computed only from what the trainee can see in their own
world (never the hidden truth: that is the grader's job), and returns the same findings
as plain data so tests and dashboards can use them without reading printed text.
"""

from __future__ import annotations

import inspect
import math
import tempfile
import time
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crm_sim import privacy
from crm_sim import profile_review as review
from crm_sim.errors import CrmSimError, FieldError
from crm_sim.leads.columns import KEY_FIELDS, SOURCES
from crm_sim.leads.sources import ensure_sources

LEAD_LIST_MAX = 40
# Lead-list columns a trainee may have completed from other records of the same prospect.
OVERLAY_COLUMNS = ("name", "company", "phone", "email", "need", "budget_hkd",
                   "timeline_months", "authority", "district", "segment", "captured_date")
PROSPECTS_MAX = 30

# Professionalism scenarios: reason code -> text. Which codes justify the right choice is
# the grader's business (grading/evaluators.py, never released), not printed here.
X1_REASONS: dict[str, str] = {
    "purpose_limited": "Attendees gave their details to run the seminar; handing them to "
                       "another company is a new purpose they never agreed to (DPP3).",
    "offer_alternative": "Offering a lawful alternative (introductions with consent) still "
                         "serves the key account.",
    "attendee_interest": "The other attendees are customers and prospects too; their trust "
                         "matters as much as the big account's.",
    "director_approved": "The sales director approved it, so the company carries the risk.",
    "key_account_first": "Our biggest account's wishes come first.",
    "masking_enough": "Masking the mobile numbers makes the list anonymous.",
    "confidential_list": "Company lists are confidential, so the answer is simply no.",
}
X1B_REASONS: dict[str, str] = {
    "contacts_not_consented": "The 300 contacts never agreed to give us their data or to be "
                              "called; using them for marketing breaches the PDPO.",
    "customer_relationship": "Asking for introductions the customer chooses keeps his "
                             "goodwill and his reputation with his contacts.",
    "better_leads": "Introduced prospects who agreed to hear from us convert better than "
                    "cold calls, for less effort.",
    "target_pressure": "The team is behind target, so every contact counts.",
    "segment_filter_enough": "Calling only target-segment contacts makes it acceptable.",
    "avoid_all_referrals": "Referrals are too risky to use at all.",
}

# The options of the two scenarios, as printed in the notebooks (for the judgement view).
X1_OPTIONS: dict[str, str] = {
    "a": "Send the full list: the customer is happy and the director approved.",
    "b": "Refuse and tell her the list is confidential; nothing more.",
    "c": "Decline to hand over the list, explain why, and offer to ask attendees whether "
         "they would like to be introduced, passing on only the details of those who agree.",
    "d": "Send the list with the mobile numbers masked, names and companies in full.",
}
X1B_OPTIONS: dict[str, str] = {
    "a": "Accept the phone book and start calling all 300 contacts this week.",
    "b": "Thank him, and ask him instead to introduce us to the few contacts he thinks "
         "would benefit, so they agree to hear from us; reward him for successful "
         "introductions.",
    "c": "Accept the phone book but only call the contacts in our target segments.",
    "d": "Decline any help: referrals are always a privacy risk.",
}

# ------------------------------------------------------------------------- data access
def source_frames(world: Any) -> dict[str, pd.DataFrame]:
    """``{source name: DataFrame}`` in `SOURCES` order (copies: edit freely)."""
    return {name: df.copy() for name, df in ensure_sources(world).items()}


def plain_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-ready dicts: NaN/NA become None, numpy scalars plain Python."""
    out = df.astype(object).where(df.notna(), None).to_dict("records")
    for row in out:
        for k, v in row.items():
            if isinstance(v, np.generic):
                row[k] = v.item()
            if isinstance(row[k], float) and not math.isfinite(row[k]):
                row[k] = None
    return out


def source_records(world: Any, stacked: bool = False) -> Any:
    """The sources as plain data: ``{name: [record, ...]}``, or one list if `stacked`."""
    frames = ensure_sources(world)
    if stacked:
        return plain_records(pd.concat(frames.values(), ignore_index=True))
    return {name: plain_records(df) for name, df in frames.items()}


def customer_records(world: Any) -> list[dict[str, Any]]:
    """The customers table as plain dicts (what submitted functions receive)."""
    return plain_records(world.tables["customers"])


def recording_quality(sources: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per source: how well each channel records what we need (supervising recording, P3).

    Shares of records with no usable phone (not an 8-digit HK number after
    normalisation), no usable e-mail, no name, a phone typed in a non-standard layout,
    and with direct-marketing consent. Public data only.
    """
    from crm_sim.leads.resolution import normalise_email, normalise_phone

    rows = {}
    for name, df in sources.items():
        phone = df["phone"].astype("string").fillna("")
        norm = normalise_phone(phone)
        rows[name] = {
            "records": len(df),
            "no_phone": float((norm == "").mean()) if len(df) else 0.0,
            "no_email": float((normalise_email(df["email"]) == "").mean()) if len(df) else 0.0,
            "no_name": float((df["name"].astype("string").fillna("").str.strip() == "").mean())
            if len(df) else 0.0,
            "phone_not_8_digits": float(((norm != "") & (phone != norm)).mean())
            if len(df) else 0.0,
            "consent": float(df["dm_consent"].astype(bool).mean()) if len(df) else 0.0,
        }
    return pd.DataFrame.from_dict(rows, orient="index").round(3)


# ------------------------------------------------------------------ exercise 1: links
def clusters_from_links(links: Any, known: Iterable[str] | None = None) -> dict[str, int]:
    """Union-find over ``[a, b]`` pairs: ``{record_id: cluster}`` for linked records.

    Linking A-B and B-C puts A, B and C in one cluster (a profile is a connected group).

    Raises:
        FieldError: `links` is not a list of 2-item pairs of text ids, or names an id
            outside `known` (when given).
    """
    if isinstance(links, pd.DataFrame) and {"record_id_a", "record_id_b"} <= set(links):
        links = links[["record_id_a", "record_id_b"]].to_numpy().tolist()
    if isinstance(links, str | bytes | Mapping) or not isinstance(links, Iterable):
        raise FieldError("links", type(links).__name__, "a list of [record_id_a, record_id_b]",
                         'e.g. [["EV0001", "WEB0003"]]')
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    known_set = set(known) if known is not None else None
    for i, pair in enumerate(links):
        if isinstance(pair, str) or not isinstance(pair, list | tuple) or len(pair) != 2 or \
                not all(isinstance(p, str) for p in pair):
            raise FieldError(f"links[{i}]", pair, "a pair of two record_id strings",
                             'e.g. ["EV0001", "WEB0003"]')
        for p in pair:
            if known_set is not None and p not in known_set:
                raise FieldError(f"links[{i}]", p, "record_ids of your sources",
                                 "copy ids from the record_id column")
            parent.setdefault(p, p)
        ra, rb = find(pair[0]), find(pair[1])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = sorted({find(x) for x in parent})
    label = {r: i for i, r in enumerate(roots)}
    return {x: label[find(x)] for x in sorted(parent)}


def _stacked_norm(world: Any) -> pd.DataFrame:
    from crm_sim.leads.resolution import normalise_email, normalise_name, normalise_phone

    df = pd.concat(ensure_sources(world).values(), ignore_index=True)
    return pd.DataFrame({
        "record_id": df["record_id"].astype(str),
        "phone": normalise_phone(df["phone"]),
        "email": normalise_email(df["email"]),
        "name": normalise_name(df["name"], fold_variants=True),
    })


def show_link_check(world: Any, links: Any, max_shown: int = 5) -> dict[str, Any]:
    """Print what can be seen about the links without the truth; return the findings.

    Findings: number of links and profiles; records sharing a normalised e-mail that you
    left apart (almost always the same person); profiles that join records with no
    common phone, e-mail or name word (worth a second look).
    """
    norm = _stacked_norm(world)
    try:
        clusters = clusters_from_links(links, norm["record_id"])
    except FieldError as e:
        print(f"Cannot check the links: {e}")
        return {"ok": False, "error": str(e)}
    label = norm["record_id"].map(clusters)
    missed = []
    for _, grp in norm[norm["email"] != ""].groupby("email"):
        if len(grp) > 1 and label.loc[grp.index].nunique(dropna=False) > 1 or (
                len(grp) > 1 and label.loc[grp.index].isna().any()):
            missed.append(grp["record_id"].tolist())
    odd = []
    for _cid, grp in norm.assign(c=label).dropna(subset=["c"]).groupby("c"):
        words = [set(n.split()) for n in grp["name"]]
        shared_word = bool(set.intersection(*words)) if words else True
        if not shared_word and grp["phone"].nunique() == len(grp) and \
                grp["email"].nunique() == len(grp):
            odd.append(grp["record_id"].tolist())
    n_records = len(norm)
    n_profiles = n_records - len(clusters) + len(set(clusters.values()))
    print(f"{len(links)} links -> {n_profiles} profiles from {n_records} records.")
    if missed:
        print(f"{len(missed)} groups of records share a normalised e-mail but are not linked, "
              f"e.g. {missed[:max_shown]}: link them unless you can tell they differ.")
    if odd:
        print(f"{len(odd)} profiles join records with no common phone, e-mail or name word, "
              f"e.g. {odd[:max_shown]}: check they are really one person or company.")
    if not missed and not odd:
        print("No obvious misses or odd merges; the grader will also score hidden sources.")
    return {"ok": True, "links": len(links), "profiles": n_profiles,
            "missed_email_groups": missed, "odd_profiles": odd}


def show_function_ready(fn: Any, *args: Any) -> dict[str, Any]:
    """Check a function can be sent to the grader and runs on your data; print the result.

    The grader runs only the function's own source in a fresh process, so a function that
    relies on a name defined elsewhere in the notebook (not an import inside it) fails
    there. This check runs it once here and warns about names it uses but does not define.
    """
    if not isinstance(fn, types.FunctionType):
        print(f"Expected a function defined with def, got {type(fn).__name__}.")
        return {"ok": False, "error": "not a function"}
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        print("The function's source cannot be found: define it with def in a cell and run it.")
        return {"ok": False, "error": "no source"}
    free = sorted(n for n in fn.__code__.co_names if n in fn.__globals__ and not isinstance(
        fn.__globals__[n], types.ModuleType) and n not in dir(__builtins__) and
        n not in ("pd", "np", "math", "re", "datetime", "collections"))
    start = time.perf_counter()
    try:
        result = fn(*args)
    except Exception as e:  # noqa: BLE001 - the trainee's code: report, do not crash
        print(f"{fn.__name__} raised {type(e).__name__}: {e}. Fix it before submitting.")
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}
    elapsed = time.perf_counter() - start
    size = len(result) if hasattr(result, "__len__") else 1
    print(f"{fn.__name__} ran in {elapsed:.2f} s and returned {type(result).__name__} "
          f"of size {size}. The grader will also run it on hidden data.")
    if free:
        print(f"Warning: it uses {free} from the notebook; the grader will not have them. "
              "Import or define them inside the function.")
    return {"ok": not free, "seconds": elapsed, "outside_names": free,
            "source_lines": len(source.splitlines())}


def build_profiles(world: Any, links: Any) -> pd.DataFrame:
    """One row per person or company from the linked source records.

    Fields: the most recent non-empty value of each contact field, every source the
    entity came through, its record count, first and last capture date, and
    ``dm_consent`` true only if the most recent record from a source that may be used
    for marketing carries consent (consent is never inferred from a purchased list).
    """
    frames = ensure_sources(world)
    df = pd.concat(frames.values(), ignore_index=True)
    clusters = clusters_from_links(links, df["record_id"].astype(str))
    ids = df["record_id"].astype(str)
    solo = ~ids.isin(list(clusters))
    base = max(clusters.values(), default=-1) + 1
    label = ids.map(clusters)
    label[solo] = np.arange(base, base + int(solo.sum()))
    df = df.assign(_c=label.astype(int)).sort_values(["_c", "captured_date"])
    text_cols = ["name", "company", "phone", "email", "district", "segment", "need",
                 "authority"]
    filled = df[text_cols].astype("string").replace("", pd.NA)
    last = filled.groupby(df["_c"]).last()
    marketable = df["source"] != "purchased"
    consent = df.loc[marketable].groupby("_c")["dm_consent"].last()
    agg = df.groupby("_c").agg(
        n_records=("record_id", "size"),
        sources=("source", lambda s: ",".join(sorted(set(s)))),
        first_seen=("captured_date", "min"),
        last_seen=("captured_date", "max"),
        record_ids=("record_id", lambda s: ",".join(s)),
    )
    out = last.fillna("").join(agg)
    out["dm_consent"] = consent.reindex(out.index).fillna(False).astype(bool)
    out = out.reset_index(drop=True)
    out.insert(0, "profile_id", [f"PF{i + 1:05d}" for i in range(len(out))])
    return out


def store_profiles(world: Any, profiles: pd.DataFrame, name: str = "profiles") -> pd.DataFrame:
    """Keep the profiles as a world table (saved with the world), replacing an earlier run.

    Re-running a notebook cell must not fail because the table already exists, so a
    second call empties the table and appends the new rows (dtypes checked by the world).
    """
    if name not in world.tables:
        return world.register_table(name, profiles)
    world.tables[name] = world.tables[name].iloc[0:0]
    return world.append_rows(name, profiles)


# --------------------------------------------------------------- exercise 2: privacy
def show_purpose_check(allowed_uses: Any) -> dict[str, Any]:
    """Check the shape of ``{source: [purposes]}``; print what to fix."""
    problems = []
    if not isinstance(allowed_uses, Mapping):
        problems.append(f"allowed_uses must be a dict, got {type(allowed_uses).__name__}")
    else:
        missing = [s for s in SOURCES if s not in allowed_uses]
        extra = [s for s in allowed_uses if s not in SOURCES]
        if missing:
            problems.append(f"no entry for {missing}: give every source a list ([] if none)")
        if extra:
            problems.append(f"unknown sources {extra}; the sources are {list(SOURCES)}")
        for s, uses in allowed_uses.items():
            if isinstance(uses, str) or not isinstance(uses, Iterable):
                problems.append(f"{s}: give a list of purposes, got {uses!r}")
                continue
            bad = [u for u in uses if u not in privacy.PURPOSES]
            if bad:
                problems.append(f"{s}: unknown purposes {bad}; use {list(privacy.PURPOSES)}")
    for p in problems:
        print("-", p)
    if not problems:
        print("Well formed. The grader compares each source with its collection notice.")
    return {"ok": not problems, "problems": problems}


def show_marketing_check(world: Any, marketing_list: Any) -> dict[str, Any]:
    """Rows without consent, columns the purpose does not need, unknown record ids."""
    if not isinstance(marketing_list, pd.DataFrame) or "record_id" not in marketing_list:
        print("marketing_list must be a DataFrame with a record_id column.")
        return {"ok": False}
    stacked = pd.concat(ensure_sources(world).values(), ignore_index=True)
    rows = stacked.set_index("record_id").reindex(marketing_list["record_id"].astype(str))
    unknown = rows.index[rows["source"].isna()].tolist()
    no_consent = rows.index[rows["dm_consent"].eq(False)].tolist()
    purchased = rows.index[rows["source"].eq("purchased")].tolist()
    extra = [str(v) for v in privacy.check_minimisation(list(marketing_list.columns),
                                                       "direct_marketing")]
    if unknown:
        print(f"{len(unknown)} record_ids are not in your sources, e.g. {unknown[:5]}.")
    if no_consent:
        print(f"{len(no_consent)} records have no direct-marketing consent, "
              f"e.g. {no_consent[:5]}: drop them.")
    if purchased:
        print(f"{len(purchased)} records come from the purchased list, e.g. {purchased[:5]}.")
    for v in extra:
        print("-", v)
    ok = not (unknown or no_consent or purchased or extra)
    print(f"{len(marketing_list)} records on the list." + (" No problems found." if ok else ""))
    return {"ok": ok, "unknown": unknown, "no_consent": no_consent, "purchased": purchased,
            "minimisation": extra}


def show_share_check(shared: Any) -> dict[str, Any]:
    """Scan a table for unmasked identifiers and columns analysis does not need."""
    if not isinstance(shared, pd.DataFrame):
        print(f"shared_profiles must be a DataFrame, got {type(shared).__name__}.")
        return {"ok": False}
    leaks = privacy.find_leaks(shared)
    extra = [str(v) for v in privacy.check_minimisation(list(shared.columns), "analysis")]
    for leak in leaks[:10]:
        print("LEAK:", leak)
    if len(leaks) > 10:
        print(f"... and {len(leaks) - 10} more leaks.")
    for v in extra:
        print("-", v)
    ok = not leaks and not extra
    print(f"{len(shared)} rows, {len(shared.columns)} columns." +
          (" No leaks, nothing beyond what analysis needs." if ok else ""))
    return {"ok": ok, "leaks": len(leaks), "minimisation": extra}


def purpose_notes(allowed_uses: Mapping[str, list[str]]) -> list[str]:
    """Sentences under the purpose grid: reminders, never the answer key."""
    out = []
    if any(uses for uses in allowed_uses.values()):
        out.append("Each tick must be backed by what that source's notice told people.")
    if allowed_uses.get("purchased"):
        out.append("The purchased list: those people gave their data to another company. "
                   "Is anything on our side stated to them?")
    if not any(uses for uses in allowed_uses.values()):
        out.append("Nothing ticked: no source may be used for anything yet.")
    return out


def access_notes(role_access: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Sentences under the access grid: what each new role would get, in plain words."""
    out = []
    for role, purpose in ACCESS_PURPOSES.items():
        held = dict(role_access.get(role, {}))
        if not held:
            out.append(f"{role}: sees nothing, so it cannot do its job.")
            continue
        beyond = sorted(set(held) - set(privacy.PURPOSE_CATEGORIES[purpose]))
        text = ", ".join(f"{c} ({lv})" for c, lv in held.items())
        out.append(f"{role} ({purpose.replace('_', ' ')}): {text}.")
        if beyond:
            out.append(f"{role} would hold {beyond}, which {purpose.replace('_', ' ')} does "
                       "not need.")
    return out


ACCESS_PURPOSES = {"agency": "direct_marketing", "consultant": "analysis"}


def try_access(world: Any, role_access: Any, table: str = "customers") -> dict[str, Any]:
    """Show, per new role, which columns of `table` it gets (full or masked) or is refused."""
    try:
        policy = privacy.AccessPolicy(role_access={**privacy.AccessPolicy().role_access,
                                                   **dict(role_access)})
    except (CrmSimError, TypeError, ValueError) as e:
        print(f"role_access is not a valid policy: {e}")
        return {"ok": False, "error": str(e)}
    shown: dict[str, dict[str, list[str]]] = {}
    for role, purpose in ACCESS_PURPOSES.items():
        if role not in role_access:
            print(f"{role}: missing; add a rule for it.")
            continue
        cols = list(world.tables[table].columns)
        levels = {c: policy.level(role, purpose, c) for c in cols}
        shown[role] = {
            "full": [c for c in cols if levels[c] == "full"],
            "masked": [c for c in cols if levels[c] == "masked"],
            "refused": [c for c in cols if not levels[c]],
        }
        print(f"{role} ({purpose}): full {shown[role]['full']}; masked "
              f"{shown[role]['masked']}; refused {shown[role]['refused']}")
    return {"ok": len(shown) == len(ACCESS_PURPOSES), "roles": shown}


# ------------------------------------------------------- no-code rules on own data
def stacked_sources(world: Any) -> pd.DataFrame:
    """Every source record of the world in one table (what the rule views work on)."""
    return pd.concat(ensure_sources(world).values(), ignore_index=True)


def links_from(world: Any, link_rule: Any) -> list[list[str]]:
    """Your link rule (or, on the analyst track, your function) on your own sources."""
    from crm_sim.leads import rules

    if callable(link_rule):
        return link_rule(source_records(world))
    return rules.apply_link_rule(stacked_sources(world), link_rule)


def lead_list_from(world: Any, lead_rule: Any) -> pd.DataFrame:
    """Your lead rule (or, on the analyst track, your function) on your own sources."""
    from crm_sim.leads import rules

    if callable(lead_rule):
        return lead_rule(source_records(world, stacked=True), standards_for(world).to_dict(),
                         str(world.today)[:10])
    return rules.apply_lead_rule(stacked_sources(world), lead_rule, world.today)


def satisfied_customers(world: Any) -> set[str]:
    """Customers whose latest recorded satisfaction answer was "high" (public interactions)."""
    inter = world.tables["interactions"]
    said = inter["info_captured"].astype(str).str.extract(r'"satisfaction": "(\w+)"')[0]
    said = inter.assign(said=said).dropna(subset=["said"])
    latest = said.sort_values("timestamp").groupby("customer_id")["said"].last()
    return {str(c) for c in latest[latest == "high"].index}


def prospects_from(world: Any, prospect_rule: Any) -> list[str]:
    """Your prospect rule (or, on the analyst track, your function) on your own network."""
    from crm_sim.leads import rules

    if callable(prospect_rule):
        return prospect_rule(referral_edges(world), customer_records(world))
    return rules.apply_prospect_rule(referral_edges(world), customer_records(world),
                                     stacked_sources(world), prospect_rule,
                                     satisfied_customers(world))


# ------------------------------------------------------- exercise 3-4: leads, network
def standards_for(world: Any):
    """Management's lead standards for this world (`LeadStandards`)."""
    from crm_sim.leads.qualification import management_standards

    return management_standards(world)


def show_lead_list_check(world: Any, lead_list: Any) -> dict[str, Any]:
    """Size, rule failures, missing key fields and duplicate people in a lead list."""
    from crm_sim.leads.qualification import qualify_frame

    if not isinstance(lead_list, pd.DataFrame) or "record_id" not in lead_list:
        print("The lead list must be a DataFrame with a record_id column.")
        return {"ok": False}
    norm = _stacked_norm(world).set_index("record_id")
    ids = lead_list["record_id"].astype(str)
    unknown = [i for i in ids if i not in norm.index]
    if unknown:
        print(f"{len(unknown)} record_ids are not in your sources, e.g. {unknown[:5]}.")
        return {"ok": False, "unknown": unknown}
    stacked = pd.concat(ensure_sources(world).values(), ignore_index=True).set_index(
        "record_id")
    # judge each lead on its record, completed by what the list itself says about it
    # (merged from other records); consent and dates always come from the record
    rows = stacked.loc[list(ids)].reset_index()
    for col in OVERLAY_COLUMNS:
        if col in lead_list.columns and col in rows.columns:
            given = lead_list[col].reset_index(drop=True)
            blank = given.isna() | given.astype("string").fillna("").str.strip().eq("")
            rows[col] = rows[col].where(blank.to_numpy(), given.to_numpy())
    judged = qualify_frame(rows.astype({c: stacked[c].dtype for c in OVERLAY_COLUMNS
                                        if c in rows.columns}, errors="ignore"),
                           standards_for(world), as_of=world.today)
    failing = judged.loc[~judged["qualified"], ["record_id", "reasons"]]
    missing = [f for f in KEY_FIELDS if f != "contact" and f not in lead_list.columns]
    if "phone" not in lead_list.columns and "email" not in lead_list.columns:
        missing.append("phone or email")
    who = norm.loc[list(ids), "phone"].where(norm.loc[list(ids), "phone"] != "",
                                             norm.loc[list(ids), "email"])
    dups = int(who[who != ""].duplicated().sum())
    if len(lead_list) > LEAD_LIST_MAX:
        print(f"{len(lead_list)} leads: sales can work only {LEAD_LIST_MAX}; keep the best.")
    for _, row in failing.head(5).iterrows():
        print(f"{row['record_id']} fails the standards: {row['reasons']}")
    if len(failing) > 5:
        print(f"... {len(failing)} leads fail in all.")
    if missing:
        print(f"Key information missing from the list: {missing}.")
    if dups:
        print(f"{dups} leads are a second record of someone already on the list "
              "(same phone or e-mail): keep one per person.")
    ok = len(lead_list) <= LEAD_LIST_MAX and failing.empty and not missing and not dups
    print(f"{len(lead_list)} leads." + (" All meet the standards with the key fields." if ok
                                        else ""))
    return {"ok": ok, "failing": len(failing), "missing_fields": missing, "duplicates": dups}


def referral_edges(world: Any) -> list[dict[str, Any]]:
    """The referral graph as plain ``{"source", "target", ...}`` dicts."""
    from crm_sim.leads.network import referral_graph

    graph = referral_graph(world)
    kind = dict(graph.nodes(data="kind"))
    return [{"source": str(a), "target": str(b), "source_kind": kind.get(a, ""),
             "target_kind": kind.get(b, ""), "relation": str(d.get("relation", "")),
             "strength": float(d.get("strength", 0.0))}
            for a, b, d in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))]


def show_network_check(world: Any, prospects: Any) -> dict[str, Any]:
    """Size of the prospect list, customers on it, nodes that are not in the graph."""
    if isinstance(prospects, str) or not isinstance(prospects, list | tuple):
        print("find_prospects must return a list of node ids.")
        return {"ok": False}
    edges = referral_edges(world)
    nodes = {e["source"] for e in edges} | {e["target"] for e in edges}
    ours = set(world.tables["customers"]["customer_id"])
    unknown = [p for p in prospects if p not in nodes]
    customers = [p for p in prospects if p in ours]
    if len(prospects) > PROSPECTS_MAX:
        print(f"{len(prospects)} prospects: the grader counts only the first {PROSPECTS_MAX}.")
    if unknown:
        print(f"{len(unknown)} ids are not in the referral graph, e.g. {unknown[:5]}.")
    if customers:
        print(f"{len(customers)} are already our customers, e.g. {customers[:5]}.")
    ok = not unknown and not customers and len(prospects) <= PROSPECTS_MAX
    print(f"{len(prospects)} prospects." + (" All new to us and in the graph." if ok else ""))
    return {"ok": ok, "unknown": unknown, "customers": customers}


# ------------------------------------------------------ exercise 5-6: review, present
def save_store(world: Any, directory: str | Path | None = None) -> Path:
    """Save the world to a SQLite file (``World.save``) in a temporary folder."""
    folder = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="crm-410a-"))
    return world.save(folder / "world.sqlite")


def run_sql(path: str | Path, sql: str) -> pd.DataFrame:
    """Run one read-only SELECT on a saved world (see `profile_review.run_sql`)."""
    return review.run_sql(path, sql)


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[Any, float]:
    """(result, best wall time in seconds over `repeat` runs): display code only."""
    best, result = math.inf, None
    for _ in range(max(1, int(repeat))):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def compare_tools(world: Any, db_path: str | Path, repeat: int = 3) -> pd.DataFrame:
    """Time the same questions in pandas (in memory) and SQL (on the store); same answers?

    One aggregate over one table and one join of interactions to customers, so the
    trainee sees that both tools agree and how their speed depends on the kind of work
    (and, on a bigger world, on its size). Wall times are for display only.
    """
    customers = world.tables["customers"]
    inter = world.tables["interactions"]

    def mean_value() -> pd.Series:
        return customers.groupby("segment")["lifetime_value"].mean()

    def complaints() -> pd.Series:
        hit = inter[inter["outcome"] == "complaint"]
        return hit.merge(customers[["customer_id", "segment"]], on="customer_id") \
            .groupby("segment").size()

    jobs = [
        ("mean value per segment", mean_value,
         "SELECT segment, AVG(lifetime_value) AS v FROM customers GROUP BY segment "
         "ORDER BY segment"),
        ("complaints per segment (join)", complaints,
         "SELECT c.segment, COUNT(*) AS v FROM interactions i JOIN customers c "
         "ON c.customer_id = i.customer_id WHERE i.outcome = 'complaint' "
         "GROUP BY c.segment ORDER BY c.segment"),
    ]
    rows = []
    for job, pandas_fn, sql in jobs:
        by_pandas, t_pandas = timed(pandas_fn, repeat)
        by_sql, t_sql = timed(lambda q=sql: run_sql(db_path, q), repeat)
        same = np.allclose(by_pandas.sort_index().to_numpy(float),
                           by_sql["v"].to_numpy(float)) and len(by_pandas) == len(by_sql)
        rows.append({"question": job, "pandas_ms": round(t_pandas * 1000, 2),
                     "sql_ms": round(t_sql * 1000, 2), "same_answer": bool(same)})
    return pd.DataFrame(rows)


def show_plan_clock(plan: Any, n_customers: int,
                    budget_hours: float = review.DEFAULT_BUDGET_HOURS) -> dict[str, Any]:
    """Replay a review plan on the analysis clock and print what it achieves."""
    try:
        result = review.run_plan(plan, n_customers, budget_hours)
    except FieldError as e:
        print(f"The plan is malformed: {e}")
        return {"ok": False, "error": str(e)}
    print(f"{result['hours_used']:g} of {budget_hours:g} hours used; completed "
          f"{result['completed']}.")
    if result["late"]:
        print(f"Not finished in time: {result['late']}. Use a faster tool for big steps.")
    if result["missing_required"]:
        print(f"Required steps not completed: {result['missing_required']}.")
    if result["could_add"]:
        print(f"{result['spare_hours']:g} hours left unused; these would still fit: "
              f"{result['could_add']}.")
    ok = not result["missing_required"] and not result["could_add"]
    return {"ok": ok, **result}


def segment_signals(world: Any) -> pd.DataFrame:
    """What the profile shows per segment: size, value, consent, contact outcomes.

    Every figure comes from public tables, so it is what a real analyst could chart.
    """
    customers = world.tables["customers"]
    inter = world.tables["interactions"].merge(customers[["customer_id", "segment"]],
                                               on="customer_id", how="inner")
    by = customers.groupby("segment")
    out = pd.DataFrame({
        "customers": by.size(),
        "mean_value": by["lifetime_value"].mean().round(2),
        "mean_tenure_months": by["tenure_months"].mean().round(1),
        "consent_rate": by["dm_consent"].mean().round(3),
    })
    counts = inter.groupby(["segment", "outcome"]).size().unstack(fill_value=0)
    for col in ("sale", "complaint", "declined"):
        if col not in counts:
            counts[col] = 0
    contacts = inter.groupby("segment").size()
    out["contacts_per_customer"] = (contacts / out["customers"]).round(2)
    out["complaint_rate"] = (counts["complaint"] / out["customers"]).round(3)
    out["sale_rate"] = (counts["sale"] / contacts).round(3)
    # how satisfied the segment said it was, where a contact recorded it
    said = inter["info_captured"].astype(str).str.extract(r'"satisfaction": "(\w+)"')[0]
    said = inter.assign(said=said).dropna(subset=["said"])
    out["satisfied_share"] = (said["said"].eq("high").groupby(said["segment"]).mean()
                              .reindex(out.index).round(3))
    return out.fillna(0.0)


def recommend_inputs(world: Any) -> pd.DataFrame:
    """What `recommend(signals)` receives: `segment_signals` with `segment` as a column.

    A column, not the index, because the grader hands the function the unseen company's
    signals as plain data, which keeps columns only.
    """
    return segment_signals(world).reset_index()


def summary_from(world: Any, summary_figures: Any) -> dict[str, Any]:
    """Your figure specs (or analyst-track function) on your own customers."""
    from crm_sim import figure_specs

    if callable(summary_figures):
        return summary_figures(customer_records(world))
    table = pd.DataFrame(customer_records(world))
    return {name: figure_specs.compute(spec, table)
            for name, spec in summary_figures.get("figures", {}).items()}


def recommendations_from(world: Any, recommend_rule: Any) -> list[dict[str, Any]]:
    """Your recommendation rule (or analyst-track function) on your own company's signals."""
    from crm_sim import segment_rules

    if callable(recommend_rule):
        return recommend_rule(recommend_inputs(world))
    return segment_rules.apply_rule(recommend_rule, recommend_inputs(world))


def show_recommendation_check(recommendations: Any, world: Any) -> dict[str, Any]:
    """Validate recommendations and print who each would reach (no effect figures)."""
    segments = sorted(world.tables["customers"]["segment"].astype(str).unique())
    try:
        recs = review.normalise_recommendations(recommendations, segments)
    except FieldError as e:
        print(f"Cannot execute: {e}")
        return {"ok": False, "error": str(e)}
    customers = world.tables["customers"]
    warnings = []
    for r in recs:
        spec = review.ACTIONS[r["action"]]
        seg = customers[customers["segment"] == r["target_segment"]]
        reach = int(seg["dm_consent"].sum()) if spec["marketing"] else len(seg)
        print(f"{r['action']} for {r['target_segment']}: reaches {reach} of {len(seg)} "
              f"customers, costs about {reach * spec['cost_per_customer']:,.0f} HKD.")
        if r["expected_effect"]["metric"] != spec["metric"]:
            warnings.append(f"{r['action']} moves {spec['metric']}, but you expect a change "
                            f"in {r['expected_effect']['metric']}.")
        if r["action"] == "purchased_list_campaign":
            warnings.append("a purchased list carries no consent for us: the campaign would "
                            "breach the PDPO and will not be executed.")
    for w in warnings:
        print("-", w)
    return {"ok": not warnings, "warnings": warnings}


# Every show_* check returns {"ok": ...}: a check that is not ok tells submit() in the same
# cell not to print "ready to submit" under the problems it just listed.
def _noting_failure(fn: Callable[..., Any]) -> Callable[..., Any]:
    import functools

    from autograders.checks.friendly import check_failed

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        found = fn(*args, **kwargs)
        if isinstance(found, dict) and found.get("ok") is False:
            check_failed()
        return found

    return wrapper


for _name in [n for n in list(globals()) if n.startswith("show_") and callable(globals()[n])]:
    globals()[_name] = _noting_failure(globals()[_name])
