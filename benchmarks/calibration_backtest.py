"""How reliable the monitor's probabilities have been: every target, every year, every as-of month.

Run from the project's root:

    .venv/bin/python benchmarks/calibration_backtest.py [--json FILE] [--chart FILE.svg] [--csv]

It replays the London 2023/24 example's logic on earlier and later years:

- the MPS borough file, 2014/15 to 2022/23: neighbourhood crime and violence
  with injury, each year's corporate reduction (the example's 5% and 3%)
  shared among the 32 boroughs by the example's stretch allocation on the year
  before;
- the MPS crime dashboard, 2023/24 and 2024/25 (years the forecast's
  constants were never tuned on): knife crime offences (the example's 5%).

The monitor itself (:func:`policingplan.monitor.monitor_targets`, the code
behind ``policingplan monitor``) stands at every as-of month from April to
February, on the data up to that month only, and gives each borough's P(meet),
the 80% interval of its year-end forecast and, for each measure, the number
of boroughs expected to meet their targets with its 80% interval.  Each is
scored against the year's outturn.  The COVID years (2019/20, whose year end
met the first lockdown, 2020/21 and 2021/22) are reported on rows of their
own and left out of the aims (docs/monitoring.md#calibration).

It prints Markdown tables; ``--json`` writes the summary that the monitor's
plain sentence about reliability quotes (src/policingplan/monitor/reliability.json),
``--chart`` the reliability diagram (docs/figures/reliability.svg).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from policingplan.data.files import plan_data_files
from policingplan.data.measures import measure_values
from policingplan.data.warehouse import Warehouse
from policingplan.monitor import monitor_targets
from policingplan.periods import FinancialYear
from policingplan.plan.io import load_plan
from policingplan.plan.model import Plan, Target
from policingplan.settings import PROJECT_ROOT, data_dir
from policingplan.periods import Month
from policingplan.stats.calibration import brier_parts, count_meeting, coverage, reliability_table
from policingplan.stats.forecast import forecast_together, forecast_year_end
from policingplan.targets.allocation import UnitInput, allocate_unit_targets

EXAMPLE = PROJECT_ROOT / "examples" / "london-2023-24"
AS_OF_MONTHS = tuple(range(1, 12))  # April to February
COVID_YEARS = ("2019/20", "2020/21", "2021/22")
#: (source kind, measures, years) replayed.
SETUPS = (
    ("mps-borough-monthly", ("neighbourhood-crime", "violence-with-injury"),
     tuple(str(FinancialYear.of(start)) for start in range(2014, 2023))),
    ("mps-crime-dashboard", ("knife-crime-offences",), ("2023/24", "2024/25")),
)


def _example_settings():
    spec = importlib.util.spec_from_file_location("make_unit_targets", EXAMPLE / "make_unit_targets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _year_totals(rows: list[dict], measure: str) -> dict[tuple[str, str], float]:
    """Financial-year totals by (unit, year), for years with all twelve months."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    months: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row["measure"] != measure or row["period_kind"] != "month" or row["numerator"] is None:
            continue
        key = (row["unit"], str(FinancialYear.containing(row["month"])))
        totals[key] += row["numerator"]
        months[key] += 1
    return {key: value for key, value in totals.items() if months[key] == 12}


def _unit_targets(example: Plan, settings, totals, measure: str, year: str, reduction: float) -> list[Target]:
    baseline_year = str(FinancialYear(year) - 1)
    units = [UnitInput(unit=u.code, baseline=totals[(u.code, baseline_year)], population=u.population,
                       peer_group=u.peer_group, min_reduction=settings.MIN_REDUCTION,
                       max_reduction=settings.MAX_REDUCTION) for u in example.units]
    allocation = allocate_unit_targets(units, reduction, method="stretch")
    return [Target(measure=measure, scope=a.unit, period=year, kind="change", baseline_period=baseline_year,
                   baseline=a.baseline, value=a.target / a.baseline - 1) for a in allocation.units]


