"""A plan folder exported from the application carries its portfolio: portfolio.yaml written from the application's
state (the board's decisions replayed into the version's own file), which reads back with the same statuses."""

from __future__ import annotations

import pytest

from policingplan.services.plan import write_folder
from policingplan.services.portfolio import read_portfolio
from policingplan.web.editing import export, store
from policingplan.web.investment import state


@pytest.mark.django_db
def test_an_exported_folder_carries_the_boards_decisions_and_reads_back_with_the_same_statuses(
        make_user, portfolio_plan_dir, tmp_path):
    assert state.export_files in export.EXTRA_FILES  # registered by the app's ready()
    version = store.ensure_imported(str(portfolio_plan_dir))
    board = make_user("investment")
    state.decide(board, "bc-cf-call-handling", "approve", "Robust case", amount=1_800_000)
    state.decide(board, "bc-mib-integration", "fund", "Money released")
    state.decide(board, "bc-wm-rostering", "submit", "For the Board")
    expected = {c.id: (c.status, c.amount, len(c.decisions)) for c in state.load().fund.cases}
    assert expected["bc-cf-call-handling"] == ("approved", 1_800_000, 2)

    folder = tmp_path / "exported"
    export.write(version, folder)
    plan, found = read_portfolio(folder)  # read back through the service: the decisions replayed by the workflow
    assert {c.id: (c.status, c.amount, len(c.decisions)) for c in found.fund.cases} == expected
    assert found.fund.allocated == 10_500_000 + 1_800_000
    approval = found.fund.case("bc-cf-call-handling").decisions[-1]
    assert (approval.action, approval.by, approval.reason) == ("approve", board.get_username(), "Robust case")
    # The version's own file is the seed, unchanged: the application's state is in the export only.
    assert "bc-cf-call-handling" in version.files["portfolio.yaml"]
    assert export.files(version)["portfolio.yaml"] != version.files["portfolio.yaml"]


@pytest.mark.django_db
def test_a_version_without_a_portfolio_exports_none(plan_without_portfolio, tmp_path):
    version = store.ensure_imported(str(plan_without_portfolio))
    assert state.export_files(version) == {}
    write_folder(export.files(version), tmp_path / "plan")
    assert not (tmp_path / "plan" / "portfolio.yaml").exists()
