"""The planning cycle's rules (pure: no Django, no files): its dates, what is outstanding, and agreement.

- :func:`seed_milestones`: the cycle's dates for a plan.  For the Metropolitan Police's
  2007/08 plan they are the dates MPA report 8a (Co-ordination and Policing Committee,
  1 March 2007) gives, each with the paragraph it comes from; what the report does not
  give (the Full Authority's approval, and its date) is marked assumed.  For any other
  plan the same calendar is moved to the plan's year, every date marked assumed.
- :func:`borough_agreement`: a borough's targets are **agreed** when it has a target of
  its own (for the plan's year) for every measure that has borough targets, and no
  proposal of its commander's is still open.
- :func:`outstanding`: against a plan, what is not yet done: boroughs not agreed,
  measures without a target, narrative sections not yet written, business cases
  awaiting a decision.
- :func:`due_in_words`: "Publication is due in 25 days, on 31 March 2007".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from policingplan.formatting import fmt_int
from policingplan.periods import FinancialYear
from policingplan.plan.model import FORCE, Plan

#: The kinds of outstanding work, in the order the page shows them.
TARGETS, MEASURES, NARRATIVE, CASES = "targets", "measures", "narrative", "cases"
KINDS: tuple[str, ...] = (TARGETS, MEASURES, NARRATIVE, CASES)
KIND_NAMES = {
    TARGETS: "Boroughs whose targets are not yet agreed",
    MEASURES: "Measures without a target",
    NARRATIVE: "Narrative sections not yet written",
    CASES: "Business cases awaiting decision",
}

REPORT = "MPA report 8a, Co-ordination and Policing Committee, 1 March 2007"


@dataclass(frozen=True)
class MilestoneSeed:
    """One date of the cycle: its stable key, name, date, what must be done by then, which kinds of
    outstanding work it requires done, where the date comes from, and whether it is assumed."""

    key: str
    name: str
    date: dt.date
    due: str
    requires: tuple[str, ...]
    source: str
    assumed: bool


def _is_met_2007_08(plan: Plan) -> bool:
    return plan.period == "2007/08" and "Metropolitan Police" in plan.organisation


def seed_milestones(plan: Plan) -> list[MilestoneSeed]:
    """The cycle's dates for ``plan``, earliest first (see the module's documentation)."""
    if _is_met_2007_08(plan):
        return [
            MilestoneSeed("pprc-january", "Planning, Performance and Review Committee", dt.date(2007, 1, 16),
                          "An update on the proposed high-level objectives, measures and targets presented.",
                          (), f"{REPORT}, paragraph 2.", False),
            MilestoneSeed("authority-january", "MPA Full Authority", dt.date(2007, 1, 25),
                          "The same update presented; Members give their initial feedback on the objectives, "
                          "measures and targets.", (), f"{REPORT}, paragraphs 2 and 3.", False),
            MilestoneSeed("pprc-february", "Planning, Performance and Review Committee", dt.date(2007, 2, 14),
                          "The Strategy and Plan, with its objectives, measures and targets, re-presented.",
                          (), f"{REPORT}, paragraph 4.", False),
            MilestoneSeed("committee", "Co-ordination and Policing Committee", dt.date(2007, 3, 1),
                          "Members agree the objectives, measures and targets: every measure has its target, and "
                          "every borough's targets are agreed.", (TARGETS, MEASURES),
                          f"{REPORT}: the meeting's date and its recommendation.", False),
            MilestoneSeed("approval", "Full Authority approval", dt.date(2007, 3, 22),
                          "The Strategy and Plan approved, with every narrative section written.", (NARRATIVE,),
                          "Report 8a gives neither a Full Authority approval after the committee nor its date: "
                          "both are assumed, on a date between the committee (1 March) and publication (31 March).",
                          True),
            MilestoneSeed("publication", "Publication", dt.date(2007, 3, 31),
                          "The Strategy and Plan published: everything above done, and the business cases before "
                          "the Investment Board decided.", KINDS,
                          f"{REPORT}, paragraphs 2 and 27 (published by 31 March 2007). That business cases are "
                          "decided by then is assumed: the report gives no date for them.", False),
        ]
    year = FinancialYear(plan.period).start_year
    moved = f"The Metropolitan Police's 2007/08 cycle ({REPORT}), moved to {plan.period}: no source gives this plan's."
    return [
        MilestoneSeed("committee", "Committee agreement of the targets", dt.date(year, 3, 1),
                      "The committee agrees the objectives, measures and targets: every measure has its target, and "
                      "every borough's targets are agreed.", (TARGETS, MEASURES), moved, True),
        MilestoneSeed("approval", "Authority approval", dt.date(year, 3, 22),
                      "The plan approved, with every narrative section written.", (NARRATIVE,), moved, True),
        MilestoneSeed("publication", "Publication", dt.date(year, 3, 31),
                      "The plan published: everything above done, and the business cases before the investment "
                      "board decided.", KINDS, moved, True),
    ]


# --- agreement and what is outstanding ------------------------------------------------------------


@dataclass(frozen=True)
class OpenProposal:
    """A commander's proposal still open: which borough (unit code) and measure."""

    unit: str
    measure: str