def _rows(example: Plan, source: str, measures: tuple[str, ...]) -> list[dict]:
    files = [path for _, _, path in plan_data_files(example, data_dir(), source)]
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Warehouse(folder)
        report = warehouse.load_files([(source, f) for f in files])
        if not report.ok:
            raise SystemExit(f"could not load {files}: {report.problems}")
        rows = []
        for measure in measures:
            rows += measure_values(example, warehouse, measure_id=measure).to_pylist()
    return rows


def _histories(rows: list[dict], measure: str) -> dict[str, dict[str, float]]:
    by_unit: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        if row["measure"] == measure and row["period_kind"] == "month" and row["numerator"] is not None:
            by_unit[row["unit"]][row["month"]] = row["numerator"]
    return by_unit


def _joint(histories, units, year: str, as_of: Month, force_target: float):
    """The units forecast together (rho, and the force's total as their sum), on data up to ``as_of``."""
    cut = {u: {m: v for m, v in histories[u].items() if Month(m) <= as_of} for u in [*units, "force"]}
    rest = {m: v - sum(cut[u].get(m) or 0 for u in units) for m, v in cut["force"].items()}
    joint = forecast_together({u: cut[u] for u in units}, year, as_of, rest=rest, total_target=force_target)
    own = forecast_year_end(cut["force"], year, as_of, target=force_target)
    return joint, own


def run(progress=None) -> tuple[list[dict], list[dict], list[dict]]:
    """Every scored borough target, every scored count of boroughs meeting theirs, and the force's target
    (its own forecast against the sum of its units')."""
    example = load_plan(EXAMPLE)
    settings = _example_settings()
    reductions = {t.measure: -t.value for t in example.targets if t.scope == "force" and t.kind == "change"}
    units = [u.code for u in example.units]
    cases, counts, forces = [], [], []
    for source, measures, years in SETUPS:
        rows = _rows(example, source, measures)
        for measure in measures:
            totals = _year_totals(rows, measure)
            histories = _histories(rows, measure)
            for year in years:
                targets = _unit_targets(example, settings, totals, measure, year, reductions[measure])
                plan = example.model_copy(update={"period": year, "targets": targets, "partner_targets": []})
                first = FinancialYear(year).first_month
                force_target = totals[("force", str(FinancialYear(year) - 1))] * (1 - reductions[measure])
                force_outturn = totals[("force", year)]
                for k in AS_OF_MONTHS:
                    joint, own = _joint(histories, units, year, first + (k - 1), force_target)
                    for method, forecast in (("own", own), ("sum of units", joint.total)):
                        forces.append({"measure": measure, "year": year, "as_of_month": k, "method": method,
                                       "p_meet": forecast.p_meet_target, "met": int(force_outturn <= force_target),
                                       "forecast": forecast.forecast_total, "low_80": forecast.interval_80[0],
                                       "high_80": forecast.interval_80[1], "low_95": forecast.interval_95[0],
                                       "high_95": forecast.interval_95[1], "outturn": force_outturn,
                                       "rho": joint.rho})
                    positions = monitor_targets(plan, rows, first + (k - 1))
                    scored = []
                    for position in positions:
                        outturn = totals[(position.unit, year)]
                        met = int(outturn <= position.target + 1e-6)
                        low, high = position.interval_80 or (None, None)
                        low95, high95 = position.interval_95 or (None, None)
                        cases.append({
                            "source": source, "measure": measure, "year": year, "as_of_month": k,
                            "unit": position.unit, "p_meet": position.p_meet_target, "met": met,
                            "run_rate_verdict": float(position.year_to_date * 12 / k <= position.target + 1e-6),
                            "forecast": position.forecast_total, "low_80": low, "high_80": high,
                            "low_95": low95, "high_95": high95, "outturn": outturn, "ytd": position.year_to_date,
                        })
                        if position.p_meet_target is not None:
                            scored.append((position.p_meet_target, met))
                    if scored:
                        counts.append(_count_case(measure, year, k, scored, rho=joint.rho))
                        independent = _count_case(measure, year, k, scored, rho=0.0)
                        counts[-1]["inside_independent"] = independent["inside"]
                if progress:
                    progress(f"{measure} {year}")
    return cases, counts, forces


