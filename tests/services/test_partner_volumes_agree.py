"""One counting engine: the partner volumes that ``partners`` converts targets with are the plan's
compiled counting rules run in the warehouse, and they agree, unit by unit and period by period,
with a count made by hand from the publishers' files (the csv module and the rule, nothing else).

Both ways of reaching the warehouse are held to the hand count: a warehouse already loaded, and
the temporary one the service loads the plan's own files into when the warehouse holds nothing.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.data.files import open_text, plan_data_files
from policingplan.data.warehouse import Warehouse
from policingplan.services.targets import counted_unit_volumes, load_plan, partner_alignment

GLA_OFFENCES = "gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz"
MPS_MONTHLY = "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"


def _fy(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _gla_by_hand(london_dir: Path) -> dict[str, dict[str, float]]:
    """Offences by borough code and financial year: the GLA file's Value, its Year the year's 31 December."""
    volumes: dict[str, dict[str, float]] = defaultdict(dict)
    with open_text(london_dir / GLA_OFFENCES) as handle:
        for row in csv.DictReader(handle):
            if row["Code"].startswith("E09") and row["Value"].strip():
                volumes[row["Code"]][_fy(int(row["Year"][:4]))] = float(row["Value"])
    return volumes


def _mps_by_hand(london_dir: Path, names: dict[str, str], minors: set[str]) -> dict[str, dict[str, float]]:
    """The rule's minor classes summed by borough and month, then into every financial year whose
    twelve months the file holds."""
    months: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with open_text(london_dir / MPS_MONTHLY) as handle:
        reader = csv.DictReader(handle)
        columns = [c for c in reader.fieldnames if c.isdigit()]
        for row in reader:
            code = names.get(row["boroughname"])
            if code is None or row["minortext"] not in minors:
                continue
            for column in columns:
                if row[column].strip():
                    months[code][f"{column[:4]}-{column[4:]}"] += float(row[column])
    volumes: dict[str, dict[str, float]] = {}
    for code, by_month in months.items():
        years: dict[str, list[float]] = defaultdict(list)
        for month, count in by_month.items():
            year, number = int(month[:4]), int(month[5:])
            years[_fy(year if number >= 4 else year - 1)].append(count)
        volumes[code] = dict(by_month) | {fy: sum(counts) for fy, counts in years.items() if len(counts) == 12}
    return volumes


def _agree(counted: dict[str, dict[str, float]], by_hand: dict[str, dict[str, float]], units: list[str],
           only_years: bool = False) -> None:
    for unit in units:
        assert unit in counted and unit in by_hand, unit
        expected = {p: v for p, v in by_hand[unit].items() if not only_years or "/" in p}
        got = {p: v for p, v in counted[unit].items() if not only_years or "/" in p}
        assert got == pytest.approx(expected), unit


@pytest.fixture(scope="module")
def london_2007(project_root):
    return load_plan(project_root / "examples" / "london-2007-08")


@pytest.fixture(scope="module")
def london_2023(project_root):
    return load_plan(project_root / "examples" / "london-2023-24")


def _boroughs(plan) -> list[str]:
    return [u.code for u in plan.units if u.code.startswith("E09") and u.code != "E09000001"]


@pytest.mark.parametrize("loaded", [False, True], ids=["temporary warehouse", "loaded warehouse"])
def test_london_2007_partner_volumes_agree_with_the_gla_file_counted_by_hand(london_2007, london_dir, data_dir,
                                                                          tmp_path, monkeypatch, loaded):
    measure = london_2007.measure("bcs-comparator-crimes")
    warehouse = tmp_path / "warehouse"
    if loaded:
        report = Warehouse(warehouse).load_files(
            [(kind, path) for kind, _, path in plan_data_files(london_2007, data_dir, measure.source)])
        assert report.ok

        def no_second_load(*args, **kwargs):
            raise AssertionError("the loaded warehouse is counted as it is: nothing is loaded again")

        monkeypatch.setattr(Warehouse, "load_files", no_second_load)
    counted, notes = counted_unit_volumes(london_2007, measure.id, warehouse_dir=warehouse, data_dir=data_dir)
    assert notes == []
    boroughs = _boroughs(london_2007)
    assert len(boroughs) == 32
    _agree(counted, _gla_by_hand(london_dir), boroughs)
    assert counted["E09000021"]["2004/05"] == 15_690  # Kingston: the partner target's baseline year


def test_london_2023_partner_volumes_agree_with_the_monthly_file_counted_by_hand(london_2023, london_dir, data_dir,
                                                                              tmp_path):
    measure = london_2023.measure("neighbourhood-crime")
    counted, notes = counted_unit_volumes(london_2023, measure.id, warehouse_dir=tmp_path / "empty", data_dir=data_dir)
    assert notes == []
    names = {u.name: u.code for u in london_2023.units}
    by_hand = _mps_by_hand(london_dir, names, set(measure.rule.count["minor"]))
    boroughs = _boroughs(london_2023)
    assert len(boroughs) == 32
    _agree(counted, by_hand, boroughs, only_years=True)
    newham = counted["E09000025"]
    assert newham["2021/22"] == 8_948  # the partner target's baseline year
    assert "2023/24" not in newham  # March 2024 is not in the file: not a whole year
    for unit in boroughs:  # month by month too, wherever the file has a crime of the rule
        months = {p: v for p, v in by_hand[unit].items() if "/" not in p and v}
        assert {p: counted[unit][p] for p in months} == pytest.approx(months), unit


# --- the partners command's figures, against those captured before the one engine ----------------


def test_partners_figures_are_unchanged(project_root, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICINGPLAN_WAREHOUSE", str(tmp_path / "nothing-loaded"))
    data = json.loads(CliRunner().invoke(app, ["partners", str(project_root / "examples" / "london-2007-08"),
                                                "--json"]).stdout)
    assert (data["required_total"], data["unit_total"], data["stretched_total"], data["slack"]) == (
        866_306, 866_306, 864_263, 2_043)
    rows = {r["unit"]: (r["partner_volume"], r["gap"], r["binds"]) for r in data["partner_targets"]}
    assert rows == {"E09000022": (35_758, -1_355, "partner"), "E09000008": (29_304, -688, "partner"),
                    "E09000033": (63_616, 4_361, "unit target"), "E09000021": (13_336, 813, "unit target")}


def test_partners_on_the_2023_plan_figures_are_unchanged(london_2023, tmp_path):
    result = partner_alignment(london_2023, "neighbourhood-crime", warehouse_dir=tmp_path / "nothing-loaded")
    assert (result.unit_total, result.required_total, result.stretched_total, result.slack) == (
        213_939, 213_939, 212_872, 1_067)
    newham = next(r for r in result.partner_targets if r.unit == "E09000025")
    assert (newham.partner_volume, newham.gap, newham.binds) == (8_217, -860, "partner")
    assert "the unit recorded 8,948 crimes in 2021/22" in newham.reason
