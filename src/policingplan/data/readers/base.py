"""What every reader shares: decoding, CSV parsing with physical line numbers,
column matching, vectorised row checks, unit mapping and grouping.

Line numbers are the file's physical lines, the header being line 1.  A file
without quotes whose every line has the header's number of fields (shown by
its comma count and the parse itself) is parsed once by Polars.  Any other
file where each line is one record goes the careful way: Polars reads the
lines to count their fields and to find the faulty ones, then parses the
records.  A file whose quoted values hold line breaks goes through the
``csv`` module, which knows where each record starts.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import polars as pl
import pyarrow as pa

from policingplan.data.readers import ATTRIBUTES, ReadResult, VALUE_COLUMNS, canonical_schema, empty_table
from policingplan.data.units import (
    UNKNOWN_UNITS, accepted_unit_names, suggest_unit, unit_code,
)
from policingplan.problems import Problem, ProblemList

#: How many problems of one kind are listed before the rest are only counted.
PROBLEMS_SHOWN = 50

LINE = "__line"

#: The first bytes of an XLSX workbook (a zip file) and of an old binary XLS workbook.
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileProblems:
    """The problems found in one file, listing at most :data:`PROBLEMS_SHOWN` of each kind."""

    def __init__(self, file: str):
        self.file = file
        self.problems = ProblemList()
        self._hidden: dict[str, tuple[int, str]] = {}
        self._shown: dict[str, int] = {}
        self._accepted: dict[str, str | None] = {}

    def add(self, message: str, *, line: int | None = None, column: str | None = None,
            value=None, accepted: str | None = None, severity: str = "error",
            key: str | None = None) -> None:
        """Add one problem; ``key`` groups problems of one kind for the cap."""
        key = key or message
        self._accepted.setdefault(key, accepted)
        if self._shown.get(key, 0) >= PROBLEMS_SHOWN:
            count, sev = self._hidden.get(key, (0, severity))
            self._hidden[key] = (count + 1, sev)
            return
        problem = Problem(message, file=self.file, line=line, column=column, value=value,
                          accepted=accepted, severity=severity)  # type: ignore[arg-type]
        self._shown[key] = self._shown.get(key, 0) + 1
        self.problems.add(problem)

    def add_rows(self, rows: pl.DataFrame, *, message: str, column: str | None,
                 value_column: str | None, accepted: str | None, severity: str = "error",
                 label_column: str | None = None) -> None:
        """One problem for each of the first rows of ``rows`` (with ``__line``), the rest counted.

        ``label_column`` names a column of ``rows`` that holds each row's own
        column label (in a wide file, the month that the value sits under).
        """
        key = f"{message}|{column}"
        head = rows.head(PROBLEMS_SHOWN)
        lines = head[LINE].to_list()
        values = head[value_column].to_list() if value_column else [None] * len(lines)
        labels = head[label_column].to_list() if label_column else [column] * len(lines)
        for line, value, label in zip(lines, values, labels):
            self.add(message, line=line, column=label, value=value, accepted=accepted,
                     severity=severity, key=key)
        self.add_more(key, rows.height - len(lines), severity=severity)

    def add_more(self, key: str, count: int, *, severity: str = "error") -> None:
        """Count ``count`` more problems of the kind ``key`` without listing them (the lines
        past the first :data:`PROBLEMS_SHOWN`, which the caller added one by one)."""
        if count > 0:
            hidden, _ = self._hidden.get(key, (0, severity))
            self._hidden[key] = (hidden + count, severity)

    @property
    def has_errors(self) -> bool:
        return bool(self.problems.errors) or any(s == "error" for _, s in self._hidden.values())

    def finish(self) -> ProblemList:
        """The problems, with one line for each kind whose list was cut short."""
        for key, (count, severity) in self._hidden.items():
            message = key.split("|", 1)[0]
            self.problems.add(Problem(
                f"{count:,} more line(s) with the same problem: {message}",
                file=self.file, accepted=self._accepted.get(key),
                severity=severity,  # type: ignore[arg-type]
            ))
        self._hidden.clear()
        return self.problems


@dataclass
class CsvRows:
    """A CSV file's header and rows, every value a string, with each row's physical line."""

    header: list[str]
    frame: pl.DataFrame  # one Utf8 column per header name (as written), plus ``__line``
    rows_read: int


def text_bytes(data: bytes, problems: FileProblems) -> bytes | None:
    """The file's bytes, checked to be CSV text rather than empty, a workbook or
    binary (a byte-order mark removed), or ``None`` after recording why not.
    :func:`parse_csv` checks that the text is UTF-8."""
    if not data or data.isspace():
        problems.add("the file is empty", accepted="a CSV file with a header line and data rows")
        return None
    if data.startswith(XLSX_MAGIC) or data.startswith(XLS_MAGIC):
        problems.add(
            "this is an Excel workbook, not a CSV text file",
            line=1, accepted="CSV: in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)'",
        )
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        problems.add(
            "the file holds binary data (a NUL byte), not CSV text",
            line=line, accepted="a CSV text file saved as UTF-8",
        )
        return None
    if b"\n" not in data and b"\r" in data:
        data = data.replace(b"\r", b"\n")
    return data


def _decode(data: bytes, problems: FileProblems) -> str | None:
    """The text, or ``None`` after recording where the file stops being UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start: exc.start + 1]
        problems.add(
            f"the file is not UTF-8 text (byte {bad.hex().upper()} cannot be read); "
            "re-save it as UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)')",
            line=line, value=data[max(exc.start - 20, 0): exc.start + 4].decode("latin-1"),
            accepted="UTF-8 text",
        )
        return None