def _count_case(measure, year, k, scored, rho) -> dict:
    count = count_meeting([p for p, _ in scored], rho)
    low, high = count.interval(0.8)
    met = sum(m for _, m in scored)
    return {"measure": measure, "year": year, "as_of_month": k, "units": len(scored), "expected": count.expected,
            "low_80": low, "high_80": high, "met": met, "rho": rho, "inside": int(low <= met <= high)}


def _period(year: str) -> str:
    return "COVID years" if year in COVID_YEARS else "normal years"


def _coverage(group: list[dict], level: str) -> float | None:
    usable = [c for c in group if c[f"low_{level}"] is not None]
    if not usable:
        return None
    return coverage([c[f"low_{level}"] for c in usable], [c[f"high_{level}"] for c in usable],
                    [c["outturn"] for c in usable])


def _error_ratio(group: list[dict]) -> float | None:
    """Mean absolute error of the forecast over that of the naive run rate (year to date × 12 ÷ months)."""
    usable = [c for c in group if c["forecast"] is not None and c["ytd"] is not None and c["as_of_month"] < 12]
    if not usable:
        return None
    forecast = sum(abs(c["forecast"] - c["outturn"]) for c in usable)
    naive = sum(abs(c["ytd"] * 12 / c["as_of_month"] - c["outturn"]) for c in usable)
    return forecast / naive if naive else None


#: The normal years that no constant of the forecast was tuned on (docs/methods.md).
HELD_OUT_YEARS = ("2018/19", "2022/23", "2023/24", "2024/25")


def summary(cases: list[dict], counts: list[dict], forces: list[dict]) -> dict:
    """The figures the docs and the monitor's sentence quote: by period, and by year."""
    scored = [c for c in cases if c["p_meet"] is not None]
    out = {"as_of_months": list(AS_OF_MONTHS), "covid_years": list(COVID_YEARS), "groups": {}, "force": {}}
    groups = {"normal years": [c for c in scored if _period(c["year"]) == "normal years"],
              "COVID years": [c for c in scored if _period(c["year"]) == "COVID years"],
              "all years": scored,
              "held-out normal years": [c for c in scored if c["year"] in HELD_OUT_YEARS]}
    groups.update({year: [c for c in scored if c["year"] == year] for year in sorted({c["year"] for c in scored})})
    for name, group in groups.items():
        if not group:
            continue
        p, met = [c["p_meet"] for c in group], [c["met"] for c in group]
        parts = brier_parts(p, met)
        run_rate = brier_parts([c["run_rate_verdict"] for c in group], met)
        years = sorted({c["year"] for c in group})
        count_group = [c for c in counts if c["year"] in years]
        out["groups"][name] = {
            "years": years, "cases": parts.cases, "share_met": parts.base_rate,
            "brier": parts.score, "reliability": parts.reliability, "resolution": parts.resolution,
            "uncertainty": parts.uncertainty, "brier_run_rate_verdict": run_rate.score,
            "bins": [vars(b) for b in reliability_table(p, met)],
            "coverage_80": _coverage(group, "80"), "coverage_95": _coverage(group, "95"),
            "error_vs_run_rate": _error_ratio(group),
            "count_coverage_80": (sum(c["inside"] for c in count_group) / len(count_group)) if count_group else None,
            "count_coverage_80_independent": (sum(c["inside_independent"] for c in count_group) / len(count_group)
                                              if count_group else None),
            "count_cases": len(count_group),
            "mean_rho": (sum(c["rho"] for c in count_group) / len(count_group)) if count_group else None,
        }
    for period in ("normal years", "COVID years"):
        for method in ("own", "sum of units"):
            group = [f for f in forces if f["method"] == method and _period(f["year"]) == period
                     and f["p_meet"] is not None]
            if group:
                out["force"][f"{period}: {method}"] = {
                    "cases": len(group), "brier": brier_parts([f["p_meet"] for f in group],
                                                              [f["met"] for f in group]).score,
                    "coverage_80": _coverage(group, "80"), "coverage_95": _coverage(group, "95"),
                }
    likely = [c for c in groups["normal years"] if c["p_meet"] >= 0.8]
    unlikely = [c for c in groups["normal years"] if c["p_meet"] <= 0.2]
    out["likely"] = {"cases": len(likely), "share_met": sum(c["met"] for c in likely) / len(likely)}
    out["unlikely"] = {"cases": len(unlikely), "share_met": sum(c["met"] for c in unlikely) / len(unlikely)}
    out["normal_years"] = sorted({c["year"] for c in groups["normal years"]})
    return out


