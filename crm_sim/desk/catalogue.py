"""Plain data of the watch retailer's records desk: boutiques, models, roles and rules.

No logic, so an instructor can read and tune the retailer in one place: where the
boutiques are, what the models cost, how far each role may discount, how fast a
complaint must be answered, what each department is sent in a hand-off and which
classification each piece of customer information carries. Brands and figures are
fictional illustrations, not market data.
"""

from __future__ import annotations

# (boutique_id, name, district it stands in, districts it serves first)
BOUTIQUES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("B01", "Central Flagship", "Central and Western",
     ("Central and Western", "Southern", "Islands")),
    ("B02", "Causeway Bay", "Wan Chai", ("Wan Chai", "Eastern")),
    ("B03", "Tsim Sha Tsui", "Yau Tsim Mong", ("Yau Tsim Mong", "Kowloon City", "Sham Shui Po")),
    ("B04", "Kwun Tong APM", "Kwun Tong", ("Kwun Tong", "Wong Tai Sin", "Sai Kung")),
    ("B05", "Sha Tin New Town", "Sha Tin",
     ("Sha Tin", "Tai Po", "North", "Yuen Long", "Tuen Mun", "Tsuen Wan", "Kwai Tsing")),
)

# Watch models: (brand, model, reference, category, complications, price HKD,
# limited edition size (0 = not limited), warranty months, segment it suits best)
MODELS: tuple[tuple[str, str, str, str, str, float, int, int, str], ...] = (
    ("Harbour & Co.", "Harbour Chronograph 42 mm", "HC-4201", "chronograph",
     "chronograph;date", 48_800.0, 0, 24, "collector"),
    ("Victoria Horology", "Victoria Perpetual Calendar", "VH-5320", "complication",
     "perpetual_calendar;moon_phase", 268_000.0, 0, 36, "collector"),
    ("Peak Manufacture", "Peak Tourbillon Limited Edition", "PM-1888", "complication",
     "tourbillon", 880_000.0, 88, 36, "collector"),
    ("Jade Atelier", "Jade Dress Watch 36 mm", "JA-3601", "dress", "date", 18_600.0, 0, 24,
     "gift_buyer"),
    ("Pearl", "Pearl Ladies' Quartz", "PL-2802", "ladies", "none", 6_980.0, 0, 24,
     "gift_buyer"),
    ("Star Marine", "Star Diver 300 m", "SM-3000", "diver", "date;rotating_bezel", 32_500.0,
     0, 24, "walk_in"),
    ("Metro", "Metro Everyday Automatic", "MT-1001", "everyday", "date", 4_280.0, 0, 24,
     "walk_in"),
    ("Metro", "Corporate Gift Set (10 watches)", "MT-GS10", "gift_set", "date", 39_800.0, 0,
     24, "corporate_gifting"),
    ("Harbour & Co.", "Harbour GMT Traveller", "HC-4610", "travel", "gmt;date", 56_200.0, 0,
     24, "collector"),
    ("Victoria Horology", "Victoria Moon Phase 39 mm", "VH-3902", "complication",
     "moon_phase;date", 98_500.0, 0, 36, "collector"),
    ("Jade Atelier", "Jade Year of the Horse Edition", "JA-2026", "dress", "none", 36_800.0,
     288, 24, "gift_buyer"),
    ("Star Marine", "Star Marine Chronograph", "SM-4402", "chronograph", "chronograph;date",
     27_900.0, 0, 24, "walk_in"),
)

# Kinds of customer the desk tells apart (more than the behaviour model's segments):
# tourists are walk-ins and gift buyers who live abroad.
KINDS = ("collector", "gift_buyer", "tourist", "corporate_gifting", "walk_in")
TOURIST_SHARE = 0.25      # of walk-ins and gift buyers

# Departments and the desk roles working in them.
DEPARTMENTS = ("sales", "after_sales", "marketing", "finance", "logistics", "compliance")
# staff.role of the timepiece world -> (desk role, department)
STAFF_ROLES = {
    "boutique_manager": ("boutique_manager", "sales"),
    "sales_associate": ("sales_assistant", "sales"),
    "clienteling_specialist": ("clienteling", "sales"),
    "after_sales": ("repair_staff", "after_sales"),
}
# Back-office desk users who are not front-line staff: (staff_id, name, desk role, department)
BACK_OFFICE = (
    ("D001", "Marketing Desk", "marketing", "marketing"),
    ("D002", "Finance Desk", "finance", "finance"),
    ("D003", "Logistics Desk", "logistics", "logistics"),
    ("D004", "Data Protection Officer", "dpo", "compliance"),
)
DESK_ROLES = ("sales_assistant", "clienteling", "boutique_manager", "repair_staff",
              "marketing", "finance", "logistics", "dpo")

