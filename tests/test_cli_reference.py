"""The command-line reference in docs/cli.md is generated from the commands; it must not drift."""

from __future__ import annotations

from policingplan.cli.reference import cli_reference


def test_the_committed_cli_reference_matches_the_commands(project_root):
    committed = (project_root / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == cli_reference(), (
        "docs/cli.md is out of date: regenerate it with "
        ".venv/bin/python -m policingplan.cli.reference > docs/cli.md"
    )


def test_every_command_is_documented_with_its_options(project_root):
    text = cli_reference()
    for command in ("validate", "show", "data check", "data load", "data status", "data totals", "measures",
                    "spc", "forecast", "targets allocate", "requirement", "partners", "monitor"):
        assert f"## `policingplan {command}`" in text, command
    assert "`--json`" in text and "--warehouse" in text


def test_readme_links_the_cli_reference(project_root):
    assert "docs/cli.md" in (project_root / "README.md").read_text(encoding="utf-8")