def parse_csv(data: bytes, problems: FileProblems,
              columns: Iterable[str] | None = None) -> CsvRows | None:
    """Split CSV text (checked by :func:`text_bytes`) into a header and rows;
    record malformed lines as problems.

    ``columns``, when given, names the only columns a reader needs (compared
    without regard to case): a large unquoted file then parses just those.
    """
    end = data.find(b"\n")
    first_line = data[: end if end >= 0 else len(data)].decode("utf-8", errors="replace").rstrip("\r")
    if not first_line.strip():
        problems.add("the first line is blank; it must be the header", line=1,
                     accepted="a header line of column names separated by commas")
        return None
    if "," not in first_line and "\t" in first_line:
        problems.add("the file is separated by tabs, not commas", line=1, value=first_line[:80],
                     accepted="comma-separated values; re-save as CSV")
        return None
    if "," not in first_line and ";" in first_line:
        problems.add("the file is separated by semicolons, not commas", line=1, value=first_line[:80],
                     accepted="comma-separated values; re-save as CSV with ',' as the separator")
        return None
    rows = _parse_unquoted(data, problems, columns) if b'"' not in data else _LINE_PASS
    if rows is _LINE_PASS:
        rows = _parse_lines(data, problems, columns)
    if rows is _MULTILINE:
        text = _decode(data, problems)
        rows = _parse_quoted(text, problems) if text is not None else None
    if rows is None:
        return None
    if rows.rows_read == 0:
        problems.add("the file has a header but no data rows", line=1,
                     accepted="at least one data row after the header")
        return None
    return rows


def _check_header(header: list[str], problems: FileProblems) -> list[str] | None:
    header = [h.strip() or f"(column {i + 1}, unnamed)" for i, h in enumerate(header)]
    seen: set[str] = set()
    for name in header:
        if name.lower() in seen:
            problems.add("a column name appears twice in the header", line=1, column=name,
                         value=name, accepted="each column named once")
            return None
        seen.add(name.lower())
    return header


#: Returned by :func:`_parse_lines` for a file whose quoted values hold line breaks.
_MULTILINE = object()

#: Returned by :func:`_parse_unquoted` for a file that its one parse cannot vouch for.
_LINE_PASS = object()


