"""Which plan the pages show: the folder that every figure of the read-only pages comes from.

For now, the plan folder of the settings (``POLICINGPLAN_PLAN_DIR``).  Plan editing
(:mod:`policingplan.web.editing`) decides this once versions live in the database.
"""

from __future__ import annotations

from django.conf import settings


def plan_dir() -> str:
    """The folder of the plan shown."""
    return settings.POLICINGPLAN_PLAN_DIR
