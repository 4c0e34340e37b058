"""``portfolio.yaml`` parsed from its text and checked against the plan, with the line of every problem (pure).

:func:`parse_portfolio` takes the file's text, the plan it belongs to and a
label naming the file (as the user gave it), and returns the portfolio with
EVERY problem found, each naming the file, the line, the field, the value and
what is accepted: the model's own errors (unknown fields, wrong types), the
references into the plan (measures, CPAs, objectives, priorities, the fund's
investment), the references within the file (a case's programme and
benefits), the budget adding up, and each business case's decisions replayed
through the workflow in time order (so that a file cannot record an approval
the workflow would refuse, or a status its decisions do not lead to).
:func:`portfolio_text` writes a portfolio back as the file's text, for a plan
folder exported from the application.  It reads no files.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from typing import Any, Iterator

import yaml
from pydantic import BaseModel, ValidationError

from policingplan.plan.model import Plan
from policingplan.plan.source import dotted_path, parse_yaml
from policingplan.portfolio.finance import line_totals
from policingplan.portfolio.model import Benefit, Portfolio
from policingplan.portfolio.workflow import WorkflowError, allowed_actions, decide
from policingplan.problems import Problem, ProblemList

PORTFOLIO_FILE = "portfolio.yaml"

_ACCEPTED = {
    "missing": "a value: this field is required",
    "string_type": "text",
    "float_type": "a number, such as 0.6 or 1200",
    "float_parsing": "a number, such as 0.6 or 1200",
    "int_type": "whole pounds, such as 2500000",
    "int_parsing": "whole pounds, such as 2500000",
    "int_from_float": "whole pounds, such as 2500000",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list (YAML items starting '- ')",
    "dict_type": "a mapping of keys and values",
    "model_type": "a mapping of fields",
    "date_type": "a date written YYYY-MM-DD, such as 2008-03-31",
    "date_parsing": "a date written YYYY-MM-DD, such as 2008-03-31",
    "date_from_datetime_inexact": "a date written YYYY-MM-DD, such as 2008-03-31",
    "date_from_datetime_parsing": "a date written YYYY-MM-DD, such as 2008-03-31",
    "datetime_type": "a date and time with its offset, such as 2007-05-10T14:00:00+01:00",
    "datetime_parsing": "a date and time with its offset, such as 2007-05-10T14:00:00+01:00",
    "datetime_from_date_parsing": "a date and time with its offset, such as 2007-05-10T14:00:00+01:00",
}


def _short(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, default=str, ensure_ascii=False)
        return text if len(text) <= 80 else text[:77] + "..."
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _suggest(name: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    listing = f"known {what}: {', '.join(known) or 'none'}"
    return f"did you mean '{close[0]}'? {listing}" if close else listing


def _model_at(loc: tuple) -> type[BaseModel] | None:
    import typing

    def inner(annotation: Any) -> type[BaseModel] | None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        for arg in typing.get_args(annotation):
            found = inner(arg)
            if found is not None:
                return found
        return None

    model: type[BaseModel] | None = Portfolio
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        model = inner(model.model_fields[part].annotation)
    return model


class _Where:
    """The line of each path of the file (the nearest recorded ancestor's)."""

    def __init__(self, lines: dict[tuple, int], file: str):
        self.lines, self.file = lines, file

    def line(self, path: tuple) -> int | None:
        for end in range(len(path), -1, -1):
            if tuple(path[:end]) in self.lines:
                return self.lines[tuple(path[:end])]
        return None

    def problem(self, path: tuple, message: str, value: Any = None, accepted: str | None = None,
                severity: str = "error") -> Problem:
        return Problem(message, file=self.file, line=self.line(path), column=dotted_path(path) or None,
                       value=_short(value), accepted=accepted, severity=severity)


def _from_error(error: dict, where: _Where) -> Problem:
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    kind = error["type"]
    field = next((p for p in reversed(loc) if isinstance(p, str)), "")
    value = None if kind == "missing" else error.get("input")
    message, accepted = error["msg"], _ACCEPTED.get(kind)
    if kind == "extra_forbidden":
        model = _model_at(loc)
        message, value = f"unknown field '{loc[-1]}'", loc[-1]
        accepted = _suggest(str(loc[-1]), list(model.model_fields) if model else [], "fields")
    elif kind == "missing":
        message = f"the required field '{field}' is missing"
    elif kind == "literal_error":
        message = f"'{field}' is not one of the values it may take"
        accepted = "one of " + error.get("ctx", {}).get("expected", "")
    elif kind.startswith(("greater_than", "less_than")):
        message = f"'{field}' is out of range"
        accepted = error["msg"].replace("Input should be ", "a number ")
    elif kind == "value_error":
        message = error["msg"].removeprefix("Value error, ")
        value = None
        accepted = "measure: <a plan measure id>, or metric: {name: ..., unit: ...}" if "metric" in message else None
    elif kind in _ACCEPTED:
        message = f"'{field}' is not {_ACCEPTED[kind].split(',')[0]}" if kind != "missing" else message
    return where.problem(loc, message, value, accepted)


def parse_portfolio(text: str, plan: Plan, file: str = PORTFOLIO_FILE) -> tuple[Portfolio | None, ProblemList]:
    """The portfolio in ``text`` (``None`` if it has errors) and every problem found, naming ``file``."""
    data, lines, problems = parse_yaml(text, file)
    where = _Where(lines, file)
    if problems.errors:
        return None, problems
    if data is None or not isinstance(data, dict):
        problems.add(Problem("the portfolio file must be a mapping of fields" if data is not None
                             else "the portfolio file is empty", file=file, line=1 if data is not None else None,
                             value=None if data is None else type(data).__name__,
                             accepted="a YAML mapping with programmes, fund and finance (docs/portfolio.md)"))
        return None, problems
    data = _fill_fund(data, plan, where, problems)
    try:
        portfolio = Portfolio.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.add(_from_error(error, where))
        return None, problems
    for problem in _check(portfolio, plan, where):
        problems.add(problem)
    if not problems.errors:
        replayed = _replay(portfolio, where, problems)
        if replayed is not None and not problems.errors:
            portfolio = replayed
    return (None if problems.errors else portfolio), problems


def _fill_fund(data: dict, plan: Plan, where: _Where, problems: ProblemList) -> dict:
    """The fund's total and name from the plan's investment it names."""
    fund = data.get("fund")
    if not isinstance(fund, dict) or "investment" not in fund:
        return data
    known = {i.id: i for i in plan.investments}
    investment = known.get(fund["investment"])
    if investment is None:
        problems.add(where.problem(("fund", "investment"), "the fund names no investment of the plan",
                                   fund["investment"], _suggest(str(fund["investment"]), list(known), "investments")))
        # The fund's total and name come from the investment: without one, stand-ins that raise no more problems.
        return {**data, "fund": {"total": 0, "name": str(fund["investment"]), **fund}}
    fund = dict(fund)
    if investment.amount != int(investment.amount):
        problems.add(where.problem(("fund", "investment"), "the plan's investment is not in whole pounds",
                                   investment.amount, "an investment amount in whole pounds"))
    amount = int(investment.amount)
    if "total" in fund and fund["total"] != amount:
        problems.add(where.problem(("fund", "total"), "the fund's total differs from the plan's investment "
                                   f"'{investment.id}'", fund["total"],
                                   f"{amount} (the plan's amount), or no total: it is taken from the plan"))
    fund["total"] = amount  # the plan's amount, so that a wrong total raises no more problems
    fund.setdefault("name", investment.name)
    return {**data, "fund": fund}


def _benefit_paths(portfolio: Portfolio) -> Iterator[tuple[tuple, Benefit]]:
    for i, programme in enumerate(portfolio.programmes):
        for j, benefit in enumerate(programme.benefits):
            yield ("programmes", i, "benefits", j), benefit


def _check(portfolio: Portfolio, plan: Plan, where: _Where) -> list[Problem]:
    """The references into the plan and within the file, and the dates and sums that must agree."""
    found: list[Problem] = []

    def known(path: tuple, value: str, ids: list[str], what: str) -> None:
        if value not in ids:
            found.append(where.problem(path, f"no {what[:-1]} of the plan has this id" if what != "ids"
                                       else "unknown id", value, _suggest(value, ids, what)))

    def unique(items: list[tuple[tuple, str]], what: str) -> None:
        seen: dict[str, tuple] = {}
        for path, ident in items:
            if ident in seen:
                found.append(where.problem(path + ("id",), f"two {what} have the id '{ident}' (first at line "
                                           f"{where.line(seen[ident] + ('id',))})", ident, f"a unique id for each of the {what}"))
            seen.setdefault(ident, path)

    measures = [m.id for m in plan.measures]
    cpas = [m.id for m in plan.measures if m.cpa]
    objectives = [o.id for p in plan.priorities for o in p.objectives]
    priorities = [p.id for p in plan.priorities]
    unique([(("programmes", i), p.id) for i, p in enumerate(portfolio.programmes)], "programmes")
    unique([(path, b.id) for path, b in _benefit_paths(portfolio)], "benefits")
    unique([(("programmes", i, "projects", j), p.id) for i, prog in enumerate(portfolio.programmes)
            for j, p in enumerate(prog.projects)], "projects")
    for i, programme in enumerate(portfolio.programmes):
        for k, priority in enumerate(programme.priorities):
            known(("programmes", i, "priorities", k), priority, priorities, "priorities")
    for path, benefit in _benefit_paths(portfolio):
        if benefit.measure is not None:
            known(path + ("measure",), benefit.measure, measures, "measures")
        for k, cpa in enumerate(benefit.cpas):
            if cpa not in cpas:
                found.append(where.problem(path + ("cpas", k), "this is not a CPA measure of the plan", cpa,
                                           _suggest(cpa, cpas, "CPA measures")))
        for k, objective in enumerate(benefit.objectives):
            known(path + ("objectives", k), objective, objectives, "objectives")
        if benefit.baseline is not None and benefit.due is not None and benefit.due <= benefit.baseline.date:
            found.append(where.problem(path + ("due",), "the due date is not after the baseline's date",
                                       benefit.due, f"a date after {benefit.baseline.date.isoformat()}"))
        if benefit.starts is not None and benefit.baseline is not None and benefit.due is not None and \
                not benefit.baseline.date <= benefit.starts < benefit.due:
            found.append(where.problem(path + ("starts",), "realisation must start between the baseline and the "
                                       "due date", benefit.starts, f"a date from {benefit.baseline.date.isoformat()} "
                                       f"to before {benefit.due.isoformat()}"))
        if benefit.baseline is not None and benefit.target is not None and benefit.target == benefit.baseline.value:
            found.append(where.problem(path + ("target",), "the target equals the baseline, so there is no "
                                       "benefit to realise", benefit.target, "a target that differs from the baseline"))
    if portfolio.fund is not None:
        found += _check_cases(portfolio, plan, where)
    if portfolio.finance is not None:
        finance = portfolio.finance
        unique([(("finance", "lines", i), line.id) for i, line in enumerate(finance.lines)], "finance lines")
        for i, line in enumerate(finance.lines):
            for priority, amount in line.priorities.items():
                known(("finance", "lines", i, "priorities", priority), priority, priorities, "priorities")
            if sum(line.priorities.values()) > line.amount:
                found.append(where.problem(("finance", "lines", i, "priorities"), "the line's amounts by priority "
                                           "add up to more than the line", sum(line.priorities.values()),
                                           f"at most the line's amount, {line.amount}"))
        totals = line_totals(finance, portfolio.fund)
        fund_known = portfolio.fund is None or portfolio.fund.investment in [i.id for i in plan.investments]
        for kind in ("revenue", "capital") if fund_known else ():  # an unknown fund: its total is not known
            budget = getattr(finance, kind)
            if totals[kind] != budget:
                fund_note = " and the fund" if portfolio.fund is not None and portfolio.fund.kind == kind else ""
                found.append(where.problem(("finance", kind), f"the {kind} lines{fund_note} add up to "
                                           f"{totals[kind]}, not the {kind} budget", budget,
                                           f"the {kind} budget equal to its lines{fund_note}: {totals[kind]}"))
    return found


def _check_cases(portfolio: Portfolio, plan: Plan, where: _Where) -> list[Problem]:
    found: list[Problem] = []
    fund = portfolio.fund
    programmes = {p.id: p for p in portfolio.programmes}
    benefits = list(portfolio.benefits())
    priorities = [p.id for p in plan.priorities]
    seen: dict[str, int] = {}
    for i, case in enumerate(fund.cases):
        path = ("fund", "cases", i)
        if case.id in seen:
            found.append(where.problem(path + ("id",), f"two business cases have the id '{case.id}'", case.id,
                                       "a unique id for each business case"))
        seen.setdefault(case.id, i)
        programme = programmes.get(case.programme)
        if programme is None:
            found.append(where.problem(path + ("programme",), "no programme of the portfolio has this id",
                                       case.programme, _suggest(case.programme, list(programmes), "programmes")))
        elif case.project is not None and case.project not in [p.id for p in programme.projects]:
            found.append(where.problem(path + ("project",), f"the programme '{programme.id}' has no such project",
                                       case.project, _suggest(case.project, [p.id for p in programme.projects],
                                                              "projects")))
        for k, benefit in enumerate(case.benefits):
            if benefit not in benefits:
                found.append(where.problem(path + ("benefits", k), "no benefit of the portfolio has this id", benefit,
                                           _suggest(benefit, benefits, "benefits")))
        if case.priority is not None and case.priority not in priorities:
            found.append(where.problem(path + ("priority",), "no priority of the plan has this id", case.priority,
                                       _suggest(case.priority, priorities, "priorities")))
    return found


def _instant(at: dt.datetime) -> float:
    return (at if at.tzinfo is not None else at.replace(tzinfo=dt.timezone.utc)).timestamp()


def _replay(portfolio: Portfolio, where: _Where, problems: ProblemList) -> Portfolio | None:
    """Every case's decisions replayed through the workflow, all cases together in time order."""
    fund = portfolio.fund
    if fund is None:
        return portfolio
    state = fund.model_copy(update={"cases": [c.model_copy(update={"status": "draft", "decisions": []})
                                              for c in fund.cases]})
    events = sorted(((_instant(d.at), i, j) for i, c in enumerate(fund.cases) for j, d in enumerate(c.decisions)),
                    key=lambda e: e)
    benefits = portfolio.benefits()
    broken: set[int] = set()
    for _, i, j in events:
        if i in broken:
            continue
        case, decision = fund.cases[i], fund.cases[i].decisions[j]
        try:
            state = decide(state, case.id, decision.action, decision.by, decision.at, decision.reason, benefits).fund
        except WorkflowError as exc:
            broken.add(i)
            status = state.case(case.id).status
            allowed = allowed_actions(status)
            accepted = (f"from {status}: " + " or ".join(allowed)) if exc.code == "transition.refused" else \
                "a decision the workflow allows (docs/portfolio.md#the-workflow)"
            problems.add(where.problem(("fund", "cases", i, "decisions", j), str(exc), decision.action,
                                       accepted if allowed or exc.code != "transition.refused" else
                                       f"no decision: {'an' if status[:1] in 'aeiou' else 'a'} {status} case is final"))
    for i, case in enumerate(fund.cases):
        if i in broken:
            continue
        replayed = state.case(case.id).status
        if replayed != case.status:
            problems.add(where.problem(("fund", "cases", i, "status"), f"the case's decisions lead to "
                                       f"'{replayed}', not to its status", case.status,
                                       f"'{replayed}', or the decisions that lead to '{case.status}'"))
    return portfolio


def portfolio_data(portfolio: Portfolio) -> dict[str, Any]:
    """The portfolio as the plain data of its file (the fields left at their defaults left out)."""
    return portfolio.model_dump(mode="json", exclude_defaults=True)


def portfolio_text(portfolio: Portfolio) -> str:
    """The text of ``portfolio.yaml`` for ``portfolio``: what a plan folder exported from the application carries."""
    header = "# The plan's portfolio: programmes, benefits, the investment fund and the finance (docs/portfolio.md).\n"
    return header + yaml.safe_dump(portfolio_data(portfolio), sort_keys=False, allow_unicode=True, width=100)


__all__ = ["PORTFOLIO_FILE", "parse_portfolio", "portfolio_data", "portfolio_text"]