def _parse_unquoted(data: bytes, problems: FileProblems, columns: Iterable[str] | None = None):
    """A file without quotes, parsed once when every line has the header's number of fields.

    Polars parses every field of every line, and raises on a field that is
    not UTF-8 or a line with more fields than the header (it would pass over
    them unread were the columns projected).  Without quotes every comma
    separates two fields, so when the file's commas number the header's fields
    less one times its lines, and no line has more, no line has fewer (nor is
    blank).  Row ``i`` of the parse is then physical line ``i + 2``.  Returns
    :data:`_LINE_PASS` when that is not shown, for :func:`_parse_lines` to
    find and report the faulty lines.
    """
    end = data.find(b"\n")
    try:
        names = data[: end if end >= 0 else len(data)].decode("utf-8").rstrip("\r").split(",")
    except UnicodeDecodeError:
        return _LINE_PASS
    width = len(names)
    if width < 2:  # a blank line is one empty field: it cannot be told by its commas
        return _LINE_PASS
    byte = np.frombuffer(data, dtype=np.uint8)
    lines = int(np.count_nonzero(byte == ord("\n"))) + (not data.endswith(b"\n"))
    if int(np.count_nonzero(byte == ord(","))) != (width - 1) * lines:
        return _LINE_PASS
    header = _check_header(names, problems)
    if header is None:
        return None
    try:
        frame = pl.read_csv(data, has_header=False, quote_char=None, empty_string_is_null=False,
                            schema={f"field {i}": pl.Utf8 for i in range(width)}).slice(1)
    except pl.exceptions.PolarsError:
        return _LINE_PASS
    records = lines - 1
    if frame.height != records:
        return _LINE_PASS
    kept = _kept_columns(header, columns)
    line = pl.int_range(2, records + 2, dtype=pl.Int64).alias(LINE)
    names = frame.columns  # once: each call builds the list, and a header may have thousands
    frame = frame.select([names[i] for i in kept] + [line])
    frame.columns = [header[i] for i in kept] + [LINE]
    return CsvRows(header=header, frame=frame, rows_read=records)


def _kept_columns(header: list[str], columns: Iterable[str] | None) -> list[int]:
    """The positions of the header's columns that a reader needs (all when ``columns`` is None)."""
    wanted = {c.lower() for c in columns} if columns is not None else None
    return [i for i, name in enumerate(header) if wanted is None or name.lower() in wanted]


def _empty_rows(header: list[str]) -> pl.DataFrame:
    """No records: the header's columns and ``__line``."""
    return pl.DataFrame(schema={**{h: pl.Utf8 for h in header}, LINE: pl.Int64})


#: A quoted value, with its doubled quotes: removed before a line's commas are counted.
_QUOTED_VALUE = r'"(?:[^"]|"")*"'