# Largest discount (share of list price) each role may give without approval; a larger
# one needs a user whose limit covers it as approver. Limited editions are never
# discounted (company policy: they sell out at list price).
APPROVAL_LIMITS = {"sales_assistant": 0.05, "clienteling": 0.08, "boutique_manager": 0.12}
MAX_DISCOUNT = 0.12
VIP_EXTRA_DISCOUNT = 0.03     # a VIP may be offered this much more, within the limits
QUOTE_VALIDITY_DAYS = 14      # default validity of a quotation
MAX_VALIDITY_DAYS = 30

# Communication channels of the desk (a conversation is face to face in a boutique).
COMM_CHANNELS = ("conversation", "phone", "email", "letter", "visit", "message")
DIRECTIONS = ("inbound", "outbound")

# Important customer information: field -> (classification, what it holds).
# Classifications, least to most protected: general < personal < confidential < restricted.
CLASSIFICATIONS = ("general", "personal", "confidential", "restricted")
INFO_FIELDS = {
    "preferred_brands": ("general", "brands the customer likes, ';'-separated"),
    "complications": ("general", "complications of interest, ';'-separated"),
    "wrist_size_mm": ("general", "wrist circumference in mm (strap fitting)"),
    "birthday": ("personal", "birthday, MM-DD"),
    "anniversary": ("personal", "an important date to remember, MM-DD"),
    "gift_recipients": ("personal", "people the customer buys for"),
    "budget_hkd": ("confidential", "budget the customer stated, HKD"),
    "vip_note": ("restricted", "VIP clienteling note: only the home boutique reads it"),
}

# Promise kinds (what was promised) and how long such a promise normally runs (days).
PROMISE_KINDS = {"call_back": 3, "reserve_model": 7, "repair_ready": 21, "send_quotation": 2,
                 "deliver": 7, "other": 7}
# Satisfaction moved by a promise (behaviour model): kept on time, kept late, broken.
PROMISE_KEPT_GAIN = 0.03
PROMISE_LATE_HIT = 0.02
PROMISE_BROKEN_HIT = 0.08

# Complaints: the lifecycle and its service levels (calendar days from receipt).
COMPLAINT_STATES = ("received", "acknowledged", "investigated", "resolved", "closed")
COMPLAINT_CATEGORIES = ("repair_delay", "product_fault", "service_attitude", "billing",
                        "delivery", "privacy")
SEVERITIES = ("low", "medium", "high")
# severity -> (days to acknowledge, days to resolve)
SERVICE_LEVELS = {"low": (3, 14), "medium": (2, 10), "high": (1, 5)}
# Recovery actions: kind -> (typical cost HKD, how much it repairs the relationship 0..1)
RECOVERY_ACTIONS = {
    "apology": (0.0, 0.2),
    "free_service": (1_800.0, 0.6),
    "priority_repair": (500.0, 0.5),
    "voucher": (1_000.0, 0.4),
    "refund": (0.0, 0.7),
    "replacement": (0.0, 0.9),
    "goodwill_gift": (600.0, 0.3),
}
# Recovery a complaint of each severity needs for a full effect (sum of action weights).
RECOVERY_NEEDED = {"low": 0.2, "medium": 0.6, "high": 1.0}
# Perception lost by an unanswered complaint, per state left open at closing time.
COMPLAINT_PERCEPTION_HIT = 0.05

# Liaison: kind -> (department, fields the department is sent). Nothing else leaves the
# desk: no budget, no VIP notes, no HKID, no lifetime value (PDPO DPP1 and DPP3).
HANDOFF_KINDS = {
    "repair_ticket": ("after_sales", ("customer_id", "name_masked", "phone_masked",
                                      "serial_no", "model", "issue", "under_warranty",
                                      "promised_ready")),
    "delivery": ("logistics", ("customer_id", "name", "phone", "address", "order_id",
                               "model", "serial_no")),
    "invoice": ("finance", ("customer_id", "name", "company", "order_id", "model",
                            "price_hkd")),
    "event_invitation": ("marketing", ("customer_id", "name", "preferred_channel",
                                       "preferred_language", "preferred_brands")),
}
HANDOFF_STATES = ("sent", "accepted", "done")

# Repair kinds: (issue text, turnaround days, cost HKD out of warranty)
REPAIR_KINDS = (
    ("battery replacement", 1, 180.0),
    ("full service of the movement", 28, 3_800.0),
    ("crystal replacement", 10, 1_200.0),
    ("water-resistance test and seals", 5, 450.0),
    ("losing time: regulation", 7, 800.0),
    ("strap replacement", 3, 1_200.0),
)

# Value tiers from RFM score (sum of three 1-5 scores), best first.
TIERS = ("platinum", "gold", "silver", "bronze")
TIER_CUTS = (13, 10, 7)       # score >= 13 platinum, >= 10 gold, >= 7 silver, else bronze

# PDPO: how long records are kept (company policy under PDPO s.26 and DPP2(2)).
RETENTION_MONTHS = 84         # personal data of customers inactive for seven years
DAR_DAYS = 40                 # a data access request is answered within 40 days (s.19)
