"""What a person does in each view for each of its methods: the specific drivers.

Every view method a model answer calls ("what a trainee clicks in the view above, done in
code") has here the clicks, picks and keystrokes that do the same in the page. A journey
reads the model answer of an exercise, and for each call finds the driver of the view's
class and method; a call with no driver fails the journey naming the class and method to
add here. Arguments arrive evaluated in the trainee's kernel (so `picker.ranking()[...]`
reads the ranking the page shows now).

A driver gets ``(ctx, *args, **kwargs)``; ``ctx.ask(expr)`` evaluates an expression about
the view in the kernel (its labels, its rows) as a person reads them off the screen, and
``ctx.var`` is the view's variable name. It returns the `Act` list to perform.
"""

from __future__ import annotations

from widgetdriver import (
    Act,
    click,
    pick,
    pick_many,
    radio,
    slide,
    tick,
    type_in,
    untick,
)


def row_with_text(text):
    """Scope: the row (an HBox) whose bold heading is `text` (a rule editor's group)."""
    from widgetdriver import exact

    return lambda out: out.locator(".widget-hbox").filter(
        has=out.page.locator("b", has_text=exact(text))).first


def row_with_label(label):
    """Scope: the innermost row holding a control labelled `label`."""
    from widgetdriver import exact

    return lambda out: out.locator(".widget-hbox").filter(
        has=out.page.get_by_label(exact(label))).last


def row_number(n):
    """Scope: the n-th row (HBox) directly inside the view's box."""
    return lambda out: out.locator(".widget-vbox > .widget-hbox").nth(n)


def titled(title):
    """Scope: the control whose tooltip is `title` (a grid cell, e.g. 'event: service')."""
    return lambda out: out.locator(f"[title='{title}']").first


def within(scope, acts):
    """The same acts, done inside `scope`."""
    for act in acts:
        act.scope = scope
    return acts


def _on_off(label, on):
    return tick(label) if on else untick(label)


# -- one function per (view class, method) ----------------------------------------------
def summary_group_by(ctx, column):
    """Group by: pick the column."""
    return [pick("Group by", column)]


def summary_add_measure(ctx, name, column, how, threshold=None):
    """Name, Column, How (and At most), then "Add measure"."""
    acts = [type_in("Name", name), pick("Column", column), pick("How", how)]
    if threshold is not None:
        acts.append(type_in("At most", threshold))
    return [*acts, click("Add measure")]


def scorecard_set_weights(ctx, weights):
    """Each named slider to its weight."""
    return [slide(name, value) for name, value in weights.items()]


def scorecard_require_eligible(ctx):
    """Tick the consent box under the sliders."""
    return [tick(ctx.ask(f"{ctx.var}._filter.description"))]


def coverage_pick(ctx, candidate):
    """Type the customer id in the box and press Pick."""
    return [Act("type_placeholder", "customer id", candidate), click("Pick")]


def rules_choose_all(ctx, choices):
    """Every group's row: each drop-down and list as chosen."""
    acts = []
    labels = ctx.ask(f"{ctx.var}.labels")
    for group, fields in choices.items():
        row = [pick_many(f, v) if isinstance(v, list) else pick(f, v) for f, v in fields.items()]
        acts += within(row_with_text(labels.get(group, group)), row)
    return acts


def rules_choose(ctx, group, field, choice):
    """One control of one group's row."""
    return rules_choose_all(ctx, {group: {field: choice}})


def planner_best_first(ctx, group):
    """The group's "Best callers first" button."""
    return within(row_with_label(group), [click("Best callers first")])


def planner_fill(ctx):
    """"Fill the plan"."""
    return [click("Fill the plan")]


def costed_tick_only(ctx, items):
    """Tick the listed items' boxes, clear the others."""
    labels = ctx.ask(f"{{n: b.description for n, b in {ctx.var}._boxes.items()}}")
    return [_on_off(label, name in items) for name, label in labels.items()]


def sheet_fill_all(ctx, values):
    """Type each row's values into its boxes (one box per row and column)."""
    keys = [str(k) for k in ctx.ask(f"list({ctx.var}.rows[{ctx.var}.key])")]
    acts = []
    for key, cols in values.items():
        for col, text in cols.items():
            acts.append(Act("type_placeholder", col, text, nth=keys.index(str(key))))
    return acts


def matcher_set_similarity(ctx, field, value):
    """Tick "link on <field>" and move its "names alike %" slider."""
    words = ctx.ask("__import__('crm_sim.ui.match_reviewer').ui.match_reviewer.FIELD_WORDS")
    label = f"link on {words[field]}"
    return [tick(label), *within(row_with_label(label), [slide("names alike %", value)])]


def matcher_skip_generic(ctx, on=True):
    """The shared-mailboxes box."""
    return [_on_off("ignore shared mailboxes (info@, enquiry@)", on)]


def grid_tick(ctx, row, column, on=True):
    """The box in the grid cell row x column."""
    return within(titled(f"{row}: {column}"), [Act("tick_here" if on else "untick_here", "")])


def grid_set_level(ctx, row, column, level):
    """The grid cell's drop-down."""
    return within(titled(f"{row}: {column}"), [Act("pick_here", "", level)])


def columns_choose(ctx, column, choice):
    """The column's keep/mask/drop drop-down."""
    return [pick(column, choice)]


