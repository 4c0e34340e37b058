"""Categories that drift: a value that no counting rule names, under a parent a rule counts, is reported.

The logic on small summaries first, then the real data: the London plans raise
nothing on it; a copy of the MPS borough file with DOMESTIC BURGLARY renamed for
three months is named, with its parent, records and months and the measure it
left, by the load report and by ``validate``, in words and in JSON; and the
publishers' own later files (the MPS 24-month file of 2025, police.uk's 2014
crime types) are caught the same way.  Counts are made independently with the
csv module.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.data.drift import (
    NEW,
    NOT_NAMED,
    PARENT_NOT_COUNTED,
    CategorySummary,
    Tally,
    find_drift,
    in_loads,
    not_counted_problems,
    warehouse_drift,
)
from policingplan.data.files import open_text
from policingplan.data.measures import measure_values
from policingplan.data.readers import ATTRIBUTES
from policingplan.data.warehouse import Warehouse
from policingplan.plan.io import load_plan
from policingplan.plan.model import CountingRule, Measure, Plan

from .conftest import MPS_MONTHLY, count_measure, ratio_measure

runner = CliRunner()
YEARS = Path(__file__).parents[1] / "data_readers" / "fixtures" / "years"
RENAMED_MONTHS = ("202301", "202302", "202303")
NEW_NAME = "BURGLARY - RESIDENTIAL"  # the publisher's own later name (see the 2025 fixture)


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _tally(records: int, first: str, last: str | None = None, periods: int = 1) -> Tally:
    return Tally(records, first, last or first, periods)


def _with_not_counted(measure: Measure, not_counted: dict | None) -> Measure:
    rule = measure.rule.model_copy(update={"not_counted": not_counted})
    return measure.model_copy(update={"rule": rule})


# ----- the logic, on small summaries ---------------------------------------------------------

BOROUGH = CategorySummary(
    kind="mps-borough-monthly", first_period="2010-04", last_period="2024-03",
    pairs={
        ("BURGLARY", "DOMESTIC BURGLARY"): _tally(500, "2010-04", "2024-02", 167),
        ("BURGLARY", "HOUSE BURGLARY"): _tally(2, "2024-03"),
        ("THEFT", "THEFT FROM THE PERSON"): _tally(900, "2010-04", "2024-03", 168),
        ("THEFT", "SHOPLIFTING"): _tally(700, "2010-04", "2024-03", 168),
        ("DRUG OFFENCES", "POSSESSION OF DRUGS"): _tally(300, "2010-04", "2024-03", 168),
        ("DRUG OFFENCES", "NEW DRUG CLASS"): _tally(3, "2023-01"),
    },
)
NEIGHBOURHOOD = count_measure("neighbourhood-crime", "mps-borough-monthly",
                              {"minor": ["DOMESTIC BURGLARY", "THEFT FROM THE PERSON"]})


def test_a_minor_class_under_a_counted_major_that_no_rule_names_is_found_in_words():
    findings = find_drift([NEIGHBOURHOOD], {"mps-borough-monthly": BOROUGH})

    assert [(f.parent, f.value, f.reason, f.new) for f in findings] == [
        ("BURGLARY", "HOUSE BURGLARY", NOT_NAMED, True),
        ("THEFT", "SHOPLIFTING", NOT_NAMED, False),
    ]
    assert findings[0].describe() == (
        "a new minor class 'HOUSE BURGLARY' under BURGLARY, 2 records in March 2024, "
        "is counted by no rule of measure neighbourhood-crime")
    assert findings[1].describe() == (
        "a minor class 'SHOPLIFTING' under THEFT, 700 records from April 2010 to March 2024, "
        "is counted by no rule of measure neighbourhood-crime")
    problem = findings[0].problem()
    assert problem.severity == "warning" and problem.column == "measures.neighbourhood-crime.rule"
    assert "not_counted.minor" in problem.accepted


def test_not_counted_silences_a_value_and_a_listed_parent_silences_its_children():
    shoplifting_left_out = _with_not_counted(NEIGHBOURHOOD, {"minor": ["SHOPLIFTING"]})
    assert [f.value for f in find_drift([shoplifting_left_out], {"mps-borough-monthly": BOROUGH})] == [
        "HOUSE BURGLARY"]

    theft_left_out = _with_not_counted(NEIGHBOURHOOD, {"major": ["THEFT"]})
    assert [f.value for f in find_drift([theft_left_out], {"mps-borough-monthly": BOROUGH})] == [
        "HOUSE BURGLARY"]


def test_a_counted_class_under_a_renamed_parent_is_found():
    summary = CategorySummary(
        kind="mps-borough-monthly", first_period="2010-04", last_period="2024-03",
        pairs={
            ("BURGLARY", "DOMESTIC BURGLARY"): _tally(500, "2010-04", "2023-12", 165),
            ("BURGLARIES", "DOMESTIC BURGLARY"): _tally(40, "2024-01", "2024-03", 3),
            ("ROBBERY", "ROBBERY OF PERSONAL PROPERTY"): _tally(90, "2010-04", "2024-03", 168),
        },
    )
    burglary = count_measure("burglary", "mps-borough-monthly", {"major": ["BURGLARY"]})

    (finding,) = find_drift([burglary], {"mps-borough-monthly": summary})

    assert (finding.reason, finding.parent, finding.value, finding.counted_under) == (
        PARENT_NOT_COUNTED, "BURGLARIES", "DOMESTIC BURGLARY", ("BURGLARY",))
    assert finding.parent_new
    assert finding.describe() == (
        "minor class 'DOMESTIC BURGLARY' under a new major class 'BURGLARIES', 40 records from January 2024 "
        "to March 2024, is counted by no rule of measure burglary, which counts it under BURGLARY")
    assert "not_counted.major" in finding.advice()


def test_a_new_parent_is_found_and_a_new_class_under_an_old_uncounted_parent_is_not():
    summary = CategorySummary(
        kind="mps-borough-monthly", first_period="2010-04", last_period="2024-03",
        pairs={**BOROUGH.pairs, ("RESIDENTIAL BURGLARY", "HOME BURGLARY"): _tally(12, "2024-02", "2024-03", 2)},
    )
    only_burglary = count_measure("burglary", "mps-borough-monthly", {"minor": ["DOMESTIC BURGLARY"]})

    findings = find_drift([only_burglary], {"mps-borough-monthly": summary})

    assert [(f.parent, f.value, f.reason) for f in findings] == [
        ("BURGLARY", "HOUSE BURGLARY", NOT_NAMED),
        ("RESIDENTIAL BURGLARY", "HOME BURGLARY", NEW),
    ]  # NEW DRUG CLASS is new, but under DRUG OFFENCES, a parent older than the data's start
    assert findings[1].describe().startswith("minor class 'HOME BURGLARY' under a new major class "
                                             "'RESIDENTIAL BURGLARY', 12 records from February 2024")


def test_flat_categories_report_only_new_values_on_the_attributes_a_rule_filters():
    summary = CategorySummary(
        kind="police-uk-street", first_period="2010-12", last_period="2014-01",
        values={
            "crime_type": {
                "Violent crime": _tally(400, "2010-12", "2013-04", 29),
                "Burglary": _tally(300, "2010-12", "2014-01", 38),
                "Violence and sexual offences": _tally(120, "2013-05", "2014-01", 9),
            },
            "outcome": {"": _tally(100, "2010-12", "2011-04", 5), "Under investigation": _tally(9, "2014-01")},
        },
    )
    violent = count_measure("violent-crime", "police-uk-street", {"crime_type": ["Violent crime"]})

    (finding,) = find_drift([violent], {"police-uk-street": summary})

    assert (finding.attribute, finding.value, finding.reason, finding.parent) == (
        "crime_type", "Violence and sexual offences", NEW, None)
    assert finding.describe() == (
        "a new crime type 'Violence and sexual offences', 120 records from May 2013 to January 2014, "
        "is counted by no rule of measure violent-crime")
    acknowledged = _with_not_counted(violent, {"crime_type": ["Violence and sexual offences"]})
    assert find_drift([acknowledged], {"police-uk-street": summary}) == []


def test_rules_that_count_every_category_and_measures_without_data_give_nothing():
    everything = count_measure("all", "mps-borough-monthly", {})
    no_rule = Measure(id="confidence", name="Confidence", kind="percentage", polarity="higher",
                      unit_of_count="per cent")
    elsewhere = count_measure("ksi", "tfl-casualties", {"severity": ["fatal", "serious"]})

    assert find_drift([everything, no_rule, elsewhere], {"mps-borough-monthly": BOROUGH}) == []


def test_a_ratio_names_the_values_of_both_its_filters_and_a_value_is_reported_once():
    summary = CategorySummary(
        kind="mps-crime-dashboard", first_period="2021-08", last_period="2025-07",
        pairs={("Knife Crime", "Knife Crime"): _tally(60, "2021-08", "2025-07", 48),
               ("Knife Crime", "Knife Crime with Injury"): _tally(17, "2021-08", "2025-07", 48)},
        values={"measure": {"Offences": _tally(60, "2021-08", "2025-07", 48),
                            "Positive Outcomes": _tally(7, "2021-08", "2025-07", 48)}},
    )
    rate = ratio_measure("knife-rate", "mps-crime-dashboard",
                         {"crime_type": ["Knife Crime"], "crime_subtype": ["Knife Crime"], "measure": ["Positive Outcomes"]},
                         {"crime_type": ["Knife Crime"], "crime_subtype": ["Knife Crime"], "measure": ["Offences"]})

    assert [(f.value, f.reason) for f in find_drift([rate], {"mps-crime-dashboard": summary})] == [
        ("Knife Crime with Injury", NOT_NAMED)]


def test_a_load_keeps_the_findings_it_brought_with_its_own_counts():
    findings = find_drift([NEIGHBOURHOOD], {"mps-borough-monthly": BOROUGH})
    load = CategorySummary(kind="mps-borough-monthly", first_period="2024-03", last_period="2024-03",
                           pairs={("BURGLARY", "HOUSE BURGLARY"): _tally(2, "2024-03"),
                                  ("THEFT", "SHOPLIFTING"): _tally(5, "2024-03")})

    kept = in_loads(findings, {"mps-borough-monthly": load})

    assert [(f.value, f.records, f.first_period, f.new) for f in kept] == [
        ("HOUSE BURGLARY", 2, "2024-03", True), ("SHOPLIFTING", 5, "2024-03", False)]
    assert in_loads(findings, {}) == []


def test_not_counted_with_an_unknown_attribute_or_a_counted_value_is_a_problem():
    measure = _with_not_counted(NEIGHBOURHOOD, {"minr": ["SHOPLIFTING"], "minor": ["DOMESTIC BURGLARY"]})

    problems = not_counted_problems(measure, ATTRIBUTES["mps-borough-monthly"])

    assert [(p.column, p.value) for p in problems] == [
        ("measures.neighbourhood-crime.rule.not_counted.minr", "minr"),
        ("measures.neighbourhood-crime.rule.not_counted.minor", "DOMESTIC BURGLARY"),
    ]
    assert not_counted_problems(NEIGHBOURHOOD, ATTRIBUTES["mps-borough-monthly"]).items == []


# ----- the real data ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def london_2023(project_root) -> Path:
    return project_root / "examples" / "london-2023-24"


def _borough_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open_text(path) as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def test_the_london_plans_raise_nothing_on_the_real_data(loaded_warehouse, project_root):
    for example in ("london-2023-24", "london-2007-08"):
        plan = load_plan(project_root / "examples" / example)
        assert warehouse_drift(loaded_warehouse, plan.measures) == [], example


def test_without_not_counted_the_findings_are_the_classes_the_plan_leaves_out(loaded_warehouse, london_2023,
                                                                              london_dir):
    """The plan's not_counted lists are true findings: the classes under the majors it counts, and NFIB FRAUD."""
    measure = load_plan(london_2023).measure("neighbourhood-crime")
    named = set(measure.rule.count["minor"])
    header, rows = _borough_rows(london_dir / MPS_MONTHLY.removeprefix("london/"))
    months = header[3:]
    first_month: dict[str, str] = {}
    records: dict[tuple[str, str], int] = defaultdict(int)
    for major, minor, _borough, *counts in rows:
        for month, count in zip(months, counts):
            if count and int(count) > 0:
                records[(major, minor)] += int(count)
                first_month[major] = min(first_month.get(major, month), month)
    counted_majors = {major for major, minor in records if minor in named}
    expected = {(major, minor, total) for (major, minor), total in records.items()
                if minor not in named and (major in counted_majors or first_month[major] > months[0])}

    findings = warehouse_drift(loaded_warehouse, [_with_not_counted(measure, None)])

    assert {(f.parent, f.value, f.records) for f in findings} == expected
    assert {f.value for f in findings} == {
        "BURGLARY BUSINESS AND COMMUNITY", "ROBBERY OF BUSINESS PROPERTY", "BICYCLE THEFT", "OTHER THEFT",
        "SHOPLIFTING", "NFIB"}
    assert set(measure.rule.not_counted["minor"]) | {"NFIB"} == {f.value for f in findings}


