"""Monitoring a plan month by month: each target's position, forecast and SPC, and roll-ups.

Pure: :mod:`policingplan.monitor.core` takes a plan and monthly measure values
(rows as :func:`policingplan.data.measures.measure_values` gives them) and
returns plain values; :mod:`policingplan.monitor.rollup` rolls the statuses up
to objectives and priorities.  :mod:`policingplan.services.monitor` runs them on
the warehouse for every face.  See ``docs/monitoring.md``.
"""

from policingplan.monitor.core import TargetPosition, default_as_of, monitor_targets
from policingplan.monitor.rollup import ObjectiveStatus, PriorityStatus, UnitStatus, roll_up, unit_statuses

__all__ = [
    "ObjectiveStatus", "PriorityStatus", "TargetPosition", "UnitStatus", "default_as_of", "monitor_targets",
    "roll_up", "unit_statuses",
]