def _pct(value) -> str:
    return "–" if value is None else f"{value:.0%}"


def tables(result: dict) -> str:
    lines = ["| years | cases | share met | Brier | reliability | resolution | uncertainty "
             "| Brier: run-rate verdict | 80% interval holds | 95% interval holds | error ÷ run rate's "
             "| count of boroughs: 80% interval holds (independent) | mean rho |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, g in result["groups"].items():
        lines.append(f"| {name} | {g['cases']:,} | {g['share_met']:.0%} | {g['brier']:.3f} | {g['reliability']:.3f} "
                     f"| {g['resolution']:.3f} | {g['uncertainty']:.3f} | {g['brier_run_rate_verdict']:.3f} "
                     f"| {_pct(g['coverage_80'])} | {_pct(g['coverage_95'])} | {_num(g['error_vs_run_rate'])} "
                     f"| {_pct(g['count_coverage_80'])} ({_pct(g['count_coverage_80_independent'])}) of "
                     f"{g['count_cases']} | {_num(g['mean_rho'])} |")
    lines += ["", "| P(meet) given | cases (normal years) | mean P | share met | cases (COVID years) | mean P | share met |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    normal, covid = result["groups"]["normal years"]["bins"], result["groups"].get("COVID years", {}).get("bins")
    for i, b in enumerate(normal):
        c = covid[i] if covid else None
        lines.append(f"| {b['lower']:.1f}–{b['upper']:.1f} | {b['cases']:,} | {_num(b['mean_probability'])} "
                     f"| {_num(b['share_met'])} | {c['cases'] if c else 0:,} | {_num(c and c['mean_probability'])} "
                     f"| {_num(c and c['share_met'])} |")
    lines += ["", "| the force's target | cases | Brier | 80% interval holds | 95% interval holds |",
              "|---|---:|---:|---:|---:|"]
    for name, f in result["force"].items():
        lines.append(f"| {name} | {f['cases']} | {f['brier']:.3f} | {_pct(f['coverage_80'])} | {_pct(f['coverage_95'])} |")
    return "\n".join(lines)


def _num(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the summary as JSON to this file")
    parser.add_argument("--chart", type=Path, help="write the reliability diagram (SVG) to this file")
    parser.add_argument("--csv", action="store_true", help="print every scored target as CSV after the tables")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    cases, counts, forces = run(progress=lambda text: print(f"  {text}", file=sys.stderr))
    result = summary(cases, counts, forces)
    print(tables(result))
    print(f"\n{len(cases):,} borough targets at {len(AS_OF_MONTHS)} as-of months; "
          f"{time.perf_counter() - started:.0f} s.")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.chart:
        from policingplan.publish.charts import reliability_chart, to_svg

        groups = {name: result["groups"][name]["bins"] for name in ("normal years", "COVID years")
                  if name in result["groups"]}
        chart = reliability_chart(groups, "How reliable the monitor's P(meet) has been")
        args.chart.write_text(to_svg(chart), encoding="utf-8")
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(cases[0]))
        writer.writeheader()
        writer.writerows(cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
