"""Trainee-side helpers of unit ITCSCR516A: the company's routine, budgets, visible checks.

Released beside the notebooks. It holds no answer key and reads no hidden truth: the
checks judge the shape of an answer and what the trainee's own company shows (what-if
simulations of it, its public tables). Decisions are graded by the instructor's
evaluators on an unseen company.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crm_sim.errors import CrmSimError
from crm_sim.programme_sim import ab_test, simulate
from crm_sim.programmes import KINDS, Programme, check_portfolio
from crm_sim.ui.view import View

UNIT = "ITCSCR516A"
MONTHS = 12
# What management allows a month, as a share of the company's monthly revenue under its
# routine (programme cost, what-if estimate): companies differ in what customers spend.
ATMOSPHERE_BUDGET_SHARE = 0.12
PORTFOLIO_BUDGET_SHARE = 0.15
GROWTH_BUDGET_SHARE = 0.18
SERVICE_KINDS = ("service_pledge", "staff_training", "complaint_recovery")
# The A/B test the marketing team ran last quarter (exercise 4).
AB_PROGRAMME = {"kind": "member_rewards", "params": {"points_rate": 0.08}}
AB_SEGMENT = "individual"
AB_MONTHS = 3
SURVEY_MONTHS = 3
# The customer-view source columns: what the company's systems hold about a customer.
VIEW_MUST_HAVE = ("customer_id", "segment", "dm_consent", "preferred_channel",
                  "preferred_language", "last_contact", "contacts_12m", "open_complaint")


class CompanyRoutine:
    """The company's current contact routine, through the simulation's policy protocol."""

    respects_consent = True
    RATES = (("corporate", "visit", 0.3), ("sme", "phone", 0.3), ("individual", "message", 0.2))

    def contact_plan(self) -> pd.DataFrame:
        """A few retention contacts a month per customer, each segment on its usual channel."""
        return pd.DataFrame([{"segment": s, "channel": c, "per_month": r,
                              "purpose": "retention"} for s, c, r in self.RATES])

    def targets(self) -> pd.DataFrame:
        """No targets: the exercise sets them."""
        return pd.DataFrame(columns=["segment", "new_customers_per_month", "retention_rate"])


class PlanPolicy(CompanyRoutine):
    """A growth plan's contact rows (plus the routine for segments it leaves out)."""

    def __init__(self, contacts: list[dict], respects_consent: bool):
        """Keep the plan's rows."""
        self.rows = list(contacts)
        self.respects_consent = bool(respects_consent)

    def contact_plan(self) -> pd.DataFrame:
        """The plan's rows; a segment without a row keeps the routine."""
        planned = {r["segment"] for r in self.rows}
        routine = super().contact_plan()
        own = pd.DataFrame(self.rows, columns=["segment", "channel", "per_month", "purpose"])
        return pd.concat([own, routine[~routine["segment"].isin(planned)]], ignore_index=True)


def routine_revenue(world: Any) -> float:
    """The company's mean monthly revenue in HKD under its routine (what-if, 12 months)."""
    totals = what_if(world).totals()
    return float(totals["revenue"].mean())


def budget(world: Any, share: float) -> float:
    """A monthly budget in HKD: `share` of the company's monthly revenue under its routine."""
    return round(float(share * routine_revenue(world)), -2)


_START: dict[Any, Any] = {}


def start_company(world: Any):
    """The company as it stood when the unit began (the same for you and the grader).

    Built once per scenario and kept: what-if runs never change it.
    """
    from crm_sim.world import World

    if world.scenario not in _START:
        _START.clear()
        _START[world.scenario] = World.build(world.scenario)
    return _START[world.scenario]


def what_if(world: Any, programmes=(), policy: Any = None, shared_view: bool = False,
            months: int = MONTHS):
    """A what-if run of the company as it stood at the unit's start: nothing is changed."""
    return simulate(start_company(world), policy or CompanyRoutine(), programmes, months,
                    shared_view=shared_view, commit=False)


def compare(world: Any, programmes=(), policy: Any = None, shared_view: bool = False,
            months: int = MONTHS) -> pd.DataFrame:
    """Headline KPIs of a choice against the company's routine alone (12 months, what-if)."""
    base = what_if(world, (), None, False, months).summary()
    run = what_if(world, programmes, policy, shared_view, months)
    mine = run.summary()
    cost = float(run.kpis.groupby("month")["programme_cost"].sum().mean())
    rows = {
        "new customers": (base["new_customers"], mine["new_customers"]),
        "customers lost": (base["churned"], mine["churned"]),
    }
    rows["contribution HKD"] = (base["contribution"], mine["contribution"])
    rows["programme cost HKD a month"] = (0.0, cost)
    rows["complaints"] = (base["complaints"], mine["complaints"])
    out = pd.DataFrame(rows, index=["routine", "your choice"]).T
    out["change"] = out["your choice"] - out["routine"]
    return out.round(1)


