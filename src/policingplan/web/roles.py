"""The roles and what each may do: one catalogue, as code (pure: no Django, no files).

Every URL of the web application has its row in :data:`PAGES`, by the URL's
name: which roles may read it (GET and HEAD) and which may send to it (POST),
and which roles see it only for their own borough. The access middleware
(:mod:`policingplan.web.access`) asks :func:`decide` before any view runs, and
refuses a URL that has no row, so a page cannot be added without deciding who
may use it. ``tests/web/test_roles.py`` tries every URL against every role.

A user's roles are the names of their Django groups; a borough commander's
borough is a group named ``borough:<slug>`` (``borough:lambeth``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

VIEWER = "viewer"
COMMANDER = "commander"
PERFORMANCE = "performance"
INVESTMENT = "investment"
ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    who: str


#: Every role, in the order the documentation lists them.
ROLES: dict[str, Role] = {role.id: role for role in (
    Role(VIEWER, "Viewer", "An authority member, who scrutinises the plan and the force's performance."),
    Role(COMMANDER, "Borough commander", "Owns one borough's targets: sees that borough only, of the boroughs."),
    Role(PERFORMANCE, "Performance team", "Runs the planning process: the plan, allocations, data and publishing."),
    Role(INVESTMENT, "Investment board", "Decides business cases for the investment fund."),
    Role(ADMINISTRATOR, "Administrator", "Manages the service and its accounts."),
)}

#: The prefix of the group that names a commander's borough: ``borough:lambeth``.
BOROUGH_GROUP_PREFIX = "borough:"

SIGNED_IN = frozenset(ROLES)
#: Everyone, including a visitor who is not signed in.
EVERYONE = frozenset({"*"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Access:
    """Who may use one URL: ``get`` may read it, ``post`` may send to it (role ids, or :data:`EVERYONE`);
    ``own_unit`` are the roles that may use it only for their own borough (the URL's ``borough``)."""

    get: frozenset[str]
    post: frozenset[str] = NOBODY
    own_unit: frozenset[str] = field(default=NOBODY)
    purpose: str = ""


#: Every URL, by its name in the urlconf.  A URL without a row is refused, and fails the role test.
PAGES: dict[str, Access] = {
    "login": Access(get=EVERYONE, post=EVERYONE, purpose="Sign in (Django's own login)."),
    "logout": Access(get=NOBODY, post=SIGNED_IN, purpose="Sign out (a form that posts, with its CSRF token)."),
    "dashboard": Access(get=SIGNED_IN, purpose="The corporate dashboard: each CPA measure's force position."),
    "plan": Access(get=SIGNED_IN, purpose="The plan: priorities, objectives, measures and targets."),
    "measure": Access(get=SIGNED_IN, purpose="A measure's force position and XmR chart."),
    "borough": Access(get=SIGNED_IN, own_unit=frozenset({COMMANDER}),
                      purpose="A borough's targets and where each stands."),
    "borough-measure": Access(get=SIGNED_IN, own_unit=frozenset({COMMANDER}),
                              purpose="A measure's position and XmR chart in one borough."),
    # --- target setting, the requirement and partner alignment (urls_targets.py) ---
    "targets": Access(get=SIGNED_IN, purpose="Target setting: the measures with unit targets, each checked against "
                                             "the corporate figure."),
    "targets-measure": Access(get=SIGNED_IN, purpose="A measure's allocation table with the plan's reasons, and a "
                                                     "what-if (a GET form: nothing is saved)."),
    "requirement": Access(get=SIGNED_IN, purpose="The requirement tracker: the PSA-style trajectory and the gap."),
    "partners": Access(get=SIGNED_IN, purpose="Partner alignment: the measures with partner (LAA, CSP) targets."),
    "partners-measure": Access(get=SIGNED_IN, purpose="Each borough's target beside its partner targets."),
    # --- published documents (urls_documents.py) ---
    "documents": Access(get=SIGNED_IN, purpose="The published documents of the plan, with a download for each."),
    "document-plan-pdf": Access(get=SIGNED_IN, purpose="Download the plan (PDF)."),
    "document-plan-html": Access(get=SIGNED_IN, purpose="Download the plan (HTML)."),
    "document-changes-pdf": Access(get=SIGNED_IN, purpose="Download the changes since the previous version (PDF)."),
    "document-changes-html": Access(get=SIGNED_IN, purpose="Download the changes since the previous version (HTML)."),
    "document-report-pdf": Access(get=SIGNED_IN, purpose="Download the committee report (PDF)."),
    "document-report-docx": Access(get=SIGNED_IN, purpose="Download the committee report (Word)."),
    "document-targets-xlsx": Access(get=SIGNED_IN, purpose="Download the targets spreadsheet (XLSX)."),
    "document-letter": Access(get=SIGNED_IN, own_unit=frozenset({COMMANDER}),
                              purpose="Download the letter to a borough (a commander: their own borough's only)."),
    # --- the JSON API and downloads (urls_api.py) ---
    # Read-only, for every signed-in role.  ?unit= on the monitoring and a measure's values is checked
    # by the view against own_unit (a commander: the force or their own borough; every unit → theirs).
    "api-plan": Access(get=SIGNED_IN, purpose="JSON: the plan as `show --json` gives it, with attribution."),
    "api-measures": Access(get=SIGNED_IN, purpose="JSON: the plan's measures."),
    "api-measure-values": Access(get=SIGNED_IN, own_unit=frozenset({COMMANDER}),
                                 purpose="JSON: a measure's values by unit and month (?unit=: own borough only)."),
    "api-targets": Access(get=SIGNED_IN, purpose="JSON: the plan's targets."),
    "api-targets-check": Access(get=SIGNED_IN, purpose="JSON: the plan's unit targets checked against the force's."),
    "api-monitoring": Access(get=SIGNED_IN, own_unit=frozenset({COMMANDER}),
                             purpose="JSON: each target's position, as `monitor --json` (?unit=: own borough only)."),
    "api-openapi": Access(get=SIGNED_IN, purpose="The OpenAPI 3.1 document describing the JSON API."),
    "downloads": Access(get=SIGNED_IN, purpose="What can be downloaded: each table in CSV and XLSX, and the API."),
    "download-dashboard-csv": Access(get=SIGNED_IN, purpose="The dashboard's CPA table as CSV."),
    "download-dashboard-xlsx": Access(get=SIGNED_IN, purpose="The dashboard's CPA table as XLSX."),
    "download-targets-csv": Access(get=SIGNED_IN, purpose="The plan's targets as CSV."),
    "download-targets-xlsx": Access(get=SIGNED_IN, purpose="The plan's targets as XLSX."),
    "download-monitoring-csv": Access(get=SIGNED_IN, own_unit=frozenset({COMMANDER}),
                                      purpose="Every target's position as CSV (?unit=: own borough only)."),
    "download-monitoring-xlsx": Access(get=SIGNED_IN, own_unit=frozenset({COMMANDER}),
                                       purpose="Every target's position as XLSX (?unit=: own borough only)."),
    "download-borough-csv": Access(get=SIGNED_IN, own_unit=frozenset({COMMANDER}),
                                   purpose="A borough's targets table as CSV."),
    "download-borough-xlsx": Access(get=SIGNED_IN, own_unit=frozenset({COMMANDER}),
                                    purpose="A borough's targets table as XLSX."),
    # --- plan editing: versions, workflow, target edits, the audit log, export (editing/urls.py) ---
    # Every signed-in role reads the versions, their changes and comments, and downloads a version's folder
    # (the plan is not secret from anyone who may read it).  Only the performance team changes a version or
    # takes a workflow step; viewers, commanders and the performance team comment in consultation (the view
    # refuses a comment outside consultation).  The audit log: every signed-in role, a commander seeing the
    # entries about their own borough only (filtered by the view; docs/web.md, "Plan editing").
    "versions": Access(get=SIGNED_IN, purpose="Every version of the plan: status, who started it and when."),
    "version": Access(get=SIGNED_IN, purpose="A version: its targets (with links to change them in a draft), "
                                             "its workflow steps."),
    "version-changes": Access(get=SIGNED_IN, purpose="The changes between a version and the one it was started from."),
    "version-comments": Access(get=SIGNED_IN, post=frozenset({VIEWER, COMMANDER, PERFORMANCE}),
                               purpose="The consultation comments on a version; add one while it is in consultation."),
    "version-step": Access(get=frozenset({PERFORMANCE}), post=frozenset({PERFORMANCE}),
                           purpose="Take a workflow step (start a draft, consult, approve, publish), with a reason."),
    "version-download": Access(get=SIGNED_IN, purpose="Download a version as its plan folder (ZIP)."),
    "target-edit": Access(get=frozenset({PERFORMANCE}), post=frozenset({PERFORMANCE}),
                          purpose="Change a draft's target (figure, range, rationale), with a reason; optimistic "
                                  "locking."),
    "narrative-edit": Access(get=frozenset({PERFORMANCE}), post=frozenset({PERFORMANCE}),
                             purpose="Rewrite a draft's narrative section (its Markdown), with a reason; optimistic "
                                     "locking on the text."),
    "audit": Access(get=SIGNED_IN, purpose="The audit log: newest first, filtered, paginated (a commander: own "
                                           "borough's entries only)."),
    "audit-csv": Access(get=SIGNED_IN, purpose="The audit log's entries, as filtered, as CSV."),
    "audit-xlsx": Access(get=SIGNED_IN, purpose="The audit log's entries, as filtered, as XLSX."),
    "versions-csv": Access(get=SIGNED_IN, purpose="The plan versions list as CSV."),
    "versions-xlsx": Access(get=SIGNED_IN, purpose="The plan versions list as XLSX."),
    # --- data loads (loads/urls.py) ---
    # Every signed-in role may see what the warehouse holds and when each file was loaded (how current the
    # figures are: no figure is shown that the dashboard does not already show); only the performance team
    # and administrators may load a file.
    "data": Access(get=SIGNED_IN, post=frozenset({PERFORMANCE, ADMINISTRATOR}),
                   purpose="Data: what the warehouse holds, each load, and (performance, administrators) a form "
                           "that loads a file through the same readers as `policingplan data load`."),
    "data-loaded": Access(get=frozenset({PERFORMANCE, ADMINISTRATOR}),
                          purpose="The confirmation of the load just made (once; otherwise back to Data)."),
    # --- the planning cycle, commanders' proposals and commentary (cycle/urls.py) ---
    "cycle": Access(get=SIGNED_IN, purpose="The planning cycle's dates, the days left to each, and what is "
                                           "outstanding against them."),
    "cycle-milestone": Access(get=frozenset({PERFORMANCE}), post=frozenset({PERFORMANCE}),
                              purpose="Change one of the cycle's dates, with a reason (audited)."),
    "cycle-proposals": Access(get=SIGNED_IN, purpose="Commanders' target proposals, open first (a commander: "
                                                     "their own borough's only, filtered by the view)."),
    "cycle-outstanding-csv": Access(get=SIGNED_IN, purpose="What is outstanding in the planning cycle, as CSV."),
    "cycle-outstanding-xlsx": Access(get=SIGNED_IN, purpose="What is outstanding in the planning cycle, as XLSX."),
    "cycle-proposals-csv": Access(get=SIGNED_IN, purpose="The target proposals as CSV (a commander: their own "
                                                         "borough's only, filtered by the view)."),
    "cycle-proposals-xlsx": Access(get=SIGNED_IN, purpose="The target proposals as XLSX (a commander: their own "
                                                          "borough's only, filtered by the view)."),
    "cycle-proposal": Access(get=frozenset({PERFORMANCE}), post=frozenset({PERFORMANCE}),
                             purpose="Accept (applied to the current draft) or decline a proposal, with a reason."),
    "borough-proposals": Access(get=SIGNED_IN, own_unit=frozenset({COMMANDER}),
                                purpose="A borough's targets and its commander's proposals."),
    "borough-propose": Access(get=frozenset({COMMANDER}), post=frozenset({COMMANDER}),
                              own_unit=frozenset({COMMANDER}),
                              purpose="A commander proposes a target for their own borough's measure."),
    "borough-proposal-withdraw": Access(get=frozenset({COMMANDER}), post=frozenset({COMMANDER}),
                                        own_unit=frozenset({COMMANDER}),
                                        purpose="A commander withdraws their own borough's open proposal."),
    "borough-commentary": Access(get=SIGNED_IN, post=frozenset({COMMANDER, PERFORMANCE}),
                                 own_unit=frozenset({COMMANDER}),
                                 purpose="A borough's commentary, newest first; its commander and the performance "
                                         "team write it."),
    # --- the portfolio and business-case decisions (investment/urls.py) ---
    # Everyone signed in reads the portfolio; only the investment board decides business cases (not
    # administrators: they manage the service and its accounts, not the fund's money).
    "portfolio": Access(get=SIGNED_IN, purpose="The portfolio: the fund (total, approved, remaining), the "
                                               "programmes' benefits and the business cases by status."),
    "portfolio-programme": Access(get=SIGNED_IN, purpose="A programme: its projects, and its benefits planned "
                                                         "against actual with the SPC status of the measures."),
    "portfolio-benefit": Access(get=SIGNED_IN, purpose="A benefit's realisation chart, with its data."),
    "portfolio-cases-csv": Access(get=SIGNED_IN, purpose="The portfolio's business cases as CSV."),
    "portfolio-cases-xlsx": Access(get=SIGNED_IN, purpose="The portfolio's business cases as XLSX."),
    "portfolio-benefits-csv": Access(get=SIGNED_IN, purpose="Every programme's benefits as CSV."),
    "portfolio-benefits-xlsx": Access(get=SIGNED_IN, purpose="Every programme's benefits as XLSX."),
    "portfolio-case": Access(get=SIGNED_IN, post=frozenset({INVESTMENT}),
                             purpose="A business case; the investment board decides it (submit, approve with an "
                                     "amount, reject, fund), with a reason, under the fund's guard."),
    # --- public viewing of the published plan ---
    # No URL of its own: the pages the public may read are PUBLIC_PAGES, below, each row given PUBLIC.
}

# --- public viewing of the published plan (the pseudo-role PUBLIC) ---

#: The public: a visitor who is not signed in gets this role, and only this one, when the site publishes the
#: plan (the setting ``POLICINGPLAN_WEB_PUBLIC``; :func:`policingplan.web.access.user_roles`).  It is not a
#: group anyone can be put in, so it is not in :data:`ROLES`.
PUBLIC = "public"
PUBLIC_ROLE = Role(PUBLIC, "The public", "Anyone, without signing in, where the plan is published on the site: "
                                         "reads the plan, its monitoring and its published documents.")

#: What the public may read: the plan, the dashboard, the boroughs' and the measures' pages (and the tables
#: they show, as CSV and Excel), the requirement, and the published documents.  Not the letters to boroughs,
#: target setting and its what-if, partner alignment, the downloads page, or the JSON API: those stay
#: signed-in only.
PUBLIC_PAGES: tuple[str, ...] = (
    "dashboard", "plan", "measure", "borough", "borough-measure", "requirement",
    "download-dashboard-csv", "download-dashboard-xlsx", "download-borough-csv", "download-borough-xlsx",
    "documents", "document-plan-pdf", "document-plan-html", "document-changes-pdf", "document-changes-html",
    "document-report-pdf", "document-report-docx", "document-targets-xlsx",
)
for _page in PUBLIC_PAGES:
    PAGES[_page] = Access(get=PAGES[_page].get | {PUBLIC}, post=PAGES[_page].post,
                          own_unit=PAGES[_page].own_unit, purpose=PAGES[_page].purpose)
del _page

Decision = Literal["allow", "login", "refuse"]
READING = ("GET", "HEAD")


def decide(page: str | None, method: str, roles: Iterable[str], unit: str | None = None,
           own_units: Iterable[str] = ()) -> Decision:
    """May a user with ``roles`` (none when not signed in) use the URL named ``page`` with ``method``?

    ``unit`` is the borough the URL is about (its slug), and ``own_units`` the boroughs that are
    the user's own.  ``login`` means: not signed in, and signing in may allow it.
    """
    access = PAGES.get(page or "")
    if access is None:
        return "refuse"
    method = method.upper()
    allowed = access.get if method in READING else access.post if method == "POST" else NOBODY
    if "*" in allowed:
        return "allow"
    roles = set(roles)
    if not roles - {PUBLIC}:  # not signed in: the public, where the plan is published, or nobody
        if PUBLIC in roles and PUBLIC in allowed:
            return "allow"
        return "login" if allowed else "refuse"
    granting = roles & allowed
    if not granting:
        return "refuse"
    if unit is None or granting - access.own_unit:
        return "allow"  # a role that may use it for every borough
    return "allow" if unit in set(own_units) else "refuse"


def roles_of(group_names: Iterable[str], superuser: bool = False) -> tuple[set[str], set[str]]:
    """A user's roles and own boroughs from their groups' names (a superuser is an administrator)."""
    roles, units = set(), set()
    for name in group_names:
        if name in ROLES:
            roles.add(name)
        elif name.startswith(BOROUGH_GROUP_PREFIX):
            units.add(name[len(BOROUGH_GROUP_PREFIX):])
    if superuser:
        roles.add(ADMINISTRATOR)
    return roles, units


def sees_every_unit(roles: Iterable[str], page: str = "borough") -> bool:
    """Whether these roles may open every borough's page (not only their own)."""
    access = PAGES[page]
    return bool((set(roles) & access.get) - access.own_unit)


__all__ = [
    "ADMINISTRATOR", "Access", "BOROUGH_GROUP_PREFIX", "COMMANDER", "Decision", "EVERYONE", "INVESTMENT",
    "NOBODY", "PAGES", "PERFORMANCE", "PUBLIC", "PUBLIC_PAGES", "PUBLIC_ROLE", "ROLES", "Role", "SIGNED_IN", "VIEWER",
    "decide", "roles_of",
    "sees_every_unit",
]
