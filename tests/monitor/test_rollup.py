"""Roll-up rules (docs/monitoring.md): worst status, counts of each, SPC beside it."""

from __future__ import annotations

from policingplan.monitor.core import TargetPosition
from policingplan.monitor.rollup import roll_up, spc_summary, unit_statuses, worst_status
from policingplan.plan.model import Measure, Objective, Plan, Priority, Unit


def _position(measure: str, p: float | None, unit: str = "force", variation: str | None = "common_cause") -> TargetPosition:
    return TargetPosition(measure=measure, unit=unit, target=1.0, polarity="lower", year_to_date=1.0,
                          forecast_total=1.0, interval_80=(0.5, 1.5), p_meet_target=p, variation=variation,
                          assurance=None, period="2023/24")


def _plan() -> Plan:
    measures = [Measure(id=m, name=m, kind="count", polarity="lower", unit_of_count="offences")
                for m in ("a", "b", "c", "d")]
    return Plan(
        id="t", name="T", organisation="T", period="2023/24", measures=measures,
        priorities=[
            Priority(id="p1", name="P1", objectives=[
                Objective(id="o1", name="O1", measures=["a", "b"]),
                Objective(id="o2", name="O2", measures=["b", "c"]),
            ]),
            Priority(id="p2", name="P2", objectives=[Objective(id="o3", name="O3", measures=["d"])]),
        ],
    )


def test_worst_status_ignores_not_assessed():
    assert worst_status(["likely", "in_the_balance", "not_assessed"]) == "in_the_balance"
    assert worst_status(["likely", "unlikely"]) == "unlikely"
    assert worst_status(["not_assessed"]) == "not_assessed"
    assert worst_status([]) == "not_assessed"


def test_objectives_take_the_worst_of_their_targets_and_priorities_of_their_objectives():
    positions = [_position("a", 0.9), _position("b", 0.5), _position("c", 0.1), _position("d", None)]
    p1, p2 = roll_up(_plan(), positions)
    o1, o2 = p1.objectives
    assert (o1.status, o2.status, p1.status) == ("in_the_balance", "unlikely", "unlikely")
    assert o1.counts == {"unlikely": 0, "in_the_balance": 1, "likely": 1, "not_assessed": 0}
    # b belongs to both objectives but counts once for the priority
    assert p1.counts == {"unlikely": 1, "in_the_balance": 1, "likely": 1, "not_assessed": 0}
    assert p2.status == "not_assessed" and p2.counts["not_assessed"] == 1


def test_roll_up_is_per_unit():
    positions = [_position("a", 0.9, unit="force"), _position("a", 0.05, unit="E09000021")]
    assert roll_up(_plan(), positions)[0].status == "likely"
    assert roll_up(_plan(), positions, unit="E09000021")[0].status == "unlikely"


def test_each_unit_takes_the_worst_of_all_its_targets_with_how_many_share_it():
    plan = _plan().model_copy(update={"units": [Unit(code="U1", name="One"), Unit(code="U2", name="Two"),
                                                Unit(code="U3", name="Three")]})
    positions = [_position("a", 0.9, unit="U2"), _position("b", 0.1, unit="U2"), _position("c", 0.15, unit="U2"),
                 _position("a", None, unit="U1"), _position("b", None, unit="U1"), _position("a", 0.1)]
    one, two = unit_statuses(plan, positions)  # in the plan's order; U3 has no target; the force is no unit
    assert (one.code, one.status, one.count, one.targets) == ("U1", "not_assessed", 2, 2)
    assert (two.code, two.name, two.status, two.count, two.targets) == ("U2", "Two", "unlikely", 2, 3)


def test_spc_roll_up_concern_over_improvement_over_common_cause():
    assert spc_summary([_position("a", 0.5, variation="special_cause_improvement"),
                        _position("b", 0.5, variation="special_cause_concern")]) == "concern"
    assert spc_summary([_position("a", 0.5, variation="special_cause_improvement"),
                        _position("b", 0.5)]) == "improvement"
    assert spc_summary([_position("a", 0.5)]) == "common_cause"
    assert spc_summary([_position("a", 0.5, variation=None)]) is None


def test_docs_list_every_json_key_and_the_status_thresholds(project_root):
    from policingplan.monitor.core import LIKELY_AT, UNLIKELY_AT
    from policingplan.services.monitor import JSON_KEYS

    text = (project_root / "docs" / "monitoring.md").read_text(encoding="utf-8")
    documented = [line.split("`")[1] for line in text.splitlines() if line.startswith("| `")]
    assert [k for k in documented if k in JSON_KEYS] == list(JSON_KEYS)
    assert f"| {LIKELY_AT:.0%} or more | `likely`" in text
    assert f"| {UNLIKELY_AT:.0%} or less | `unlikely`" in text
