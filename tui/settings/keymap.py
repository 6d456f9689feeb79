"""Checking the user's ``[keymap]`` table against the bindings it remaps, before it is applied.

Three kinds of mistakes, each reported once as one line:

- an unknown binding id (with a "did you mean" when one is close): ignored;
- a key name the terminal UI does not know: that key is ignored (the binding keeps its default
  keys when none of the given keys is usable);
- a conflict: a key mapped to one action while another action holds it, in a scope where both
  are active (two actions on one key, or a key taken from an action that had only that key).

What wins a conflict: **the user's mapping**. The action that held the key by default gives it up
and keeps its other keys (``refresh = "q"``: ``q`` refreshes, quit keeps ``ctrl+c``); the
returned keymap says so explicitly, so the help, the footer and the palette show the truth. An
action whose only key is taken keeps it where it is more specific than the user's binding
(a job-list key stays a job-list key), and the warning says where each action now answers.
Between two of the user's own mappings on one key, the terminal UI's own order decides, and the
warning names the one that runs.

This module knows no terminal library: the UI layer describes its bindings (:class:`BindingInfo`)
and its key names (:class:`KeyRules`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType

import attrs

from tui.settings.schema import suggest

__all__ = ["BindingInfo", "KeyRules", "KeymapCheck", "check_keymap"]


@attrs.frozen
class BindingInfo:
    """One binding the keymap may remap."""

    id: str
    """The binding id (the key of the ``[keymap]`` table)."""
    keys: tuple[str, ...]
    """Its default keys."""
    action: str
    """What it does: bindings with the same action are one action to the user (two quit keys)."""
    scope: int
    """Where it is active: an index into :attr:`KeyRules.scopes`."""
    priority: bool = False
    """Checked before any non-priority binding, from the outermost scope in."""


@attrs.frozen
class KeyRules:
    """What the terminal UI knows about keys and where bindings live."""

    scopes: tuple[str, ...]
    """Scope names; :attr:`BindingInfo.scope` indexes this."""
    contexts: tuple[str, ...]
    """Where the focus can be, as warnings say it ("in the job list")."""
    chains: tuple[tuple[int, ...], ...]
    """For each context, the scopes active there, innermost first (the job list's own, the
    main screen's, the app's): scopes nest as a tree, so two contexts may share outer ones."""
    key_problem: Callable[[str], str | None]
    """Why a key name is not usable, or ``None`` when it is."""
    canonical: Callable[[str], str]
    """The form keys are compared in (``?`` and ``question_mark`` alike)."""


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@attrs.frozen
class KeymapCheck:
    """The outcome: the keymap to apply, and one line per problem."""

    keymap: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen)
    """Binding id -> comma-separated keys: the usable mappings, plus the default bindings that
    gave a key up to them (with the keys they keep)."""
    warnings: tuple[str, ...] = ()


@attrs.frozen
class _Holder:
    binding: BindingInfo
    mapped: bool
    """Set by the user (not a default)."""


def _active_in(binding: BindingInfo, rules: KeyRules) -> frozenset[int]:
    """The contexts in which a binding is active."""
    return frozenset(c for c, chain in enumerate(rules.chains) if binding.scope in chain)


def _winner(holders: Sequence[_Holder], context: int, rules: KeyRules) -> _Holder | None:
    """Who answers a key in ``context``: priority bindings first, from the outermost scope in,
    then the others from the innermost out; in one scope a user's mapping removes the default
    bindings of that key."""
    chain = rules.chains[context]
    by_depth: dict[int, list[_Holder]] = {}
    for holder in holders:
        if holder.binding.scope in chain:
            by_depth.setdefault(chain.index(holder.binding.scope), []).append(holder)
    for depth, scope_holders in by_depth.items():
        if any(h.mapped for h in scope_holders):
            by_depth[depth] = [h for h in scope_holders if h.mapped]
    for depth in sorted(by_depth, reverse=True):
        first = next((h for h in by_depth[depth] if h.binding.priority), None)
        if first is not None:
            return first
    for depth in sorted(by_depth):
        first = next((h for h in by_depth[depth] if not h.binding.priority), None)
        if first is not None:
            return first
    return None


class _Checker:
    def __init__(
        self, bindings: Sequence[BindingInfo], rules: KeyRules, origins: Mapping[str, str]
    ) -> None:
        self.bindings = {b.id: b for b in bindings}
        self.rules = rules
        self.origins = origins
        self.warnings: list[str] = []

    def warn(self, binding_id: str, text: str) -> None:
        origin = self.origins.get(f"keymap.{binding_id}", "")
        where = f"{origin.removeprefix('file:')}: " if origin.startswith("file:") else ""
        line = f"{where}keymap.{binding_id}{text}"
        if line not in self.warnings:
            self.warnings.append(line)

    def usable_keys(self, binding_id: str, keys: str, known: Iterable[str]) -> list[str] | None:
        """The usable keys of one mapping (``None``: unknown id, or no usable key)."""
        if binding_id not in known:
            self.warn(
                binding_id, f": unknown binding id{suggest(binding_id, sorted(known))}; ignored"
            )
            return None
        usable: list[str] = []
        for key in (k.strip() for k in keys.split(",")):
            problem = self.rules.key_problem(key) if key else "an empty key name"
            if problem is not None:
                self.warn(binding_id, f": {key!r} is not a key ({problem}); ignored")
            elif all(self.rules.canonical(key) != self.rules.canonical(k) for k in usable):
                usable.append(key)
        if not usable:
            binding = self.bindings.get(binding_id)
            kept = f"it keeps {', '.join(binding.keys)}" if binding else "ignored"
            self.warn(binding_id, f": no usable key; {kept}")
            return None
        return usable


def _describe(contexts: Iterable[int], rules: KeyRules) -> str:
    return " and ".join(rules.contexts[c] for c in sorted(contexts))


def check_keymap(
    keymap: Mapping[str, str],
    bindings: Sequence[BindingInfo],
    rules: KeyRules,
    *,
    known_ids: Iterable[str] = (),
    origins: Mapping[str, str] | None = None,
) -> KeymapCheck:
    """Check ``keymap`` (binding id -> comma-separated keys) against ``bindings``.

    ``known_ids`` are ids that exist but are not bound now (read-only mode's cancel and start):
    mapping them is not a mistake, and their mappings are kept (the refusal notice names their
    keys). ``origins`` (``Settings.provenance``) lets a warning name
    the file that set the mapping.
    """
    checker = _Checker(bindings, rules, origins or {})
    known = {*checker.bindings, *known_ids}
    mapped: dict[str, list[str]] = {}
    # Usable mappings of known ids that are not bound now: kept, with nothing to conflict.
    unbound: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        usable = checker.usable_keys(binding_id, keys, known)
        if usable is not None and binding_id in checker.bindings:
            mapped[binding_id] = usable
        elif usable is not None:
            unbound[binding_id] = ",".join(usable)

    canon = rules.canonical
    # Every binding's keys once the mappings apply, canonical form -> the spelling to hand on.
    keys_of: dict[str, dict[str, str]] = {
        b.id: {canon(k): k for k in (mapped.get(b.id) or b.keys)} for b in bindings
    }
    holders_of: dict[str, list[_Holder]] = {}
    for binding in bindings:
        for key in keys_of[binding.id]:
            holders_of.setdefault(key, []).append(_Holder(binding, binding.id in mapped))

    # Who claims each key before default bindings give keys up: what the warnings report.
    contenders = {key: list(holders) for key, holders in holders_of.items()}
    # A default binding gives up a key a mapping takes, when it has another one to keep.
    effective: dict[str, str] = {**unbound, **{i: ",".join(k) for i, k in mapped.items()}}
    for binding in bindings:
        if binding.id in mapped:
            continue
        own = keys_of[binding.id]
        taken = {
            k
            for k in own
            if any(h.mapped and h.binding.action != binding.action for h in holders_of[k])
        }
        if taken and len(taken) < len(own):
            for key in taken:
                del own[key]
                holders_of[key] = [h for h in holders_of[key] if h.binding is not binding]
            effective[binding.id] = ",".join(own.values())

    reported: set[tuple[str, str, str]] = set()
    for binding_id in mapped:
        mine = checker.bindings[binding_id]
        for key, spelled in keys_of[binding_id].items():
            for other in contenders[key]:
                theirs = other.binding
                first, second = sorted((binding_id, theirs.id))
                pair = (key, first, second)
                if theirs.action == mine.action or pair in reported:
                    continue
                reported.add(pair)
                shared = _active_in(mine, rules) & _active_in(theirs, rules)
                winners = {c: _winner(holders_of[key], c, rules) for c in shared}
                lost = {c for c, w in winners.items() if w is not None and w.binding is theirs}
                if other.mapped:
                    runs = {w.binding.id for w in winners.values() if w is not None}
                    checker.warn(
                        binding_id,
                        f" and keymap.{theirs.id} are both mapped to {spelled}; "
                        f"{spelled} runs {' or '.join(sorted(runs))}",
                    )
                elif all(w is None or w.binding not in (mine, theirs) for w in winners.values()):
                    continue  # another of the user's mappings has the key: warned as a pair
                elif not lost:
                    kept = _kept_keys(theirs, bindings, keys_of, holders_of)
                    # Scopes nest as a tree: the key may stay theirs where mine is not active.
                    beyond = _active_in(theirs, rules) - _active_in(mine, rules)
                    where = f" {_describe(shared, rules)}" if beyond and not kept else ""
                    if kept:
                        rest = f"{theirs.id} keeps {', '.join(kept)}"
                    elif beyond:
                        rest = f"{theirs.id} keeps it {_describe(beyond, rules)}"
                    else:
                        rest = f"{theirs.id} has no key left (the command palette still runs it)"
                    checker.warn(
                        binding_id,
                        f" = {spelled!r}: takes {spelled} from {theirs.id}{where} "
                        f"(your mapping wins); {rest}",
                    )
                else:
                    elsewhere = _active_in(mine, rules) - lost
                    gets = (
                        f"{binding_id} gets it {_describe(elsewhere, rules)}"
                        if elsewhere
                        else f"{binding_id} never gets it: map it to another key"
                    )
                    checker.warn(
                        binding_id,
                        f" = {spelled!r}: {spelled} stays {theirs.id}'s key "
                        f"{_describe(lost, rules)} (its only key); {gets}",
                    )
    return KeymapCheck(keymap=effective, warnings=tuple(checker.warnings))


def _kept_keys(
    binding: BindingInfo,
    bindings: Sequence[BindingInfo],
    keys_of: Mapping[str, Mapping[str, str]],
    holders_of: Mapping[str, Sequence[_Holder]],
) -> list[str]:
    """The keys an action still answers to once ``binding`` lost one: those of every binding
    with the same action that no mapping of another action takes."""
    kept: list[str] = []
    for other in bindings:
        if other.action != binding.action:
            continue
        for key, spelled in keys_of[other.id].items():
            taken = any(
                h.mapped and h.binding.action != binding.action for h in holders_of.get(key, ())
            )
            if not taken and spelled not in kept:
                kept.append(spelled)
    return kept
