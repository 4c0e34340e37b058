"""``mps-borough-monthly``: the MPS "Recorded Crime: Geographic Breakdown" wide file.

Three identifier columns, the major category, the minor category and the
borough, then one column per month written ``YYYYMM``, holding counts of
recorded offences.  The publisher has spelt and ordered the identifiers
differently over the years (see ``docs/formats/mps-borough-monthly.md``):

* 2008-2016 historic file: ``Borough,Major Category,Minor Category,200801,…``;
* 2018-2020 "most recent 24 months": ``MajorText,MinorText,LookUp_BoroughName``;
* since: ``MajorText,MinorText,BoroughName`` (``majortext,…`` when an
  intermediary lower-cased it).

A header is matched whatever its letter case, spacing and punctuation.
Attributes ``major`` and ``minor`` are the categories in upper case with runs
of spaces made one (the publisher's current spelling; older files wrote them
in title case, and counting rules name them in upper case).  Every cell is
checked: a blank cell is no figure (a warning; nothing is recorded for it,
never a zero), any other value must be a whole count written in digits.

The key is the borough, major and minor category: a repeat is refused at the
later line, naming both lines, whether its figures differ or it is an exact
copy (counted twice, a copy would double them).  A minor category under two
major categories is refused at the lines of the rarer pairing.
"""

from __future__ import annotations

import re

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, PROBLEMS_SHOWN, FileProblems, check_distinct, finish, grouped_table, map_units,
    match_columns, parse_counts, start_csv,
)

_MONTH_HEADER = re.compile(r"^[0-9]{6}$")
#: No borough records this many offences of one minor category in one month (the most
#: in the 2010-2024 file is 3,403).
CEILING = 100_000
#: The longest category name accepted (the publisher's longest is 50 characters).
LONGEST_CATEGORY = 80

#: Each identifier: the name used in messages, then the header spellings accepted for it,
#: compared once lower-cased with everything but letters and digits removed.
IDENTIFIERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "major": ("MajorText", ("majortext", "majorcategory", "majorclass", "major")),
    "minor": ("MinorText", ("minortext", "minorcategory", "minorclass", "minor")),
    "borough": ("BoroughName", ("boroughname", "lookupboroughname", "borough")),
}

#: What a spreadsheet writes in a cell whose formula failed.
_EXCEL_ERROR = r"^#(REF!|N/A|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!)$"
_CONTROL = r"[\x00-\x1f\x7f]"
_REPEATED = "a repeated key: the same borough, major and minor category as an earlier line, with other figures"
_COPY = "a repeated line: a copy of an earlier line"
_SPLIT = "a minor category under another major category than on its other lines"


