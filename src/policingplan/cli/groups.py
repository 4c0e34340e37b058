"""Command groups shared by more than one command module."""

import typer

data_app = typer.Typer(
    help="Check, load and count real police data: readers for each publisher format and the warehouse.",
    no_args_is_help=True,
)