def _parse_lines(data: bytes, problems: FileProblems, columns: Iterable[str] | None = None):
    """A file where each physical line is one record (no quoted value holds a line break).

    The lines are read (in Polars, each line one value) to count their fields
    (commas outside quotes) and to find blank lines; the records are then
    parsed by Polars' CSV reader, its row ``i`` being physical line ``i + 2``.
    Returns :data:`_MULTILINE` when a line has an odd number of quotes: a
    quoted value runs on to the next line, and the ``csv`` module must read it.
    """
    quoted = b'"' in data
    try:  # Polars checks that every line is UTF-8; the csv module finds where it is not
        lines = pl.read_csv(data, has_header=False, separator="\x00", quote_char=None,
                            new_columns=["text"], infer_schema=False, empty_string_is_null=False)
    except pl.exceptions.ComputeError as exc:
        if _decode(data, problems) is not None:
            problems.add(f"the file cannot be read as CSV text ({exc})",
                         accepted="a CSV text file saved as UTF-8")
        return None
    if quoted and lines.select((pl.col("text").str.count_matches('"', literal=True) % 2 == 1).any()).item():
        return _MULTILINE
    first = lines["text"][0]
    try:
        names = next(csv.reader([first], strict=True)) if quoted else first.split(",")
    except csv.Error:
        return _MULTILINE
    header = _check_header(names, problems)
    if header is None:
        return None
    width = len(header)
    unquoted = pl.col("text").str.replace_all(_QUOTED_VALUE, "") if quoted else pl.col("text")
    lines = lines.with_row_index(LINE, offset=1).with_columns(
        pl.col(LINE).cast(pl.Int64),
        fields=unquoted.str.count_matches(",", literal=True) + 1,
    ).slice(1)
    odd = lines.filter(pl.col("fields") != width)
    blank = odd.filter(pl.col("text").str.strip_chars() == "")[LINE] if odd.height else None
    if width == 1:
        blank = lines.filter(pl.col("text").str.strip_chars() == "")[LINE]
    wrong = odd.filter(pl.col("text").str.strip_chars() != "")
    records = lines.height
    del lines  # the text of every line: free it before the records are parsed
    rows_read = records - (blank.len() if blank is not None else 0)
    empty = _empty_rows(header)
    if wrong.height:
        _report_field_counts(wrong, width, records + 1, data.endswith(b"\n"), problems)
        return CsvRows(header=header, frame=empty, rows_read=rows_read)
    if rows_read == 0:
        return CsvRows(header=header, frame=empty, rows_read=0)
    kept = _kept_columns(header, columns)
    try:
        frame = pl.read_csv(data, has_header=False, quote_char='"' if quoted else None,
                            empty_string_is_null=False,
                            schema={f"field {i}": pl.Utf8 for i in range(width)},
                            columns=kept).slice(1)
    except pl.exceptions.PolarsError:
        frame = None
    if frame is None or frame.height != records:
        # Quotes that Polars reads otherwise than the line count assumed: read it the exact way.
        return _MULTILINE
    frame.columns = [header[i] for i in kept]
    frame = frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias(LINE))
    if blank is not None and blank.len():
        frame = frame.filter(~pl.col(LINE).is_in(blank.implode()))
    return CsvRows(header=header, frame=frame, rows_read=rows_read)


def _report_field_counts(wrong: pl.DataFrame, width: int, last_line: int,
                         ends_with_newline: bool, problems: FileProblems) -> None:
    truncated = wrong.filter((pl.col(LINE) == last_line) & (pl.col("fields") < width))
    if not ends_with_newline and truncated.height:
        problems.add(
            "the last line is cut short: the file looks truncated",
            line=last_line, value=truncated["text"][0][:80],
            accepted=f"{width} fields on every line; download or export the file again",
        )
        wrong = wrong.filter(pl.col(LINE) != last_line)
    for label, cond in (("more", pl.col("fields") > width), ("fewer", pl.col("fields") < width)):
        rows = wrong.filter(cond).with_columns(pl.col("text").str.slice(0, 80))
        if rows.height:
            problems.add_rows(
                rows, message=f"the line has {label} fields than the header",
                column=None, value_column="text",
                accepted=f"{width} comma-separated fields, as in the header "
                         "(quote a value that holds a comma)",
            )


