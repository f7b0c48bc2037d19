"""The command line is wired: every subcommand is registered and `--help` works."""

import pytest

from steerbound.cli import build_parser, main


def test_all_subcommands_registered() -> None:
    parser = build_parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    assert actions, "no subcommands registered"
    choices = set(actions[0].choices or {})
    assert {"theory", "simulate", "empirical", "demo"} <= choices


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: steerbound" in capsys.readouterr().out
