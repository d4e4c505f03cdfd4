"""Column contracts of the lead tables (the leads package's part of `crm_sim.schema`).

Every source table (event sign-ups, web enquiries, a purchased list, referrals, the
call-centre log) shares one column set so that trainees can stack them, while each
source leaves different columns empty: that difference is part of the exercise.
"""

from __future__ import annotations

# Source name -> record_id prefix ("EV0001", "WEB0001", ...). Order is generation order.
SOURCES: dict[str, str] = {
    "event": "EV",
    "web": "WEB",
    "purchased": "PL",
    "referral": "REF",
    "call_centre": "CC",
}

# World table name of each source ("src_event", ...).
SOURCE_TABLES: dict[str, str] = {name: f"src_{name}" for name in SOURCES}

# Buying role of the person (the "A" of BANT).
AUTHORITY_LEVELS = ("decision_maker", "influencer", "end_user")

SOURCE_COLUMNS: dict[str, str] = {
    "record_id": "string",        # unique across all sources
    "source": "string",           # one of SOURCES
    "captured_date": "string",    # ISO date the record was captured (old = stale)
    "name": "string",             # as written by whoever captured it ("" if missing)
    "company": "string",          # "" for individuals or when missing
    "title": "string",            # job title ("" if unknown)
    "authority": "string",        # AUTHORITY_LEVELS or "" when unknown
    "phone": "string",            # as typed: "+852 9123 4567", "9123-4567", "91234567"
    "email": "string",
    "district": "string",         # one of the 18 districts or ""
    "segment": "string",          # schema.SEGMENTS of the industry or ""
    "need": "string",             # product category of interest ("" if unknown)
    "budget_hkd": "Float64",      # stated budget, <NA> if unknown
    "timeline_months": "Float64",  # months until they intend to buy, <NA> if unknown
    "dm_consent": "bool",         # consent to direct marketing recorded with the record
    "referred_by": "string",      # customer_id of the referrer (referral source only)
}

# Hidden ground truth, one row per source record (world.hidden["lead_truth"]).
TRUTH_TABLE = "lead_truth"
TRUTH_COLUMNS: dict[str, str] = {
    "record_id": "string",
    "entity_id": "string",        # same person/company -> same entity ("E00001")
    "is_genuine": "bool",         # a real prospect (not a student, competitor, fake)
    "propensity": "float64",      # monthly probability of buying when approached
    "deal_value_hkd": "float64",  # what a sale to this entity is worth
    "customer_id": "string",      # existing customer this entity already is ("" if none)
    "is_stale": "bool",           # record's contact details are out of date
    "prospect_node": "string",    # the entity's node id in the referral graph
}

# Key information each lead in a trainee's lead list should carry (ITCSCR410A P6).
# "contact" means a phone number or an e-mail address.
KEY_FIELDS = ("name", "contact", "need", "budget_hkd", "timeline_months", "authority")