def _parse_quoted(text: str, problems: FileProblems) -> CsvRows | None:
    """A file whose quoted values hold line breaks: the csv module finds where each record starts."""
    text = text.replace("\r\n", "\n")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header_row = next(reader)
    except (csv.Error, StopIteration) as exc:
        problems.add(f"the header line cannot be read as CSV ({exc})", line=1,
                     accepted="a header line of column names separated by commas")
        return None
    header = _check_header(header_row, problems)
    if header is None:
        return None
    width = len(header)
    columns: list[list[str]] = [[] for _ in range(width)]
    lines: list[int] = []
    rows_read = 0
    start = reader.line_num + 1
    ends_with_newline = text.endswith("\n")
    total_lines = text.count("\n") + (0 if ends_with_newline else 1)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(
                f"the line cannot be read as CSV ({exc}); a quote may be unclosed "
                "or the file cut short", line=start,
                accepted="fields separated by commas, quoted with \" when they hold commas or quotes",
            )
            return None
        line = start
        start = reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        rows_read += 1
        if len(row) != width:
            if len(row) < width and not ends_with_newline and reader.line_num >= total_lines:
                problems.add("the last line is cut short: the file looks truncated", line=line,
                             value=",".join(row)[:80],
                             accepted=f"{width} fields on every line; download or export the file again")
            else:
                label = "more" if len(row) > width else "fewer"
                problems.add(f"the line has {label} fields than the header", line=line,
                             value=",".join(row)[:80],
                             accepted=f"{width} comma-separated fields, as in the header "
                                      "(quote a value that holds a comma)")
            continue
        for i, value in enumerate(row):
            columns[i].append(value)
        lines.append(line)
    data = {f"c{i}": pl.Series(values, dtype=pl.Utf8) for i, values in enumerate(columns)}
    frame = pl.DataFrame(data)
    frame.columns = header
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    return CsvRows(header=header, frame=frame, rows_read=rows_read)


def match_columns(rows: CsvRows, wanted: dict[str, Iterable[str]],
                  problems: FileProblems) -> dict[str, str] | None:
    """Find each wanted column among the header's names, by any accepted spelling.

    ``wanted`` maps a canonical name to the header names accepted for it
    (compared without regard to case and surrounding spaces).  Returns
    canonical name → header name, or ``None`` after recording each missing
    column with the closest name that the header does have.
    """
    by_lower = {h.lower(): h for h in rows.header}
    found: dict[str, str] = {}
    missing = False
    for canonical, spellings in wanted.items():
        spellings = list(spellings)
        hit = next((by_lower[s.lower()] for s in spellings if s.lower() in by_lower), None)
        if hit is not None:
            found[canonical] = hit
            continue
        missing = True
        close = difflib.get_close_matches(spellings[0].lower(), list(by_lower), n=1, cutoff=0.6)
        hint = f"; the header has {by_lower[close[0]]!r}: is that it, misspelt?" if close else ""
        problems.add(
            f"the column {spellings[0]!r} is missing{hint}",
            line=1, column=spellings[0], value=by_lower[close[0]] if close else None,
            accepted=f"a header naming {' or '.join(repr(s) for s in spellings[:2])}",
        )
    return None if missing else found


def check_rows(frame: pl.DataFrame, bad: pl.Expr, problems: FileProblems, *, message: str,
               column: str, accepted: str, label: str | None = None,
               severity: str = "error") -> None:
    """Record a problem for each row where ``bad`` holds (vectorised), naming its value.

    ``label`` is the column's name in the file's header, when it differs from ``column``.
    """
    rows = frame.filter(bad.fill_null(False))
    if rows.height:
        problems.add_rows(rows.select(LINE, pl.col(column).cast(pl.Utf8)), message=message,
                          column=label or column, value_column=column, accepted=accepted,
                          severity=severity)


def check_distinct(frame: pl.DataFrame, column: str, valid: pl.Expr, problems: FileProblems, *,
                   message: str, accepted: str, label: str | None = None,
                   grouped: pl.DataFrame | None = None) -> None:
    """Like :func:`check_rows` for a check on the value alone: it runs on the column's
    distinct values, and only a bad one sends it back to the rows for their lines.

    ``grouped``, a grouping of ``frame`` by keys that include ``column``, has the
    same distinct values in fewer rows: they are taken from it.
    """
    distinct = (frame if grouped is None else grouped).select(pl.col(column).unique())
    bad = distinct.filter(~valid.fill_null(False))[column]
    if bad.len():
        check_rows(frame, pl.col(column).is_in(bad.implode()), problems, message=message,
                   column=column, accepted=accepted, label=label)