def header_key(name: str) -> str:
    """A header name compared without letter case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def check_category_text(frame: pl.DataFrame, column: str, label: str, what: str,
                        problems: FileProblems, example: str) -> None:
    """Category names (stripped): not blank, no control characters, a letter, a sensible length."""
    accepted = f"a category name of 1 to {LONGEST_CATEGORY} characters with letters, e.g. {example}"
    value = pl.col(column)
    checks = (
        (value != "", f"the {what} is blank"),
        (~value.str.contains(_CONTROL), f"the {what} holds a control character (a tab, line break or the like)"),
        (value.str.len_chars() <= LONGEST_CATEGORY, f"the {what} is implausibly long"),
        (~value.str.contains(_EXCEL_ERROR), f"the {what} is a spreadsheet error value"),
        (value.str.contains(r"[A-Za-z]") | (value == ""), f"the {what} has no letters"),
    )
    for valid, message in checks:
        check_distinct(frame, column, valid, problems, message=message, accepted=accepted, label=label)


def canonical_category(column: str) -> pl.Expr:
    """Upper case, runs of spaces as one: ``Burglary  in a Dwelling`` is ``BURGLARY IN A DWELLING``."""
    return pl.col(column).str.replace_all(r"\s+", " ").str.to_uppercase()


def _read_header(header: list[str], problems: FileProblems, frame: pl.DataFrame):
    """The identifier columns found (canonical → header name) and the month columns
    (header name → ``YYYY-MM``); other columns are warned about and left out."""
    by_key = {spelling: canonical for canonical, (_, spellings) in IDENTIFIERS.items()
              for spelling in spellings}
    found: dict[str, str] = {}
    months: dict[str, str] = {}
    for name in header:
        canonical = by_key.get(header_key(name))
        if canonical is not None:
            if canonical in found:
                problems.add(f"two columns could be the {canonical} column: {found[canonical]!r} "
                             f"and {name!r}", line=1, column=name, value=name,
                             accepted=f"one {IDENTIFIERS[canonical][0]} column")
            found.setdefault(canonical, name)
        elif _MONTH_HEADER.match(name):
            year, month = int(name[:4]), int(name[4:])
            if 1 <= month <= 12 and 1900 <= year <= 2100:
                months[name] = f"{year:04d}-{month:02d}"
            else:
                problems.add("a month column that is not a real month", line=1, column=name,
                             value=name, accepted="month columns written YYYYMM, month 01 to 12, e.g. 202304")
        elif name.startswith("(column ") and name.endswith(", unnamed)") and \
                frame[name].str.strip_chars().eq("").all():
            continue  # a trailing empty column: a separator at the end of every line
        else:
            problems.add("a column that is neither a category, the borough nor a month is ignored",
                         line=1, column=name, value=name, severity="warning",
                         accepted="MajorText, MinorText, BoroughName and YYYYMM month columns")
    return found, months


def _repeated_keys(frame: pl.DataFrame, months: dict[str, str], labels: dict[str, str],
                   problems: FileProblems) -> None:
    """A borough, major and minor category twice: an error at the later line naming both
    lines, at the first month whose figures differ, or at the borough for an exact copy."""
    keys = ["unit", "major", "minor"]
    keyed = frame.filter(pl.col("unit").is_not_null())
    repeated = keyed.filter(pl.struct(keys).is_duplicated())
    if not repeated.height:
        return
    cells = list(months)
    repeated = repeated.sort(LINE).with_columns(
        [pl.col(c).str.strip_chars() for c in cells]
    ).with_columns(figures=pl.concat_str(cells, separator="\x00"))
    first = repeated.group_by(keys, maintain_order=True).first().select(
        *keys, pl.col(LINE).alias("first"), pl.col("figures").alias("first_figures"),
        *[pl.col(c).alias(f"first {c}") for c in cells])
    later = repeated.join(first, on=keys).filter(pl.col(LINE) != pl.col("first"))
    copies = later.filter(pl.col("figures") == pl.col("first_figures"))
    differ = later.filter(pl.col("figures") != pl.col("first_figures"))
    described = "borough, major and minor category"
    for row in differ.head(PROBLEMS_SHOWN).iter_rows(named=True):
        column = next(c for c in cells if row[c] != row[f"first {c}"])
        problems.add(
            f"a repeated key: line {row[LINE]} has the same {described} as line {row['first']}, "
            f"with other figures ({column}: {row[f'first {column}']!r} on line {row['first']}, "
            f"{row[column]!r} on line {row[LINE]})",
            line=row[LINE], column=column,
            value=f"{row[labels['major']]} | {row[labels['minor']]} | {row['borough']} "
                  f"(first on line {row['first']})",
            accepted=f"each {described} once in the file", key=_REPEATED)
    problems.add_more(_REPEATED, differ.height - PROBLEMS_SHOWN)
    for row in copies.head(PROBLEMS_SHOWN).iter_rows(named=True):
        problems.add(
            f"a repeated line: line {row[LINE]} is a copy of line {row['first']} (the same {described} "
            "and the same figures); counted twice it would double them",
            line=row[LINE], column=labels["borough_header"],
            value=f"{row[labels['major']]} | {row[labels['minor']]} | {row['borough']} "
                  f"(first on line {row['first']})",
            accepted=f"each {described} once in the file", key=_COPY)
    problems.add_more(_COPY, copies.height - PROBLEMS_SHOWN)


def _major_for_each_minor(frame: pl.DataFrame, label: str, problems: FileProblems) -> None:
    """A minor category under two major categories: the lines of the rarer pairing are errors."""
    pairs = frame.group_by("major", "minor").agg(rows=pl.len(), first=pl.col(LINE).min())
    split = pairs.filter(pl.col("minor").is_duplicated())
    if not split.height:
        return
    usual = split.sort(["rows", "first"], descending=[True, False]).group_by(
        "minor", maintain_order=True).first().select(
        "minor", usual_major="major", usual_first="first", usual_rows="rows")
    odd = split.join(usual, on="minor").filter(pl.col("major") != pl.col("usual_major"))
    rows = frame.join(odd.select("major", "minor", "usual_major", "usual_first", "usual_rows"),
                      on=["major", "minor"]).sort(LINE)
    for row in rows.head(PROBLEMS_SHOWN).iter_rows(named=True):
        problems.add(
            f"the minor category {row['minor']!r} sits under the major category "
            f"{row['usual_major']!r} on {row['usual_rows']:,} line(s) (first on line "
            f"{row['usual_first']}) but under another here",
            line=row[LINE], column=label, value=row["raw_major"],
            accepted=f"each minor category under one major category: here {row['usual_major']!r}",
            key=_SPLIT)
    problems.add_more(_SPLIT, rows.height - PROBLEMS_SHOWN)


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    found, months = _read_header(rows.header, problems, rows.frame)
    wanted = {canonical: [found[canonical]] if canonical in found else [display]
              for canonical, (display, _) in IDENTIFIERS.items()}
    if match_columns(rows, wanted, problems) is None or problems.has_errors:
        return finish(result, problems)
    if not months:
        problems.add("the file has no month columns", line=1,
                     accepted="one column per month, headed YYYYMM, e.g. 202304")
        return finish(result, problems)
    frame = rows.frame.select(
        LINE, *[pl.col(found[c]).str.strip_chars().alias(c) for c in IDENTIFIERS], *months)
    for attribute, what, example in (("major", "major category", "BURGLARY"),
                                     ("minor", "minor category", "BURGLARY - RESIDENTIAL")):
        check_category_text(frame, attribute, found[attribute], what, problems, example)
    frame = frame.with_columns(
        raw_major=pl.col("major"), raw_minor=pl.col("minor"),
        major=canonical_category("major"), minor=canonical_category("minor"),
        unit=map_units(frame["borough"], frame, found["borough"], problems),
    )
    _major_for_each_minor(frame, found["major"], problems)
    _repeated_keys(frame, months, {"major": "raw_major", "minor": "raw_minor",
                                   "borough_header": found["borough"]}, problems)
    long = frame.unpivot(index=[LINE, "unit", "major", "minor"], on=list(months),
                         variable_name="header", value_name="cell")
    # Only spaces: no figure.  Other white space (a no-break space) is not a count.
    blank = long.filter(pl.col("cell").str.strip_chars(" ") == "")
    if blank.height:
        problems.add(f"{blank.height:,} blank cell(s): no figure is recorded for them (not zero)",
                     line=int(blank[LINE][0]), column=blank["header"][0], value="",
                     severity="warning", key="blank-cell")
    long = long.filter(pl.col("cell").str.strip_chars(" ") != "")
    long = long.with_columns(count=parse_counts(long, "cell", problems, ceiling=CEILING,
                                                label_column="header"))
    if problems.has_errors:
        return finish(result, problems)
    long = long.with_columns(
        period=pl.col("header").replace_strict(months, return_dtype=pl.Utf8),
        period_kind=pl.lit("month"),
    )
    return finish(result, problems, grouped_table(kind, long),
                  rows_accepted=rows.rows_read)
