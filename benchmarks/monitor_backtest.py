"""Backtest of the monitor's P(meet target) on earlier years of the MPS borough file.

Run from the project's root:  .venv/bin/python benchmarks/monitor_backtest.py

It replays the London 2023/24 example's logic on each financial year from
2014/15 to 2022/23: for each of the example's count measures on the MPS
borough file (neighbourhood crime, violence with injury), the corporate
reduction of the example is shared among the 32 boroughs by the same stretch
allocation, on the previous year's baseline, the ONS mid-2020 populations and
the Inner/Outer London peer groups, with the same floors and caps.  The
monitor (:func:`policingplan.monitor.monitor_targets`, the same code as
``policingplan monitor``) then stands at months 3, 6 and 9 of the year (June,
September, December), using only data up to that month, and gives each
borough's P(meet).  Each P(meet) is scored with the Brier score against
whether the borough met its target at the year end, beside two baselines: a
constant 0.5, and the naive run rate (year to date × 12 ÷ months elapsed)
turned into a 0/1 verdict.  It prints a Markdown table.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
import tempfile
import time
from collections import defaultdict

from policingplan.data.measures import measure_values
from policingplan.data.warehouse import Warehouse
from policingplan.monitor import monitor_targets
from policingplan.monitor.core import status_of
from policingplan.plan.io import load_plan
from policingplan.plan.model import Plan, Target
from policingplan.data.files import plan_data_files
from policingplan.settings import PROJECT_ROOT, data_dir
from policingplan.periods import FinancialYear
from policingplan.targets.allocation import UnitInput, allocate_unit_targets

EXAMPLE = PROJECT_ROOT / "examples" / "london-2023-24"
YEARS = [FinancialYear.of(start) for start in range(2014, 2023)]
AS_OF_MONTHS = (3, 6, 9)
SOURCE = "mps-borough-monthly"


def _example_settings():
    """The example's own allocation settings, from its make_unit_targets.py."""
    spec = importlib.util.spec_from_file_location("make_unit_targets", EXAMPLE / "make_unit_targets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _year_totals(rows: list[dict], measure: str) -> dict[tuple[str, str], float]:
    """Financial-year totals by (unit, year) for years with all twelve months."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    months: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row["measure"] != measure or row["period_kind"] != "month" or row["numerator"] is None:
            continue
        year = str(FinancialYear.containing(row["month"]))
        totals[(row["unit"], year)] += row["numerator"]
        months[(row["unit"], year)] += 1
    return {key: value for key, value in totals.items() if months[key] == 12}


def _unit_targets(example: Plan, settings, totals, measure: str, year: FinancialYear, reduction: float) -> list[Target]:
    """The example's unit targets for ``year``, set the same way on the year before."""
    baseline_year = str(year - 1)
    units = [
        UnitInput(unit=u.code, baseline=totals[(u.code, baseline_year)], population=u.population,
                  peer_group=u.peer_group, min_reduction=settings.MIN_REDUCTION, max_reduction=settings.MAX_REDUCTION)
        for u in example.units
    ]
    allocation = allocate_unit_targets(units, reduction, method="stretch")
    return [
        Target(measure=measure, scope=a.unit, period=str(year), kind="change", baseline_period=baseline_year,
               baseline=a.baseline, value=a.target / a.baseline - 1)
        for a in allocation.units
    ]


def _brier(pairs: list[tuple[float, int]]) -> float:
    return sum((p - outcome) ** 2 for p, outcome in pairs) / len(pairs)


def run() -> list[dict]:
    example = load_plan(EXAMPLE)
    settings = _example_settings()
    measures = [m for m in example.measures if m.source == SOURCE and m.kind == "count"]
    reductions = {t.measure: -t.value for t in example.targets if t.scope == "force" and t.kind == "change"}
    files = [path for _, _, path in plan_data_files(example, data_dir(), SOURCE)]
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Warehouse(folder)
        report = warehouse.load_files([(SOURCE, f) for f in files])
        if not report.ok:
            raise SystemExit(f"could not load {files}: {report.problems}")
        rows = []
        for measure in measures:
            rows += measure_values(example, warehouse, measure_id=measure.id).to_pylist()
    results = []
    for measure in measures:
        totals = _year_totals(rows, measure.id)
        for year in YEARS:
            targets = _unit_targets(example, settings, totals, measure.id, year, reductions[measure.id])
            plan = example.model_copy(update={"period": str(year), "targets": targets, "partner_targets": []})
            for k in AS_OF_MONTHS:
                as_of = year.first_month + (k - 1)
                for position in monitor_targets(plan, rows, as_of):
                    outturn = totals[(position.unit, str(year))]
                    run_rate = position.year_to_date * 12 / k
                    results.append({
                        "measure": measure.id, "year": str(year), "as_of_month": k, "unit": position.unit,
                        # the tolerance absorbs float error in baseline × (1 + change) for whole-crime targets
                        "p_meet": position.p_meet_target, "met": int(outturn <= position.target + 1e-6),
                        "run_rate_verdict": float(run_rate <= position.target + 1e-6),
                    })
    return results


def table(results: list[dict]) -> str:
    lines = [
        "| as-of month | targets | share met | Brier: monitor P(meet) | Brier: constant 0.5 | Brier: run-rate verdict |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    groups = [(f"{k} ({'June September December'.split()[i]})", [r for r in results if r["as_of_month"] == k])
              for i, k in enumerate(AS_OF_MONTHS)] + [("all", results)]
    for label, group in groups:
        scored = [r for r in group if r["p_meet"] is not None]
        lines.append(
            f"| {label} | {len(scored):,} | {sum(r['met'] for r in scored) / len(scored):.1%} "
            f"| {_brier([(r['p_meet'], r['met']) for r in scored]):.3f} "
            f"| {_brier([(0.5, r['met']) for r in scored]):.3f} "
            f"| {_brier([(r['run_rate_verdict'], r['met']) for r in scored]):.3f} |"
        )
    return "\n".join(lines)


def calibration(results: list[dict]) -> str:
    """Observed share met within each status the monitor gives: a check on its thresholds."""
    labels = {"unlikely": "✗ unlikely (P ≤ 20%)", "in_the_balance": "● in the balance", "likely": "▲ likely (P ≥ 80%)"}
    lines = ["| status at the as-of month | targets | mean P(meet) | share that met the target |",
             "|---|---:|---:|---:|"]
    for status, label in labels.items():
        group = [r for r in results if r["p_meet"] is not None and status_of(r["p_meet"]) == status]
        if group:
            lines.append(f"| {label} | {len(group):,} | {sum(r['p_meet'] for r in group) / len(group):.1%} "
                         f"| {sum(r['met'] for r in group) / len(group):.1%} |")
    return "\n".join(lines)


def main() -> int:
    started = time.perf_counter()
    results = run()
    unscored = sum(1 for r in results if r["p_meet"] is None)
    print(table(results))
    print()
    print(calibration(results))
    print()
    years = f"{YEARS[0]} to {YEARS[-1]}"
    print(f"{len(results):,} borough targets ({years}, 32 boroughs, "
          f"{len({r['measure'] for r in results})} measures, 3 as-of months); "
          f"{unscored} without a P(meet); {time.perf_counter() - started:.0f} s.")
    if "--csv" in sys.argv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(results[0]))
        writer.writeheader()
        writer.writerows(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
