"""The publishing service: every document of a plan, written at once or not at all.

:func:`publish` gathers what the documents are made from through the other
services (the plan, its unit targets checked, the requirement position, the
partner targets, the changes since the previous version), has
:mod:`policingplan.publish.documents` render them in memory, writes them into a
temporary folder beside the output folder and renames it into place, so that
nothing is ever half-written.  The same plan and data give byte-identical
files: every date in them is the plan version's.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Optional

from pydantic import Field

from policingplan.problems import UserError
from policingplan.results import Result


class PublishedFile(Result):
    """One file written: its path inside the output folder, its size and its SHA-256."""

    name: str = Field(description="The path inside the output folder, with '/' (letters/E09000002.pdf).")
    bytes: int
    sha256: str


class PublishResult(Result):
    """What ``policingplan publish`` wrote."""

    plan: str
    version: str
    date: Optional[str] = Field(description="The plan version's date (ISO), the date every document carries.")
    since: Optional[str] = Field(description="The version the changes documents are since (null: none made).")
    out_dir: str
    files: list[PublishedFile]
    notes: list[str] = Field(description="Documents left out, and why.")


#: The files and folders a publication writes: an output folder holding anything else is not replaced.
OWN_NAMES = frozenset({"plan.html", "plan.pdf", "changes.html", "changes.pdf", "committee-report.pdf",
                       "committee-report.docx", "targets.xlsx", "letters"})


def _changes(plan_dir: Path, since: Optional[str]):
    """The changes since ``since`` (a version, or a plan folder), or since the previous version:
    (changes, the version they are since, a note when there are none)."""
    try:
        from policingplan.services import changes as changes_service
    except ImportError:
        return None, None, ("changes.html and changes.pdf were not made: the changes service "
                            "(policingplan.services.changes) is not installed yet.")
    from policingplan.services import plan as plan_service

    old: Optional[Path] = None
    if since is not None:
        old = Path(since) if Path(since).is_dir() else changes_service.find_version(plan_dir, since)
    else:
        old = changes_service.previous_version(plan_dir)
        if old is None:
            return None, None, (f"changes.html and changes.pdf were not made: {plan_dir} has no previous version "
                                "to compare with (give one with --since).")
    found = changes_service.plan_changes(old, plan_dir)
    label = getattr(found, "old_version", None) or plan_service.load(old).version
    return found, str(label), None


def gather(plan_dir: str | os.PathLike, since: Optional[str] = None):
    """The :class:`~policingplan.publish.inputs.Publication` of the plan at ``plan_dir``."""
    from policingplan.publish.inputs import REPORT_FILE, Publication, parse_report_meta, version_date
    from policingplan.services import plan as plan_service
    from policingplan.services import targets as targets_service

    folder = Path(plan_dir)
    plan = plan_service.load(folder)
    check = requirement = partners = None
    if any(t.scope != "force" for t in plan.targets):
        try:
            check = targets_service.plan_targets_check(plan, plan_label=str(folder))
            partners = targets_service.partner_alignment(plan, measure=check.measure)
        except UserError:
            check = partners = None
    if plan.requirements:
        try:
            requirement = targets_service.plan_requirement(plan, plan.requirements[0].id, plan_label=str(folder))
        except UserError:
            requirement = None
    changes, label, note = _changes(folder, since)
    report_path = folder / REPORT_FILE
    report_text = report_path.read_text(encoding="utf-8") if report_path.is_file() else None
    return Publication(plan=plan, version_date=version_date(plan), check=check, requirement=requirement,
                       partners=partners, changes=changes, since=label, changes_note=note,
                       report=parse_report_meta(report_text, plan, label=str(report_path)),
                       portfolio=_portfolio(folder, plan))


def _portfolio(folder: Path, plan):
    """The plan's portfolio for the investment section (docs/portfolio.md); ``None`` without a portfolio.yaml.
    A portfolio.yaml with errors stops the publication, naming them, as a plan with errors does."""
    from policingplan.services import portfolio as portfolio_service

    try:
        _, found = portfolio_service.read_portfolio(folder, plan)
    except portfolio_service.NoPortfolio:
        return None
    return portfolio_service.portfolio_result(plan, found)


def render(plan_dir: str | os.PathLike, since: Optional[str] = None) -> tuple[dict[str, bytes], list[str], object]:
    """Every document in memory, by name (for a web download), with the notes and the publication."""
    from policingplan.publish.documents import render_all

    publication = gather(plan_dir, since)
    files, notes = render_all(publication)
    return files, notes, publication


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: a file is there, not a folder; accepted: a new folder, or one that "
                        "holds only an earlier publication")
    if out.is_dir():
        others = sorted(p.name for p in out.iterdir() if p.name not in OWN_NAMES)
        if others:
            raise UserError(f"--out {out}: the folder holds {others[0]!r}, which is not a published document, so it "
                            "is not replaced; accepted: a new folder, or one that holds only an earlier publication")


def _not_written(out: Path, exc: OSError) -> UserError:
    return UserError(f"--out {out}: the documents could not be written ({exc.strerror or exc}); the earlier "
                     "publication there, if any, is as it was")


def publish(plan_dir: str | os.PathLike, out_dir: str | os.PathLike, since: Optional[str] = None) -> PublishResult:
    """Write every document of the plan into ``out_dir``, replacing an earlier publication there whole."""
    out = Path(out_dir)
    _check_out_dir(out)
    files, notes, publication = render(plan_dir, since)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    except OSError as exc:
        raise _not_written(out, exc) from exc
    written = []
    try:
        for name in sorted(files):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[name])
            written.append(PublishedFile(name=name, bytes=len(files[name]),
                                         sha256=hashlib.sha256(files[name]).hexdigest()))
        os.chmod(staging, 0o755)
        old = None
        if out.exists():
            old = out.parent / f"{staging.name}-old"
            out.rename(old)
        try:
            staging.rename(out)
        except OSError:
            if old is not None:
                old.rename(out)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:  # a full disk, a folder that cannot be written: the earlier publication stands
        shutil.rmtree(staging, ignore_errors=True)
        raise _not_written(out, exc) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    plan = publication.plan
    return PublishResult(plan=plan.id, version=plan.version,
                         date=publication.version_date.isoformat() if publication.version_date else None,
                         since=publication.since, out_dir=str(out), files=written, notes=notes)


RESULTS = (PublishResult,)

__all__ = ["OWN_NAMES", "PublishResult", "PublishedFile", "RESULTS", "gather", "publish", "render"]
