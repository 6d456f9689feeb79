"""``finetop watch --timeout SECONDS`` and the short ids in ``show`` and ``watch`` help."""

from __future__ import annotations

import pytest

from tests.unit.test_cli import run


@pytest.mark.parametrize("value", ["0", "-3", "abc", "nan", "inf"])
def test_a_timeout_must_be_seconds_above_zero(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["watch", "736b1be2", "--timeout", value], capsys)
    assert code == 2
    assert out == ""
    assert "argument --timeout: expected a number of seconds" in err


def test_help_tells_the_exit_statuses_and_short_ids(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["watch", "--help"], capsys)
    assert "--timeout SECONDS" in out
    assert "6 timed out" in out
    assert "unique start of it" in out
    _, out, _ = run(["show", "--help"], capsys)
    assert "unique start of it" in out
