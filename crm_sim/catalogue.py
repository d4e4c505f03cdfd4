"""Domain data of the two industries: segment profiles, staff roles and products.

Plain data, no logic, so an instructor can read and tune it in one place. Figures are
plausible illustrations for a Hong Kong ICT provider and a Hong Kong watch retailer,
not measurements; see docs/behaviour-model.md for how they feed the model.
"""

from __future__ import annotations

# Per segment: business account or person; share who would have an HKID on file;
# share who ever gave direct-marketing consent; outbound contacts per month; monthly
# spend in HKD; share using an English given name; stated channel preferences (CHANNELS
# order) and the true channel affinity; language weights (LANGUAGES order); mean tenure.
SEGMENT_PROFILES: dict[str, dict] = {
    # ICT provider (units ITCSCR304A/410A/512A/516A)
    "corporate": dict(
        business=True,
        hkid=0.0,
        consent=0.75,
        contact_rate=1.0,
        spend=18_000.0,
        english=0.85,
        stated=(0.30, 0.25, 0.35, 0.05, 0.05),
        affinity=(0.40, 0.20, 0.30, 0.05, 0.05),
        language=(0.45, 0.45, 0.10),
        tenure=60.0,
    ),
    "sme": dict(
        business=True,
        hkid=0.0,
        consent=0.65,
        contact_rate=0.6,
        spend=2_800.0,
        english=0.7,
        stated=(0.15, 0.40, 0.25, 0.15, 0.05),
        affinity=(0.20, 0.35, 0.20, 0.20, 0.05),
        language=(0.70, 0.20, 0.10),
        tenure=42.0,
    ),
    "individual": dict(
        business=False,
        hkid=0.85,
        consent=0.55,
        contact_rate=0.25,
        spend=260.0,
        english=0.55,
        stated=(0.05, 0.35, 0.25, 0.30, 0.05),
        affinity=(0.03, 0.25, 0.22, 0.45, 0.05),
        language=(0.80, 0.10, 0.10),
        tenure=36.0,
    ),
    # Watch retailer (unit 104917L3): HKID kept for warranty registration of larger buys.
    "collector": dict(
        business=False,
        hkid=0.70,
        consent=0.80,
        contact_rate=0.5,
        spend=6_500.0,
        english=0.6,
        stated=(0.45, 0.25, 0.15, 0.15, 0.00),
        affinity=(0.55, 0.20, 0.10, 0.15, 0.00),
        language=(0.60, 0.25, 0.15),
        tenure=54.0,
    ),
    "gift_buyer": dict(
        business=False,
        hkid=0.30,
        consent=0.50,
        contact_rate=0.15,
        spend=900.0,
        english=0.55,
        stated=(0.20, 0.20, 0.30, 0.25, 0.05),
        affinity=(0.15, 0.20, 0.25, 0.35, 0.05),
        language=(0.70, 0.15, 0.15),
        tenure=30.0,
    ),
    "walk_in": dict(
        business=False,
        hkid=0.10,
        consent=0.35,
        contact_rate=0.08,
        spend=300.0,
        english=0.5,
        stated=(0.40, 0.15, 0.20, 0.25, 0.00),
        affinity=(0.40, 0.10, 0.20, 0.30, 0.00),
        language=(0.65, 0.10, 0.25),
        tenure=20.0,
    ),
    "corporate_gifting": dict(
        business=True,
        hkid=0.0,
        consent=0.70,
        contact_rate=0.6,
        spend=4_200.0,
        english=0.8,
        stated=(0.30, 0.30, 0.35, 0.05, 0.00),
        affinity=(0.35, 0.30, 0.30, 0.05, 0.00),
        language=(0.50, 0.40, 0.10),
        tenure=48.0,
    ),
}