# ------------------------------------------------------------------ exercise 1
def atmosphere_check(portfolio: Any, world: Any) -> list[str]:
    """Plain-words problems of the service standards (empty = ready); prints them."""
    problems = []
    try:
        progs = check_portfolio(portfolio, tuple(world.scenario.segments))
    except CrmSimError as e:
        return _print([f"the standards cannot be read: {e}"])
    kinds = {p.kind: p for p in progs}
    if any(k not in SERVICE_KINDS for k in kinds):
        problems.append("only the service pledge, staff training and complaint-recovery "
                        "rules belong in the service standards")
    pledge = kinds.get("service_pledge")
    if pledge is None:
        problems.append("no service pledge: state what every customer can count on")
    else:
        if pledge.segments and set(pledge.segments) != set(world.scenario.segments):
            problems.append(f"the pledge covers only {', '.join(pledge.segments)}: promote it "
                            "to customers in every segment (P2)")
        if pledge.value("advertise_hkd") <= 0:
            problems.append("the pledge is not promoted: give it an advertising budget so "
                            "customers and the public know it (P2)")
    if not ({"staff_training", "complaint_recovery"} & set(kinds)):
        problems.append("no staff programme: the pledge is kept by people; train them or "
                        "empower them to put complaints right")
    if not problems:
        run = what_if(world, progs)
        kept = float(run.kpis["pledge_kept_rate"].mean())
        cost = float(run.kpis.groupby("month")["programme_cost"].sum().mean())
        limit = budget(world, ATMOSPHERE_BUDGET_SHARE)
        if kept < 0.9:
            problems.append(f"in your company the pledge was kept for only {kept:.0%} of "
                            "complaints: promise what the desk can deliver, or train staff")
        if cost > limit:
            problems.append(f"the standards cost about HKD {cost:,.0f} a month, over the "
                            f"HKD {limit:,.0f} management allows")
    return _print(problems)


# ------------------------------------------------------------------ exercise 2
def customer_view_source(world: Any) -> pd.DataFrame:
    """Everything the company's systems hold about each customer, joined on one row."""
    c = world.tables["customers"]
    inter = world.tables["interactions"]
    stamp = inter["timestamp"].astype(str)
    last = inter.groupby("customer_id")["timestamp"].max()
    recent = inter[stamp >= _year_before(world.today)]
    counts = recent.groupby("customer_id").size()
    complaints = recent[recent["purpose"].astype(str) == "complaint"]
    open_at = complaints.groupby("customer_id")["timestamp"].max()
    ids = c["customer_id"].astype(str)
    return pd.DataFrame({
        "customer_id": ids,
        "name": c["name"].astype(str), "segment": c["segment"].astype(str),
        "phone": c["phone"].astype(str), "email": c["email"].astype(str),
        "hkid": c["hkid"].astype(str), "address": c["address"].astype(str),
        "dm_consent": c["dm_consent"].astype(bool),
        "preferred_channel": c["preferred_channel"].astype(str),
        "preferred_language": c["preferred_language"].astype(str),
        "lifetime_value": c["lifetime_value"].astype(float),
        "last_contact": ids.map(last).fillna("").astype(str),
        "contacts_12m": ids.map(counts).fillna(0).astype(int),
        "open_complaint": ids.map(open_at).notna(),
    })


def _year_before(today: str) -> str:
    return f"{int(today[:4]) - 1}{today[4:]}"


def view_check(table: Any) -> list[str]:
    """Plain-words problems of the shared customer view (empty = ready); prints them."""
    from autograders.checks import to_frame

    frame = to_frame(table) if not isinstance(table, pd.DataFrame) else table
    if frame is None:
        return _print(["the view must be a table (the picker's value)"])
    problems = []
    missing = [c for c in VIEW_MUST_HAVE if c not in frame.columns]
    if missing:
        problems.append("staff cannot act consistently without: " + ", ".join(missing))
    if "hkid" in frame.columns and frame["hkid"].astype(str).str.match(
            r"^[A-Z]{1,2}\d{6}\(?[0-9A]\)?$").any():
        problems.append("every member of staff would read customers' HKID numbers: drop or "
                        "mask them (PDPO Sch. 1 DPP1 and DPP4: no more than the purpose needs, "
                        "kept secure)")
    return _print(problems)