@dataclass(frozen=True)
class Agreement:
    """One borough's agreement: the measures it has no target for, and its open proposals' measures."""

    unit: str
    name: str
    missing: tuple[str, ...]
    open: tuple[str, ...]

    @property
    def agreed(self) -> bool:
        return not self.missing and not self.open


def unit_target_measures(plan: Plan) -> list[str]:
    """The measures that have borough targets for the plan's year, in the plan's order."""
    scoped = {t.measure for t in plan.targets if t.scope != FORCE and t.period == plan.period}
    return [m.id for m in plan.measures if m.id in scoped]


def borough_agreement(plan: Plan, proposals: Iterable[OpenProposal] = ()) -> list[Agreement]:
    """Each borough's agreement, in the plan's order of units: agreed when it has a target of its own for
    the plan's year for every measure that has borough targets, and no open proposal."""
    measures = unit_target_measures(plan)
    have = {(t.scope, t.measure) for t in plan.targets if t.scope != FORCE and t.period == plan.period}
    open_by_unit: dict[str, list[str]] = {}
    for proposal in proposals:
        open_by_unit.setdefault(proposal.unit, [])
        if proposal.measure not in open_by_unit[proposal.unit]:
            open_by_unit[proposal.unit].append(proposal.measure)
    return [Agreement(unit.code, unit.name, tuple(m for m in measures if (unit.code, m) not in have),
                      tuple(open_by_unit.get(unit.code, ()))) for unit in plan.units]


def measures_without_targets(plan: Plan) -> list[str]:
    """The measures with no target at all (the force's or a borough's) for the plan's year."""
    targeted = {t.measure for t in plan.targets if t.period == plan.period}
    return [m.id for m in plan.measures if m.id not in targeted]


def is_written(body: str) -> bool:
    """A narrative section is written when its text has a line that is not blank and not a heading."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in (body or "").splitlines())


def unwritten_sections(plan: Plan) -> list[str]:
    """The ids of the narrative sections not yet written, in the plan's order."""
    return [section.id for section in plan.narrative if not is_written(section.body)]


@dataclass(frozen=True)
class Case:
    """A business case awaiting a decision: its id, title and amount (whole pounds, if known)."""

    id: str
    title: str
    amount: int | None = None


@dataclass
class Outstanding:
    """What is not yet done, by kind."""

    boroughs: list[Agreement] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    narrative: list[str] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return len({TARGETS: self.boroughs, MEASURES: self.measures, NARRATIVE: self.narrative,
                    CASES: self.cases}[kind])

    @property
    def total(self) -> int:
        return sum(self.count(kind) for kind in KINDS)


def outstanding(plan: Plan, proposals: Iterable[OpenProposal] = (), cases: Iterable[Case] = ()) -> Outstanding:
    """What is outstanding against ``plan``, given the open proposals and the cases awaiting decision."""
    return Outstanding(boroughs=[a for a in borough_agreement(plan, proposals) if not a.agreed],
                       measures=measures_without_targets(plan), narrative=unwritten_sections(plan),
                       cases=list(cases))


# --- dates in words ----------------------------------------------------------------------------------


def fmt_day(value: dt.date) -> str:
    """``2007-03-31`` → ``31 March 2007``."""
    return f"{value.day} {value.strftime('%B')} {value.year}"


def days_in_words(days: int) -> str:
    """``1`` → ``1 day``; ``1234`` → ``1,234 days``."""
    return f"{fmt_int(abs(days))} day{'' if abs(days) == 1 else 's'}"


def relative_words(date: dt.date, today: dt.date) -> str:
    """``in 25 days``, ``today`` or ``3 days ago``."""
    days = (date - today).days
    if days == 0:
        return "today"
    return f"in {days_in_words(days)}" if days > 0 else f"{days_in_words(days)} ago"


def due_in_words(name: str, date: dt.date, today: dt.date) -> str:
    """``Publication is due in 25 days, on 31 March 2007``; ``... is due today, 31 March 2007``;
    ``... was due 3 days ago, on 1 March 2007``."""
    days = (date - today).days
    if days > 0:
        return f"{name} is due in {days_in_words(days)}, on {fmt_day(date)}"
    if days == 0:
        return f"{name} is due today, {fmt_day(date)}"
    return f"{name} was due {days_in_words(days)} ago, on {fmt_day(date)}"


def next_milestone(dates: Iterable[tuple[str, dt.date]], today: dt.date) -> str | None:
    """The key of the first milestone on or after ``today`` (``None`` when every date has passed)."""
    upcoming = sorted((date, key) for key, date in dates if date >= today)
    return upcoming[0][1] if upcoming else None


def first_requiring(milestones: Iterable[tuple[str, dt.date, Iterable[str]]], kind: str) -> str | None:
    """The key of the earliest milestone that requires ``kind`` done."""
    found = sorted((date, key) for key, date, requires in milestones if kind in set(requires))
    return found[0][1] if found else None
