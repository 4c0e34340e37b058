"""Ctrl-C stops any command at once with one line and exit code 130, leaving nothing half-written
(issue 12): the warehouse is as it was, and a file given to --out is whole or untouched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policingplan.cli import INTERRUPTED
from policingplan.cli.files import write_atomically

POLICINGPLAN = Path(sys.executable).parent / "policingplan"
HOMICIDES = "london/mps-homicide-victims_2003-2023.csv.gz"


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(POLICINGPLAN), *map(str, args)], capture_output=True, text=True, timeout=120,
                          check=False, **kwargs)


@pytest.mark.parametrize("delay", [0.0, 0.4])  # while reading the first files, and later on
def test_ctrl_c_during_a_load_stops_it_with_one_line_and_leaves_the_warehouse_as_it_was(
        tmp_path, project_root, data_dir, delay):
    warehouse = tmp_path / "wh"
    assert run("data", "load", "mps-homicide-victims", data_dir / HOMICIDES, "--warehouse", warehouse).returncode == 0
    before = json.loads(run("data", "status", "--warehouse", warehouse, "--json").stdout)
    files_before = sorted(p.relative_to(warehouse) for p in warehouse.rglob("*"))

    process = subprocess.Popen(
        [str(POLICINGPLAN), "data", "load", "--plan", str(project_root / "examples/london-2023-24"),
         "--data-dir", str(data_dir), "--warehouse", str(warehouse)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(warehouse.glob("catalogue.duckdb.tmp-*")):  # the load is under way
        assert process.poll() is None, "the load ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    stdout, stderr = process.communicate(timeout=30)
    assert time.monotonic() - sent < 5  # at once, not after the load has run its course

    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == [INTERRUPTED]
    assert "Traceback" not in stderr + stdout
    after = json.loads(run("data", "status", "--warehouse", warehouse, "--json").stdout)
    assert after == before
    assert sorted(p.relative_to(warehouse) for p in warehouse.rglob("*")) == files_before


def test_ctrl_c_on_a_quick_command_gives_the_same_line(tmp_path):
    # SIGINT while a command works (made slow here): the same one line, exit code 130, nothing on stdout.
    code = ("import os, signal, sys, threading\n"
            "from policingplan import cli\n"
            "sys.argv = ['policingplan', 'spc', sys.argv[1]]\n"
            "threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
            "import time\n"
            "from policingplan.cli import stats_cmds\n"
            "original = stats_cmds.read_series\n"
            "def slow(*a, **k):\n    time.sleep(5)\n    return original(*a, **k)\n"
            "stats_cmds.read_series = slow\n"
            "cli.main()\n")
    data = tmp_path / "y.csv"
    data.write_text("y\n1\n2\n3\n")
    done = subprocess.run([sys.executable, "-c", code, str(data)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 130
    assert done.stderr.strip().splitlines() == [INTERRUPTED]
    assert done.stdout == ""


def test_a_file_written_by_a_command_is_whole_or_untouched(tmp_path, monkeypatch):
    path = tmp_path / "rows.csv"
    path.write_text("old\n")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, "new\n" * 1000)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]
    monkeypatch.undo()
    write_atomically(path, "new\n")
    assert path.read_text() == "new\n"