# ------------------------------------------------------------------ exercise 3 and 5
def portfolio_check(portfolio: Any, world: Any, share: float = PORTFOLIO_BUDGET_SHARE
                    ) -> list[str]:
    """Plain-words problems of a programme portfolio (empty = ready); prints them."""
    try:
        progs = check_portfolio(portfolio, tuple(world.scenario.segments))
    except CrmSimError as e:
        return _print([f"the portfolio cannot be read: {e}"])
    if not progs:
        return _print(["no programme chosen"])
    table = compare(world, progs)
    problems = []
    cost = table.loc["programme cost HKD a month", "your choice"]
    limit = budget(world, share)
    if cost > limit:
        problems.append(f"the portfolio costs about HKD {cost:,.0f} a month, over the HKD "
                        f"{limit:,.0f} budget")
    base, mine = table.loc["contribution HKD", ["routine", "your choice"]]
    if mine < 0.85 * base:
        problems.append("the company keeps much less of its margin than with its routine: a "
                        "give-away is not a programme (balance customers' and the company's "
                        "interests)")
    print(table)
    return _print(problems)


def growth_plan(programmes: Any, contacts: dict, shared_view: bool) -> dict:
    """The growth plan handed in: programmes, contact rates and the shared view."""
    return {"kind": "growth_plan", "programmes": list(programmes),
            "contacts": list(contacts.get("contacts", [])),
            "respects_consent": bool(contacts.get("respects_consent", True)),
            "shared_view": bool(shared_view)}


class GrowthPlanner(View):
    """Programme designer, contact rates and the shared view in one view (exercise 5).

    A `View`, so that what a person does in any of its parts is recorded and shown as the
    one line to hand in (grading runs the notebook again without the page).
    """

    def __init__(self, world: Any, portfolio: Any = None):
        """Compose the three generic views; open on `portfolio` (exercise 4's value).

        A portfolio that cannot be read opens the planner empty and says why, so the
        trainee can still tick programmes here.
        """
        import ipywidgets as widgets

        from crm_sim.ui.contact_rates import ContactRates
        from crm_sim.ui.programme_designer import ProgrammeDesigner

        self.world = world
        self.programmes = ProgrammeDesigner(world, budget(world, GROWTH_BUDGET_SHARE))
        self.contacts = ContactRates(world.scenario.segments)
        self.view = widgets.Checkbox(value=False, description="all staff share one view")
        self._out = widgets.Output()
        self.widget = widgets.VBox([widgets.HTML("<b>Programmes</b>"), self.programmes.widget,
                                    widgets.HTML("<b>Contacts</b>"), self.contacts.widget,
                                    self.view, self._out])
        if portfolio:
            self._safely(lambda: self.programmes.load(portfolio))

    def set_rate(self, segment: str, channel: str, per_month: float,
                 purpose: str = "retention") -> None:
        """Contact `segment` `per_month` times a month on `channel` (the contacts part)."""
        self.contacts.set_rate(segment, channel, per_month, purpose)

    def share_view(self, on: bool = True) -> None:
        """Tick or untick the shared customer view."""
        self.view.value = bool(on)

    @property
    def value(self) -> dict:
        """The growth plan: what `submit` hands in."""
        return growth_plan(self.programmes.value, self.contacts.value, self.view.value)


def plan_parts(plan: Any, world: Any):
    """(programmes, policy, shared_view) of a growth plan; CrmSimError if malformed."""
    from crm_sim.errors import FieldError

    if not isinstance(plan, dict) or plan.get("kind") != "growth_plan":
        raise FieldError("plan", type(plan).__name__, "a growth plan (planner.value)",
                         "take the planner's value")
    progs = check_portfolio(plan.get("programmes") or [], tuple(world.scenario.segments))
    contacts = plan.get("contacts") or []
    if not isinstance(contacts, list) or len(contacts) > 50 or not all(
            isinstance(r, dict) for r in contacts):
        raise FieldError("plan.contacts", str(contacts)[:60], "the contact rows of the planner",
                         "take the planner's value")
    respects = plan.get("respects_consent", True)
    view = plan.get("shared_view", False)
    if not isinstance(respects, bool) or not isinstance(view, bool):
        raise FieldError("plan", "respects_consent/shared_view", "True or False",
                         "take the planner's value")
    return progs, PlanPolicy(contacts, respects), view


