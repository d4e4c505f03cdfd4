"""Contact rates: how often each segment is contacted, on which channel, for what.

Generic: it knows nothing of a unit. One row per segment: a channel, a number of
contacts per customer a month and a purpose (retention, service or acquisition), plus
whether direct marketing respects consent. Its value is the plan as rows, the shape
`crm_sim.programme_sim.simulate` reads through the policy protocol (`as_policy`).
Every control is a method (`set_rate`, `set_consent`) for tests and notebooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from crm_sim.errors import FieldError
from crm_sim.schema import CHANNELS
from crm_sim.ui.view import View

PURPOSES = ("retention", "service", "acquisition")
MAX_RATE = 8.0


class RatesPolicy:
    """A contact plan as an object with the simulation's policy protocol."""

    def __init__(self, rows: list[dict[str, Any]], respects_consent: bool = True):
        """Keep the plan rows and the consent choice."""
        self.rows, self.respects_consent = rows, bool(respects_consent)

    def contact_plan(self) -> pd.DataFrame:
        """The rows as the protocol's table."""
        return pd.DataFrame(self.rows, columns=["segment", "channel", "per_month", "purpose"])

    def targets(self) -> pd.DataFrame:
        """No targets of its own."""
        return pd.DataFrame(columns=["segment", "new_customers_per_month", "retention_rate"])


class ContactRates(View):
    """Per segment: channel, contacts a month and purpose; a consent checkbox.

    Attributes:
        segments: the segments, one row each.
        widget: the composed ipywidgets view.
    """

    def __init__(self, segments: Iterable[str], channels: Iterable[str] = CHANNELS):
        """Build the view with no contact planned (0 a month on the first channel)."""
        self.segments = tuple(segments)
        self.channels = tuple(channels)
        self._channel = {s: widgets.Dropdown(options=self.channels, value=self.channels[0],
                                             description=s) for s in self.segments}
        self._rate = {s: widgets.FloatSlider(value=0.0, min=0.0, max=MAX_RATE, step=0.05,
                                             description="a month") for s in self.segments}
        self._purpose = {s: widgets.Dropdown(options=PURPOSES, value="retention",
                                             description="for") for s in self.segments}
        self._consent = widgets.Checkbox(value=True, description="marketing only with consent")
        self._status = widgets.HTML()
        self._out = widgets.Output()
        for box in (*self._channel.values(), *self._rate.values(), *self._purpose.values(),
                    self._consent):
            box.observe(lambda _: self._show(), names="value")
        rows = [widgets.HBox([self._channel[s], self._rate[s], self._purpose[s]])
                for s in self.segments]
        self.widget = widgets.VBox([*rows, self._consent, self._status, self._out])
        self._show()

    # ------------------------------------------------------------------ user actions
    def set_rate(self, segment: str, channel: str, per_month: float,
                 purpose: str = "retention") -> None:
        """Contact `segment` `per_month` times a month per customer on `channel`."""
        if segment not in self._rate:
            raise FieldError("segment", segment, f"one of {self.segments}", "pick a listed one")
        if channel not in self.channels:
            raise FieldError("channel", channel, f"one of {self.channels}", "pick a listed one")
        if purpose not in PURPOSES:
            raise FieldError("purpose", purpose, f"one of {PURPOSES}", '"retention"')
        if isinstance(per_month, bool) or not isinstance(per_month, int | float) or not (
                0 <= per_month <= MAX_RATE):
            raise FieldError("per_month", per_month, f"a number from 0 to {MAX_RATE:g}",
                             "e.g. 0.5 (one contact every two months)")
        self._channel[segment].value = channel
        self._purpose[segment].value = purpose
        self._rate[segment].value = float(per_month)

    def set_consent(self, respects: bool) -> None:
        """Whether direct marketing goes only to customers who consented."""
        self._consent.value = bool(respects)

    @property
    def value(self) -> dict[str, Any]:
        """``{"contacts": [rows], "respects_consent": bool}``: the plan handed in."""
        rows = [{"segment": s, "channel": self._channel[s].value,
                 "per_month": float(self._rate[s].value), "purpose": self._purpose[s].value}
                for s in self.segments if self._rate[s].value > 0]
        return {"contacts": rows, "respects_consent": bool(self._consent.value)}

    def as_policy(self) -> RatesPolicy:
        """The plan as an object `simulate` accepts as a policy."""
        v = self.value
        return RatesPolicy(v["contacts"], v["respects_consent"])

    def _show(self) -> None:
        v = self.value
        parts = [f"{r['segment']}: {r['per_month']:g} a month by {r['channel']} "
                 f"({r['purpose']})" for r in v["contacts"]]
        text = "; ".join(parts) or "no contact planned"
        if not v["respects_consent"]:
            text = ("✘ marketing to customers without consent breaks PDPO (Cap. 486) s.35E. "
                    + text)
        self._status.value = text
