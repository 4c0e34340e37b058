"""``policingplan monitor`` as people read it: the JSON carries the plan, the as-of month, the
roll-up, names beside the ids and the attribution; the tables fit the terminal's width without
breaking a word or a number (issue 12, items 4 and 5)."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.attribution import attribution, attribution_line
from policingplan.cli import app
from policingplan.formatting import fmt_int, fmt_pct
from policingplan.services.monitor import JSON_KEYS

runner = CliRunner()
WESTMINSTER = "E09000033"
#: The source kinds of the measures that the London 2023/24 example sets targets for.
TARGETED_KINDS = ["mps-borough-monthly", "mps-crime-dashboard", "mps-homicide-victims"]


def _json(example_dir: Path, warehouse: Path, *extra: str) -> dict:
    result = runner.invoke(app, ["monitor", str(example_dir), "--warehouse", str(warehouse), "--as-of", "2023-09",
                                 "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def everything(example_dir, example_warehouse) -> dict:
    return _json(example_dir, example_warehouse)


@pytest.fixture(scope="module")
def westminster(example_dir, example_warehouse) -> dict:
    return _json(example_dir, example_warehouse, "--unit", "westminster")


# --- JSON ---------------------------------------------------------------------------------------


def test_json_names_the_plan_and_the_as_of_month(everything):
    assert everything["plan"] == {"id": "london-2023-24", "name": "Illustrative Policing Plan for London 2023/24",
                                  "period": "2023/24", "version": "1.0", "illustrative": True}
    assert (everything["as_of"], everything["as_of_label"], everything["months_elapsed"]) == \
        ("2023-09", "September 2023", 6)
    assert everything["unit"] is None


def test_json_targets_keep_their_keys_and_carry_names_beside_the_ids(everything, example_plan):
    targets = everything["targets"]
    assert len(targets) == len(example_plan.targets)
    for target in targets:
        assert list(target)[:len(JSON_KEYS)] == list(JSON_KEYS)  # the keys consumers already read, first
        assert target["measure_name"] == example_plan.measure(target["measure"]).name
    by_key = {(t["measure"], t["unit"]): t for t in targets}
    assert by_key[("neighbourhood-crime", WESTMINSTER)]["unit_name"] == "Westminster"
    assert by_key[("neighbourhood-crime", "force")]["unit_name"] == "Metropolitan Police Service (illustrative)"
    assert by_key[("homicide-solved-rate", "force")]["status"] == "not_assessed"
    assert by_key[("neighbourhood-crime", "force")]["status"] == "unlikely"  # P(meet) 11%


def test_json_carries_the_force_roll_up_as_the_table_shows_it(everything, example_plan):
    rollup = everything["rollup"]
    assert (rollup["unit"], rollup["unit_name"]) == ("force", "Metropolitan Police Service (illustrative)")
    assert [p["id"] for p in rollup["priorities"]] == [p.id for p in example_plan.priorities]
    by_name = {p["name"]: p for p in rollup["priorities"]}
    knife = by_name["Tackle knife crime"]
    assert knife["status"] == "unlikely"
    assert knife["counts"] == {"unlikely": 2, "in_the_balance": 0, "likely": 0, "not_assessed": 0}
    assert knife["spc"] == "common_cause"
    assert [m["name"] for o in knife["objectives"] for m in o["measures"]] == \
        ["Knife crime offences", "Knife crime positive-outcome rate"]
    violence = by_name["Reduce and prevent violence"]
    assert violence["counts"] == {"unlikely": 1, "in_the_balance": 0, "likely": 0, "not_assessed": 1}
    trust = by_name["Increase trust and confidence in the police"]
    assert trust["status"] == "no_target" and not any(trust["counts"].values())  # the table's "– no target"
    homicide = by_name["Reduce and prevent violence"]["objectives"][1]
    assert (homicide["name"], homicide["status"]) == ("Bring those who kill to justice", "not_assessed")


def test_json_for_one_unit_carries_that_units_roll_up(westminster):
    assert westminster["unit"] == {"code": WESTMINSTER, "name": "Westminster"}
    assert {t["unit"] for t in westminster["targets"]} == {WESTMINSTER}
    assert {t["unit_name"] for t in westminster["targets"]} == {"Westminster"}
    assert (westminster["rollup"]["unit"], westminster["rollup"]["unit_name"]) == (WESTMINSTER, "Westminster")
    by_name = {p["name"]: p for p in westminster["rollup"]["priorities"]}
    # Westminster has no homicide target: its violence priority counts one target, not two.
    assert by_name["Reduce and prevent violence"]["counts"]["not_assessed"] == 0


def test_json_carries_the_attribution_of_the_sources_behind_the_figures(everything, westminster):
    assert everything["attribution"] == attribution(TARGETED_KINDS)
    assert everything["attribution"] and all("Metropolitan Police Service" in t for t in everything["attribution"])
    assert westminster["attribution"] == attribution(["mps-borough-monthly", "mps-crime-dashboard"])


# --- the tables at a terminal's width -----------------------------------------------------------


def _run(project_root: Path, warehouse: Path, columns: int | None, *extra: str) -> str:
    """The installed command, its output going to no terminal, with ``COLUMNS`` set as a terminal
    sets it (or not set at all)."""
    command = Path(sys.executable).parent / "policingplan"
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        environment["COLUMNS"] = str(columns)
    result = subprocess.run([str(command), "monitor", "examples/london-2023-24", "--as-of", "2023-09",
                             "--warehouse", str(warehouse), *extra],
                            cwd=project_root, capture_output=True, text=True, check=False, env=environment)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def render(project_root, example_warehouse):
    """``render(columns, *extra)``: the output, each run once for the module."""
    outputs: dict[tuple, str] = {}

    def rendered(columns: int | None, *extra: str) -> str:
        if (columns, *extra) not in outputs:
            outputs[(columns, *extra)] = _run(project_root, example_warehouse, columns, *extra)
        return outputs[(columns, *extra)]

    return rendered


def _kind(plan, measure: str) -> str:
    return str(getattr(plan.measure(measure).kind, "value", plan.measure(measure).kind))


def _figures(plan, targets: list[dict]) -> list[str]:
    """The figures each target's line or block shows, formatted as the table formats them."""
    figures = []
    for target in targets:
        show = fmt_pct if _kind(plan, target["measure"]) == "ratio" else fmt_int
        if target["target"] is not None:
            value = target["target"]
            if show is fmt_int:
                value = math.floor(value + 1e-9) if target["polarity"] == "lower" else math.ceil(value - 1e-9)
            figures.append(show(value))
        for key in ("year_to_date", "forecast_total"):
            if target[key] is not None:
                figures.append(show(target[key]))
        if target["interval_80"] is not None:
            low, high = target["interval_80"]
            figures.append(f"{show(low)}–{show(high)}")
    return figures


