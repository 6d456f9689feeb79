"""Fault injection: the failures a long-running monitor meets in the wild.

A spec is a comma-separated list of ``kind:probability[@parameter]``::

    429:0.05,500:0.02,502:0.01,503:0.02,html520:0.01,slow:0.05@3s,drop:0.01,truncate:0.01,drift:0.1

* an HTTP status (``429``, ``500``, ``502``, ``503``, ``504``…): the real error body for it
  (429 and 503 with ``Retry-After``);
* ``htmlNNN``: an HTML error page with status NNN, as a CDN in front of the API sends;
* ``slow@Ns``: wait N seconds (on the world's clock) before answering normally;
* ``drop``: close the connection without any response;
* ``truncate``: cut the JSON body in half (the ``Content-Length`` matches what is sent);
* ``drift``: schema drift — unknown fields, an unknown status, ``job_type: "FT"``, events
  without ``data``.

At most one fault is chosen per request, from a ``random.Random(seed)``, so a run is reproducible.
"""

from __future__ import annotations

import random

import attrs

__all__ = ["Fault", "FaultInjector", "FaultSpec", "FaultSpecError"]

_KINDS = ("slow", "drop", "truncate", "drift")


class FaultSpecError(ValueError):
    """A fault spec that does not parse; the message says which part and why."""


@attrs.frozen
class Fault:
    """One kind of fault and how often it strikes."""

    kind: str
    """``status``, ``html``, ``slow``, ``drop``, ``truncate`` or ``drift``."""
    probability: float
    status: int | None = None
    """For ``status`` and ``html`` faults."""
    delay: float = 0.0
    """For ``slow``: seconds to wait."""

    def __str__(self) -> str:
        if self.kind == "status":
            head = str(self.status)
        elif self.kind == "html":
            head = f"html{self.status}"
        else:
            head = self.kind
        tail = f"@{self.delay:g}s" if self.kind == "slow" else ""
        return f"{head}:{self.probability:g}{tail}"


@attrs.frozen
class FaultSpec:
    """A parsed fault spec; ``FaultSpec()`` injects nothing."""

    faults: tuple[Fault, ...] = ()

    def __bool__(self) -> bool:
        return any(f.probability > 0 for f in self.faults)

    def __str__(self) -> str:
        return ",".join(str(f) for f in self.faults)

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        """Parse ``"429:0.05,slow:0.1@2s,..."``; an empty string or ``None`` means no faults."""
        faults: list[Fault] = []
        for raw in (text or "").split(","):
            part = raw.strip()
            if not part:
                continue
            faults.append(_parse_one(part))
        total = sum(f.probability for f in faults)
        if total > 1.0 + 1e-9:
            raise FaultSpecError(f"fault probabilities add up to {total:g}, more than 1")
        return cls(tuple(faults))


def _parse_one(part: str) -> Fault:
    name, sep, rest = part.partition(":")
    if not sep:
        raise FaultSpecError(f"{part!r}: expected kind:probability, e.g. 500:0.02")
    prob_text, _, param = rest.partition("@")
    try:
        probability = float(prob_text)
    except ValueError:
        raise FaultSpecError(f"{part!r}: {prob_text!r} is not a probability") from None
    if not 0.0 <= probability <= 1.0:
        raise FaultSpecError(f"{part!r}: probability must be between 0 and 1")
    name = name.strip().lower()
    if name.isdigit():
        status = int(name)
        if not 400 <= status <= 599:
            raise FaultSpecError(f"{part!r}: status must be 4xx or 5xx")
        return Fault("status", probability, status=status)
    if name.startswith("html") and name[4:].isdigit():
        return Fault("html", probability, status=int(name[4:]))
    if name not in _KINDS:
        raise FaultSpecError(
            f"{part!r}: unknown fault {name!r} (use a status code, htmlNNN, {', '.join(_KINDS)})"
        )
    delay = 0.0
    if name == "slow":
        text = (param or "3s").strip().lower().removesuffix("s")
        try:
            delay = float(text)
        except ValueError:
            raise FaultSpecError(f"{part!r}: {param!r} is not a delay like 3s") from None
        if delay < 0:
            raise FaultSpecError(f"{part!r}: delay must not be negative")
    elif param:
        raise FaultSpecError(f"{part!r}: only slow takes a parameter")
    return Fault(name, probability, delay=delay)


class FaultInjector:
    """Draws the fault (if any) for each request from a seeded generator."""

    def __init__(self, spec: FaultSpec | str | None = None, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.spec = spec if isinstance(spec, FaultSpec) else FaultSpec.parse(spec)
        self.injected: dict[str, int] = {}
        """How many faults of each kind were injected (keys as in the spec, e.g. ``500``)."""

    def set_spec(self, spec: FaultSpec | str | None) -> None:
        """Change the faults at run time (``None`` or ``""`` turns them off)."""
        self.spec = spec if isinstance(spec, FaultSpec) else FaultSpec.parse(spec)

    def draw(self) -> Fault | None:
        """The fault for the next request, or ``None``."""
        if not self.spec:
            return None
        roll = self.rng.random()
        edge = 0.0
        for fault in self.spec.faults:
            edge += fault.probability
            if roll < edge:
                key = str(fault).partition(":")[0]
                self.injected[key] = self.injected.get(key, 0) + 1
                return fault
        return None

    def retry_after(self) -> int:
        """Seconds to announce in ``Retry-After`` for an injected 429/503."""
        return self.rng.randint(1, 5)
