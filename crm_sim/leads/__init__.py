"""Leads and profiles (ITCSCR410A): raw sources, entity resolution, qualification, network.

* `sources.generate_sources` — messy customer intelligence from five channels, with the
  ground truth hidden for graders;
* `resolution` — normalisation helpers and `score_resolution` for a trainee's links;
* `qualification` — management's `LeadStandards`, `qualify`/`qualify_frame`, and the
  later-month outcome of a lead list (`simulate_conversions`, `score_lead_list`);
* `network` — who knows whom (`referral_graph`, `reachable_prospects`).
"""

from crm_sim.leads.network import reachable_prospects, referral_graph, score_network_reach
from crm_sim.leads.qualification import (
    LeadStandards,
    QualificationResult,
    entity_view,
    management_standards,
    qualify,
    qualify_frame,
    score_lead_list,
    simulate_conversions,
)
from crm_sim.leads.resolution import (
    normalise_email,
    normalise_name,
    normalise_phone,
    score_resolution,
)
from crm_sim.leads.sources import all_records, generate_sources, load_sources

__all__ = [
    "LeadStandards",
    "QualificationResult",
    "all_records",
    "entity_view",
    "generate_sources",
    "load_sources",
    "management_standards",
    "normalise_email",
    "normalise_name",
    "normalise_phone",
    "qualify",
    "qualify_frame",
    "reachable_prospects",
    "referral_graph",
    "score_lead_list",
    "score_network_reach",
    "score_resolution",
    "simulate_conversions",
]
