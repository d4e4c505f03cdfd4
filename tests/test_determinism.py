"""Determinism: the same scenario gives byte-identical tables in separate processes."""

import hashlib
import json
import os
import subprocess
import sys

from crm_sim import Scenario, World

SCRIPT = """
import hashlib, json, sys
from crm_sim import Scenario, World
world = World.build(Scenario(seed={seed}, n_customers=300, industry="{industry}"))
tables = {{**world.tables, **world.hidden}}
print(json.dumps({{k: hashlib.sha256(v.to_csv(index=False).encode()).hexdigest()
                  for k, v in tables.items()}}))
"""


def hashes_in_subprocess(seed: int, industry: str) -> dict[str, str]:
    """Table hashes computed by a fresh `python -c` process (own hash seed, own imports)."""
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(seed=seed, industry=industry)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "random"},
    )
    return json.loads(out.stdout)


def local_hashes(world: World) -> dict[str, str]:
    """Table hashes computed in this process."""
    return {
        k: hashlib.sha256(v.to_csv(index=False).encode()).hexdigest()
        for k, v in {**world.tables, **world.hidden}.items()
    }


def test_two_processes_identical_tables():
    """Two separate processes build byte-identical tables, equal to this process's build too."""
    first = hashes_in_subprocess(123, "ict")
    second = hashes_in_subprocess(123, "ict")
    assert first == second
    assert local_hashes(World.build(Scenario(seed=123, n_customers=300))) == first
    assert set(first) == {
        "customers",
        "contacts",
        "staff",
        "outsourcers",
        "products",
        "interactions",
        "latent",
    }


def test_timepiece_identical_across_processes():
    """The timepiece industry is just as reproducible across processes."""
    assert hashes_in_subprocess(5, "timepiece") == local_hashes(
        World.build(Scenario(seed=5, n_customers=300, industry="timepiece"))
    )


def test_different_seed_different_world():
    """A different seed changes the customers and the history (not just one table)."""
    a = local_hashes(World.build(Scenario(seed=1, n_customers=300)))
    b = local_hashes(World.build(Scenario(seed=2, n_customers=300)))
    assert a["customers"] != b["customers"] and a["interactions"] != b["interactions"]
    assert a["products"] == b["products"]  # the catalogue involves no randomness