def parse_counts(frame: pl.DataFrame, column: str, problems: FileProblems, *,
                 ceiling: int, label: str | None = None, label_column: str | None = None) -> pl.Series:
    """The column's values as whole, non-negative counts; bad values become problems.

    ``label`` is the column's name in the file's header, when it differs from
    ``column``; ``label_column`` a column of ``frame`` giving each row's own label.
    """
    label = label or column
    cleaned = frame[column].str.strip_chars().str.replace_all(",", "", literal=True)
    as_float = cleaned.cast(pl.Float64, strict=False)
    as_int = cleaned.cast(pl.Int64, strict=False)
    work = frame.select(LINE, *([label_column] if label_column else [])).with_columns(
        raw=frame[column], as_float=as_float,
    )
    number = pl.col("as_float")
    whole = "a whole number of 0 or more, e.g. 42"
    finite = number.is_finite()
    plain = pl.col("raw").str.strip_chars().str.replace_all(",", "", literal=True).str.contains(r"^[0-9]+$")
    checks = (
        (number.is_null() | number.is_nan() | number.is_infinite(), "the count is not a number", whole),
        (finite & (number != number.floor()), "the count is not a whole number", whole),
        (finite & (number < 0), "the count is negative", "a whole number of 0 or more"),
        (finite & (number > ceiling), "the count is implausibly large", f"a count of at most {ceiling:,}"),
        (finite & (number == number.floor()) & number.is_between(0, ceiling) & ~plain,
         "the count is not written in digits", "a whole number written in digits, e.g. 1000, not 1e3"),
    )
    for bad, message, accepted in checks:
        rows = work.filter(bad.fill_null(False))
        if rows.height:
            problems.add_rows(rows, message=message, column=label, value_column="raw",
                              accepted=accepted, label_column=label_column)
    return as_int


def map_units(values: pl.Series, frame: pl.DataFrame, column: str,
              problems: FileProblems) -> pl.Series:
    """Borough or area names (or codes) → unit codes; unknown names are errors,
    the ``Unknown`` borough a warning (its rows are kept under ``MPS-UNKNOWN``)."""
    distinct = values.unique().to_list()
    lookup = {name: (unit_code(name) if name is not None else None) for name in distinct}
    codes = values.replace_strict(lookup, default=None, return_dtype=pl.Utf8)
    work = frame.select(LINE).with_columns(raw=values, code=codes)
    unknown = work.filter(pl.col("code").is_null())
    if unknown.height:
        names = unknown["raw"].unique(maintain_order=True).to_list()
        for name in names[:PROBLEMS_SHOWN]:
            rows = unknown.filter(pl.col("raw").eq_missing(name))
            suggestion = suggest_unit(name or "")
            message = "unknown borough or area"
            if suggestion:
                message += f"; did you mean {suggestion!r}?"
            problems.add_rows(rows, message=message, column=column, value_column="raw",
                              accepted=accepted_unit_names())
        if len(names) > PROBLEMS_SHOWN:
            rest = unknown.filter(pl.col("raw").is_in(names[PROBLEMS_SHOWN:]))
            problems.add_rows(rest, message="unknown borough or area", column=column,
                              value_column="raw", accepted=accepted_unit_names())
    unknown_unit = work.filter(pl.col("code").is_in(list(UNKNOWN_UNITS)))
    if unknown_unit.height:
        problems.add(
            f"{unknown_unit.height:,} row(s) have no known borough; they are kept as unit "
            f"'MPS-UNKNOWN' and count only towards force totals",
            line=unknown_unit[LINE][0], column=column, value=unknown_unit["raw"][0],
            severity="warning", key="unknown-borough",
        )
    return codes


#: Values a publisher writes for "no figure": a missing value, never a zero.
NOT_AVAILABLE = ("n/a", "na", "..", ":", "")


def drop_not_available(frame: pl.DataFrame, column: str, header: str,
                       problems: FileProblems) -> pl.DataFrame:
    """Drop rows whose value is marked not available, with one warning saying how many."""
    missing = pl.col(column).str.strip_chars().str.to_lowercase().is_in(list(NOT_AVAILABLE))
    dropped = frame.filter(missing)
    if dropped.height:
        problems.add(
            f"{dropped.height:,} row(s) have no figure (marked {dropped[column][0]!r}); "
            "they are left out as missing, not counted as zero",
            line=int(dropped[LINE][0]), column=header, value=dropped[column][0],
            severity="warning", key="not-available",
        )
    return frame.filter(~missing)


