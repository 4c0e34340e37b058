"""Recompute this plan's unit_targets.csv: the stretch allocation of the corporate 5.5%.

Run from the project's root:  .venv/bin/python examples/london-2007-08/make_unit_targets.py

The baselines (each borough's total notifiable offences in 2006/07, from the
GLA file) and the populations and peer groups in units.csv stay as they are;
a test re-reads the GLA file and checks the baselines.  This script shares the
midpoint of the corporate 5-6% among the 32 boroughs with
``allocate_unit_targets(..., method="stretch")`` and writes each borough's
change and its reason.  The values are not rounded: a borough's whole-crime
target is baseline x (1 + value), rounded down.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from policingplan.formatting import fmt_int
from policingplan.plan.io import load_plan
from policingplan.targets.allocation import allocate_unit_targets
from policingplan.targets.plan_inputs import corporate_reduction, unit_inputs

PLAN_DIR = Path(__file__).resolve().parent
MEASURE = "bcs-comparator-crimes"
COLUMNS = ["measure", "scope", "period", "kind", "baseline_period", "baseline", "value", "rationale", "illustrative"]


def main() -> None:
    plan = load_plan(PLAN_DIR)
    reduction = corporate_reduction(plan, MEASURE)
    allocation = allocate_unit_targets(unit_inputs(plan, MEASURE), reduction, method="stretch")
    assert allocation.meets, "the stretch allocation must meet the corporate figure"
    rows = []
    for unit in allocation.units:
        rows.append({
            "measure": MEASURE, "scope": unit.unit, "period": plan.period, "kind": "change",
            "baseline_period": "2006/07", "baseline": int(unit.baseline), "value": repr(-unit.reduction),
            "rationale": f"{fmt_int(unit.target)} offences at most: {unit.reason} "
                         f"(stretch allocation of the corporate {reduction:.1%})",
            "illustrative": "true",
        })
    out = PLAN_DIR / "unit_targets.csv"
    with tempfile.NamedTemporaryFile("w", dir=PLAN_DIR, delete=False, newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(handle.name, out)
    print(f"Wrote {len(rows)} unit targets summing to {fmt_int(allocation.target_total)} "
          f"(required at most {fmt_int(allocation.required_total)}).")


if __name__ == "__main__":
    main()
