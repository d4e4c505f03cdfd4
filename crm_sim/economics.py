"""Segment economics of one world: drawn per seed, so no answer fits every company.

The catalogue (`crm_sim.catalogue.SEGMENT_PROFILES`) gives each segment's *typical*
channel affinity, spend and consent share. If every world used them unchanged, every
company of a unit would have nearly the same true best channel mix and the same best
action: an answer read off one world (even off its hidden truth) would score in all of
them. So each world scales them by factors drawn from the ranges below, from the
dedicated stream ``"economics"`` (named, so drawing them shifts no other subsystem's
draws). The factors follow from the seed alone; they are never stored, and a loaded
world needs them no more (they are baked into the tables at build time).

Ranges (documented in ``docs/behaviour-model.md``; keep the two in step):

* channel affinity: each channel's weight × e^u, u ~ U(−AFFINITY_TILT, +AFFINITY_TILT),
  renormalised per segment (a zero weight stays zero);
* monthly spend (prior spend and prices paid in the history): × e^v, v ~ U(SPEND_LOG_RANGE)
  for the segments named there, else U(−SPEND_SPREAD, +SPEND_SPREAD);
* direct-marketing consent share: × U(CONSENT_RANGE), capped at CONSENT_CAP;
* satisfaction level: s̄ and the starting satisfaction shifted by U(±SATISFACTION_SHIFT).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crm_sim.catalogue import SEGMENT_PROFILES
from crm_sim.rng import Streams

STREAM = "economics"
AFFINITY_TILT = 1.2
SPEND_SPREAD = 1.1
# ln(spend factor) ranges where one segment's typical spend would otherwise decide every
# world's best offer: corporate spend ranges lower and SME spend higher than the default.
SPEND_LOG_RANGE = {"corporate": (-1.8, 0.6), "sme": (-0.6, 1.4)}
CONSENT_RANGE = (0.4, 1.35)
CONSENT_CAP = 0.95
SATISFACTION_SHIFT = 0.15


@dataclass(frozen=True)
class SegmentEconomics:
    """Per-segment economics of one world (arrays in `scenario.segments` order).

    Attributes:
        segments: segment names, in order.
        affinity: (segments, CHANNELS) probabilities of a customer's true best channel.
        spend_factor: factor on the segment's monthly spend and on the prices it pays.
        consent: share of the segment who ever gave direct-marketing consent.
        satisfaction_shift: shift of the segment's satisfaction level (start and s̄).
    """

    segments: tuple[str, ...]
    affinity: np.ndarray
    spend_factor: np.ndarray
    consent: np.ndarray
    satisfaction_shift: np.ndarray


def draw_economics(segments: tuple[str, ...], streams: Streams) -> SegmentEconomics:
    """The segment economics of a world, from its ``"economics"`` stream.

    Draws happen in a fixed order (affinity, spend, consent, satisfaction) so the same
    seed always gives the same economics.
    """
    rng = streams.generator(STREAM)
    k = len(segments)
    base = np.array([SEGMENT_PROFILES[s]["affinity"] for s in segments], dtype=float)
    tilt = np.exp(rng.uniform(-AFFINITY_TILT, AFFINITY_TILT, base.shape))
    affinity = base * tilt
    affinity = affinity / affinity.sum(axis=1, keepdims=True)
    low, high = np.array([SPEND_LOG_RANGE.get(s, (-SPEND_SPREAD, SPEND_SPREAD))
                          for s in segments], dtype=float).T
    spend = np.exp(rng.uniform(low, high))
    consent_base = np.array([SEGMENT_PROFILES[s]["consent"] for s in segments], dtype=float)
    consent = np.minimum(CONSENT_CAP, consent_base * rng.uniform(*CONSENT_RANGE, k))
    shift = rng.uniform(-SATISFACTION_SHIFT, SATISFACTION_SHIFT, k)
    return SegmentEconomics(tuple(segments), affinity, spend, consent, shift)