def grouped_table(kind: str, frame: pl.DataFrame, *, aggregate: bool = True) -> pa.Table:
    """The canonical table: one row per unit, period and attributes, values summed.

    Rows come in no particular order.  ``aggregate=False`` for files already
    checked to hold each key once, where summing would turn a blank (null)
    value into zero.
    """
    keys = ["unit", "period", "period_kind", *ATTRIBUTES[kind]]
    values = [name for name, _ in VALUE_COLUMNS[kind]]
    if aggregate:
        # The lazy engine groups many string keys several times faster than the eager one.
        frame = frame.lazy().group_by(keys).agg([pl.col(v).sum() for v in values]).collect()
    return frame.select(keys + values).to_arrow().cast(canonical_schema(kind))


def new_result(kind: str, file: str) -> ReadResult:
    """An empty result, to be filled in by a reader."""
    return ReadResult(kind=kind, file=file, table=empty_table(kind))


def start_csv(kind: str, file: str, data: bytes, columns: Iterable[str] | None = None,
              ) -> tuple[ReadResult, FileProblems, CsvRows | None]:
    """How every CSV reader starts: an empty result, the file's problems, and its
    rows (``None`` when the bytes are not readable CSV text; the problems say why)."""
    result = new_result(kind, file)
    problems = FileProblems(file)
    text = text_bytes(data, problems)
    rows = parse_csv(text, problems, columns=columns) if text is not None else None
    if rows is not None:
        result.rows_read = rows.rows_read
    return result, problems, rows


def finish(result: ReadResult, problems: FileProblems, table: pa.Table | None = None,
           rows_accepted: int = 0) -> ReadResult:
    """Attach the problems; the table only when there are no errors."""
    result.problems = problems.finish()
    if result.problems.ok and table is not None:
        result.table = table
        result.rows_accepted = rows_accepted
    return result


# --- Header spellings and record keys (used by the GLA, ONS, homicide and tidy readers) -------


def spelling_key(name: str) -> str:
    """A header name compared without letter case, spaces or punctuation (``+`` kept, since
    ``65+`` is a band): ``Persons_All-Ages``, ``persons all ages`` → ``personsallages``."""
    import re

    return re.sub(r"[^0-9a-z+]", "", name.lower())


def find_columns(rows: CsvRows, wanted: dict[str, Iterable[str]], problems: FileProblems, *,
                 optional: Iterable[str] = (), accepted: str) -> dict[str, str] | None:
    """Each wanted column's header name, matched by :func:`spelling_key` against its spellings.

    A missing column that is not ``optional`` is an error suggesting the closest name the
    header has; a header column that is wanted by no name is a warning (it is not read); an
    unnamed column whose values are all blank (a trailing comma) is passed over.  Returns
    canonical name → header name as the file spells it, or ``None`` after an error.
    ``accepted`` describes the format's columns, for the warning.
    """
    optional = set(optional)
    by_key: dict[str, str] = {}
    for name in rows.header:
        by_key.setdefault(spelling_key(name), name)
    found: dict[str, str] = {}
    missing = False
    for canonical, spellings in wanted.items():
        spellings = list(spellings)
        hits = list(dict.fromkeys(by_key[k] for k in map(spelling_key, spellings) if k in by_key))
        if len(hits) > 1:
            missing = True
            problems.add(f"two columns, {hits[0]!r} and {hits[1]!r}, both give {spellings[0]!r}",
                         line=1, column=hits[1], value=hits[1],
                         accepted=f"one column for {spellings[0]!r}")
        if hits:
            found[canonical] = hits[0]
            continue
        if canonical in optional:
            continue
        missing = True
        used = {spelling_key(h) for h in found.values()}
        candidates = {k: n for k, n in by_key.items() if k not in used}
        close = difflib.get_close_matches(spelling_key(spellings[0]), list(candidates), n=1, cutoff=0.6)
        hint = f"; the header has {candidates[close[0]]!r}: is that it, misspelt?" if close else ""
        problems.add(f"the column {spellings[0]!r} is missing{hint}", line=1, column=spellings[0],
                     value=candidates[close[0]] if close else None,
                     accepted=f"a header naming {' or '.join(repr(s) for s in spellings[:3])}")
    used = set(found.values())
    for name in rows.header:
        if name in used:
            continue
        if name.endswith(", unnamed)"):
            values = rows.frame[name].fill_null("").str.strip_chars()
            if not (values != "").any():
                continue  # a trailing comma on every line: an empty column
            problems.add("a column without a name is not read", line=1, column=name,
                         value=values.filter(values != "")[0], severity="warning",
                         accepted=accepted)
            continue
        problems.add(f"the column {name!r} is not part of this format and is not read", line=1,
                     column=name, value=name, severity="warning", accepted=accepted)
    return None if missing else found


