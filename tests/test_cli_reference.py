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



def command_path(words: list[str]) -> list[str]:
    """The names of the command a command line runs, as its groups parse it."""
    import typer.main

    from policingplan.cli import app

    command, rest, path = typer.main.get_command(app), list(words), []
    while rest and getattr(command, "commands", None):
        ctx = command.make_context(command.name, list(rest), resilient_parsing=True)
        remaining = [*ctx._protected_args, *ctx.args]
        if not remaining or remaining[0] not in command.commands:
            break
        path.append(remaining[0])
        command, rest = command.commands[remaining[0]], remaining[1:]
    return path


def test_every_command_the_readme_shows_has_its_section_in_the_reference(project_root):
    """The README's ``targets PLAN_DIR`` (a group that runs ``targets plan``) is documented (issue 12)."""
    import re
    import shlex

    reference = cli_reference()
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    lines = [line.split("  #")[0].strip() for line in readme.splitlines()
             if re.match(r"\.venv/bin/policingplan \w", line.strip())]
    assert any(" targets examples/" in line for line in lines)
    for line in lines:
        path = command_path(shlex.split(line)[1:])
        assert f"## `policingplan {' '.join(path)}`" in reference, line
    assert "## `policingplan targets`" in reference and "targets PLAN_DIR" in reference
