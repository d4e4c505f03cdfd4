"""Where randomness starts: one SeedSequence per world, one named child per subsystem.

A subsystem's stream is derived from the world seed and the subsystem's *name*
(not from spawn order), so adding a subsystem never shifts another one's draws.
Nothing in the engine calls the global `random` or `np.random`.
"""

from __future__ import annotations

import zlib

import numpy as np


def _name_key(name: str) -> int:
    """A stable 32-bit key for a subsystem name (crc32 is identical on every machine)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of independent, reproducible random streams for one world."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self.root = np.random.SeedSequence(self.seed)

    def sequence(self, name: str) -> np.random.SeedSequence:
        """The child SeedSequence of subsystem `name` (e.g. "population.customers")."""
        return np.random.SeedSequence(self.seed, spawn_key=(_name_key(name),))

    def generator(self, name: str) -> np.random.Generator:
        """A fresh numpy Generator for subsystem `name`; same name, same draws."""
        return np.random.Generator(np.random.PCG64(self.sequence(name)))

    def int_seed(self, name: str) -> int:
        """A plain int seed for libraries that want one (Faker), derived from `name`."""
        return int(self.sequence(name).generate_state(1, dtype=np.uint32)[0])