def check_key(frame: pl.DataFrame, keys: list[str], values: list[str], labels: dict[str, str],
              problems: FileProblems, *, described_as: str) -> None:
    """A record key twice is an error at the later line, naming the first.

    ``frame`` holds ``__line``, the key columns and the value columns (as compared: strings
    or numbers); ``labels`` gives each column's name in the file's header.  A repeat whose
    values differ is named at the first column that differs; a repeat with the same values
    (a copied line) at the key's first column.  Rows with a missing key (already reported)
    are left out.
    """
    frame = frame.filter(pl.all_horizontal([pl.col(k).is_not_null() for k in keys]))
    repeated = frame.filter(pl.struct(keys).is_duplicated())
    if not repeated.height:
        return
    repeated = repeated.sort(LINE).with_columns(pl.col(LINE).min().over(keys).alias("first"))
    firsts = repeated.filter(pl.col(LINE) == pl.col("first")).select(
        "first", *[pl.col(v).alias(f"first {v}") for v in values])
    later = repeated.filter(pl.col(LINE) != pl.col("first")).join(firsts, on="first")
    differs = [~pl.col(v).eq_missing(pl.col(f"first {v}")) for v in values]
    column = pl.lit(None, dtype=pl.Utf8)
    shown = pl.lit(None, dtype=pl.Utf8)
    before = pl.lit(None, dtype=pl.Utf8)
    for v, bad in reversed(list(zip(values, differs))):
        column = pl.when(bad).then(pl.lit(labels[v])).otherwise(column)
        shown = pl.when(bad).then(pl.col(v).cast(pl.Utf8).fill_null("")).otherwise(shown)
        before = pl.when(bad).then(pl.col(f"first {v}").cast(pl.Utf8).fill_null("")).otherwise(before)
    key_text = pl.concat_str([pl.col(k).cast(pl.Utf8) for k in keys], separator=" | ")
    later = later.with_columns(column=column, shown=shown, before=before, key_text=key_text)
    key_names = ", ".join(labels[k] for k in keys)
    other = later.filter(pl.col("column").is_not_null()).with_columns(
        desc=pl.format("{} (line {} has {} for {})", "shown", "first", "before", "key_text"))
    if other.height:
        problems.add_rows(other, message=f"a repeated {described_as} with other values: the same "
                                         f"{key_names} is on an earlier line",
                          column=None, value_column="desc", label_column="column",
                          accepted=f"each {described_as} once in the file")
    same = later.filter(pl.col("column").is_null()).with_columns(
        desc=pl.format("{} (first on line {})", "key_text", "first"))
    if same.height:
        problems.add_rows(same.with_columns(column=pl.lit(labels[keys[0]])),
                          message=f"a repeated line: the same {described_as}, with the same values, "
                                  "is on an earlier line",
                          column=None, value_column="desc", label_column="column",
                          accepted=f"each {described_as} once in the file (a copied line would be "
                                   "counted twice)")
