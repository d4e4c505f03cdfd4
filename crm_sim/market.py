"""The market around the company: how active competitors are in each segment.

ITCSCR304A K7: "competitors' similar activities influence how effective our calls are".
A competitor activity level in [0, 1] per segment lowers the chance that a call turns
into a sale and the quality the customer feels (their inbox is full of rival offers),
and makes it likelier that a customer already uses a rival (a fact calls can reveal).
The market is plain data like the call mechanism, so an instructor can raise the
pressure on one segment and show trainees what happens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm_sim.errors import PolicyError
from crm_sim.schema import INDUSTRIES, SEGMENTS

# Default pressure per segment. ICT: mobile and broadband retail is a price war, corporate
# accounts are tendered; timepiece: gift buyers compare many shops, collectors are loyal.
DEFAULT_ACTIVITY: dict[str, dict[str, float]] = {
    "ict": {"corporate": 0.6, "sme": 0.5, "individual": 0.7},
    "timepiece": {"collector": 0.3, "gift_buyer": 0.6, "walk_in": 0.5,
                  "corporate_gifting": 0.4},
}


@dataclass
class Market:
    """Competitor activity per segment and how strongly it blunts our calls.

    Attributes:
        industry: "ict" or "timepiece".
        competitor_activity: activity in [0, 1] for every segment of the industry.
        sales_effect: share of the sale chance lost at activity 1 (0.5 halves it).
        quality_effect: contact quality lost at activity 1 (on the 0..1 quality scale).
    """

    industry: str
    competitor_activity: dict[str, float] = field(default_factory=dict)
    sales_effect: float = 0.5
    quality_effect: float = 0.15

    def __post_init__(self):
        if self.industry not in INDUSTRIES:
            raise PolicyError("industry", self.industry, f"one of {', '.join(INDUSTRIES)}",
                              "use Market.default('ict') or ('timepiece')")
        if not isinstance(self.competitor_activity, Mapping):
            raise PolicyError("competitor_activity", self.competitor_activity,
                              "a dict of segment -> level", "start from Market.default()")
        expected = SEGMENTS[self.industry]
        for seg in self.competitor_activity:
            if seg not in expected:
                raise PolicyError("competitor_activity", seg, f"one of {', '.join(expected)}",
                                  f"remove {seg!r} or fix its spelling")
        for seg in expected:
            if seg not in self.competitor_activity:
                raise PolicyError("competitor_activity", sorted(self.competitor_activity),
                                  f"a level for {seg!r} too", f"add {seg!r}: 0.5")
            _unit_interval(f"segment {seg!r}: competitor_activity",
                           self.competitor_activity[seg])
        _unit_interval("sales_effect", self.sales_effect)
        _unit_interval("quality_effect", self.quality_effect)

    @classmethod
    def default(cls, industry: str) -> Market:
        """The market that ships with a world of `industry`."""
        if industry not in DEFAULT_ACTIVITY:
            raise PolicyError("industry", industry, f"one of {', '.join(INDUSTRIES)}",
                              "use Market.default('ict') or ('timepiece')")
        return cls(industry=industry, competitor_activity=dict(DEFAULT_ACTIVITY[industry]))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return {"industry": self.industry, "competitor_activity": dict(self.competitor_activity),
                "sales_effect": self.sales_effect, "quality_effect": self.quality_effect}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Market:
        """Rebuild (and validate) a market from `to_dict` output."""
        if not isinstance(data, Mapping):
            raise PolicyError("market", type(data).__name__, "a dict from to_dict()",
                              "pass Market.to_dict() output")
        known = {"industry", "competitor_activity", "sales_effect", "quality_effect"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise PolicyError("market", unknown[0], f"keys {', '.join(sorted(known))}",
                              f"remove {unknown[0]!r}")
        return cls(**dict(data))

    def activity(self, segments: pd.Series | np.ndarray) -> np.ndarray:
        """Competitor activity per row of `segments` (vectorised lookup)."""
        return (pd.Series(self.competitor_activity, dtype=float)
                .reindex(np.asarray(segments, dtype=object)).fillna(0.0).to_numpy(float))

    def sales_multiplier(self, segments: pd.Series | np.ndarray) -> np.ndarray:
        """Factor on the sale chance: 1 − sales_effect · activity."""
        return 1.0 - self.sales_effect * self.activity(segments)

    def quality_penalty(self, segments: pd.Series | np.ndarray) -> np.ndarray:
        """Contact quality lost to rival noise: quality_effect · activity."""
        return self.quality_effect * self.activity(segments)


def market_for(world: Any) -> Market:
    """The market of `world`: its own `world.market` if set, else the industry default."""
    market = getattr(world, "market", None)
    if isinstance(market, Market):
        return market
    scenario = getattr(world, "scenario", None)
    industry = getattr(scenario, "industry", None) or getattr(world, "industry", "ict")
    return Market.default(industry)


def _unit_interval(name: str, value: Any) -> None:
    ok = (not isinstance(value, bool) and isinstance(value, (int, float, np.number))
          and np.isfinite(value) and 0.0 <= value <= 1.0)
    if not ok:
        raise PolicyError(name, value, "a number from 0 to 1",
                          f"set {name.split(': ')[-1]} between 0 (no rivals) and 1 (fierce)")
