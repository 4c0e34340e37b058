"""A sample value for each URL converter, for the role matrix (tests/web/test_roles.py).

Each area adds its converters under its own marker.  A value is either the value itself or a
function ``make(db_ready) -> value`` called inside the test's database (to create, or find, an
object that exists, so that an allowed request answers 200 or 302, not 404).
"""

from __future__ import annotations

SAMPLES: dict[str, object] = {
    # --- plan editing (editing/) ---
    # --- data loads (loads/) ---
    # --- the planning cycle (cycle/) ---
    # --- the portfolio (investment/) ---
}
