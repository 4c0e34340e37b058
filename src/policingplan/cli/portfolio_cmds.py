"""``policingplan portfolio``: the plan's programmes, benefits, investment fund and finance.

Thin glue over :mod:`policingplan.services.portfolio`: the service reads the
plan folder's ``portfolio.yaml``, judges each benefit and sums the fund and the
budget; this prints what it returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.markup import escape as esc
from rich.table import Table

from policingplan.cli.common import console, fail, print_json, print_problems, print_table
from policingplan.formatting import fmt_date, fmt_int, fmt_money, fmt_num, fmt_pct
from policingplan.problems import UserError

if TYPE_CHECKING:  # the service is imported by the command
    from policingplan.services.portfolio import BenefitView, PortfolioResult

STATUS_WORDS = {
    "realised": "[green]realised[/]", "on_track": "[green]on track[/]", "off_track": "[red]off track[/]",
    "late": "[red]late[/]", "awaiting_data": "awaiting data", "not_measurable": "[yellow]not measurable[/]",
    "draft": "draft", "submitted": "submitted", "approved": "[green]approved[/]", "rejected": "[red]rejected[/]",
    "funded": "[green]funded[/]",
}


def _value(benefit: BenefitView, value: Optional[float]) -> str:
    if value is None:
        return "–"
    return fmt_pct(value) if benefit.as_percent else fmt_num(value, 0 if float(value).is_integer() else 1)


def _spc(benefit: BenefitView) -> str:
    if benefit.measure is None:
        return "–"
    if benefit.spc is None:
        return "not checked"
    words = [w for w in (benefit.spc.variation, benefit.spc.assurance) if w]
    return esc(", ".join(words).replace("_", " ") or "no SPC")


def print_fund(result: PortfolioResult) -> None:
    fund = result.fund
    console.print(f"[bold]{esc(fund.name)}[/]: {fmt_money(fund.total)} in total; approved {fmt_money(fund.approved)} "
                  f"(funded {fmt_money(fund.funded)}); remaining {fmt_money(fund.remaining)}",
                  highlight=False, soft_wrap=True)
    table = Table("Case", "Title", "Status", "Amount", "Benefits", "Sponsor", title="Business cases")
    for case in result.cases:
        table.add_row(esc(case.id), esc(case.title), STATUS_WORDS.get(case.status, case.status),
                      fmt_money(case.amount) if case.amount is not None else "–", esc(", ".join(case.benefits)),
                      esc(case.sponsor or "–"))
    print_table(table)


def print_programmes(result: PortfolioResult) -> None:
    for programme in result.programmes:
        console.print()
        console.print(f"[bold]{esc(programme.name)}[/] ({esc(programme.stage)}; owner: {esc(programme.owner)})",
                      highlight=False, soft_wrap=True)
        if not programme.benefits:
            console.print("  No benefits recorded.", highlight=False)
            continue
        table = Table("Benefit", "Measures", "Status", "Baseline", "Latest", "Target", "Due", "Progress",
                      "Planned at latest", "Measure's SPC")
        for b in programme.benefits:
            table.add_row(
                esc(b.name), esc(b.measure_name or (b.metric.name if b.metric else "")) + f" ({esc(b.unit)})",
                STATUS_WORDS.get(b.status, b.status), _value(b, b.baseline), _value(b, b.latest), _value(b, b.target),
                fmt_date(b.due) if b.due else "–", fmt_pct(b.progress, 0), fmt_pct(b.expected, 0), _spc(b))
        print_table(table)


def print_finance(result: PortfolioResult) -> None:
    finance = result.finance
    title = "The budget by priority" + (" (illustrative)" if finance.illustrative else "")
    table = Table("Priority", "Revenue", "Capital", "Total", title=title)
    for row in finance.rows:
        table.add_row(esc(row.name), fmt_money(row.revenue), fmt_money(row.capital), fmt_money(row.total))
    table.add_row("[bold]Budget[/]", fmt_money(finance.revenue), fmt_money(finance.capital), fmt_money(finance.total))
    print_table(table)


def print_portfolio(result: PortfolioResult) -> None:
    console.print(f"Portfolio of {esc(result.plan_name)} at {fmt_date(result.as_of)}", highlight=False,
                  soft_wrap=True)
    console.print()
    if result.fund is not None:
        print_fund(result)
    print_programmes(result)
    if result.finance is not None:
        console.print()
        print_finance(result)
    for item in result.notices:
        console.print(f"[yellow]Note:[/] {esc(str(item))}", highlight=False, soft_wrap=True)
    for line in result.attribution:
        console.print(esc(line), highlight=False, soft_wrap=True)
    counted = sum(1 for p in result.programmes for b in p.benefits)
    console.print(f"{fmt_int(len(result.programmes))} programmes, {fmt_int(counted)} benefits.", highlight=False)


def portfolio(
    plan_dir: Path = typer.Argument(..., help="The plan folder; its portfolio.yaml holds the portfolio."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="The date to judge the benefits at, YYYY-MM-DD "
                                                              "(default: the portfolio's own as_of, else today)."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="A warehouse to check the benefits tied to "
                                                                       "plan measures against the data (SPC)."),
    json_output: bool = typer.Option(False, "--json", help="Print the portfolio as JSON (amounts in whole pounds)."),
) -> None:
    """Show the plan's modernisation portfolio: the investment fund and its business cases, each
    programme's benefits (realised, on track, off track, late), and the budget by priority."""
    from policingplan.services.portfolio import portfolio as portfolio_service

    try:
        result = portfolio_service(plan_dir, as_of=as_of, warehouse_dir=warehouse)
    except UserError as exc:
        if len(exc.problems) > 1:
            print_problems(exc.problems, heading=f"{plan_dir}: the portfolio has {fmt_int(len(exc.problems))} errors")
            raise typer.Exit(1)
        fail(str(exc))
    if json_output:
        print_json(result)
        return
    print_portfolio(result)


def register(app: typer.Typer) -> None:
    app.command("portfolio")(portfolio)
