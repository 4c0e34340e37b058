"""How fast is variable target allocation, for 32 units and for 10,000?

Times :func:`allocate_unit_targets` for each method on the 32 London boroughs
(2006/07 total notifiable offences and populations from the GLA files in the
project's data) and on 10,000 random units, against a baseline in the same run:
the same stretch allocation written as a plain per-unit Python loop (a scale
found by bisection, each unit's share computed one at a time, then rounded
down with the largest remainders handed back), which is how a spreadsheet
macro would do it.  The baseline's targets are checked against the library's.

Run from the project root:

    .venv/bin/python benchmarks/allocation_speed.py
"""

from __future__ import annotations

import csv
import math
import random
import statistics
import time

from policingplan.data.files import open_text, resolve
from policingplan.settings import data_dir
from policingplan.targets.allocation import METHODS, UnitInput, allocate_unit_targets

REDUCTION = 0.055
GLA = "london/gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz"
GLA_RATES = "london/gla-crime-rates-by-borough-fy_1999-00_2009-10.csv.gz"
INNER_LONDON = {f"E0900{n:04d}" for n in (7, 12, 13, 14, 19, 20, 22, 23, 25, 28, 30, 32, 33)}


def london_units() -> list[UnitInput]:
    """The 32 boroughs: 2006/07 offences, the population the GLA used (offences ÷ rate), Inner/Outer London."""
    def read(name: str) -> dict[str, float]:
        with open_text(resolve(name, data_dir())) as handle:
            return {
                r["Code"]: float(r["Value"])
                for r in csv.DictReader(handle)
                if r["Year"] == "2006-12-31" and r["Code"].startswith("E09") and r["Code"] != "E09000001"
            }

    offences, rates = read(GLA), read(GLA_RATES)
    return [
        UnitInput(code, offences[code], round(offences[code] / rates[code] * 1000),
                  "Inner London" if code in INNER_LONDON else "Outer London", min_reduction=0.01, max_reduction=0.12)
        for code in sorted(offences)
    ]


def random_units(n: int, seed: int = 2007) -> list[UnitInput]:
    rng = random.Random(seed)
    units = []
    for i in range(n):
        population = rng.randint(5_000, 400_000)
        units.append(UnitInput(
            f"U{i:05d}", round(population * rng.uniform(0.04, 0.3)), population, f"group {rng.randint(1, 40)}",
            proposed_reduction=rng.uniform(0.0, 0.08), min_reduction=0.0, max_reduction=0.15,
        ))
    return units


def naive_stretch(units: list[UnitInput], reduction: float) -> list[int]:
    """The baseline: the stretch method as a plain Python loop over units."""
    groups: dict[str, list[float]] = {}
    for u in units:
        crimes, residents = groups.setdefault(u.peer_group, [0.0, 0.0])
        groups[u.peer_group] = [crimes + u.baseline, residents + u.population]
    weights = []
    for u in units:
        crimes, residents = groups[u.peer_group]
        weights.append((u.baseline / u.population) / ((crimes - u.baseline) / (residents - u.population)))
    total = math.floor(sum(u.baseline for u in units) * (1 - reduction) + 1e-7)
    needed = sum(u.baseline for u in units) - total

    def removed(scale: float) -> float:
        out = 0.0
        for u, w in zip(units, weights):
            out += u.baseline * min(max(scale * w, u.min_reduction), u.max_reduction)
        return out

    low, high = 0.0, max(u.max_reduction / w for u, w in zip(units, weights))
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if removed(middle) >= needed:
            high = middle
        else:
            low = middle
    volumes = [u.baseline * (1 - min(max(high * w, u.min_reduction), u.max_reduction)) for u, w in zip(units, weights)]
    targets = [math.floor(v + 1e-7) for v in volumes]
    short = total - sum(targets)
    order = sorted(range(len(units)), key=lambda i: (-(volumes[i] - targets[i]), i))
    for i in order[:short]:
        if volumes[i] - targets[i] > 1e-7:
            targets[i] += 1
    return targets


def best_of(function, repeats: int) -> float:
    """The median of ``repeats`` timings, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    cases = [("32 London boroughs", london_units(), 50), ("10,000 random units", random_units(10_000), 5)]
    print(f"Allocation of a {REDUCTION:.1%} reduction; median time in milliseconds\n")
    print("| units | naive Python loop (stretch) | stretch | uniform | negotiated (HiGHS) |")
    print("|---|---:|---:|---:|---:|")
    for label, units, repeats in cases:
        library = allocate_unit_targets(units, REDUCTION, "stretch")
        baseline_targets = naive_stretch(units, REDUCTION)
        differ = sum(a.target != b for a, b in zip(library.units, baseline_targets))
        timings = [best_of(lambda: naive_stretch(units, REDUCTION), repeats)]
        timings += [best_of(lambda m=m: allocate_unit_targets(units, REDUCTION, m), repeats) for m in METHODS]
        print(f"| {label} | " + " | ".join(f"{t:,.1f}" for t in timings) + " |")
        if differ:
            print(f"  (the naive loop's targets differ from the library's for {differ} units)")
    print("\nThe naive loop's targets match the library's stretch targets unless noted.")


if __name__ == "__main__":
    main()
