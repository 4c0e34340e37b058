"""The monitor says what a probability means and how reliable past ones were, from its own backtest."""

from __future__ import annotations

import json
from importlib import resources

from policingplan.services.monitor import reliability


def _summary() -> dict:
    return json.loads(resources.files("policingplan.monitor").joinpath("reliability.json").read_text("utf-8"))


def test_the_record_quotes_the_backtests_figures():
    data, said = _summary(), reliability()
    assert said.likely_met == data["likely"]["share_met"] and said.likely_cases == data["likely"]["cases"]
    assert said.unlikely_met == data["unlikely"]["share_met"]
    assert f"{data['likely']['share_met']:.0%} of borough targets called likely were met" in said.record
    assert f"{data['unlikely']['share_met']:.0%} of those called unlikely" in said.record
    assert said.years[0] in said.record and said.years[-1] in said.record
    assert not set(said.years) & set(data["covid_years"])
    assert "chance" in said.meaning


def test_the_summary_is_consistent_with_itself():
    data = _summary()
    for name, group in data["groups"].items():
        assert sum(b["cases"] for b in group["bins"]) == group["cases"], name
        met = sum(b["share_met"] * b["cases"] for b in group["bins"] if b["cases"])
        assert met / group["cases"] == __import__("pytest").approx(group["share_met"]), name
    normal = data["groups"]["normal years"]
    likely_bin = normal["bins"][-1]
    assert likely_bin["lower"] == 0.8 and data["likely"]["cases"] >= likely_bin["cases"] - 5


def test_the_docs_carry_the_same_figures(project_root):
    data = _summary()
    text = (project_root / "docs" / "monitoring.md").read_text(encoding="utf-8")
    normal = data["groups"]["normal years"]
    assert f"| normal years | {normal['cases']:,} | {normal['share_met']:.0%} | {normal['brier']:.3f} |" in text
    assert f"of the {data['likely']['cases']:,} called likely (80% or more), {data['likely']['share_met']:.0%}" in text
    for b in normal["bins"]:
        assert f"| {b['lower']:.1f}–{b['upper']:.1f} | {b['cases']:,} | {b['mean_probability']:.2f} | {b['share_met']:.2f} |" in text
    assert (project_root / "docs" / "figures" / "reliability.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