def growth_check(plan: Any, world: Any) -> list[str]:
    """Plain-words problems of the growth plan on your company (empty = ready); prints them."""
    try:
        progs, policy, view = plan_parts(plan, world)
    except CrmSimError as e:
        return _print([f"the plan cannot be read: {e}"])
    problems = []
    if not policy.respects_consent:
        problems.append("contacts ignore consent: direct marketing needs the customer's "
                        "consent (PDPO Cap. 486 s.35E)")
    try:
        table = compare(world, progs, policy, view)
    except CrmSimError as e:
        return _print([f"the plan cannot be simulated: {e}"])
    print(table)
    new = table.loc["new customers"]
    lost = table.loc["customers lost"]
    if new["your choice"] < 1.25 * new["routine"]:
        problems.append("new customers are below the target (routine + 25 %)")
    if lost["your choice"] > 0.85 * lost["routine"]:
        problems.append("customers lost are above the target (routine − 15 %)")
    return _print(problems)


def run_plan_for_a_year(world: Any, plan: Any):
    """Run the growth plan on your company for twelve months (the company moves on)."""
    from crm_sim.ui.session import save_my_world

    progs, policy, view = plan_parts(plan, world)
    result = simulate(world, policy, progs, MONTHS, shared_view=view)
    save_my_world(world)
    return result.totals()


# ------------------------------------------------------------------ exercise 4
def survey_results(world: Any) -> pd.DataFrame:
    """The satisfaction survey of the last three months (the company at the unit's start)."""
    run = what_if(world, months=SURVEY_MONTHS)
    return run.surveys


def nps_table(surveys: pd.DataFrame) -> pd.DataFrame:
    """Per segment: answers, CSAT (% 4-5) and NPS (% 9-10 minus % 0-6)."""
    g = surveys.groupby("segment")
    out = pd.DataFrame({
        "answers": g.size(),
        "csat_%": g["csat"].apply(lambda s: 100 * (s >= 4).mean()).round(1),
        "promoters_%": g["nps_score"].apply(lambda s: 100 * (s >= 9).mean()).round(1),
        "detractors_%": g["nps_score"].apply(lambda s: 100 * (s <= 6).mean()).round(1),
    })
    out["nps"] = (out["promoters_%"] - out["detractors_%"]).round(1)
    return out


def ab_data(world: Any) -> pd.DataFrame:
    """The member-rewards A/B test on individual customers (three months, last quarter)."""
    test = ab_test(start_company(world), Programme.from_dict(AB_PROGRAMME), AB_SEGMENT,
                   AB_MONTHS)
    return test.data


# ------------------------------------------------------------------ judgement calls
X1_OPTIONS = {
    "a": "Tell the agent to follow the script word for word and move to the next call.",
    "b": "Coach the agent on the pledge in the moment, then review the call with the team.",
    "c": "Log it in the agent's file as a warning and say nothing to the team about it.",
    "d": "Let it pass: the customer did not complain, and targets come first this month.",
}
X1_REASONS = {
    "image_daily": "The service image is shown in every contact, not only when watched.",
    "coach_not_blame": "Staff keep perception positive when they are coached and motivated.",
    "team_learns": "A shared review lets every colleague serve customers the same way.",
    "targets_first": "Monthly call targets matter more than how one call sounded.",
    "no_complaint_no_problem": "If nobody complained, the call was good enough.",
}
X2_OPTIONS = {
    "a": "Grant the 40 % discount: keeping a large account is worth any price.",
    "b": "Refuse anything and remind him of the contract's early-termination fee.",
    "c": "Offer the long-term customer discount and a service review, within the programme.",
    "d": "Give him the partner's marketing list he asked for in exchange for staying.",
}
X2_REASONS = {
    "fair_to_all": "Loyal customers get the same fair terms the programme gives everyone.",
    "margin_matters": "A discount beyond the programme gives away the margin that pays "
                      "for service.",
    "value_not_price": "A service review adds value the customer notices, not only price.",
    "keep_at_any_cost": "Losing a big account is always worse than any discount.",
    "contract_threat": "Reminding customers of penalties keeps them loyal.",
}


def _print(problems: list[str]) -> list[str]:
    """Print the problems (or that the answer is ready) and mark a failed visible check."""
    if problems:
        from autograders.checks.friendly import check_failed

        for p in problems:
            print(f"✘ {p}")
        check_failed()
    else:
        print("✔ no problem found")
    return problems


__all__ = ["CompanyRoutine", "GrowthPlanner", "KINDS", "ab_data", "atmosphere_check",
           "budget", "compare", "customer_view_source", "growth_check", "nps_table",
           "portfolio_check", "survey_results", "view_check", "what_if"]
