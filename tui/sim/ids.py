"""Identifiers the simulator hands out, all drawn from a seeded ``random.Random``.

Real ids are UUID4s; drawing their 122 random bits from the world's generator keeps every
workspace reproducible from its seed.
"""

from __future__ import annotations

import random
import string
import uuid

__all__ = ["hex8", "run_id", "uuid4"]


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID string whose random bits come from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def hex8(rng: random.Random) -> str:
    """Eight lowercase hex digits (workspace ids in fine-tuned model names)."""
    return f"{rng.getrandbits(32):08x}"


def run_id(rng: random.Random) -> str:
    """A W&B-style run id: eight lowercase letters and digits."""
    alphabet = string.ascii_lowercase + string.digits
    return "".join(rng.choice(alphabet) for _ in range(8))
