"""Leads and profiles (ITCSCR410A): raw sources, entity resolution, qualification, network.

* `sources.generate_sources` — messy customer intelligence from five channels, with the
  ground truth hidden for graders;
* `resolution` — normalisation helpers and `score_resolution` for a trainee's links;
* `qualification` — management's `LeadStandards`, `qualify`/`qualify_frame`, and the
  later-month outcome of a lead list (`simulate_conversions`, `score_lead_list`);
* `network` — who knows whom (`referral_graph`, `reachable_prospects`).
"""
