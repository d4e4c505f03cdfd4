"""A short description of a world: counts per segment, district, role, channel, month.

`summarise` returns plain data (a dict of dicts) so the CLI, notebooks and tests can
all present it their own way; `render_text` gives a readable plain-text version.
"""

from __future__ import annotations

from typing import Any

from crm_sim.world import World


def _counts(series) -> dict[str, int]:
    """Value → count, most frequent first (ties by value, for stable output)."""
    counts = series.value_counts()
    return {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))}


def summarise(world: World) -> dict[str, Any]:
    """Headline figures of a world, as plain JSON-able data."""
    customers, interactions = world.customers, world.interactions
    months = interactions["timestamp"].str.slice(0, 7)
    return {
        "scenario": world.scenario.to_dict(),
        "today": world.today,
        "tables": {name: len(df) for name, df in world.tables.items()},
        "customers": {
            "total": len(customers),
            "by_segment": _counts(customers["segment"]),
            "by_district": _counts(customers["district"]),
            "dm_consent": int(customers["dm_consent"].sum()),
            "with_hkid": int((customers["hkid"] != "").sum()),
            "lifetime_value_hkd": round(float(customers["lifetime_value"].sum()), 2),
        },
        "staff": {"total": len(world.staff), "by_role": _counts(world.staff["role"])},
        "outsourcers": world.outsourcers["agency"].tolist(),
        "products": {
            "total": len(world.products),
            "by_category": _counts(world.products["category"]),
        },
        "interactions": {
            "total": len(interactions),
            "by_channel": _counts(interactions["channel"]),
            "by_outcome": _counts(interactions["outcome"]),
            "by_month": {m: int(c) for m, c in sorted(months.value_counts().items())},
        },
    }


def render_text(summary: dict[str, Any]) -> str:
    """The summary as indented plain text (one block per heading)."""
    sc = summary["scenario"]
    lines = [
        f"World: {sc['industry']} · seed {sc['seed']} · {sc['n_customers']} customers · "
        f"today {summary['today']}"
    ]

    def block(title: str, mapping: dict[str, Any]) -> None:
        lines.append(f"{title}:")
        lines.extend(f"  {key:<28} {value}" for key, value in mapping.items())

    cust = summary["customers"]
    block("Customers per segment", cust["by_segment"])
    block("Customers per district", cust["by_district"])
    lines.append(f"Direct-marketing consent in force: {cust['dm_consent']} of {cust['total']}")
    block("Staff by role", summary["staff"]["by_role"])
    block("Products by category", summary["products"]["by_category"])
    block("Contacts by channel", summary["interactions"]["by_channel"])
    block("Contacts by outcome", summary["interactions"]["by_outcome"])
    block("Contacts by month", summary["interactions"]["by_month"])
    return "\n".join(lines)
