"""Folder → model → folder → model loses nothing: random valid plans, written and read back."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policingplan.plan.io import load_plan, plan_files, write_plan
from policingplan.plan.model import (
    Activity,
    Amendment,
    CountingRule,
    DataSource,
    ExternalRequirement,
    Investment,
    Measure,
    Milestone,
    NarrativeSection,
    Objective,
    PartnerTarget,
    Plan,
    Priority,
    Strategy,
    Target,
    Unit,
)
from policingplan.periods import FinancialYear

# Printable text of any script, with newlines; no control or private-use characters.
_chars = st.characters(exclude_categories=("Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp"), include_characters="\n")
text = st.text(_chars, min_size=1, max_size=12).filter(lambda s: s.strip() != "")
line = st.text(st.characters(exclude_categories=("Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp")), min_size=1, max_size=12).filter(
    lambda s: s.strip() != ""
)
maybe_text = st.none() | text
ident = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
number = st.floats(allow_nan=False, allow_infinity=False)
fraction = st.floats(min_value=-1, max_value=1, allow_nan=False)
fy = st.integers(1995, 2030).map(lambda y: str(FinancialYear.of(y)))
calendar = st.integers(1990, 2030).map(str)
span = st.tuples(st.integers(1990, 2010), st.integers(0, 5)).map(lambda p: f"{p[0]}-{p[0] + p[1]}")
period = fy | calendar | span
month = st.tuples(st.integers(1995, 2030), st.integers(1, 12)).map(lambda p: f"{p[0]:04d}-{p[1]:02d}")
date = st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))
# Each attribute lists a value: validate refuses one that lists none (nothing would count).
filters = st.dictionaries(line, st.lists(line, min_size=1, max_size=3), max_size=3)


def unique_lists(strategy, key, max_size=4):
    return st.lists(strategy, max_size=max_size, unique_by=key)


@st.composite
def counting_rules(draw, kind="count"):
    # Rules that can only mean one thing: a rate has a denominator, unlike its numerator.
    if kind not in ("ratio", "percentage") and draw(st.booleans()):
        return CountingRule(count=draw(filters), note=draw(maybe_text))
    numerator = draw(filters)
    as_sets = lambda flt: {k: set(v) for k, v in flt.items()}  # noqa: E731
    denominator = draw(filters.filter(lambda d: as_sets(d) != as_sets(numerator)))
    return CountingRule(numerator=numerator, denominator=denominator, note=draw(maybe_text))


@st.composite
def measures(draw, measure_id):
    kind = draw(st.sampled_from(["count", "ratio", "percentage", "level"]))
    return Measure(
        id=measure_id,
        name=draw(text),
        kind=kind,
        polarity=draw(st.sampled_from(["lower", "higher", "neutral"])),
        unit_of_count=draw(text),
        cpa=draw(st.booleans()),
        description=draw(maybe_text),
        source=draw(st.none() | line),
        rule=draw(st.none() | counting_rules(kind)),
        data_note=draw(maybe_text),
    )


@st.composite
def targets(draw, measure_id, scope, target_period):
    kind = draw(st.sampled_from(["change", "range", "level", "trajectory"]))
    values = {}
    if kind == "change":
        values = {"value": draw(fraction), "baseline_period": draw(period)}
    elif kind == "range":
        low, high = sorted([draw(number), draw(number)])
        values = {"minimum": low, "maximum": high, "baseline_period": draw(st.none() | period)}
    elif kind == "level":
        values = {"value": draw(number)}
    else:
        values = {"trajectory": draw(st.dictionaries(month, number, min_size=1, max_size=4))}
    activities = []
    if scope == "force" or draw(st.booleans()):
        activities = draw(
            st.lists(
                st.builds(Activity, description=text, resources=maybe_text, owner=st.none() | line), max_size=2
            )
        )
    return Target(
        measure=measure_id,
        scope=scope,
        period=target_period,
        kind=kind,
        baseline=draw(st.none() | number),
        rationale=draw(maybe_text),
        activities=activities,
        proposed_reduction=draw(st.none() | fraction),
        min_reduction=draw(st.none() | fraction),
        max_reduction=draw(st.none() | fraction),
        illustrative=draw(st.booleans()),
        **values,
    )


@st.composite
def plans(draw):
    plan_period = draw(fy)
    measure_ids = draw(st.lists(ident, min_size=1, max_size=4, unique=True))
    plan_measures = [draw(measures(m)) for m in measure_ids]
    units = draw(
        unique_lists(
            st.builds(
                Unit,
                code=ident.filter(lambda code: code != "force"),
                name=line,
                kind=line,
                population=st.none() | st.integers(0, 10_000_000),
                peer_group=st.none() | line,
                partner=st.none() | line,
            ),
            key=lambda u: u.code,
        )
    )
    scopes = ["force"] + [u.code for u in units]
    plan_targets = []
    for measure in plan_measures:
        for scope in draw(st.lists(st.sampled_from(scopes), max_size=3, unique=True)):
            plan_targets.append(draw(targets(measure.id, scope, plan_period)))
        if measure.cpa and not any(t.measure == measure.id and t.scope == "force" for t in plan_targets):
            plan_targets.append(draw(targets(measure.id, "force", plan_period)))
    # The folder keeps plan.yaml's targets first, then unit_targets.csv's: the canonical order.
    plan_targets.sort(key=lambda t: t.scope != "force" and not t.activities)

    objective_ids = draw(st.lists(ident, max_size=4, unique=True))
    priority_ids = draw(st.lists(ident, max_size=3, unique=True))
    priorities = []
    for index, priority_id in enumerate(priority_ids):
        mine = objective_ids[index::len(priority_ids)] if priority_ids else []
        priorities.append(
            Priority(
                id=priority_id,
                name=draw(text),
                description=draw(maybe_text),
                delivery_plans=draw(st.lists(line, max_size=2)),
                objectives=[
                    Objective(
                        id=o,
                        name=draw(text),
                        measures=draw(st.lists(st.sampled_from(measure_ids), max_size=3)),
                        description=draw(maybe_text),
                    )
                    for o in mine
                ],
            )
        )
    used_objectives = [o.id for p in priorities for o in p.objectives]
    narrative_ids = draw(st.lists(ident, max_size=3, unique=True))
    narrative = [
        NarrativeSection(
            id=n,
            title=draw(line),
            file=f"narrative/{n}.md",
            priority=draw(st.none() | st.sampled_from(priority_ids)) if priority_ids else None,
            objective=draw(st.none() | st.sampled_from(used_objectives)) if used_objectives else None,
            body=draw(st.text(_chars, max_size=40)),
        )
        for n in narrative_ids
    ]
    partner_targets = []
    if units:
        partner_targets = draw(
            st.lists(
                st.builds(
                    PartnerTarget,
                    unit=st.sampled_from([u.code for u in units]),
                    measure=st.sampled_from(measure_ids),
                    partner=st.none() | line,
                    agreement=line,
                    baseline_period=st.none() | period,
                    period=period,
                    change=fraction,
                    baseline=st.none() | number,
                    definition=maybe_text,
                    note=maybe_text,
                    illustrative=st.booleans(),
                ),
                max_size=3,
            )
        )
    first = draw(st.integers(1995, 2030))
    return Plan(
        id=draw(ident),
        name=draw(line),
        organisation=draw(line),
        period=plan_period,
        strategy=draw(
            st.none()
            | st.builds(
                Strategy,
                name=line,
                first_year=st.just(str(FinancialYear.of(first))),
                last_year=st.just(str(FinancialYear.of(first + 2))),
                agreed=maybe_text,
            )
        ),
        version=draw(line),
        status=draw(st.sampled_from(["draft", "consultation", "agreed", "published", "superseded"])),
        illustrative=draw(st.booleans()),
        summary=draw(maybe_text),
        priorities=priorities,
        measures=plan_measures,
        targets=plan_targets,
        units=units,
        partner_targets=partner_targets,
        requirements=draw(
            unique_lists(
                st.builds(
                    ExternalRequirement,
                    id=ident,
                    name=line,
                    measure=st.sampled_from(measure_ids),
                    baseline_period=period,
                    required_change=fraction,
                    deadline_period=period,
                    baseline=st.none() | number,
                    outturns=st.dictionaries(fy, fraction, max_size=3),
                    source=maybe_text,
                ),
                key=lambda r: r.id,
                max_size=2,
            )
        ),
        narrative=narrative,
        milestones=draw(st.lists(st.builds(Milestone, name=line, due=date, done=st.none() | st.booleans()), max_size=2)),
        investments=draw(
            unique_lists(
                st.builds(
                    Investment,
                    id=ident,
                    name=line,
                    amount=st.floats(min_value=0, max_value=1e12),
                    description=maybe_text,
                    condition=maybe_text,
                    priorities=st.lists(st.sampled_from(priority_ids), max_size=2) if priority_ids else st.just([]),
                ),
                key=lambda i: i.id,
                max_size=2,
            )
        ),
        amendments=draw(
            unique_lists(
                st.builds(
                    Amendment,
                    version=line,
                    date=date,
                    meeting=st.none() | line,
                    summary=text,
                    reason=maybe_text,
                    changes=st.lists(text, max_size=2),
                ),
                key=lambda a: a.version.strip(),
                max_size=3,
            )
        ),
        data_sources=draw(st.lists(st.builds(DataSource, kind=line, files=st.lists(line, max_size=2), note=maybe_text), max_size=2)),
        notes=draw(st.lists(text, max_size=2)),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(plans())
def test_a_plan_written_and_read_back_is_equal(plan):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "plan"
        write_plan(plan, folder)
        again = load_plan(folder)
        assert again == plan
        # ...and writing it once more gives the same files, byte for byte.
        assert plan_files(again) == plan_files(plan)
        write_plan(again, folder)
        assert load_plan(folder) == plan


def test_unit_targets_come_back_after_the_yaml_targets(mini_plan, tmp_path):
    plan = load_plan(mini_plan)
    unit_first = plan.model_copy(update={"targets": list(reversed(plan.targets))})
    write_plan(unit_first, tmp_path / "out")
    again = load_plan(tmp_path / "out")
    assert [t.scope for t in unit_first.targets] == ["U2", "U1", "force"]
    assert [t.scope for t in again.targets] == ["force", "U2", "U1"]


def test_the_london_example_round_trips(project_root, tmp_path):
    plan = load_plan(project_root / "examples" / "london-2007-08")
    write_plan(plan, tmp_path / "london")
    assert load_plan(tmp_path / "london") == plan
    assert sorted(p.relative_to(tmp_path / "london").as_posix() for p in (tmp_path / "london").rglob("*") if p.is_file()) == sorted(
        ["plan.yaml", "units.csv", "unit_targets.csv", "partner_targets.csv"] + [s.file for s in plan.narrative]
    )
