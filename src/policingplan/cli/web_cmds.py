"""``policingplan serve`` and ``policingplan web``: the web application, started as a program of its own.

The command line never imports Django or the web application (docs/architecture.md:
the faces do not import one another), so these commands run
``python -m policingplan.web`` in a child process with the same Python, and
return its exit code.  ``--help`` stays light: nothing of the web is loaded.
"""

from __future__ import annotations

import typer

web_app = typer.Typer(help="The web application: its demo accounts (policingplan serve starts it; see docs/web.md).", no_args_is_help=True)


def _run_web(*arguments: str) -> None:
    """``python -m policingplan.web ARGUMENTS``; its exit code becomes this command's."""
    import subprocess
    import sys

    try:
        code = subprocess.call([sys.executable, "-m", "policingplan.web", *arguments])
    except KeyboardInterrupt:  # Ctrl-C reaches the server too; it stops, and so do we
        code = 130
    if code:
        raise typer.Exit(code)


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="The port to listen on."),
) -> None:
    """Serve the web application: apply its database migrations, then serve the plan and its monitoring.

    The plan is $POLICINGPLAN_WEB_PLAN (default examples/london-2023-24) and its figures come from the
    warehouse ($POLICINGPLAN_WAREHOUSE or .policingplan/warehouse); the database is $DATABASE_URL
    (default SQLite in .policingplan/web.sqlite3).  Stop it with Ctrl-C.
    """
    _run_web("serve", "--host", host, "--port", str(port))


def create_demo_accounts_command() -> None:
    """Create (or reset) the demo accounts, one per role and a commander per borough, and show their passwords once.

    The accounts are member, performance, investment, admin and commander-<borough> (such as
    commander-lambeth).  With $POLICINGPLAN_DEMO_PASSWORD set, every account has that password.
    """
    _run_web("create_demo_accounts")


def export_plan_command(
    out: str = typer.Option(..., "--out", help="The folder to write (replaced, whole or not at all, if it exists)."),
    label: str = typer.Option(None, "--label", help="The version's label, such as 1.1 (default: the published version "
                                                    "the pages show)."),
) -> None:
    """Write a version of the plan, as edited in the web application, as a plan folder that `policingplan validate` reads.

    The folder carries the plan's files and its portfolio, with every business case's decisions.
    """
    _run_web("export_plan", "--out", out, *(["--label", label] if label else []))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    web_app.command("create-demo-accounts")(create_demo_accounts_command)
    web_app.command("export-plan")(export_plan_command)
    app.add_typer(web_app, name="web")
