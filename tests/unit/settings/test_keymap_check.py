"""The ``[keymap]`` check: unknown ids, bad key names and conflicts, each one warning, and the
keymap handed to Textual so that what the warning says is what happens."""

from __future__ import annotations

import pytest

from tui.app.actions import ACTIONS, check_user_keymap, key_problem
from tui.settings.keymap import BindingInfo, KeyRules, check_keymap

RULES = KeyRules(
    scopes=("inner", "outer"),
    contexts=("inside", "outside"),
    chains=((0, 1), (1,)),
    key_problem=lambda key: None if key.isalnum() else "not a letter",
    canonical=str.lower,
)
BINDINGS = (
    BindingInfo("down", ("j", "n"), "down", scope=0),
    BindingInfo("mark", ("m",), "mark", scope=0),
    BindingInfo("quit", ("q",), "quit", scope=1),
    BindingInfo("quit_hard", ("x",), "quit", scope=1, priority=True),
    BindingInfo("help", ("h",), "help", scope=1),
)


def test_a_clean_keymap_passes_unchanged() -> None:
    check = check_keymap({"help": "H,k"}, BINDINGS, RULES)
    assert check.warnings == ()
    assert dict(check.keymap) == {"help": "H,k"}


def test_unknown_id_is_ignored_with_a_suggestion() -> None:
    check = check_keymap({"hlep": "k"}, BINDINGS, RULES)
    assert check.warnings == ("keymap.hlep: unknown binding id (did you mean 'help'?); ignored",)
    assert dict(check.keymap) == {}


def test_known_but_absent_ids_are_not_mistakes() -> None:
    check = check_keymap({"cancel": "c"}, BINDINGS, RULES, known_ids=["cancel"])
    assert check.warnings == ()


def test_bad_key_names_are_dropped_and_all_bad_keeps_the_defaults() -> None:
    check = check_keymap({"help": "k,?!", "mark": "#"}, BINDINGS, RULES)
    assert dict(check.keymap) == {"help": "k"}
    assert check.warnings == (
        "keymap.help: '?!' is not a key (not a letter); ignored",
        "keymap.mark: '#' is not a key (not a letter); ignored",
        "keymap.mark: no usable key; it keeps m",
    )


def test_a_taken_key_moves_and_the_loser_keeps_its_others() -> None:
    # An outer action takes an inner default's key: the inner one gives it up explicitly.
    check = check_keymap({"help": "j"}, BINDINGS, RULES)
    assert dict(check.keymap) == {"help": "j", "down": "n"}
    assert check.warnings == (
        "keymap.help = 'j': takes j from down (your mapping wins); down keeps n",
    )


def test_taking_an_actions_only_key_says_which_key_it_keeps() -> None:
    check = check_keymap({"mark": "q"}, BINDINGS, RULES)
    # quit keeps x: the other binding of the same action.
    assert check.warnings == (
        "keymap.mark = 'q': takes q from quit (your mapping wins); quit keeps x",
    )


def test_an_inner_only_key_stays_where_it_is_more_specific() -> None:
    check = check_keymap({"help": "m"}, BINDINGS, RULES)
    assert check.warnings == (
        "keymap.help = 'm': m stays mark's key inside (its only key); help gets it outside",
    )


def test_a_priority_key_cannot_be_taken() -> None:
    check = check_keymap({"mark": "x"}, BINDINGS, RULES)
    assert check.warnings == (
        "keymap.mark = 'x': x stays quit_hard's key inside (its only key); "
        "mark never gets it: map it to another key",
    )


def test_two_mappings_on_one_key_name_the_one_that_runs() -> None:
    check = check_keymap({"help": "k", "mark": "k"}, BINDINGS, RULES)
    assert check.warnings == ("keymap.help and keymap.mark are both mapped to k; k runs mark",)


