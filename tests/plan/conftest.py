"""A small valid plan folder, written afresh for each test, and helpers to break it."""

from __future__ import annotations

from pathlib import Path

import pytest

MINI_PLAN = """\
id: mini
name: Mini plan
organisation: Test Police
period: 2007/08
priorities:
  - id: safer
    name: Safer neighbourhoods
    objectives:
      - id: less-crime
        name: Less crime
        measures: [crime, detections]
measures:
  - id: crime
    name: Crime
    kind: count
    polarity: lower
    unit_of_count: offences
    cpa: true
  - id: detections
    name: Detection rate
    kind: ratio
    polarity: higher
    unit_of_count: per cent of offences
targets:
  - measure: crime
    scope: force
    period: 2007/08
    kind: range
    baseline_period: 2006/07
    minimum: -0.06
    maximum: -0.05
narrative:
  - id: intro
    title: Introduction
    file: narrative/intro.md
    priority: safer
"""

MINI_UNITS = """\
code,name,kind,population,peer_group,partner
U1,North,borough,1000,Inner,North CDRP
U2,South,borough,2000,Outer,South CDRP
"""

MINI_UNIT_TARGETS = """\
measure,scope,period,kind,baseline_period,baseline,value,rationale
crime,U1,2007/08,change,2006/07,500,-0.055,Uniform share
crime,U2,2007/08,change,2006/07,800,-0.055,Uniform share
"""

MINI_PARTNER_TARGETS = """\
unit,measure,agreement,baseline_period,period,change,illustrative
U1,crime,LAA,2006/07,2007/08,-0.08,true
"""


@pytest.fixture
def mini_plan(tmp_path: Path) -> Path:
    folder = tmp_path / "mini"
    (folder / "narrative").mkdir(parents=True)
    (folder / "plan.yaml").write_text(MINI_PLAN, encoding="utf-8")
    (folder / "units.csv").write_text(MINI_UNITS, encoding="utf-8")
    (folder / "unit_targets.csv").write_text(MINI_UNIT_TARGETS, encoding="utf-8")
    (folder / "partner_targets.csv").write_text(MINI_PARTNER_TARGETS, encoding="utf-8")
    (folder / "narrative" / "intro.md").write_text("# Introduction\n\nA small plan.\n", encoding="utf-8")
    return folder


def edit(file: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur exactly once) with ``new`` in ``file``."""
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file.name}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def line_of(file: Path, text: str) -> int:
    """The 1-based line of the only line of ``file`` that contains ``text``."""
    lines = [i for i, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    assert len(lines) == 1, f"{text!r} is on lines {lines} of {file.name}"
    return lines[0]
