"""``-h`` gives help everywhere, and every command's help ends with an example that names a
real command and real options (issue 12); the README and the docs pages show real commands."""

from __future__ import annotations

import re
import shlex

import pytest
import typer.main
from typer.testing import CliRunner

from policingplan.cli import EXAMPLES, app

runner = CliRunner()


def commands(command=None, path=()):
    """Every command of the tree, groups included, with its path of names."""
    command = command or typer.main.get_command(app)
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        if not getattr(sub, "hidden", False):
            yield from commands(sub, path + (name,))


ALL = list(commands())


def resolve(words: list[str]):
    """The command that a command line names, and the words left for it."""
    command, rest = typer.main.get_command(app), list(words)
    while rest and getattr(command, "commands", None) and rest not in (["-h"], ["--help"]):
        # The group parses its own words, as it does when run (``targets PLAN_DIR`` is ``targets plan PLAN_DIR``).
        ctx = command.make_context(command.name, list(rest), resilient_parsing=True)
        remaining = [*ctx._protected_args, *ctx.args]
        if not remaining or remaining[0] not in command.commands:
            break
        command, rest = command.commands[remaining[0]], remaining[1:]
    return command, rest


def check_command_line(line: str) -> None:
    """The line names a real command, and its options parse (nothing is run)."""
    words = shlex.split(line)
    assert words[0].endswith("policingplan"), line
    command, rest = resolve(words[1:])
    if rest in (["-h"], ["--help"]):
        return
    if getattr(command, "commands", None) and not getattr(command, "invoke_without_command", False):
        assert not rest, f"{line}: {rest[0]!r} is not a command of {command.name}"
        return
    options = {opt for param in command.params for opt in getattr(param, "opts", []) if opt.startswith("-")}
    options |= {"-h", "--help"}
    for word in rest:
        if word.startswith("-") and not re.fullmatch(r"-?\d[\d.,%]*", word):
            assert word.split("=")[0] in options, f"{line}: no option {word}"
    if "-h" not in rest and "--help" not in rest:
        command.make_context(command.name, list(rest), resilient_parsing=True)


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=lambda p: " ".join(p) or "policingplan")
def test_dash_h_gives_help_ending_with_an_example(path):
    result = runner.invoke(app, [*path, "-h"])
    assert result.exit_code == 0, result.output
    ending = " ".join(result.stdout[result.stdout.rindex("Example:"):].split())  # wrapped to the width
    assert ending == f"Example: {EXAMPLES[' '.join(path)]}"


def test_every_command_has_an_example_and_every_example_a_command():
    paths = {" ".join(p) for p, _ in ALL}
    assert set(EXAMPLES) == paths
    for example in EXAMPLES.values():
        check_command_line(example)


def test_the_check_catches_an_unknown_command_and_option():
    with pytest.raises(AssertionError):
        check_command_line("policingplan data lod --plan x")
    with pytest.raises(AssertionError):
        check_command_line("policingplan measures examples/london-2023-24 --mesure burglary")


@pytest.mark.parametrize("page", ["README.md", "docs/cli.md", "docs/warehouse.md", "docs/statistics.md",
                                  "docs/methods.md"])
def test_every_command_line_in_the_readme_and_docs_is_real(project_root, page):
    text = (project_root / page).read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if re.match(r"(\.venv/bin/)?policingplan( |$)", line) and "[" not in line and "{" not in line:
                lines.append(line)
    assert lines or page != "README.md"
    for line in lines:
        check_command_line(line)
