"""The monitor service on the London 2023/24 example and the project's real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.attribution import attribution
from policingplan.data.measures import measure_values
from policingplan.data.warehouse import Warehouse
from policingplan.monitor.core import monitor_targets
from policingplan.monitor.rollup import roll_up
from policingplan.periods import FinancialYear
from policingplan.plan.io import load_plan
from policingplan.problems import UserError
from policingplan.results import NOTICE_TEXTS, Notice, Result
from policingplan.services import monitor as service
from tests.monitor.conftest import load_plan_sources

WESTMINSTER = "E09000033"


@pytest.fixture(scope="module")
def example_dir(project_root) -> Path:
    return project_root / "examples" / "london-2023-24"


@pytest.fixture(scope="module")
def plan(example_dir):
    return load_plan(example_dir)


@pytest.fixture(scope="module")
def warehouse(plan, data_dir, tmp_path_factory) -> Warehouse:
    return Warehouse(load_plan_sources(plan, data_dir, tmp_path_factory.mktemp("warehouse")))


@pytest.fixture(scope="module")
def september(plan, warehouse) -> service.MonitorResult:
    return service.monitor(plan, warehouse, "2023-09")


def test_the_result_is_a_frozen_result_listed_for_the_schemas(september):
    assert isinstance(september, Result) and service.MonitorResult in service.RESULTS
    with pytest.raises(Exception):
        september.as_of = "2023-10"
    assert service.MonitorResult.model_json_schema(mode="serialization")["title"] == "MonitorResult"


def test_the_command_prints_the_services_result(september, example_dir, warehouse):
    from policingplan.cli import app

    result = CliRunner().invoke(app, ["monitor", str(example_dir), "--warehouse", str(warehouse.directory),
                                      "--as-of", "2023-09", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(json.dumps(september.model_dump(mode="json")))


def test_every_target_once_with_the_cores_figures(september, plan, warehouse):
    rows = measure_values(plan, warehouse).to_pylist()
    positions = monitor_targets(plan, rows, "2023-09")
    assert len(september.targets) == len(plan.targets) == len(positions)
    for target, position in zip(september.targets, positions):
        assert (target.measure, target.unit, target.target, target.year_to_date, target.forecast_total,
                target.p_meet_target) == (position.measure, position.unit, position.target, position.year_to_date,
                                          position.forecast_total, position.p_meet_target)
        assert list(target.model_dump())[:len(service.JSON_KEYS)] == list(service.JSON_KEYS)


def test_a_boroughs_year_to_date_is_the_sum_of_its_months_in_the_warehouse(september, plan, warehouse):
    months = {str(m) for m in FinancialYear("2023/24").months_to_date("2023-09")}
    rows = measure_values(plan, warehouse, measure_id="neighbourhood-crime", unit=WESTMINSTER).to_pylist()
    counted = sum(r["numerator"] for r in rows if r["month"] in months)
    (westminster,) = [t for t in september.targets if (t.measure, t.unit) == ("neighbourhood-crime", WESTMINSTER)]
    assert westminster.year_to_date == counted == 14738
    assert (westminster.unit_name, westminster.kind, westminster.met_at) == ("Westminster", "count", 25304)


def test_the_force_target_is_met_at_whole_crimes(september):
    (force,) = [t for t in september.targets if (t.measure, t.unit) == ("neighbourhood-crime", "force")]
    assert force.target == pytest.approx(234682 * 0.95)  # 222,947.9
    assert force.met_at == 222947  # at most 222,947 crimes meet it


def test_warnings_are_the_notices_sentences_with_their_codes(september):
    (homicide,) = [t for t in september.targets if (t.measure, t.unit) == ("homicide-solved-rate", "force")]
    assert [n.code for n in homicide.notices] == ["monitor.published-by-year", "monitor.latest-complete-year"]
    assert homicide.warnings == [str(n) for n in homicide.notices]
    assert homicide.notices[1].values["period"] == "2022"
    assert homicide.warnings[1] == ("the latest complete year by the end of September 2023 is 2022: "
                                    "80.2% (85 of 106)")
    for target in september.targets:
        assert target.warnings == [str(n) for n in target.notices]
        assert all(isinstance(n, Notice) and n.code in NOTICE_TEXTS for n in target.notices)


def test_the_roll_up_is_the_cores_for_the_force(september, plan, warehouse):
    rows = measure_values(plan, warehouse).to_pylist()
    core = roll_up(plan, monitor_targets(plan, rows, "2023-09"))
    assert [(p.id, p.counts.model_dump()) for p in september.rollup.priorities] == [(p.id, p.counts) for p in core]
    trust = next(p for p in september.rollup.priorities if p.name.startswith("Increase trust"))
    assert trust.status == "no_target"


def test_every_unit_at_a_glance_agrees_with_its_targets(september, plan):
    units = september.units
    assert [m.id for m in units.measures] == ["neighbourhood-crime", "violence-with-injury", "knife-crime-offences"]
    assert [u.code for u in units.units] == [u.code for u in plan.units]
    order = ["unlikely", "in_the_balance", "likely"]
    for unit in units.units:
        own = [t for t in september.targets if t.unit == unit.code]
        statuses = [t.status for t in own if t.status != "not_assessed"]
        assert unit.targets == len(own)
        assert unit.status == min(statuses, key=order.index)
        assert unit.count == statuses.count(unit.status)


def test_attribution_and_sources(september):
    assert september.sources == ["mps-borough-monthly", "mps-crime-dashboard", "mps-homicide-victims"]
    assert september.attribution == attribution(september.sources)


def test_one_unit_by_its_name_in_any_case(plan, warehouse, september):
    westminster = service.monitor(plan, warehouse, "2023-09", unit="WESTMINSTER")
    assert westminster.unit.model_dump() == {"code": WESTMINSTER, "name": "Westminster"}
    assert westminster.units is None and westminster.rollup.unit == WESTMINSTER
    assert westminster.targets == [t for t in september.targets if t.unit == WESTMINSTER]
    assert westminster.sources == ["mps-borough-monthly", "mps-crime-dashboard"]


def test_the_folder_form_gives_the_same_result(example_dir, warehouse, september):
    assert service.monitor_folder(example_dir, warehouse.directory, as_of="2023-09") == september


@pytest.mark.parametrize("as_of, unit, message", [
    ("2022-09", None, "--as-of 2022-09 is outside the plan year 2023/24; accepted: a month from 2023-04 to 2024-03"),
    ("2023-13", None, "--as-of: '2023-13' is not a month: the month must be 01 to 12; accepted: a month as YYYY-MM"),
    ("2023-09", "Atlantis", "--unit 'Atlantis' is not a unit of the plan; accepted: force, or a unit code or name "
                            "of the plan, such as E09000002 (Barking and Dagenham)"),
])
def test_a_month_or_unit_the_plan_lacks_is_a_user_error(plan, warehouse, as_of, unit, message):
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        service.monitor(plan, warehouse, as_of, unit=unit)


def test_a_warehouse_without_the_data_says_so(plan, warehouse, tmp_path):
    with pytest.raises(service.DataNotLoaded, match="holds no mps-borough-monthly data") as caught:
        service.monitor(plan, Warehouse(tmp_path / "empty"))
    assert caught.value.kind == "mps-borough-monthly"
    with pytest.raises(service.NoMonthlyData, match="no monthly data for 2030/31"):
        service.monitor(plan.model_copy(update={"period": "2030/31"}), warehouse)


def test_a_warehouse_that_is_a_file_is_a_user_error(example_dir, tmp_path):
    a_file = tmp_path / "warehouse.csv"
    a_file.write_text("x\n", encoding="utf-8")
    with pytest.raises(UserError, match="this is a file, not a folder"):
        service.monitor_folder(example_dir, a_file)
