"""The counting rules run unchanged on Spark (local mode, through Ibis), and agree exactly with DuckDB.

Both London examples' data are loaded into warehouses of their own; every measure with a
counting rule is computed for every unit and period (and the force's rows) on DuckDB and on
Spark, from the same Parquet segments, and the two tables must be equal: the same rows, the
same numerators and denominators to the last bit (so the same rates).

One Spark session serves the whole module (``local[2]``, two shuffle partitions, no UI), and
every test here runs on one xdist worker.  Spark needs pyspark and Java: when either is
missing, the tests fail, saying so; they are never skipped (CI installs both).
"""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.data.engines import Engine, spark_session, stop_spark
from policingplan.data.files import plan_data_files
from policingplan.data.measures import measure_values, measures_with_rules
from policingplan.data.warehouse import Warehouse
from policingplan.plan.io import load_plan
from policingplan.problems import UserError
from policingplan.services.data import measures
from policingplan.settings import PROJECT_ROOT

pytestmark = [
    pytest.mark.xdist_group("spark"),
    # Ibis and pyspark pass Spark's rows through pandas, and pandas 3 warns of options they still use.
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

EXAMPLES = ("london-2007-08", "london-2023-24")
EXAMPLES_DIR = PROJECT_ROOT / "examples"


@pytest.fixture(scope="module")
def spark_started() -> list[str]:
    """Spark in local mode, started once for the module; the sentences it said as it started."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.fail("pyspark is not installed: run `make install` (the test extra installs it)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("Java is not installed: Spark needs Java 17 (Debian: apt-get install openjdk-17-jre-headless)")
    said: list[str] = []
    stop_spark()
    spark_session(said.append, master="local[2]", conf={"spark.sql.shuffle.partitions": "2"})
    yield said
    stop_spark()


@pytest.fixture(scope="module")
def examples(data_dir: Path, tmp_path_factory) -> dict:
    """Each example's plan, and a warehouse holding every file its data sources name."""
    loaded = {}
    for name in EXAMPLES:
        plan = load_plan(EXAMPLES_DIR / name)
        warehouse = Warehouse(tmp_path_factory.mktemp(name) / "warehouse")
        report = warehouse.load_files([(kind, path) for kind, _, path in plan_data_files(plan, data_dir)])
        assert report.ok, [str(p) for p in report.problems.errors]
        loaded[name] = (plan, warehouse)
    return loaded


def _keyed(table) -> dict[tuple[str, str, str], tuple]:
    rows = table.to_pylist()
    keyed = {(r["measure"], r["unit"], r["month"]): (r["period_kind"], r["numerator"], r["denominator"])
             for r in rows}
    assert len(keyed) == len(rows), "a measure, unit and period occurs twice"
    return keyed


def _bits(value):
    return None if value is None else float(value).hex()


def test_spark_says_it_is_starting(spark_started):
    assert spark_started == ["Starting Spark (local mode)…"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_measure_unit_and_period_agrees_exactly_on_duckdb_and_spark(example, examples, spark_started):
    plan, warehouse = examples[example]
    on_duckdb = measure_values(plan, warehouse)
    on_spark = measure_values(plan, warehouse, engine=Engine("spark"))

    assert on_spark.schema == on_duckdb.schema
    duck, spark = _keyed(on_duckdb), _keyed(on_spark)
    assert set(spark) == set(duck)
    differing = [(key, duck[key], spark[key]) for key in duck
                 if (duck[key][0], _bits(duck[key][1]), _bits(duck[key][2]))
                 != (spark[key][0], _bits(spark[key][1]), _bits(spark[key][2]))]
    assert differing == []
    # The same table, row for row in the same order (both are sorted by measure, unit and month).
    assert on_spark.equals(on_duckdb)
    # What was compared is the whole plan: every measure with a rule, every unit, the force, years of months.
    computed = {m.id for m in measures_with_rules(plan)}
    assert {measure for measure, _, _ in duck} == computed and len(computed) >= 7
    units = {unit for _, unit, _ in duck}
    assert {u.code for u in plan.units} <= units and "force" in units
    assert len(duck) > 10_000
    rates = [(n / d, spark[key][1] / spark[key][2]) for key, (_, n, d) in duck.items() if d]
    assert rates and all(a == b for a, b in rates)


def test_the_service_and_the_command_line_compute_on_spark(examples, spark_started):
    plan, warehouse = examples["london-2023-24"]
    asked = dict(measure="knife-crime-positive-outcome-rate", start="2023-04", end="2024-01")
    on_duckdb = measures(plan, warehouse.directory, engine="duckdb", **asked)
    on_spark = measures(plan, warehouse.directory, engine="spark", **asked)

    assert on_spark == on_duckdb
    assert len(on_spark.rows) >= 32 * 10 and {row.unit for row in on_spark.rows} >= {"force", "E09000033"}
    westminster = [r for r in on_spark.rows if r.unit == "E09000033"]
    assert all(r.denominator and math.isclose(r.value, r.numerator / r.denominator) for r in westminster)

    result = CliRunner().invoke(app, [
        "measures", str(EXAMPLES_DIR / "london-2023-24"), "--warehouse", str(warehouse.directory),
        "--measure", "road-ksi", "--csv", "--engine", "spark"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = measures(plan, warehouse.directory, measure="road-ksi", engine="duckdb").rows
    assert [(r["unit"], r["month"], r["numerator"]) for r in rows] == [
        (r.unit, r.month, str(r.numerator)) for r in expected]
    assert len(rows) > 30


def test_spark_reads_the_segments_at_the_url_a_cluster_would_see_them(examples, spark_started, monkeypatch):
    """POLICINGPLAN_SPARK_RECORDS names the warehouse folder as the cluster sees it: here a file:// URL."""
    plan, warehouse = examples["london-2007-08"]
    monkeypatch.setenv("POLICINGPLAN_SPARK_RECORDS", warehouse.directory.resolve().as_uri() + "/")
    locations = warehouse.segment_locations("mps-borough-monthly", os.environ["POLICINGPLAN_SPARK_RECORDS"])
    assert locations and all(loc.startswith("file:///") and "/records/mps-borough-monthly/" in loc
                             for loc in locations)

    measure = measures_with_rules(plan)[0].id
    on_spark = measure_values(plan, warehouse, measure_id=measure, engine=Engine("spark"))
    assert on_spark.num_rows > 100
    assert on_spark.equals(measure_values(plan, warehouse, measure_id=measure))

    elsewhere = (warehouse.directory.parent / "elsewhere").as_uri()
    monkeypatch.setenv("POLICINGPLAN_SPARK_RECORDS", elsewhere)
    with pytest.raises(UserError) as raised:
        measure_values(plan, warehouse, measure_id=measure, engine=Engine("spark"))
    message = str(raised.value)
    assert message.startswith(f"Spark cannot read the {measures_with_rules(plan)[0].source} records the warehouse lists: ")
    assert "Path does not exist: file:" in message and "/elsewhere/records/" in message  # the path Spark tried
    assert message.endswith(f"(POLICINGPLAN_SPARK_RECORDS is {elsewhere})")
    assert "\n" not in message


def _run(args: list[str], env: dict[str, str], prelude: str = "") -> subprocess.CompletedProcess:
    code = f"import sys; {prelude}from policingplan.cli import main; sys.argv = ['policingplan'] + {args!r}; main()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_a_missing_java_is_one_clear_line(examples, tmp_path):
    plan, warehouse = examples["london-2023-24"]
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "PATH")}
    env["PATH"] = str(tmp_path)  # no java on it
    args = ["measures", str(EXAMPLES_DIR / "london-2023-24"), "--warehouse", str(warehouse.directory),
            "--measure", "road-ksi", "--engine", "spark"]
    result = _run(args, env)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "Error: the Spark engine needs Java 17 or 21, and no java was found on the PATH: install it "
        "(Debian: apt-get install openjdk-17-jre-headless), or use --engine duckdb"]


def test_a_missing_pyspark_and_an_unknown_engine_are_one_clear_line(examples):
    plan, warehouse = examples["london-2023-24"]
    args = ["measures", str(EXAMPLES_DIR / "london-2023-24"), "--warehouse", str(warehouse.directory),
            "--measure", "road-ksi"]
    env = {**os.environ, "POLICINGPLAN_ENGINE": "spark"}
    result = _run(args, env, prelude="sys.modules['pyspark'] = None; ")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: the Spark engine needs pyspark, which is not installed: "
        "pip install -c constraints.txt -e '.[spark]' (or use --engine duckdb)"]

    result = _run(args + ["--engine", "Flink"], dict(os.environ))
    assert result.returncode == 1
    assert result.stderr.strip() == ("Error: unknown engine 'Flink' (--engine, or the setting "
                                     "POLICINGPLAN_ENGINE); accepted: duckdb, spark")


def test_the_help_starts_no_spark_and_imports_no_pyspark():
    code = ("import sys; from typer.testing import CliRunner; from policingplan.cli import app; "
            "result = CliRunner().invoke(app, ['measures', '--help']); "
            "print(result.exit_code, '--engine' in result.output, "
            "sorted({m.split('.')[0] for m in sys.modules} & {'pyspark', 'py4j', 'ibis', 'duckdb'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["0", "True", "[]"], done.stderr
