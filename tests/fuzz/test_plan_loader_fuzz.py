"""Fuzzing the plan loader (issue 17, bad input everywhere): whatever a plan folder holds,
``read_plan`` returns the plan or a list of errors, never an exception, and every error
says where it is.

Each example is one of the London examples' folders (``examples/``) with one to four
mutations:

- ``plan.yaml`` as data: a random key deleted, or a random value replaced by a random YAML
  scalar, list or mapping (then written back as YAML);
- ``plan.yaml`` as text: cut short at a random byte, random bytes inserted or replaced, a
  line deleted or duplicated, an indent changed, a tab, an invalid UTF-8 byte;
- ``units.csv``, ``unit_targets.csv``, ``partner_targets.csv``: a random cell replaced by
  random text, a header cell changed or dropped, a line removed or duplicated, random bytes,
  an invalid UTF-8 byte, cut short, emptied or deleted;
- a narrative file deleted or made unreadable as UTF-8.

The property: ``read_plan`` never raises; it returns either a plan and no errors, or no
plan and at least one error; every problem names a file in the folder; and every error in
a file's text (one about a line or cell of ``plan.yaml`` or a table, as opposed to a file
that is missing, empty or unreadable as a whole, or a key that is not there) gives its line.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from policingplan.plan.io import read_plan
from policingplan.settings import PROJECT_ROOT

EXAMPLES = ("london-2023-24", "london-2007-08")
PLAN = "plan.yaml"
TABLES = ("units.csv", "unit_targets.csv", "partner_targets.csv")

#: Examples per test; ``POLICINGPLAN_FUZZ_EXAMPLES=2000`` for a longer hunt.
MAX_EXAMPLES = int(os.environ.get("POLICINGPLAN_FUZZ_EXAMPLES", "30"))

FUZZ = settings(
    max_examples=MAX_EXAMPLES * 2, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

_WORKDIR = Path(tempfile.mkdtemp(prefix="policingplan-fuzz-plans-"))


@lru_cache(maxsize=None)
def _files(example: str) -> dict[str, bytes]:
    """The plan folder's files (the versions/ history left out: read_plan does not read it)."""
    folder = PROJECT_ROOT / "examples" / example
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and (relative in (PLAN, *TABLES) or relative.startswith("narrative/")):
            files[relative] = path.read_bytes()
    return files


# --- random YAML values -----------------------------------------------------------------------

_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=16),
    st.sampled_from(["2023/24", "2023/25", "2023", "1994-1998", "force", "E09000033", "change", "level",
                     "-0.05", "borough", "", "~", "null", "yes", "no", "1.0", "draft", "approved",
                     "neighbourhood-crime", "2023-24", "2023/2024"]),
)
YAML_VALUE = st.recursive(
    _scalar,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=8,
)

