"""The market: validation, defaults, round trip and the vectorised effect helpers."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from crm_sim.errors import PolicyError
from crm_sim.market import Market, market_for
from crm_sim.schema import SEGMENTS


def test_defaults_cover_every_segment():
    """Each industry's default market has a level in [0, 1] for each of its segments."""
    for industry, segs in SEGMENTS.items():
        m = Market.default(industry)
        assert set(m.competitor_activity) == set(segs)
        assert all(0 <= v <= 1 for v in m.competitor_activity.values())


def test_round_trip():
    """to_dict/from_dict is lossless and JSON-able."""
    m = Market.default("timepiece")
    assert Market.from_dict(json.loads(json.dumps(m.to_dict()))) == m


def test_effect_helpers_vectorised():
    """activity, sales_multiplier and quality_penalty look levels up per row."""
    m = Market("ict", {"corporate": 0.0, "sme": 0.5, "individual": 1.0}, sales_effect=0.4,
               quality_effect=0.2)
    segs = np.array(["individual", "corporate", "sme", "individual"], dtype=object)
    np.testing.assert_allclose(m.activity(segs), [1.0, 0.0, 0.5, 1.0])
    np.testing.assert_allclose(m.sales_multiplier(segs), [0.6, 1.0, 0.8, 0.6])
    np.testing.assert_allclose(m.quality_penalty(segs), [0.2, 0.0, 0.1, 0.2])


@pytest.mark.parametrize("kwargs, needle", [
    (dict(industry="shipping"), "industry"),
    (dict(competitor_activity={"corporate": 0.5, "sme": 0.5}), "'individual'"),
    (dict(competitor_activity={"corporate": 0.5, "sme": 0.5, "individual": 0.5,
                               "pirates": 1.0}), "pirates"),
    (dict(competitor_activity={"corporate": 1.5, "sme": 0.5, "individual": 0.5}),
     "segment 'corporate': competitor_activity: got 1.5"),
    (dict(competitor_activity={"corporate": "high", "sme": 0.5, "individual": 0.5}),
     "got 'high'"),
    (dict(sales_effect=-0.1), "sales_effect"),
    (dict(quality_effect=float("nan")), "quality_effect"),
])
def test_validation(kwargs, needle):
    """Bad levels, unknown or missing segments raise PolicyError naming them."""
    base = dict(industry="ict", competitor_activity={"corporate": 0.5, "sme": 0.5,
                                                     "individual": 0.5})
    base.update(kwargs)
    with pytest.raises(PolicyError) as e:
        Market(**base)
    assert needle in str(e.value)


def test_from_dict_refuses_unknown_keys():
    """from_dict refuses keys it does not know and non-dicts."""
    with pytest.raises(PolicyError, match="colour"):
        Market.from_dict({**Market.default("ict").to_dict(), "colour": "red"})
    with pytest.raises(PolicyError, match="market"):
        Market.from_dict(["ict"])


def test_market_for_world():
    """A world's own market wins; otherwise the industry default applies."""
    own = Market("ict", {"corporate": 0.1, "sme": 0.1, "individual": 0.1})
    assert market_for(SimpleNamespace(market=own)) is own
    w = SimpleNamespace(scenario=SimpleNamespace(industry="timepiece"))
    assert market_for(w) == Market.default("timepiece")
