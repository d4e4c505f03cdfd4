"""The shape of every world table: column names and pandas dtypes.

One source of truth for the builder, the SQLite store (exact round trip), the privacy
layer (which columns are personal data) and the graders. Dates are stored as
ISO-8601 strings (``YYYY-MM-DD``; timestamps ``YYYY-MM-DDTHH:MM``) so that a table is
byte-identical on every machine and round-trips through SQLite unchanged.
"""

from __future__ import annotations

INDUSTRIES = ("ict", "timepiece")

SEGMENTS = {
    "ict": ("corporate", "sme", "individual"),
    "timepiece": ("collector", "gift_buyer", "walk_in", "corporate_gifting"),
}

CHANNELS = ("visit", "phone", "email", "message", "letter")
LANGUAGES = ("yue", "en", "zh")
PURPOSES = ("routine", "promotion", "follow_up", "service", "complaint")
OUTCOMES = ("no_answer", "answered", "sale", "declined", "complaint")

# Public tables: what a trainee's world shows. dtype strings are pandas dtypes.
TABLES: dict[str, dict[str, str]] = {
    "customers": {
        "customer_id": "string",  # "C000001"
        "name": "string",  # romanised Cantonese, e.g. "Chan Tai Man, Peter"
        "company": "string",  # "" for individuals
        "segment": "string",
        "district": "string",  # one of the 18 districts
        "address": "string",
        "phone": "string",  # 8 digits, no spaces
        "email": "string",
        "hkid": "string",  # "" unless the business would hold one
        "dm_consent": "bool",  # direct-marketing consent currently in force
        "consent_date": "string",  # date given ("" if never)
        "consent_channel": "string",  # channel it was given or withdrawn by
        "consent_withdrawn_date": "string",  # "" unless withdrawn
        "preferred_channel": "string",
        "preferred_language": "string",
        "lifetime_value": "float64",  # HKD
        "tenure_months": "int64",
        "since": "string",  # date the relationship began
    },
    "contacts": {  # decision makers of corporate/SME accounts
        "contact_id": "string",
        "customer_id": "string",
        "name": "string",
        "title": "string",
        "is_decision_maker": "bool",
        "phone": "string",
        "email": "string",
    },
    "staff": {
        "staff_id": "string",  # "S0001"
        "name": "string",
        "role": "string",
        "team": "string",
        "skill": "float64",  # selling skill 0..1
        "product_knowledge": "float64",  # 0..1
        "soft_skill": "float64",  # 0..1
        "capacity_hours_week": "float64",
    },
    "outsourcers": {
        "outsourcer_id": "string",  # "O001"
        "agency": "string",
        "cost_per_call": "float64",  # HKD
        "quality": "float64",  # 0..1
        "capacity_calls_week": "int64",
    },
    "products": {
        "product_id": "string",  # "P001"
        "name": "string",
        "category": "string",
        "price": "float64",  # HKD
        "segment_fit": "string",  # segment the product suits best
    },
    "interactions": {
        "interaction_id": "string",  # "I0000001"
        "customer_id": "string",
        "agent_id": "string",  # staff_id or outsourcer_id
        "channel": "string",
        "timestamp": "string",  # "YYYY-MM-DDTHH:MM"
        "purpose": "string",  # routine, promotion, follow_up, service, complaint
        "outcome": "string",  # no_answer, answered, sale, declined, complaint
        "duration_min": "float64",
        "info_captured": "string",  # JSON object of what was learned ("{}" if none)
        "follow_up": "string",  # promised follow-up ("" if none)
    },
}

# Hidden tables: the truth the graders score against. Never shown in trainee views.
HIDDEN_TABLES: dict[str, dict[str, str]] = {
    "latent": {
        "customer_id": "string",
        "satisfaction": "float64",  # 0..1
        "perception": "float64",  # 0..1, of the company
        "propensity": "float64",  # 0..1, to buy next month
        "churn_hazard": "float64",  # monthly probability
        "fatigue": "float64",  # 0..1, contact fatigue
        "channel_affinity": "string",  # the channel that truly works best
        "active": "bool",  # False once the customer has churned
    },
}

# Columns that are personal data under the PDPO (privacy layer masks/guards these).
PERSONAL_COLUMNS = ("name", "phone", "email", "hkid", "address")