_position = st.integers(min_value=0, max_value=10**6)
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_INVALID_UTF8 = (b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80", b"\x96")

MUTATION = st.one_of(
    # plan.yaml as data
    st.tuples(st.just("yaml: delete key"), _position),
    st.tuples(st.just("yaml: replace value"), _position, YAML_VALUE),
    # plan.yaml as text
    st.tuples(st.just("yaml: truncate"), _position),
    st.tuples(st.just("yaml: insert bytes"), _position, st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("yaml: replace bytes"), _position, st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("yaml: delete line"), _position),
    st.tuples(st.just("yaml: duplicate line"), _position),
    st.tuples(st.just("yaml: indent"), _position, st.sampled_from([" ", "  ", "\t", "- ", "# "])),
    st.tuples(st.just("yaml: invalid utf-8"), _position, st.sampled_from(_INVALID_UTF8)),
    st.tuples(st.just("yaml: insert text"), _position,
              st.sampled_from([":", ": ", "'", '"', "[", "{", "&a", "*a", "!!python/object:os.system", "---\n",
                               "...\n", "? ", "|", ">", "%YAML 1.2\n", "\x00", "\ufeff", "<<: *a\n"])),
    # the tables
    st.tuples(st.just("csv: replace cell"), st.sampled_from(TABLES), _position, _position, _text),
    st.tuples(st.just("csv: change header"), st.sampled_from(TABLES), _position,
              st.one_of(_text, st.sampled_from(["", "Code", "CODE", "measure ", "unit", "value", "code"]))),
    st.tuples(st.just("csv: drop column"), st.sampled_from(TABLES), _position),
    st.tuples(st.just("csv: delete line"), st.sampled_from(TABLES), _position),
    st.tuples(st.just("csv: duplicate line"), st.sampled_from(TABLES), _position),
    st.tuples(st.just("csv: insert bytes"), st.sampled_from(TABLES), _position,
              st.one_of(st.binary(min_size=1, max_size=8),
                        st.sampled_from([b'"', b",", b"\n", b"\r", b";", b"\t", b"\x00", b"\xef\xbb\xbf"]))),
    st.tuples(st.just("csv: invalid utf-8"), st.sampled_from(TABLES), _position, st.sampled_from(_INVALID_UTF8)),
    st.tuples(st.just("csv: truncate"), st.sampled_from(TABLES), _position),
    st.tuples(st.just("csv: empty"), st.sampled_from(TABLES)),
    st.tuples(st.just("csv: delete file"), st.sampled_from(TABLES)),
    # the narrative
    st.tuples(st.just("narrative: delete"), _position),
    st.tuples(st.just("narrative: invalid utf-8"), _position),
)


def _yaml_paths(node, path=()):
    """Every path into the data: (mapping, key) and (list, index) pairs, as paths."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path + (key,)
            yield from _yaml_paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield path + (index,)
            yield from _yaml_paths(value, path + (index,))


# libyaml where it is installed: the examples' plan.yaml is parsed and written for each example.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _load_yaml(text: bytes):
    return yaml.load(text.decode("utf-8"), Loader=_Loader)


def _set_path(data, path: tuple, new=None, delete: bool = False) -> bytes:
    """``data`` (changed in place) with the value at ``path`` replaced or deleted, as YAML."""
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True).encode("utf-8")


def _edit_yaml(text: bytes, at: int, new=None, delete: bool = False) -> bytes:
    data = _load_yaml(text)
    paths = list(_yaml_paths(data))
    if not paths:
        return text
    return _set_path(data, paths[at % len(paths)], new=new, delete=delete)


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _csv_text(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _insert(data: bytes, at: int, extra: bytes) -> bytes:
    at = at % (len(data) + 1)
    return data[:at] + extra + data[at:]


def mutate(files: dict[str, bytes], mutation: tuple) -> None:
    """Apply one mutation to the folder's files (in place); one that no longer applies (its file
    already deleted, or no longer parseable as YAML or CSV) is passed over."""
    what, *args = mutation
    area, _, action = what.partition(": ")
    if area == "yaml":
        text = files.get(PLAN)
        if text is None:
            return
        n = len(text)
        if action in ("delete key", "replace value"):
            try:
                files[PLAN] = _edit_yaml(text, args[0], delete=action == "delete key",
                                         new=args[1] if len(args) > 1 else None)
            except (yaml.YAMLError, UnicodeDecodeError, TypeError, KeyError, IndexError, AttributeError):
                return
        elif action == "truncate":
            files[PLAN] = text[: args[0] % (n + 1)]
        elif action in ("insert bytes", "invalid utf-8"):
            files[PLAN] = _insert(text, args[0], args[1])
        elif action == "insert text":
            files[PLAN] = _insert(text, args[0], args[1].encode("utf-8"))
        elif action == "replace bytes":
            at = args[0] % (n + 1)
            files[PLAN] = text[:at] + args[1] + text[at + len(args[1]):]
        elif action in ("delete line", "duplicate line", "indent"):
            lines = _lines(text)
            i = args[0] % len(lines)
            if action == "delete line":
                del lines[i]
            elif action == "duplicate line":
                lines.insert(i, lines[i])
            else:
                lines[i] = args[1].encode() + lines[i]
            files[PLAN] = b"".join(lines)
        return
    if area == "csv":
        name = args[0]
        if action == "delete file":
            files.pop(name, None)
            return
        data = files.get(name)
        if data is None:
            return
        if action == "empty":
            files[name] = b""
        elif action == "truncate":
            files[name] = data[: args[1] % (len(data) + 1)]
        elif action in ("insert bytes", "invalid utf-8"):
            files[name] = _insert(data, args[1], args[2])
        elif action in ("delete line", "duplicate line"):
            lines = _lines(data)
            i = args[1] % len(lines)
            lines[i:i + 1] = [] if action == "delete line" else [lines[i], lines[i]]
            files[name] = b"".join(lines)
        else:
            try:
                rows = _csv_rows(data)
            except (UnicodeDecodeError, csv.Error):
                return
            if not rows or not rows[0]:
                return
            if action == "replace cell":
                row = rows[args[1] % len(rows)]
                if row:
                    row[args[2] % len(row)] = args[3]
            elif action == "change header":
                rows[0][args[1] % len(rows[0])] = args[2]
            elif action == "drop column":
                column = args[1] % len(rows[0])
                rows = [[cell for i, cell in enumerate(row) if i != column] for row in rows]
            files[name] = _csv_text(rows)
        return
    if area == "narrative":
        names = sorted(n for n in files if n.startswith("narrative/"))
        if not names:
            return
        name = names[args[0] % len(names)]
        if action == "delete":
            del files[name]
        else:
            files[name] = b"\xff" + files[name]
        return
    raise AssertionError(f"unknown mutation {what!r}")


# --- the property -----------------------------------------------------------------------------

#: Errors about a file as a whole, or about something that is not in the text at all (a required
#: key left out, a file that is not there): these need no line.  Anything else in a file's text,
#: a YAML parser's complaint included, must give one.
_WHOLE = (
    re.compile(r"the required field '.*' is missing"),
    re.compile(r"the (plan )?file is empty"),
    re.compile(r"the file does not exist"),
    re.compile(r"the file cannot be read: "),  # the operating system refused it
    re.compile(r"this is a folder, not a CSV file"),
)


def _write(files: dict[str, bytes]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="plan-", dir=_WORKDIR))
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def check(folder: Path) -> None:
    plan, problems = read_plan(folder)
    errors = problems.errors
    if plan is None:
        assert errors, "no plan, and no error to say why"
    else:
        assert not errors, [str(e) for e in errors[:3]]
    for problem in problems:
        text = str(problem)  # every problem can be shown
        assert problem.file, f"a problem names no file: {text}"
        assert problem.file.startswith(str(folder)), f"a problem names a file outside the folder: {text}"
        assert problem.line is None or (isinstance(problem.line, int) and problem.line >= 1), text
    for error in errors:
        name = os.path.relpath(error.file, folder)
        in_text = name == PLAN or name in TABLES
        if in_text and error.line is None and not any(w.match(error.message) for w in _WHOLE):
            raise AssertionError(f"an error in {name}'s text gives no line: {error}")


@pytest.mark.parametrize("example", EXAMPLES)
@FUZZ
@given(mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_a_mutated_plan_folder_never_raises_and_every_error_says_where(example: str, mutations: list):
    files = dict(_files(example))
    for mutation in mutations:
        mutate(files, mutation)
    folder = _write(files)
    try:
        check(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_unmutated_examples_are_valid_plans(example: str):
    folder = _write(dict(_files(example)))
    plan, problems = read_plan(folder)
    assert plan is not None, [str(e) for e in problems.errors[:3]]
    shutil.rmtree(folder, ignore_errors=True)


# --- every field of plan.yaml, given a value of the wrong shape ----------------------------------

def _field_patterns(data) -> dict[tuple, tuple]:
    """One path for each field of plan.yaml, list positions ignored (``targets[*].kind``)."""
    patterns: dict[tuple, tuple] = {}
    for path in _yaml_paths(data):
        patterns.setdefault(tuple("*" if isinstance(p, int) else p for p in path), path)
    return patterns


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_field_of_plan_yaml_given_a_list_or_a_mapping_is_a_problem_not_a_crash(example: str):
    """Deterministic, and exhaustive over the fields: each field of the example's plan.yaml
    (the first of each list's items) set in turn to a list and to a mapping, the values YAML
    lets a user write by mistake (``kind: [change]``, ``file: {}``)."""
    files = _files(example)
    data = _load_yaml(files[PLAN])
    failures = []
    for pattern, path in _field_patterns(data).items():
        for wrong in ([], {"a": 1}):
            changed = dict(files)
            changed[PLAN] = _set_path(copy.deepcopy(data), path, new=wrong)
            folder = _write(changed)
            try:
                check(folder)
            except Exception as exc:  # noqa: BLE001  (every failure is listed, then the test fails)
                failures.append(f"{'.'.join(map(str, pattern))} = {wrong!r}: {type(exc).__name__}: {exc}")
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    assert not failures, f"{len(failures)} field(s) of {example}/plan.yaml crash read_plan:\n" + "\n".join(failures)


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x1b", "\x7f", "\ufffe"], ids=["NUL", "BS", "ESC", "DEL", "U+FFFE"])
def test_a_control_character_in_plan_yaml_is_an_error_at_its_line(char: str):
    """A character YAML does not allow (pasted from another program) is refused at its line,
    like any other fault in the text."""
    files = dict(_files(EXAMPLES[0]))
    lines = files[PLAN].decode("utf-8").splitlines(keepends=True)
    assert lines[1].startswith("name: ")
    lines[1] = lines[1].replace("name: ", f"name: A{char}", 1)
    files[PLAN] = "".join(lines).encode("utf-8")
    folder = _write(files)
    try:
        plan, problems = read_plan(folder)
        assert plan is None
        at = [e for e in problems.errors if e.file == str(folder / PLAN)]
        assert at and all(e.line == 2 for e in at), [str(e) for e in problems.errors]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
