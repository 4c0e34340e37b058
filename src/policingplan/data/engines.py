"""The engines that run the counting rules: DuckDB on this machine (the default), or Spark.

The counting rules (:mod:`policingplan.data.rules`) compile to Ibis expressions, and an
:class:`Engine` is where they run: the same expressions, over the same Parquet segments
that the warehouse's catalogue lists (:meth:`Warehouse.segment_locations`).

- ``duckdb``: an in-memory DuckDB, in this process.  Nothing to set up.
- ``spark``: a Spark session, through Ibis's PySpark backend.  By default Spark runs in
  local mode on this machine (``local[*]``); the settings below point it at a cluster.

Settings (environment variables).  ``POLICINGPLAN_ENGINE`` (``duckdb``, the default, or
``spark``) is read by the ``measures`` command, as the default of its ``--engine``; every
other caller (the web application, the other services) computes on DuckDB unless it asks for
an engine.  The Spark engine reads:

- ``POLICINGPLAN_SPARK_MASTER``: Spark's master URL (``local[4]``, ``spark://host:7077``,
  ``yarn``, ``k8s://…``).  Default ``local[*]``.
- ``POLICINGPLAN_SPARK_REMOTE``: a Spark Connect URL (``sc://host:15002``), used instead of
  a master (needs pyspark's Connect client: ``pip install "pyspark[connect]"``).
- ``POLICINGPLAN_SPARK_RECORDS``: where the cluster reads the warehouse folder
  (``hdfs://nn/policingplan/warehouse``, ``s3a://bucket/warehouse``, ``file:///shared/warehouse``);
  by default the warehouse's own path on this machine, which a cluster's executors must
  then see at the same path.

Other Spark settings (memory, executors, storage credentials) come from Spark's own
``spark-defaults.conf`` (``SPARK_CONF_DIR``).  Starting Spark takes seconds: the session
is made once per process, on first use, and ``on_start`` is told before it starts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from policingplan.problems import UserError

if TYPE_CHECKING:
    import ibis

    from policingplan.data.warehouse import Warehouse

ENGINES = ("duckdb", "spark")
DEFAULT_ENGINE = "duckdb"
DEFAULT_SPARK_MASTER = "local[*]"

#: Spark's settings for a session this module makes: quiet (no UI, no console progress bar,
#: no log lines but errors), few shuffle partitions (the grouped results are small: a few
#: thousand rows per measure), and Arrow for the results' way back to Python.
SPARK_CONF = {
    "spark.app.name": "policingplan",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
}

#: Log4j 2 settings for a local Spark driver: errors only, on standard error.
_LOG4J = """\
rootLogger.level = error
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = Spark: %p %c{1}: %m%n
"""


class EngineUnavailable(UserError):
    """An engine that cannot start here: its library or Java is missing, or its cluster does not answer."""


def engine_name(name: Optional[str] = None) -> str:
    """The engine asked for (in any case), else ``duckdb``; a UserError for any other."""
    if name is None or not name.strip():
        return DEFAULT_ENGINE
    cleaned = name.strip().lower()
    if cleaned not in ENGINES:
        raise UserError(f"unknown engine {name!r} (--engine, or the setting POLICINGPLAN_ENGINE); "
                        f"accepted: {', '.join(ENGINES)}")
    return cleaned


@dataclass
class Engine:
    """Where the counting rules run: a connection to query on, and the records as tables on it."""

    name: str = DEFAULT_ENGINE
    #: Called with a sentence before a slow start (Spark's), for a terminal to show.
    on_start: Optional[Callable[[str], None]] = field(default=None, repr=False, compare=False)
    #: Spark only: the session to use (made from the settings when none is given).
    session: Any = field(default=None, repr=False, compare=False)

    @property
    def runs_here(self) -> bool:
        """Whether the engine is DuckDB in this process (Spark runs in a JVM, or on a cluster)."""
        return self.name != "spark"

    def connect(self) -> "ibis.BaseBackend":
        """A connection to run the rules on; give it back with :meth:`release`."""
        if self.name == "spark":
            session = self.spark_session()  # first: it says so in one line when pyspark is missing
            import ibis

            return ibis.pyspark.connect(session)
        from policingplan.data.warehouse import Warehouse

        return Warehouse.connection()

    def release(self, con: "ibis.BaseBackend") -> None:
        """Close a DuckDB connection; leave Spark's session running for the next query
        (Ibis's ``disconnect`` would stop it)."""
        if self.name != "spark":
            con.disconnect()

    def records_table(self, con: "ibis.BaseBackend", warehouse: "Warehouse", kind: str) -> "ibis.Table | None":
        """A kind's live records as an Ibis table on ``con`` (``None`` when none are loaded)."""
        if self.name != "spark":
            return warehouse.records_table(con, kind)
        base = os.environ.get("POLICINGPLAN_SPARK_RECORDS") or None
        for attempt in (1, 2):  # the second time, after a load that committed meanwhile
            locations = warehouse.segment_locations(kind, base)
            if not locations:
                return None
            try:
                records = con._session.read.parquet(*locations)
                break
            except Exception as exc:  # Spark's AnalysisException, with the path it could not read
                if attempt == 2:
                    raise UserError(f"Spark cannot read the {kind} records the warehouse lists: "
                                    f"{_first_line(exc)}" + (f" (POLICINGPLAN_SPARK_RECORDS is {base})" if base else "")
                                    ) from None
        name = f"records_{kind.replace('-', '_')}"
        records.createOrReplaceTempView(name)
        return con.table(name)

    def retry_errors(self) -> tuple[type[BaseException], ...]:
        """Errors after which a read is tried once more (a segment removed by a load that committed
        meanwhile): DuckDB's are the warehouse's own; Spark's are its analysis and job errors."""
        if self.name != "spark":
            return ()
        try:
            from py4j.protocol import Py4JJavaError
            from pyspark.errors import PySparkException
        except ImportError:  # no pyspark: the session's start says so, in one line
            return ()

        return (PySparkException, Py4JJavaError)

    def spark_session(self):
        """The Spark session: the one given, else one made once per process from the settings."""
        if self.session is None:
            self.session = spark_session(on_start=self.on_start)
        return self.session


_SESSION: Any = None


def spark_session(on_start: Optional[Callable[[str], None]] = None, *, master: Optional[str] = None,
                  conf: Optional[dict[str, str]] = None):
    """The process's Spark session, started on first use from the settings (see the module doc).

    ``master`` and ``conf`` (a first call's only) override ``POLICINGPLAN_SPARK_MASTER`` and
    add to :data:`SPARK_CONF`.  A missing pyspark or Java, or a cluster that does not answer,
    is an :class:`EngineUnavailable` of one line.
    """
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineUnavailable(
            "the Spark engine needs pyspark, which is not installed: "
            "pip install -c constraints.txt -e '.[spark]' (or use --engine duckdb)") from None
    remote = os.environ.get("POLICINGPLAN_SPARK_REMOTE") or None
    master = master or os.environ.get("POLICINGPLAN_SPARK_MASTER") or DEFAULT_SPARK_MASTER
    settings = {**SPARK_CONF, **(conf or {})}
    where = f"Spark Connect at {remote}" if remote else (
        "local mode" if master.startswith("local") else f"master {master}")
    if not remote:
        _check_java()
    if on_start is not None:
        on_start(f"Starting Spark ({where})…")
    try:
        if remote:
            builder = SparkSession.builder.remote(remote)
            for key, value in settings.items():
                if key.startswith("spark.sql."):
                    builder = builder.config(key, value)
            _SESSION = builder.getOrCreate()
        else:
            _SESSION = _local_driver(SparkSession, master, settings)
    except ImportError as exc:
        raise EngineUnavailable(f"Spark Connect needs pyspark's Connect client ({exc}): "
                                "pip install 'pyspark[connect]'") from None
    except Exception as exc:  # the JVM or the cluster did not start: say which, in one line
        raise EngineUnavailable(f"Spark did not start ({where}): {_first_line(exc)} (Spark's log: {_log_path()})"
                                ) from None
    return _SESSION


def _local_driver(session_type, master: str, settings: dict[str, str]):
    """A session whose driver (a JVM) runs in this machine, its output going to Spark's log file,
    not the terminal: the JVM's start-up warnings and log lines are no business of a user's."""
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway

    conf = SparkConf().setMaster(master)
    for key, value in settings.items():
        conf.set(key, value)
    conf.set("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{_log4j_file()}")
    with open(_log_path(), "ab") as log:
        gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
    context = SparkContext(conf=conf, gateway=gateway)
    context.setLogLevel("ERROR")
    return session_type(context)


def stop_spark() -> None:
    """Stop the process's Spark session, if one was started (the next use starts another)."""
    global _SESSION
    if _SESSION is not None:
        _SESSION.stop()
        _SESSION = None


def _first_line(exc: BaseException) -> str:
    """An error's first line: Spark's errors run to a Java stack trace."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def spark_failure(exc: BaseException) -> UserError:
    """A query that failed on Spark, after its retry, as one line."""
    return UserError(f"Spark could not compute the measures: {_first_line(exc)} (Spark's log: {_log_path()})")


def _check_java() -> None:
    home = os.environ.get("JAVA_HOME")
    java = Path(home) / "bin" / "java" if home else shutil.which("java")
    if java is None or not Path(java).exists():
        raise EngineUnavailable(
            "the Spark engine needs Java 17 or 21, and no java was found "
            + (f"in JAVA_HOME ({home})" if home else "on the PATH")
            + ": install it (Debian: apt-get install openjdk-17-jre-headless), or use --engine duckdb")


def _log_path() -> Path:
    """Where a local Spark driver writes its own output: the system's temporary folder."""
    return Path(tempfile.gettempdir()) / f"policingplan-spark-{os.getuid()}.log"


def _log4j_file() -> Path:
    path = Path(tempfile.gettempdir()) / f"policingplan-spark-log4j2-{os.getuid()}.properties"
    if not path.exists() or path.read_text(encoding="utf-8") != _LOG4J:
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_text(_LOG4J, encoding="utf-8")
        os.replace(tmp, path)
    return path


__all__ = ["DEFAULT_ENGINE", "ENGINES", "Engine", "EngineUnavailable", "engine_name", "spark_session", "stop_spark"]
