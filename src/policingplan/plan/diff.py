"""The structured difference between two versions of a plan, each change in words with its reason (pure).

:func:`plan_differences` compares two :class:`~policingplan.plan.model.Plan`
models part by part: priorities, objectives, measures (a measure's CPA flag in
a section of its own), targets (force, unit and partner), requirements,
narrative sections, investments, units and the rest of the plan.  Parts are
matched by their ids (a target by its measure, scope and period; a partner
target by its unit, measure, agreement and period), so that a renamed part is
a change of name, not one part removed and another added.  Each changed field
is one :class:`Difference`.  The plan's ``version``, ``status`` and
``amendments`` are its history, not its content, and are not compared.

Each difference takes its reason from the amendment that made it: the newer
plan's amendments after the older plan's version, up to the newer's own
(:func:`amendments_between`).  Of those amendments' ``changes`` (sentences
such as "Homicide: sanction detections made a CPA; SCD changed the target
from 85% to 80%, because ..."), a difference takes the one that names what
changed: its topic (the words before the colon) or its words name the part's
name, title or id.  A difference that no sentence names takes the reason of
the latest of those amendments (or its summary).  See docs/plan-format.md,
"Versions".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Optional

from pydantic import BaseModel

from policingplan.formatting import fmt_date, fmt_int, fmt_money
from policingplan.plan.describe import describe_target, measure_value, percent
from policingplan.plan.model import FORCE, Amendment, Measure, Plan, Target

#: The sections a change belongs to, in the order a report of changes gives them.
SECTIONS = ("priorities", "objectives", "measures", "targets", "cpas", "investment", "narrative",
            "requirements", "units", "other")
#: Fields of the plan that are its history, not its content: never compared.
NOT_COMPARED = frozenset({"version", "status", "amendments"})
#: Fields whose value is prose: a change is "revised", with the texts as before and after.
TEXT_FIELDS = frozenset({"description", "rationale", "summary", "data_note", "note", "definition", "condition",
                         "body", "source", "agreed"})
_LABELS = {"body": "text", "unit_of_count": "unit of count", "data_note": "data note", "delivery_plans":
           "delivery plans", "baseline_period": "baseline period", "peer_group": "peer group",
           "required_change": "required change", "deadline_period": "deadline", "min_reduction": "floor",
           "max_reduction": "cap", "proposed_reduction": "proposed reduction", "data_sources": "data sources",
           "partner_targets": "partner targets", "rule": "counting rule", "change": "agreed change"}
_STOP = frozenset("the and for all with from into its their this that per cent plan made added more than".split())


@dataclass(frozen=True)
class Difference:
    """One change between two versions: what, where, the values before and after, and why."""

    kind: str  # "added", "removed" or "changed"
    section: str  # one of SECTIONS
    subject: str  # what changed, in words: "the target for ‘Homicide sanction detections’ (force, 2007/08)"
    field: Optional[str]  # the field that changed, or None for a part added or removed
    before: Any  # JSON-able
    after: Any
    what: str  # the change in words, without its reason
    sentence: str  # the change with its reason
    reason: Optional[str] = None  # the amendment's sentence (or reason) that made the change
    amendment: Optional[str] = None  # that amendment's version
    names: tuple[str, ...] = ()  # words that name the part, for finding its amendment


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _q(name: str) -> str:
    return f"‘{name}’"


def _label(field: str) -> str:
    return _LABELS.get(field, field.replace("_", " "))


def _plain(value: Any) -> str:
    """A value in words for a sentence: a list joined, a mapping as key: value, a float without noise."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return fmt_int(value) if value.is_integer() else f"{value:g}"
    if isinstance(value, int):
        return fmt_int(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or "none"
    if isinstance(value, dt.date):
        return fmt_date(value)
    return str(value)


# --- the sentence of one changed field ------------------------------------------------------------


def _list_change(before: list, after: list) -> str:
    added = [x for x in after if x not in before]
    removed = [x for x in before if x not in after]
    parts = ([f"added {_plain(added)}"] if added else []) + ([f"removed {_plain(removed)}"] if removed else [])
    return "; ".join(parts) if parts else f"reordered to {_plain(after)}"


def _field_sentence(subject: str, field: str, before: Any, after: Any, fmt: Callable[[str, Any], str]) -> str:
    label = _label(field)
    if field in TEXT_FIELDS or isinstance(before, BaseModel) or isinstance(after, BaseModel):
        if before in (None, ""):
            return f"{_cap(subject)} was given a {label}"
        if after in (None, ""):
            return f"The {label} of {subject} was removed"
        return f"The {label} of {subject} was revised"
    if field == "illustrative":
        return f"{_cap(subject)} is {'now' if after else 'no longer'} marked illustrative"
    if isinstance(before, list) and isinstance(after, list) and all(isinstance(x, str) for x in before + after):
        return f"The {label} of {subject} changed: {_list_change(before, after)}"
    if isinstance(before, list) or isinstance(after, list):
        return f"The {label} of {subject} changed (from {len(before or [])} to {len(after or [])})"
    return f"The {label} of {subject} changed from {fmt(field, before)} to {fmt(field, after)}"


# --- comparing lists of parts -------------------------------------------------------------------


def _fields(model: type[BaseModel], skip: Iterable[str] = ()) -> list[str]:
    return [name for name in model.model_fields if name not in set(skip)]


def _compare(
    out: list[Difference], section: str, old: list, new: list, key: Callable[[Any], Any],
    subject: Callable[[Any], str], names: Callable[[Any], tuple[str, ...]], skip: Iterable[str] = (),
    added_detail: Callable[[Any], str] = lambda item: "", fmt: Callable[[str, Any], str] = lambda f, v: _plain(v),
    field_section: Callable[[str], str] | None = None, special: Callable[..., Optional[str]] | None = None,
) -> None:
    """Append the differences between two lists of parts matched by ``key``: added, removed, each field changed."""
    before = {key(item): item for item in old}
    after = {key(item): item for item in new}
    for k, item in after.items():
        if k not in before:
            what = f"{_cap(subject(item))} was added{added_detail(item)}"
            out.append(Difference("added", section, subject(item), None, None, _json(item), what, what,
                                  names=names(item)))
            continue
        was = before[k]
        for field in _fields(type(item), skip):
            b, a = getattr(was, field), getattr(item, field)
            if b == a:
                continue
            what = (special(field, was, item) if special else None) or _field_sentence(subject(item), field, b, a, fmt)
            where = field_section(field) if field_section else section
            out.append(Difference("changed", where, subject(item), field, _json(b), _json(a), what, what,
                                  names=names(item)))
    for k, item in before.items():
        if k not in after:
            what = f"{_cap(subject(item))} was removed"
            out.append(Difference("removed", section, subject(item), None, _json(item), None, what, what,
                                  names=names(item)))


def _words(*texts: Optional[str]) -> tuple[str, ...]:
    return tuple(t for t in texts if t)


def _target_fmt(plan_old: Plan, plan_new: Plan, target: Target) -> Callable[[str, Any], str]:
    measure = _measure(plan_new, target.measure) or _measure(plan_old, target.measure)

    def fmt(field: str, value: Any) -> str:
        if value is None:
            return "nothing"
        if field == "value":
            return percent(value, signed=True) if target.kind == "change" else measure_value(value, measure)
        if field in ("minimum", "maximum"):
            relative = target.baseline_period is not None or target.baseline is not None
            return percent(value, signed=True) if relative else measure_value(value, measure)
        if field == "baseline":
            return measure_value(value, measure)
        if field in ("proposed_reduction", "min_reduction", "max_reduction", "change", "required_change"):
            return percent(value, signed=field in ("change", "required_change"))
        return _plain(value)

    return fmt


def _measure(plan: Plan, measure_id: str) -> Measure | None:
    try:
        return plan.measure(measure_id)
    except KeyError:
        return None


def _unit_name(old: Plan, new: Plan, code: str) -> str:
    if code == FORCE:
        return FORCE
    for plan in (new, old):
        try:
            return plan.unit(code).name
        except KeyError:
            continue
    return code


def _measure_name(old: Plan, new: Plan, measure_id: str) -> str:
    measure = _measure(new, measure_id) or _measure(old, measure_id)
    return measure.name if measure is not None else measure_id


# --- the plan's parts ----------------------------------------------------------------------------


def _structural(old: Plan, new: Plan) -> list[Difference]:
    out: list[Difference] = []
    _compare(out, "priorities", old.priorities, new.priorities, lambda p: p.id,
             lambda p: f"the priority {_q(p.name)}", lambda p: _words(p.name, p.id), skip=("objectives",))

    def objectives(plan: Plan) -> list:
        return [o for p in plan.priorities for o in p.objectives]

    def objective_names(o) -> tuple[str, ...]:
        return _words(o.name, o.id)

    _compare(out, "objectives", objectives(old), objectives(new), lambda o: o.id,
             lambda o: f"the objective {_q(o.name)}", objective_names)
    moved = {o.id: p for p in new.priorities for o in p.objectives}
    was_in = {o.id: p for p in old.priorities for o in p.objectives}
    for oid, priority in moved.items():
        if oid in was_in and was_in[oid].id != priority.id:
            objective = next(o for o in priority.objectives if o.id == oid)
            subject = f"the objective {_q(objective.name)}"
            what = f"{_cap(subject)} moved from {_q(was_in[oid].name)} to {_q(priority.name)}"
            out.append(Difference("changed", "objectives", subject, "priority", was_in[oid].id, priority.id, what,
                                  what, names=objective_names(objective)))

    def cpa_sentence(field: str, was: Measure, now: Measure) -> Optional[str]:
        if field != "cpa":
            return None
        subject = _cap(f"the measure {_q(now.name)}")
        return f"{subject} {'became' if now.cpa else 'is no longer'} a critical performance area (CPA)"

    _compare(out, "measures", old.measures, new.measures, lambda m: m.id, lambda m: f"the measure {_q(m.name)}",
             lambda m: _words(m.name, m.id), added_detail=lambda m: ", as a critical performance area (CPA)" if m.cpa
             else "", field_section=lambda f: "cpas" if f == "cpa" else "measures", special=cpa_sentence)
    return out


def _targets(old: Plan, new: Plan) -> list[Difference]:
    out: list[Difference] = []

    def subject(t: Target) -> str:
        return f"the target for {_q(_measure_name(old, new, t.measure))} ({_unit_name(old, new, t.scope)}, {t.period})"

    def names(t: Target) -> tuple[str, ...]:
        return _words(_measure_name(old, new, t.measure), t.measure, "target")

    def detail(t: Target) -> str:
        measure = _measure(new, t.measure)
        return f": {describe_target(t, measure).split(': ', 1)[-1]}"

    before = {t.key: t for t in old.targets}
    for target in new.targets:  # each target formats its own figures
        was = before.get(target.key)
        fmt = _target_fmt(old, new, target)

        def figure(field: str, was: Target, now: Target, fmt=fmt) -> Optional[str]:
            if field == "value" and was.kind == now.kind:  # "The target for ... changed from 85% to 80%"
                return f"{_cap(subject(now))} changed from {fmt(field, was.value)} to {fmt(field, now.value)}"
            return None

        _compare(out, "targets", [] if was is None else [was], [target], lambda t: t.key, subject, names,
                 added_detail=detail, fmt=fmt, special=figure)
    keys = {t.key for t in new.targets}
    _compare(out, "targets", [t for t in old.targets if t.key not in keys], [], lambda t: t.key, subject, names)

    def partner_subject(p) -> str:
        return (f"the {p.agreement} target for {_q(_measure_name(old, new, p.measure))} agreed in "
                f"{_unit_name(old, new, p.unit)} ({p.period})")

    def partner_fmt(field: str, value: Any) -> str:
        return percent(value, signed=True) if field == "change" and value is not None else _plain(value)

    _compare(out, "targets", old.partner_targets, new.partner_targets,
             lambda p: (p.unit, p.measure, p.agreement, p.period), partner_subject,
             lambda p: _words(_measure_name(old, new, p.measure), p.agreement, "partner"),
             added_detail=lambda p: f": {percent(p.change, signed=True)}", fmt=partner_fmt)
    return out


def _the_rest(old: Plan, new: Plan) -> list[Difference]:
    out: list[Difference] = []
    _compare(out, "investment", old.investments, new.investments, lambda i: i.id,
             lambda i: f"the investment {_q(i.name)}", lambda i: _words(i.name, i.id, "investment"),
             added_detail=lambda i: f" ({fmt_money(i.amount)})",
             fmt=lambda f, v: fmt_money(v) if f == "amount" and v is not None else _plain(v))
    _compare(out, "narrative", old.narrative, new.narrative, lambda s: s.id,
             lambda s: f"the narrative section {_q(s.title)}", lambda s: _words(s.title, s.id, "narrative"))
    _compare(out, "requirements", old.requirements, new.requirements, lambda r: r.id,
             lambda r: f"the requirement {_q(r.name)}", lambda r: _words(r.name, r.id),
             fmt=lambda f, v: percent(v, signed=True) if f == "required_change" and v is not None else _plain(v))
    _compare(out, "units", old.units, new.units, lambda u: u.code, lambda u: f"the unit {_q(u.name)} ({u.code})",
             lambda u: _words(u.name, u.code))
    _compare(out, "other", old.milestones, new.milestones, lambda m: m.name, lambda m: f"the milestone {_q(m.name)}",
             lambda m: _words(m.name))
    _compare(out, "other", old.data_sources, new.data_sources, lambda d: d.kind,
             lambda d: f"the data source {_q(d.kind)}", lambda d: _words(d.kind))
    listed = {"priorities", "measures", "targets", "units", "partner_targets", "requirements", "narrative",
              "milestones", "investments", "data_sources"}
    for field in _fields(Plan, NOT_COMPARED | listed):
        b, a = getattr(old, field), getattr(new, field)
        if b == a:
            continue
        what = _field_sentence("the plan", field, b, a, lambda f, v: _plain(v))
        out.append(Difference("changed", "other", f"the plan's {_label(field)}", field, _json(b), _json(a), what,
                              what, names=(field,)))
    return out


# --- reasons -------------------------------------------------------------------------------------


def version_key(version: str) -> tuple:
    """A version label in order: ``0.3`` < ``1.0`` < ``1.10``; labels that are not numbers sort after, by text."""
    parts = re.split(r"[.\-]", str(version).strip())
    if all(p.isdigit() for p in parts):
        return (0, tuple(int(p) for p in parts), "")
    return (1, (), str(version))


def amendments_between(old: Plan, new: Plan) -> list[Amendment]:
    """The newer plan's amendments after the older plan's version, up to the newer's own, in order."""
    low, high = version_key(old.version), version_key(new.version)
    return [a for a in new.amendments if low < version_key(a.version) <= high]


def _tokens(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9£]+", text.casefold()) if len(w) > 2 and w not in _STOP}


_HINTS = {"cpas": {"cpa", "critical"}, "investment": {"investment", "£15m", "fund", "reserve", "money"},
          "narrative": {"narrative", "paragraph", "text", "explaining"}, "targets": {"target", "targets"}}


def _topic(sentence: str) -> tuple[str, str]:
    """``"Homicide: sanction ..."`` → (``"homicide"``, ``"sanction ..."``); no topic when there is no short head."""
    head, sep, rest = sentence.partition(":")
    if sep and len(head.split()) <= 6:
        return head.strip(), rest.strip()
    return "", sentence.strip()


def _score(difference: Difference, sentence: str) -> int:
    topic, body = _topic(sentence)
    score = 0
    named = [n.casefold() for n in difference.names]
    if topic:
        head = " ".join(topic.casefold().replace("-", " ").split())
        plain = [" ".join(n.replace("-", " ").split()) for n in named if len(n) > 3]
        if head in plain:
            score += 20  # the topic is the part's name: "Homicide sanction detections: ..."
        elif any(head in n for n in plain):
            score += 10  # the topic is in the part's name: "Homicide: ..."
        elif any(n in head for n in plain):
            score += 5  # the part's name is in the topic
    name_tokens = set().union(*(_tokens(n.replace("-", " ")) for n in difference.names))
    score += len(name_tokens & _tokens(sentence))
    return score


def _clause(difference: Difference, body: str) -> str:
    """The clause of an amendment's sentence (split at semicolons) that best fits the difference."""
    clauses = [c.strip() for c in body.split(";") if c.strip()]
    if len(clauses) <= 1:
        return body.strip()
    hints = _HINTS.get(difference.section, set())

    def fit(clause: str) -> int:
        words = _tokens(clause) | set(re.findall(r"£\w+|\d+%", clause.casefold()))
        score = 2 * len(words & hints) + len(_tokens(clause) & _tokens(difference.what))
        if difference.field == "cpa" and "cpa" in words:
            score += 3
        figures = set(re.findall(r"£?\d+(?:\.\d+)?%?m?", difference.what))
        score += 3 * len(figures & set(re.findall(r"£?\d+(?:\.\d+)?%?m?", clause)))
        return score

    return max(clauses, key=fit)  # the first of equals


def _with_reason(difference: Difference, reason: str, amendment: str, clause: str) -> Difference:
    clause = clause.rstrip(". ")
    if " because " in f" {clause} ":
        because = clause.split("because", 1)[1].strip()
        sentence = f"{difference.what}, because {because}."
    else:
        sentence = f"{difference.what}: {clause[:1].lower() + clause[1:] if clause[1:2].islower() else clause}."
    return replace(difference, reason=reason, amendment=amendment, sentence=sentence)


def give_reasons(differences: list[Difference], amendments: list[Amendment]) -> list[Difference]:
    """Each difference with the reason of the amendment that made it (see the module's docstring)."""
    sentences = [(a, s) for a in amendments for s in a.changes]
    latest = amendments[-1] if amendments else None
    out = []
    for difference in differences:
        scored = [(_score(difference, s), i) for i, (_, s) in enumerate(sentences)]
        best = max(scored, key=lambda pair: (pair[0], -pair[1]), default=(0, -1))
        if best[0] >= 2:
            amendment, sentence = sentences[best[1]]
            out.append(_with_reason(difference, sentence, amendment.version, _clause(difference, _topic(sentence)[1])))
        elif latest is not None and (latest.reason or latest.summary):
            reason = " ".join((latest.reason or latest.summary).split())
            out.append(replace(difference, reason=reason, amendment=latest.version,
                               sentence=f"{difference.what}. {reason}"))
        else:
            out.append(replace(difference, sentence=f"{difference.what}."))
    return out


def plan_differences(old: Plan, new: Plan) -> list[Difference]:
    """Every difference from ``old`` to ``new``, in the order of :data:`SECTIONS`, each with its reason."""
    found = _structural(old, new) + _targets(old, new) + _the_rest(old, new)
    order = {section: i for i, section in enumerate(SECTIONS)}
    found.sort(key=lambda d: order[d.section])  # stable: within a section, the plans' own order
    return give_reasons(found, amendments_between(old, new))


__all__ = ["Difference", "NOT_COMPARED", "SECTIONS", "amendments_between", "give_reasons", "plan_differences",
           "version_key"]