def _words(plan, targets: list[dict]) -> set[str]:
    """The words and numbers no line may split: measure, unit, priority and objective names, and figures."""
    texts = [plan.measure(t["measure"]).name for t in targets] + [u.name for u in plan.units]
    texts += [p.name for p in plan.priorities] + [o.name for p in plan.priorities for o in p.objectives]
    return {w.strip("(),;:") for text in texts for w in text.split()} | set(_figures(plan, targets))


TOKEN = re.compile(r"[^\s│┃┏┓┗┛┣┫┳┻╋━─┡┩╇└┘┴┬├┤┼]+")


def _broken(text: str, words: set[str]) -> list[tuple[str, str, str]]:
    """Words of ``words`` that the output shows cut in two: the head as the last of one line's
    tokens in a cell, the tail as a token on a later line, neither a whole word of the output."""
    tokens = {t.strip("(),;:") for t in TOKEN.findall(text)}
    found = []
    for word in words:
        if len(word) < 4:
            continue
        for cut in range(2, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            if head in tokens and tail in tokens and head not in words and tail not in words:
                found.append((word, head, tail))
    return found


@pytest.fixture(scope="module")
def force_targets(everything) -> list[dict]:
    return [t for t in everything["targets"] if t["unit"] == "force"]


@pytest.mark.parametrize("columns", [80, 160])
@pytest.mark.parametrize("unit", [None, "westminster"])
def test_no_line_is_wider_than_the_terminal_and_no_word_or_number_is_broken(
        render, example_plan, everything, westminster, columns, unit):
    extra = () if unit is None else ("--unit", unit)
    text = render(columns, *extra)
    lines = text.splitlines()
    assert [line for line in lines if len(line) > columns] == []
    targets = [t for t in (everything if unit is None else westminster)["targets"]
               if t["unit"] == ("force" if unit is None else WESTMINSTER)]
    words = _words(example_plan, targets)
    assert _broken(text, words) == []
    # Every figure is on the page whole, and every measure's name stands on one line.
    tokens = {t.strip("(),;:") for t in TOKEN.findall(text)}
    assert [f for f in _figures(example_plan, targets) if f not in tokens] == []
    assert [t["measure_name"] for t in targets if t["measure_name"] not in text] == []


def test_the_check_finds_the_breaks_of_a_table_folded_too_narrow(example_plan, force_targets):
    """The old table at 80 columns: the check above must see what the issue saw."""
    low, high = next(t for t in force_targets if t["measure"] == "violence-with-injury")["interval_80"]
    interval = f"{low:,.0f}–{high:,.0f}"  # cut after nine characters, as the old table cut it
    old = ("│ Neighbou │        ≤ │  116,909 │   240,326 │ ✗        │\n"
           "│ rhood    │  222,947 │          │ (222,566– │ unlikely │\n"
           "│ Violence │ ≤ 75,163 │   42,330 │    81,728 │ ✗        │\n"
           f"│ with     │          │          │ ({interval[:8]} │ unlikely │\n"
           f"│ injury   │          │          │ {interval[8:]:>9} │ (1%)     │\n")
    broken = {word for word, _, _ in _broken(old, _words(example_plan, force_targets))}
    assert {"Neighbourhood", interval} <= broken


def test_a_narrow_terminal_shows_each_target_as_a_block_and_a_wide_one_as_a_table(render):
    narrow = render(80)
    assert "Neighbourhood crime\n  Target " in narrow  # the name, then its label and value lines
    assert re.search(r"^\s+80% interval\s+\d{3},\d{3}–\d{3},\d{3}\s*$", narrow, re.M)
    wide = render(160)
    assert re.search(r"│ Neighbourhood crime +│ ≤ 222,947 │ +116,909 │ \d{3},\d{3} \(\d{3},\d{3}–\d{3},\d{3}\) │", wide)
    # Both are shorter than the 210 lines that the old layout ran to at 80 columns.
    assert len(narrow.splitlines()) < 160 and len(wide.splitlines()) < 100


def test_output_to_no_terminal_is_not_wrapped(render):
    result_stdout = render(None)
    assert ("Illustrative Policing Plan for London 2023/24: position at the end of September 2023 (6 of 12 months)\n"
            in result_stdout)
    assert "│   Fewer residential burglaries, personal robberies, thefts from the person and vehicle crimes │" in \
        result_stdout


@pytest.mark.parametrize("unit", [None, "westminster"])
def test_the_attribution_line_follows_the_tables(render, unit):
    extra = () if unit is None else ("--unit", unit)
    lines = render(160, *extra).splitlines()
    kinds = TARGETED_KINDS if unit is None else TARGETED_KINDS[:2]
    assert lines[-1] == attribution_line(kinds)
    last_table_line = max(i for i, line in enumerate(lines) if line.startswith("└"))
    assert last_table_line < len(lines) - 1


def test_the_docs_show_the_real_output_at_80_columns(render, project_root):
    text = (project_root / "docs" / "monitoring.md").read_text(encoding="utf-8")
    shown = "\n".join(line.rstrip() for line in render(80, "--unit", "westminster").splitlines())
    assert f"```\n{shown}\n```" in text


def test_the_docs_list_the_added_json_keys(project_root, everything):
    text = (project_root / "docs" / "monitoring.md").read_text(encoding="utf-8")
    documented = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    assert set(everything["targets"][0]) <= documented
    assert all(f"`{key}`" in text for key in everything)