def columns_keep_only(ctx, columns):
    """Drop every column not listed (keep the listed ones that were dropped)."""
    state = ctx.ask(f"{ctx.var}._choice")
    return [pick(c, "drop") if c not in columns else pick(c, "keep")
            for c, now in state.items() if (c not in columns) or now == "drop"]


def columns_filter_rows(ctx, column, values):
    """Rows where <column> is one of <values>: pick, select, "Keep these rows"."""
    if values is None:
        return [click("Remove filter")]
    return [pick("Rows where", column), pick_many("is one of", [str(v) for v in values]),
            click("Keep these rows")]


def judgement_choose(ctx, letter):
    """The option lettered `letter`."""
    return [radio(f"{letter})")]


def judgement_tick(ctx, code, on=True):
    """The reason's box (its words on screen)."""
    return [_on_off(ctx.ask(f"{ctx.var}.reasons")[code], on)]


def lead_standards(ctx):
    """Nothing to do: a fresh builder shows management's standards already."""
    assert ctx.ask(f"{ctx.var}.rule['standards'] == {ctx.var}._management") is True
    return []


def lead_merge_on(ctx, fields):
    """Merge on: select the fields."""
    return [pick_many("Merge on", fields)]


def lead_rank_by(ctx, order):
    """First by: select the rankings (the list keeps the order shown)."""
    return [pick_many("First by", order)]


def lead_max(ctx, n):
    """The Leads slider."""
    return [slide("Leads", n)]


def lead_purchased(ctx, on):
    """The purchased-list consent box."""
    return [_on_off("count consent from the purchased list", on)]


FINDER_CONTROLS = {"min_known_by": "Known by ≥", "through_contacts":
                   "count staff of business customers", "exclude_customers":
                   "leave out people already our customers", "satisfied_only":
                   "only people satisfied customers know", "rank_by": "First",
                   "max_prospects": "How many"}


def finder_set(ctx, key, value):
    """One control of the prospect finder, by what it sets."""
    label = FINDER_CONTROLS[key]
    if isinstance(value, bool):
        return [_on_off(label, value)]
    if key == "rank_by":
        words = ctx.ask("__import__('crm_sim.ui.prospect_finder').ui.prospect_finder.RANK_WORDS")
        return [pick(label, words[value])]
    return [slide(label, value)]


def query_set_group(ctx, column):
    """One row per: the column."""
    return [pick("One row per", column)]


def query_add(ctx, name, measure, column=None, round=None):  # noqa: A002
    """Column name, Measure, Of, then "Add column"."""
    acts = [type_in("Column name", name), pick("Measure", measure)]
    if column is not None:
        acts.append(pick("Of", column))
    return [*acts, click("Add column")]


def review_add(ctx, step, tool):
    """Step, Tool, then "Add step"."""
    return [pick("Step", step), pick("Tool", tool), click("Add step")]


def figures_define(ctx, name, measure, group_by=None, column=None, round=None,  # noqa: A002
                   top=None):
    """Figure, Group by, Measure, Column, Decimals, Top, then "Set figure"."""
    return [pick("Figure", name), pick("Group by", str(group_by)), pick("Measure", measure),
            pick("Column", str(column)), pick("Decimals", str(round)), pick("Top", str(top)),
            click("Set figure")]


def recommender_set_play(ctx, metric, action, pick_by, change):
    """The goal's row: the action, the signals to aim by, the change expected."""
    metrics = ctx.ask("list(__import__('crm_sim.ui.recommender').ui.recommender.METRICS)")
    return within(row_number(metrics.index(metric)), [
        Act("pick_here", "", action), pick_many("aim by", pick_by),
        type_in("expect +", change)])


DRIVERS = {
    "SummaryBuilder": {"group_by": summary_group_by, "add_measure": summary_add_measure},
    "Scorecard": {"set_weights": scorecard_set_weights,
                  "require_eligible": scorecard_require_eligible},
    "CoveragePicker": {"pick": coverage_pick},
    "RuleEditor": {"choose_all": rules_choose_all, "choose": rules_choose},
    "AssignmentPlanner": {"best_first": planner_best_first, "fill": planner_fill},
    "CostedChoices": {"tick_only": costed_tick_only},
    "RecordSheet": {"fill_all": sheet_fill_all},
    "MatchReviewer": {"set_similarity": matcher_set_similarity,
                      "skip_generic_mailboxes": matcher_skip_generic},
    "AccessMatrix": {"tick": grid_tick, "set_level": grid_set_level},
    "ColumnPicker": {"choose": columns_choose, "keep_only": columns_keep_only,
                     "filter_rows": columns_filter_rows},
    "JudgementCall": {"choose": judgement_choose, "tick": judgement_tick},
    "LeadRuleBuilder": {"use_management_standards": lead_standards,
                        "merge_on": lead_merge_on, "rank_by": lead_rank_by,
                        "set_max_leads": lead_max, "consent_from_purchased": lead_purchased},
    "ProspectFinder": {"set": finder_set},
    "QueryBuilder": {"set_group": query_set_group, "add": query_add},
    "ReviewPlanner": {"add": review_add},
    "FigureBuilder": {"define": figures_define},
    "Recommender": {"set_play": recommender_set_play},
}
import viewdrivers_units  # noqa: E402,F401 - adds the drivers of the views of later units
