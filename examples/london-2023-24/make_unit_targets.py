"""Recompute this plan's units.csv and unit_targets.csv from the project's data.

Run from the project's root:  .venv/bin/python examples/london-2023-24/make_unit_targets.py

For each count measure with a corporate change target in plan.yaml, it counts
each borough's 2022/23 baseline with the measure's counting rule (read
straight from the publisher's file with the csv module, independently of the
warehouse), checks the force baseline stated in plan.yaml against the file,
and shares the corporate reduction among the 32 boroughs with
``allocate_unit_targets(..., method="stretch")``.  Populations are the ONS
mid-2020 estimates summed by borough; the peer groups are Inner and Outer
London (the ONS statistical grouping).  Nothing is copied from the data.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from policingplan.data.units import LONDON_BOROUGHS, unit_code
from policingplan.plan.model import Target
from policingplan.data.files import open_text, resolve
from policingplan.settings import data_dir
from policingplan.periods import FinancialYear
from policingplan.targets.allocation import UnitInput, allocate_unit_targets

PLAN_DIR = Path(__file__).resolve().parent
BASELINE_YEAR = FinancialYear("2022/23")
MIN_REDUCTION = 0.01
MAX_REDUCTION = 0.12
INNER_LONDON = {
    "Camden", "Hackney", "Hammersmith and Fulham", "Haringey", "Islington", "Kensington and Chelsea",
    "Lambeth", "Lewisham", "Newham", "Southwark", "Tower Hamlets", "Wandsworth", "Westminster",
}
BOROUGHS = {code: name for code, name in LONDON_BOROUGHS.items() if code != "E09000001"}  # the City is another force


def _matches(record: dict[str, str], flt: dict[str, list[str]]) -> bool:
    return all(record.get(attribute) in values for attribute, values in flt.items())


def borough_monthly_baselines(path: Path, flt: dict[str, list[str]]) -> dict[str, int]:
    """2022/23 totals by unit code (and 'force' for every row) from the wide MPS borough file."""
    months = {f"{m.year}{m.month:02d}" for m in BASELINE_YEAR.months()}
    totals: dict[str, int] = defaultdict(int)
    with open_text(path) as handle:
        for row in csv.DictReader(handle):
            row = {k.lower(): v for k, v in row.items()}
            record = {"major": row["majortext"].strip(), "minor": row["minortext"].strip()}
            if not _matches(record, flt):
                continue
            count = sum(int(row[m] or 0) for m in months)
            totals["force"] += count
            code = unit_code(row["boroughname"])
            if code in BOROUGHS:
                totals[code] += count
    return dict(totals)


def dashboard_baselines(path: Path, flt: dict[str, list[str]]) -> dict[str, int]:
    """2022/23 totals by unit code (and 'force' for every row) from the MPS crime dashboard."""
    first, last = str(BASELINE_YEAR.first_month), str(BASELINE_YEAR.last_month)
    totals: dict[str, int] = defaultdict(int)
    with open_text(path) as handle:
        for row in csv.DictReader(handle):
            if not first <= row["month_year"][:7] <= last:
                continue
            record = {"crime_type": row["crime_type"], "crime_subtype": row["crime_subtype"], "measure": row["measure"]}
            if not _matches(record, flt):
                continue
            totals["force"] += int(row["count"])
            if row["area_code"] in BOROUGHS:
                totals[row["area_code"]] += int(row["count"])
    return dict(totals)


def populations(path: Path) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    with open_text(path) as handle:
        for row in csv.DictReader(handle):
            totals[row["LAD11CD"]] += int(row["Persons_All-Ages"])
    return dict(totals)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def main() -> int:
    plan = yaml.safe_load((PLAN_DIR / "plan.yaml").read_text(encoding="utf-8"))
    sources = {s["kind"]: resolve(s["files"][0], data_dir()) for s in plan["data_sources"]}
    population = populations(resolve("london/ons-population-lsoa-mid2020.csv", data_dir()))
    measures = {m["id"]: m for m in plan["measures"]}
    readers = {"mps-borough-monthly": borough_monthly_baselines, "mps-crime-dashboard": dashboard_baselines}

    with open(PLAN_DIR / "units.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "kind", "population", "peer_group", "partner"])
        for code, name in BOROUGHS.items():
            peer = "Inner London" if name in INNER_LONDON else "Outer London"
            writer.writerow([code, name, "borough", population[code], peer, f"{name} Community Safety Partnership"])

    columns = [name for name in Target.model_fields if name != "activities"]
    rows = []
    for target in plan["targets"]:
        measure = measures[target["measure"]]
        if measure["kind"] != "count" or target["kind"] != "change":
            continue
        baselines = readers[measure["source"]](sources[measure["source"]], measure["rule"]["count"])
        if baselines["force"] != target["baseline"]:
            print(f"plan.yaml states a 2022/23 baseline of {target['baseline']} for {measure['id']}, "
                  f"but the data gives {baselines['force']}", file=sys.stderr)
            return 1
        units = [
            UnitInput(unit=code, baseline=baselines[code], population=population[code],
                      peer_group="Inner London" if name in INNER_LONDON else "Outer London",
                      min_reduction=MIN_REDUCTION, max_reduction=MAX_REDUCTION)
            for code, name in BOROUGHS.items()
        ]
        allocation = allocate_unit_targets(units, -target["value"], method="stretch")
        if not allocation.feasible:
            print(f"{measure['id']}: {allocation.notes[0]}", file=sys.stderr)
            return 1
        for unit in allocation.units:
            rows.append({
                "measure": measure["id"], "scope": unit.unit, "period": target["period"], "kind": "change",
                "baseline_period": str(BASELINE_YEAR), "baseline": int(unit.baseline),
                "value": unit.target / unit.baseline - 1,
                "rationale": f"{unit.target:,} offences at most: {unit.reason}",
                "min_reduction": MIN_REDUCTION, "max_reduction": MAX_REDUCTION,
            })
        print(f"{measure['id']}: {len(allocation.units)} boroughs, {allocation.target_total:,} offences "
              f"at most together, a {allocation.achieved_reduction:.2%} reduction on {allocation.baseline_total:,.0f}")
    with open(PLAN_DIR / "unit_targets.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    return 0


if __name__ == "__main__":
    sys.exit(main())
