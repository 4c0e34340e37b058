"""A sample value for each URL converter, for the role matrix (tests/web/test_roles.py).

Each area adds its converters under its own marker.  A value is either the value itself or a
function ``make(db_ready) -> value`` called inside the test's database (to create, or find, an
object that exists, so that an allowed request answers 200 or 302, not 404).
"""

from __future__ import annotations

SAMPLES: dict[str, object] = {
    # --- plan editing (editing/) ---
    "version": lambda: __import__("policingplan.web.editing.store", fromlist=["store"]).ensure_imported().pk,
    "step": "consult",
    "target_scope": "force",
    "section": "knife-crime",  # a narrative section of the London 2023/24 example
    "target_period": "2023-24",
    # --- data loads (loads/) ---
    # --- the planning cycle (cycle/) ---
    "milestone": lambda: __import__("tests.web.cycle.samples", fromlist=["milestone"]).milestone(),
    "proposal": lambda: __import__("tests.web.cycle.samples", fromlist=["proposal"]).proposal(),
    # --- the portfolio (investment/) ---
    "programme": lambda: __import__("tests.web.investment.samples", fromlist=["programme"]).programme(),
    "benefit": lambda: __import__("tests.web.investment.samples", fromlist=["benefit"]).benefit(),
    "case": lambda: __import__("tests.web.investment.samples", fromlist=["case"]).case(),
}