SIBLINGS = KeyRules(
    scopes=("list", "detail", "screen"),
    contexts=("in the list", "in the detail"),
    chains=((0, 2), (1, 2)),
    key_problem=RULES.key_problem,
    canonical=str.lower,
)
"""Two panes under one screen: their keys are never active together."""
PANES = (
    BindingInfo("list_down", ("j",), "list_down", scope=0),
    BindingInfo("detail_down", ("k",), "detail_down", scope=1),
    BindingInfo("refresh", ("r",), "refresh", scope=2),
)


def test_keys_of_sibling_scopes_never_conflict() -> None:
    check = check_keymap({"detail_down": "j"}, PANES, SIBLINGS)
    assert check.warnings == ()
    assert dict(check.keymap) == {"detail_down": "j"}


def test_a_shared_outer_key_is_lost_only_where_the_inner_one_is_active() -> None:
    check = check_keymap({"list_down": "r"}, PANES, SIBLINGS)
    assert check.warnings == (
        "keymap.list_down = 'r': takes r from refresh in the list (your mapping wins); "
        "refresh keeps it in the detail",
    )
    check = check_keymap({"refresh": "k"}, PANES, SIBLINGS)
    assert check.warnings == (
        "keymap.refresh = 'k': k stays detail_down's key in the detail (its only key); "
        "refresh gets it in the list",
    )


def test_every_scope_of_the_app_is_in_some_focus_context() -> None:
    for spec in ACTIONS:
        check = check_user_keymap({spec.id: "f12"}, read_only=False)
        assert check.warnings == (), spec.id


def test_warnings_name_the_file_that_set_the_mapping() -> None:
    origins = {"keymap.hlep": "file:/home/u/.config/finetop/config.toml [profiles.w]"}
    check = check_keymap({"hlep": "k"}, BINDINGS, RULES, origins=origins)
    assert check.warnings[0].startswith("/home/u/.config/finetop/config.toml [profiles.w]: ")


# ---------------------------------------------------------------- finetop's own keys


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("ctrl+r", None),
        ("f5", None),
        ("question_mark", None),
        ("?", None),
        ("G", None),
        ("pagedown", None),
        ("ctrl+shft+r", "unknown modifier 'shft'"),
        ("pgdn", "unknown key name"),
        ("f99", "unknown key name"),
        ("latin_small_letter_a", "unknown key name"),
    ],
)
def test_key_names_as_textual_knows_them(key: str, problem: str | None) -> None:
    found = key_problem(key)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)


def test_q_for_refresh_leaves_quit_on_ctrl_c() -> None:
    check = check_user_keymap({"refresh": "q"}, read_only=False)
    assert check.warnings == (
        "keymap.refresh = 'q': takes q from quit (your mapping wins); quit keeps ctrl+c",
    )


def test_each_problem_is_warned_once() -> None:
    check = check_user_keymap({"refresh": "q,pgdn,pgdn", "pause": "q"}, read_only=False)
    assert len(check.warnings) == len(set(check.warnings)) == 3


def test_read_only_knows_the_mutating_ids_without_binding_them() -> None:
    # cancel_job is not bound in read-only mode: "c" is free, mapping it is no mistake, and
    # its mapping is kept (the refusal's notice answers the user's key).
    check = check_user_keymap({"cancel_job": "x", "refresh": "c"}, read_only=True)
    assert check.warnings == ()
    assert dict(check.keymap) == {"cancel_job": "x", "refresh": "c"}


def test_every_default_key_is_a_valid_key_name() -> None:
    for spec in ACTIONS:
        for key in spec.keys.split(","):
            assert key_problem(key) is None, (spec.id, key)
    assert check_user_keymap({}, read_only=False).warnings == ()


def test_a_character_and_its_key_name_are_one_key() -> None:
    # "/" is the filter's "slash": a conflict, whichever spelling the user wrote.
    check = check_user_keymap({"help": "/"}, read_only=False)
    assert len(check.warnings) == 1
    assert "stays filter's key" in check.warnings[0]