@pytest.fixture(scope="module")
def renamed(tmp_path_factory, london_dir) -> tuple[Path, int]:
    """The real MPS borough file, DOMESTIC BURGLARY's counts for January to March 2023 moved to a new name."""
    header, rows = _borough_rows(london_dir / MPS_MONTHLY.removeprefix("london/"))
    columns = [header.index(month) for month in RENAMED_MONTHS]
    moved, out = 0, []
    for row in rows:
        out.append(row)
        if row[1] == "DOMESTIC BURGLARY":
            new = [row[0], NEW_NAME, row[2]] + ["0"] * (len(row) - 3)
            for column in columns:
                new[column], row[column] = row[column], "0"
                moved += int(new[column])
            out.append(new)
    path = tmp_path_factory.mktemp("renamed") / "mps-borough-monthly-renamed.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(out)
    assert moved > 1000
    return path, moved


@pytest.fixture(scope="module")
def renamed_warehouse(tmp_path_factory, renamed, london_2023) -> tuple[Path, object]:
    """The renamed file loaded with the London 2023/24 plan, in words."""
    warehouse = tmp_path_factory.mktemp("renamed-wh") / "warehouse"
    result = _invoke("data", "load", "mps-borough-monthly", renamed[0], "--plan", london_2023,
                     "--warehouse", warehouse)
    return warehouse, result


