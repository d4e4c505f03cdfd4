"""Programmes as data: validation naming field and fix, round trips, per-world response."""

from __future__ import annotations

import numpy as np
import pytest

from crm_sim import FieldError
from crm_sim.programmes import (
    KINDS,
    Programme,
    check_portfolio,
    describe_kinds,
    draw_programme_response,
    from_table,
    to_table,
)
from crm_sim.rng import Streams

SEGMENTS = ("corporate", "sme", "individual")


def test_defaults_fill_missing_parameters():
    """A programme given no parameters takes every documented default."""
    prog = Programme("long_term_discount")
    assert prog.params == {"discount": 0.05, "min_tenure_months": 24.0}
    assert Programme("news").channel == "email"


@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "lottery"}, "programme.kind"),
    ({"kind": "news", "params": {"per_month": 5}}, "news.per_month"),
    ({"kind": "news", "params": {"per_month": float("nan")}}, "news.per_month"),
    ({"kind": "news", "params": {"per_month": True}}, "news.per_month"),
    ({"kind": "news", "params": {"volume": 1}}, "news.params"),
    ({"kind": "news", "channel": "fax"}, "news.channel"),
    ({"kind": "trade_in", "channel": "email"}, "trade_in.channel"),
    ({"kind": "trade_in", "params": [0.1]}, "trade_in.params"),
])
def test_bad_programmes_name_field_and_fix(kwargs, field):
    """Every malformed programme raises FieldError naming its field, with a fix."""
    with pytest.raises(FieldError) as err:
        Programme(**kwargs)
    assert err.value.field == field
    assert err.value.fix


def test_portfolio_checks_segments_and_overlaps():
    """Unknown segments and a kind covering a segment twice are refused, naming the item."""
    with pytest.raises(FieldError) as err:
        check_portfolio([{"kind": "news", "segments": ["vip"]}], SEGMENTS)
    assert err.value.field == "programmes[0].segments"
    with pytest.raises(FieldError) as err:
        check_portfolio([Programme("news", ("sme",)), Programme("news")], SEGMENTS)
    assert err.value.field == "programmes[1]"
    ok = check_portfolio([Programme("news", ("sme",)), Programme("news", ("corporate",))],
                         SEGMENTS)
    assert len(ok) == 2


def test_dict_and_table_round_trips():
    """A portfolio survives to_dict/from_dict and the world table unchanged."""
    progs = (Programme("news", ("sme",), {"per_month": 2}, "letter"),
             Programme("service_pledge", (), {"response_hours": 24}))
    assert tuple(Programme.from_dict(p.to_dict()) for p in progs) == progs
    assert from_table(to_table(progs)) == progs


def test_describe_kinds_lists_every_parameter():
    """The description table has one row per kind and parameter, with its range."""
    table = describe_kinds()
    assert set(table["kind"]) == set(KINDS)
    assert len(table) == sum(len(k.params) for k in KINDS.values())
    assert (table["low"] <= table["default"]).all() and (table["default"] <= table["high"]).all()


def test_response_differs_per_world_within_documented_ranges():
    """Each seed draws its own response, inside RESPONSE_RANGE, the same for the same seed."""
    a = draw_programme_response(SEGMENTS, Streams(1))
    b = draw_programme_response(SEGMENTS, Streams(1))
    c = draw_programme_response(SEGMENTS, Streams(2))
    assert np.array_equal(a.response, b.response)
    assert not np.allclose(a.response, c.response)
    assert ((a.response >= 0.2) & (a.response <= 1.8)).all()
    assert a.of("news").shape == (3,)