# Staff roles per industry: (role, team, share of headcount, segments served, service role?)
ROLES: dict[str, tuple[tuple[str, str, float, tuple[str, ...], bool], ...]] = {
    "ict": (
        ("account_manager", "corporate", 0.20, ("corporate",), False),
        ("sales_executive", "sme", 0.30, ("sme",), False),
        ("telesales", "consumer", 0.30, ("individual",), False),
        ("customer_service", "service", 0.20, ("corporate", "sme", "individual"), True),
    ),
    "timepiece": (
        ("boutique_manager", "boutique", 0.10, ("collector", "corporate_gifting"), False),
        ("sales_associate", "boutique", 0.50, ("gift_buyer", "walk_in"), False),
        ("clienteling_specialist", "vip", 0.20, ("collector", "corporate_gifting"), False),
        (
            "after_sales",
            "service",
            0.20,
            ("collector", "gift_buyer", "walk_in", "corporate_gifting"),
            True,
        ),
    ),
}

# Segments whose routine phone calls may go to an outsourced call centre.
OUTSOURCED_SEGMENTS = ("individual", "gift_buyer", "walk_in")

# Product catalogue: (name, category, price HKD, segment it suits best). Fictional brands.
CATALOGUE: dict[str, tuple[tuple[str, str, float, str], ...]] = {
    "ict": (
        ("Enterprise Fibre 10G (monthly)", "broadband", 12_800.0, "corporate"),
        ("Business Fibre 1000M (monthly)", "broadband", 988.0, "sme"),
        ("Home Fibre 1000M (monthly)", "broadband", 198.0, "individual"),
        ("5G Unlimited Plan (monthly)", "mobile_plan", 328.0, "individual"),
        ("5G Business Fleet, 10 lines (monthly)", "mobile_plan", 2_480.0, "sme"),
        ("Corporate Mobile Fleet, 100 lines (monthly)", "mobile_plan", 19_800.0, "corporate"),
        ("Cloud Backup 1 TB (monthly)", "cloud", 388.0, "sme"),
        ("Private Cloud Hosting (monthly)", "cloud", 28_000.0, "corporate"),
        ("Managed Firewall (monthly)", "security", 3_600.0, "sme"),
        ("Security Operations Centre (monthly)", "security", 45_000.0, "corporate"),
        ("Home Wi-Fi Mesh Router", "hardware", 1_280.0, "individual"),
        ("Smartphone Trade-in Upgrade", "hardware", 6_998.0, "individual"),
        ("Office Network Installation", "managed_service", 38_000.0, "sme"),
        ("IT Helpdesk Outsourcing (monthly)", "managed_service", 15_000.0, "corporate"),
        ("Streaming TV Pack (monthly)", "entertainment", 148.0, "individual"),
        ("Cyber Insurance Add-on (monthly)", "security", 480.0, "sme"),
    ),
    "timepiece": (
        ("Harbour Chronograph 42 mm", "watch", 48_800.0, "collector"),
        ("Victoria Perpetual Calendar", "watch", 268_000.0, "collector"),
        ("Peak Tourbillon Limited Edition", "watch", 880_000.0, "collector"),
        ("Jade Dress Watch 36 mm", "watch", 18_600.0, "gift_buyer"),
        ("Pearl Ladies' Quartz", "watch", 6_980.0, "gift_buyer"),
        ("Star Diver 300 m", "watch", 32_500.0, "walk_in"),
        ("Metro Everyday Automatic", "watch", 4_280.0, "walk_in"),
        ("Corporate Gift Set (10 watches)", "watch", 39_800.0, "corporate_gifting"),
        ("Engraving Service", "service", 380.0, "gift_buyer"),
        ("Full Service (automatic movement)", "servicing", 3_800.0, "collector"),
        ("Battery Replacement", "servicing", 180.0, "walk_in"),
        ("Water-resistance Test", "servicing", 220.0, "walk_in"),
        ("Leather Strap Replacement", "accessory", 1_200.0, "gift_buyer"),
        ("Watch Winder", "accessory", 5_600.0, "collector"),
        ("Extended Warranty (2 years)", "warranty", 1_800.0, "collector"),
        ("Branded Gift Packaging (per 50)", "accessory", 2_500.0, "corporate_gifting"),
    ),
}

# Free e-mail domains common in Hong Kong (for individual customers).
EMAIL_DOMAINS = (
    "gmail.com",
    "yahoo.com.hk",
    "netvigator.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
)
