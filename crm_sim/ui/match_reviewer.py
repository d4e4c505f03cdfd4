"""Match reviewer: decide how records are linked, check suggested matches, keep the rule.

The person deciding is a CRM supervisor, not a programmer. For each field two records
may share (e-mail, phone, mailbox name, district) they tick whether it may link them
and how alike the names must be as well; the view shows suggested matches closest to
that bar, which they confirm or reject, and warns in plain words when a setting would
merge different people or miss obvious matches. `value` is the **link rule as data**
(`crm_sim.leads.rules`), which a grader can apply to any other sources. Every control
has a method, so tests and notebooks drive the view exactly as clicks would.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim import privacy
from crm_sim.errors import PolicyError
from crm_sim.leads import rules
from crm_sim.ui.view import View

FIELD_WORDS = {"email": "the same e-mail", "phone": "the same phone number",
               "mailbox": "the same mailbox name (before @)",
               "district": "the same district"}
SUGGESTIONS = 8
SHOWN = ("record_id", "source", "name", "company", "phone", "email", "district")


class MatchReviewer(View):
    """Interactive link rule over a table of source records.

    Attributes:
        records: the records being linked (one row each, with ``record_id``).
        rule: the link rule currently set (canonical form, see `rules.check_link_rule`).
        decisions: the reviewer's verdicts ``{(id_a, id_b): confirmed}``.
        widget: the ipywidgets box to display.
    """

    def __init__(self, records: pd.DataFrame, rule: dict | None = None):
        self.records = records.reset_index(drop=True)
        self.rule = rules.check_link_rule(rule or {"kind": "link_rule", "match_on": {}})
        self.decisions: dict[tuple[str, str], bool] = {}
        self._pairs = pd.DataFrame()
        self._use, self._cut = {}, {}
        rows = []
        for field in rules.LINK_FIELDS:
            on = field in self.rule["match_on"]
            use = widgets.Checkbox(value=on, description=f"link on {FIELD_WORDS[field]}",
                                   indent=False, layout=widgets.Layout(width="300px"))
            cut = widgets.IntSlider(value=int(self.rule["match_on"].get(field, 80)), min=0,
                                    max=100, step=5, description="names alike %",
                                    continuous_update=False)
            use.observe(lambda ch, f=field: self._on_use(f, ch["new"]), names="value")
            cut.observe(lambda ch, f=field: self._on_cut(f, ch["new"]), names="value")
            self._use[field], self._cut[field] = use, cut
            rows.append(widgets.HBox([use, cut]))
        self._generic = widgets.Checkbox(value=self.rule["skip_generic_mailboxes"],
                                         description="ignore shared mailboxes (info@, enquiry@)",
                                         indent=False)
        self._generic.observe(lambda ch: self.skip_generic_mailboxes(ch["new"]), names="value")
        self._pick = widgets.BoundedIntText(value=0, min=0, max=SUGGESTIONS - 1,
                                            description="suggestion #")
        yes = widgets.Button(description="Same person: confirm", button_style="success")
        no = widgets.Button(description="Different: reject", button_style="danger")
        yes.on_click(lambda _: self.confirm(self._pick.value))
        no.on_click(lambda _: self.reject(self._pick.value))
        self._summary = widgets.HTML()
        self._out = widgets.Output()
        self.widget = widgets.VBox([*rows, self._generic, self._summary,
                                    widgets.HBox([self._pick, yes, no]), self._out])
        self.refresh()

    # ------------------------------------------------------------ user actions
    def use_field(self, field: str, on: bool = True, similarity: int | None = None) -> dict:
        """Let a shared `field` link records (or stop it); what ticking its box does.

        Raises:
            PolicyError: unknown field or a similarity outside 0-100; nothing changes.
        """
        match_on = dict(self.rule["match_on"])
        if on:
            match_on[field] = similarity if similarity is not None else match_on.get(
                field, self._cut[field].value if field in self._cut else 80)
        else:
            match_on.pop(field, None)
        return self._set({**self.rule, "match_on": match_on})

    def set_similarity(self, field: str, value: int) -> dict:
        """How alike two names must be (0-100) when they share `field`; moving its slider."""
        return self.use_field(field, True, value)

    def skip_generic_mailboxes(self, on: bool = True) -> dict:
        """Ignore mailbox names many companies use (enquiry@, info@) when linking."""
        return self._set({**self.rule, "skip_generic_mailboxes": bool(on)})

    def confirm(self, i: int) -> dict:
        """Suggestion `i` is the same person or company: link it whatever the bar says."""
        return self._decide(i, True)

    def reject(self, i: int) -> dict:
        """Suggestion `i` is two different people: never link this pair directly."""
        return self._decide(i, False)

    def refresh(self) -> dict:
        """Recompute the matches and redraw; returns the rule."""
        self._pairs = rules.candidate_pairs(self.records, self.rule)
        self._summary.value = "<br>".join(self.messages())
        self._redraw()
        return self.value

    # ------------------------------------------------------------ read-outs
    @property
    def value(self) -> dict[str, Any]:
        """The link rule as plain data, with the reviewer's verdicts on own records."""
        return {"kind": "link_rule", "match_on": dict(self.rule["match_on"]),
                "skip_generic_mailboxes": self.rule["skip_generic_mailboxes"],
                "decisions": [[a, b, ok] for (a, b), ok in sorted(self.decisions.items())]}

    @property
    def links(self) -> list[list[str]]:
        """Pairs of record_ids linked by the rule and the verdicts, on these records."""
        return rules.apply_link_rule(self.records, self.rule, self.decisions)

    def suggestions(self) -> pd.DataFrame:
        """Matches to check by eye: linked pairs whose names are least alike, first.

        Those are where a bar set too low merges different people, so they are the ones
        worth a human look. Contact details are masked (the view may be projected).
        """
        linked = self._pairs[self._pairs["linked"]].sort_values(["similarity", "a", "b"])
        linked = linked.drop_duplicates(["a", "b"]).head(SUGGESTIONS)
        ids = self.records["record_id"].astype(str)
        out = []
        for n, (a, b, field, sim) in enumerate(linked[["a", "b", "field", "similarity"]]
                                               .itertuples(index=False)):
            ra, rb = self.records.loc[a], self.records.loc[b]
            key = (ids[a], ids[b])
            out.append({"#": n, "shared": field, "names alike %": round(sim),
                        "record A": f"{ra.get('name', '')} ({ra.get('source', '')})",
                        "record B": f"{rb.get('name', '')} ({rb.get('source', '')})",
                        "your verdict": {True: "same", False: "different"}.get(
                            self.decisions.get(key), ""),
                        "_a": ids[a], "_b": ids[b]})
        return pd.DataFrame(out)

    def links_per_field(self) -> dict[str, int]:
        """How many record pairs each ticked field links at its bar."""
        linked = self._pairs[self._pairs["linked"]]
        return {f: int((linked["field"] == f).sum()) for f in self.rule["match_on"]}

    def messages(self) -> list[str]:
        """What the current settings mean, in words a CRM supervisor uses."""
        rule, out = self.rule["match_on"], []
        n_links = len(self.links)
        out.append(f"<b>{len(self.records) - n_links}</b> profiles from {len(self.records)} "
                   f"records ({n_links} records joined to another).")
        if not rule:
            out.append("No field is ticked: every record stays its own customer, so one "
                       "person with three enquiries is called three times.")
        for field in ("phone", "district"):
            if field in rule and rule[field] < 50:
                out.append(f"Linking on {FIELD_WORDS[field]} with names less than half "
                           "alike joins different people (colleagues share an office "
                           "number, a district holds thousands): raise the names bar.")
        if "email" not in rule and "phone" not in rule and rule:
            out.append("Neither e-mail nor phone is ticked: they are the surest signs two "
                       "records are one person.")
        if not self.rule["skip_generic_mailboxes"] and "mailbox" in rule:
            out.append("Mailboxes like enquiry@ or info@ belong to many companies; linking "
                       "on them joins strangers.")
        rejected = [k for k, ok in self.decisions.items() if not ok]
        if len(rejected) >= 3:
            out.append(f"You rejected {len(rejected)} suggested matches: the names bar is "
                       "probably too low for the field they share.")
        return out

    # ------------------------------------------------------------ internals
    def _set(self, rule: dict) -> dict:
        self.rule = rules.check_link_rule(rule)       # PolicyError: nothing changes
        self._sync()
        return self.refresh()

    def _decide(self, i: int, ok: bool) -> dict:
        shown = self.suggestions()
        if not isinstance(i, int) or not 0 <= i < len(shown):
            raise PolicyError("suggestion", i, f"a number from 0 to {len(shown) - 1}",
                              "pick a row of the suggestions table")
        row = shown.iloc[i]
        self.decisions[(row["_a"], row["_b"])] = ok
        return self.refresh()

    def _on_use(self, field: str, on: bool) -> None:
        if (field in self.rule["match_on"]) != on:
            self.use_field(field, on, self._cut[field].value)

    def _on_cut(self, field: str, value: int) -> None:
        if field in self.rule["match_on"] and self.rule["match_on"][field] != value:
            self.set_similarity(field, value)

    def _sync(self) -> None:
        for field in rules.LINK_FIELDS:
            on = field in self.rule["match_on"]
            if self._use[field].value != on:
                self._use[field].value = on
            if on and self._cut[field].value != int(self.rule["match_on"][field]):
                self._cut[field].value = int(self.rule["match_on"][field])
        if self._generic.value != self.rule["skip_generic_mailboxes"]:
            self._generic.value = self.rule["skip_generic_mailboxes"]

    def _draw(self) -> None:
        """Suggestions table and a bar of links per field (only inside a kernel)."""
        from IPython import get_ipython

        self._out.clear_output()
        if get_ipython() is None:
            return
        import matplotlib.pyplot as plt
        from IPython.display import display

        with self._out:
            shown = self.suggestions()
            display(privacy.mask_frame(shown.drop(columns=["_a", "_b"], errors="ignore")))
            per = self.links_per_field()
            if per:
                fig, ax = plt.subplots(figsize=(5, 2))
                ax.barh(list(per), list(per.values()))
                ax.set_xlabel("record pairs linked")
                ax.set_title("What each shared field links")
                plt.tight_layout()
                plt.show()
