"""``python -m policingplan.web COMMAND``: the web application's commands (``policingplan serve`` runs this).

``serve [--host H] [--port P]`` applies the database migrations and serves the
application; ``create_demo_accounts`` makes the demo accounts; any other
command is Django's own (``migrate``, ``createsuperuser``, ``check``...).
"""

from __future__ import annotations

import argparse
import os
import sys


def _prepare() -> None:
    """The application's folder, and a secret key kept there so that sessions outlive a restart."""
    from django.core.management.utils import get_random_secret_key

    from policingplan.settings import web_state_dir

    folder = web_state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / "secret_key"
    if not os.environ.get("POLICINGPLAN_SECRET_KEY") and not key.exists():
        descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(get_random_secret_key() + "\n")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policingplan.web.settings")
    _prepare()
    from django.core.management import execute_from_command_line

    program = "policingplan-web"
    if argv[:1] == ["serve"]:
        parser = argparse.ArgumentParser(prog="policingplan serve")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        options = parser.parse_args(argv[1:])
        execute_from_command_line([program, "migrate", "--no-input", "--verbosity", "0"])
        address = f"[{options.host}]:{options.port}" if ":" in options.host else f"{options.host}:{options.port}"
        execute_from_command_line([program, "runserver", "--noreload", address])
    elif argv[:1] in (["create_demo_accounts"], ["export_plan"]):
        execute_from_command_line([program, "migrate", "--no-input", "--verbosity", "0"])
        execute_from_command_line([program, *argv])
    else:
        execute_from_command_line([program, *argv])


if __name__ == "__main__":
    main()