EXPECTED_SENTENCE = ("a new minor class 'BURGLARY - RESIDENTIAL' under BURGLARY, {records} records from "
                     "January 2023 to March 2023, is counted by no rule of measure neighbourhood-crime")


def test_the_load_report_names_the_renamed_class_its_parent_records_months_and_measure(renamed_warehouse,
                                                                                      renamed):
    _, result = renamed_warehouse
    assert result.exit_code == 0, result.output
    sentence = EXPECTED_SENTENCE.format(records=f"{renamed[1]:,}")
    assert "categories: 1 value that this load brought and that no counting rule of plan london-2023-24 names" \
        in result.stderr
    assert f"measures.neighbourhood-crime.rule: {sentence}" in result.stderr
    assert "Traceback" not in result.output


def test_the_load_report_gives_the_renamed_class_in_json(tmp_path, renamed, london_2023):
    result = _invoke("data", "load", "mps-borough-monthly", renamed[0], "--plan", london_2023,
                     "--warehouse", tmp_path / "wh", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["plan"] == "london-2023-24"
    (finding,) = report["categories"]
    assert {key: finding[key] for key in ("measure", "kind", "attribute", "value", "parent_attribute", "parent",
                                          "reason", "new", "records", "first_period", "last_period", "periods")} == {
        "measure": "neighbourhood-crime", "kind": "mps-borough-monthly", "attribute": "minor", "value": NEW_NAME,
        "parent_attribute": "major", "parent": "BURGLARY", "reason": "not named", "new": True,
        "records": renamed[1], "first_period": "2023-01", "last_period": "2023-03", "periods": 3,
    }
    assert finding["message"] == EXPECTED_SENTENCE.format(records=f"{renamed[1]:,}")
    assert finding["message"] in [w["message"] for w in report["warnings"]]


def test_validate_names_the_renamed_class_as_a_warning_and_exits_0(renamed_warehouse, renamed, london_2023):
    warehouse, _ = renamed_warehouse
    sentence = EXPECTED_SENTENCE.format(records=f"{renamed[1]:,}")

    human = _invoke("validate", london_2023, "--warehouse", warehouse)
    assert human.exit_code == 0, human.output
    assert "1 warning" in human.stderr and sentence in human.stderr
    assert "Valid:" in human.stdout

    as_json = _invoke("validate", london_2023, "--warehouse", warehouse, "--json")
    assert as_json.exit_code == 0
    report = json.loads(as_json.stdout)
    assert report["ok"] is True and report["errors"] == []
    assert report["categories"]["warehouse"] == str(warehouse)
    (finding,) = report["categories"]["findings"]
    assert (finding["measure"], finding["value"], finding["parent"], finding["records"], finding["periods"]) == (
        "neighbourhood-crime", NEW_NAME, "BURGLARY", renamed[1], 3)
    assert [w["message"] for w in report["warnings"]] == [sentence]


def test_the_renamed_records_are_what_the_measure_lost(renamed_warehouse, renamed, loaded_warehouse, london_2023):
    """The warning is not idle: the measure counts exactly the renamed records fewer in those months."""
    plan = load_plan(london_2023)

    def force_total(warehouse: Warehouse) -> float:
        table = measure_values(plan, warehouse, measure_id="neighbourhood-crime", unit="force",
                               start="2023-01", end="2023-03")
        return sum(table.column("numerator").to_pylist())

    assert force_total(loaded_warehouse) - force_total(Warehouse(renamed_warehouse[0])) == renamed[1]


def test_the_real_file_loaded_with_the_plan_brings_no_finding(tmp_path, london_dir, london_2023):
    real = london_dir / MPS_MONTHLY.removeprefix("london/")
    human = _invoke("data", "load", "mps-borough-monthly", real, "--plan", london_2023,
                    "--warehouse", tmp_path / "wh")
    assert human.exit_code == 0, human.output
    assert "categories: every category this load brought is named by plan london-2023-24's rules" in human.stdout
    assert "no counting rule" not in human.stderr

    as_json = _invoke("data", "load", "mps-borough-monthly", real, "--plan", london_2023,
                      "--warehouse", tmp_path / "wh2", "--json")
    report = json.loads(as_json.stdout)
    assert report["categories"] == [] and report["plan"] == "london-2023-24"

    validated = json.loads(_invoke("validate", london_2023, "--warehouse", tmp_path / "wh", "--json").stdout)
    assert validated["categories"] == {"warehouse": str(tmp_path / "wh"), "findings": []}
    assert validated["warnings"] == []
    assert "holds none that a counting rule leaves out" in _invoke(
        "validate", london_2023, "--warehouse", tmp_path / "wh").stdout


def test_the_publishers_2025_burglary_classes_are_found(tmp_path, loaded_warehouse, london_2023):
    """The real 24-month file of 2025 names residential burglary afresh; the plan's rule does not."""
    fixture = YEARS / "mps-borough-monthly-2025-24months.csv"
    warehouse = Warehouse(tmp_path / "wh")
    shutil.copytree(loaded_warehouse.directory, warehouse.directory)
    report = warehouse.load_files([("mps-borough-monthly", fixture)])
    assert report.ok, [str(p) for p in report.problems.errors]
    header, rows = _borough_rows(fixture)
    expected = {}
    for major, minor, _borough, *counts in rows:
        months = [month for month, count in zip(header[3:], counts) if count and int(count) > 0]
        if major == "BURGLARY" and minor in ("BURGLARY - RESIDENTIAL", "BURGLARY IN A DWELLING",
                                             "BURGLARY NON-DWELLING") and months:
            expected[minor] = (sum(int(c) for c in counts if c), f"{min(months)[:4]}-{min(months)[4:]}",
                               f"{max(months)[:4]}-{max(months)[4:]}")

    findings = warehouse_drift(warehouse, [load_plan(london_2023).measure("neighbourhood-crime")],
                               [report.files[0].load_id])

    assert {f.value: (f.records, f.first_period, f.last_period) for f in findings} == expected
    assert len(expected) == 3 and all(f.parent == "BURGLARY" and f.new for f in findings)


def test_police_uk_crime_types_of_2014_are_found_for_a_rule_on_the_2010_names(tmp_path):
    """police.uk's crime types changed between 2010 and 2014; a rule on 'Violent crime' hears of each new one."""
    files = [YEARS / "police-uk-street-2010-12-metropolitan.csv", YEARS / "police-uk-street-2014-01-metropolitan.csv"]
    warehouse = Warehouse(tmp_path / "wh")
    report = warehouse.load_files([("police-uk-street", f) for f in files])
    assert report.ok, [str(p) for p in report.problems.errors]
    types: list[dict[str, int]] = []
    for path in files:
        with open(path, newline="", encoding="utf-8") as handle:
            counted: dict[str, int] = defaultdict(int)
            for row in csv.DictReader(handle):
                counted[row["Crime type"]] += 1
            types.append(counted)
    expected = {name: n for name, n in types[1].items() if name not in types[0]}
    violent = count_measure("violent-crime", "police-uk-street", {"crime_type": ["Violent crime"]})

    findings = warehouse_drift(warehouse, [violent])

    assert {f.value: f.records for f in findings} == expected
    assert "Violence and sexual offences" in expected
    assert all(f.reason == NEW and f.first_period == "2014-01" for f in findings)


def test_validate_without_a_warehouse_checks_no_category(tmp_path, london_2023, monkeypatch):
    monkeypatch.setenv("POLICINGPLAN_WAREHOUSE", str(tmp_path / "absent"))
    report = json.loads(_invoke("validate", london_2023, "--json").stdout)
    assert report["categories"] == {"warehouse": None, "findings": []} and report["warnings"] == []

    explicit = _invoke("validate", london_2023, "--warehouse", tmp_path / "absent")
    assert explicit.exit_code == 0
    assert "does not exist, so the categories in the data were not checked" in explicit.stderr


def test_validate_warns_of_a_not_counted_attribute_the_source_does_not_have(tmp_path, loaded_warehouse):
    from policingplan.plan.io import write_plan

    measure = _with_not_counted(NEIGHBOURHOOD, {"minr": ["SHOPLIFTING"]})
    folder = tmp_path / "plan"
    write_plan(Plan(id="p", name="P", organisation="O", period="2023/24", measures=[measure]), folder)

    result = _invoke("validate", folder, "--warehouse", loaded_warehouse.directory, "--json")

    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert any(w["column"] == "measures.neighbourhood-crime.rule.not_counted.minr" and w["value"] == "minr"
               for w in warnings)


def test_the_model_reads_not_counted_from_a_plan():
    rule = CountingRule(count={"minor": ["A"]}, not_counted={"minor": ["B"]})
    assert rule.not_counted == {"minor": ["B"]}
