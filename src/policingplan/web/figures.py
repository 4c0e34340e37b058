"""The services' results that the pages show, reused for a few minutes.

Each function calls one service with the plan folder and the warehouse from
the settings (``POLICINGPLAN_PLAN_DIR``, ``POLICINGPLAN_WAREHOUSE``), and keeps
the result for ``POLICINGPLAN_CACHE_SECONDS``: the monitor runs every target's
forecast, which takes a second or two, and its figures change only when data
is loaded.  A service's error is never kept: the next request asks again.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, TypeVar

from django.conf import settings

T = TypeVar("T")
_cache: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()


def plan_dir() -> str:
    """The folder of the plan the pages show (:func:`policingplan.web.shown.plan_dir`)."""
    from policingplan.web import shown

    return shown.plan_dir()


def _cached(key: tuple, make: Callable[[], T]) -> T:
    ttl = settings.POLICINGPLAN_CACHE_SECONDS
    key = (plan_dir(), settings.POLICINGPLAN_WAREHOUSE) + key
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]  # type: ignore[return-value]
    value = make()
    with _lock:
        _cache[key] = (now, value)
    return value


def clear() -> None:
    """Forget every result (after a data load, and between tests)."""
    with _lock:
        _cache.clear()


def plan():
    """The plan with its data sources' attribution (:func:`policingplan.services.plan.show`)."""
    from policingplan.services.plan import show

    return _cached(("plan",), lambda: show(plan_dir()))


def monitoring(unit: str | None = None):
    """Every target's position, or one unit's (:func:`policingplan.services.monitor.monitor_folder`)."""
    from policingplan.services.monitor import monitor_folder

    return _cached(("monitor", unit), lambda: monitor_folder(
        plan_dir(), settings.POLICINGPLAN_WAREHOUSE, unit=unit))


def history(target, as_of: str):
    """A target's XmR chart (:func:`policingplan.services.history.target_history`)."""
    from policingplan.services.history import target_history

    return _cached(("history", target.measure, target.unit, as_of), lambda: target_history(
        plan(), target, as_of, settings.POLICINGPLAN_WAREHOUSE))


def load_command() -> str:
    """The command that loads the plan's data into the warehouse the application reads."""
    from pathlib import Path

    def shown(path: str) -> str:
        try:
            return str(Path(path).resolve().relative_to(Path.cwd()))
        except ValueError:
            return path

    command = f"policingplan data load --plan {shown(plan_dir())}"
    if Path(settings.POLICINGPLAN_WAREHOUSE) != Path(".policingplan", "warehouse"):
        command += f" --warehouse {shown(settings.POLICINGPLAN_WAREHOUSE)}"
    return command


def chart(history, title: str) -> tuple[str, str]:
    """The XmR chart of a target's history as SVG, with its text alternative (``publish.charts``)."""
    from policingplan.publish.charts import to_svg, xmr_chart

    def make() -> tuple[str, str]:
        spec = xmr_chart([p.model_dump() for p in history.points], kind=history.kind, target=history.monthly_target,
                         title=title, plan_year_start=history.plan_year_start)
        return to_svg(spec), spec.description

    return _cached(("chart", history.measure, history.unit, history.as_of, title), make)


def fan(target, as_of: str):
    """A target's year-end forecast month by month, with its intervals
    (:func:`policingplan.services.history.forecast_fan`)."""
    from policingplan.services.history import forecast_fan

    return _cached(("fan", target.measure, target.unit, target.target, as_of), lambda: forecast_fan(
        plan(), target, as_of, settings.POLICINGPLAN_WAREHOUSE))


def peers(measure: str, as_of: str):
    """Every unit's year to date for a measure, ranked and against its peers
    (:func:`policingplan.services.history.peer_standing`)."""
    from policingplan.services.history import peer_standing

    return _cached(("peers", measure, as_of), lambda: peer_standing(
        plan(), measure, as_of, settings.POLICINGPLAN_WAREHOUSE))


def fan_chart(fan, title: str) -> tuple[str, str]:
    """The forecast fan as SVG, with its text alternative (``publish.charts.fan_chart``)."""
    from policingplan.publish.charts import fan_chart as chart_of, to_svg

    def make() -> tuple[str, str]:
        spec = chart_of([p.model_dump() for p in fan.points], kind=fan.kind, target=fan.target, title=title)
        return to_svg(spec), spec.description

    return _cached(("fan-chart", fan.measure, fan.unit, fan.as_of, title), make)


def peer_chart(standing, rows, title: str, subtitle: str, highlight: str | None,
               peer_rate: float | None) -> tuple[str, str]:
    """Where the units stand, as SVG with its text alternative (``publish.charts.peer_chart``)."""
    from policingplan.publish.charts import peer_chart as chart_of, to_svg

    def make() -> tuple[str, str]:
        spec = chart_of([r.model_dump() for r in rows], kind=standing.kind, title=title, subtitle=subtitle,
                        highlight=highlight, peer_rate=peer_rate,
                        x_title="per 1,000 residents" if standing.basis == "per_1000" else "rate")
        return to_svg(spec), spec.description

    return _cached(("peer-chart", standing.measure, standing.as_of, title, subtitle, highlight), make)
