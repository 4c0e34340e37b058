"""``mps-crime-dashboard``: the MPS Monthly Crime Dashboard, long format.

Twelve columns, every one checked (``docs/formats/mps-crime-dashboard.md``):
``month_year`` (``2021-08-01``: the month), ``area_type`` (``Borough``),
``borough_snt``, ``area_name`` and ``area_code`` (one area, the three agreeing),
``crime_type`` and ``crime_subtype``, ``measure`` (``Offences`` or ``Positive
Outcomes``), ``financial_year`` and ``fy_fyindex`` (agreeing with the month),
``count``, and ``refresh_date`` (the vintage: the latest date in the file, with
a warning when a file mixes several).  Headers are matched whatever their case,
spacing and punctuation; the publisher's spreadsheet names (``Area name``,
``Offence Group``, ``Offence Subgroup``, ``Refresh Date``) are accepted too.

Attributes ``crime_type``, ``crime_subtype`` and ``measure``: a known value,
in any letter case, is written as the publisher writes it (``Miscalleneous``
included); the publisher's two spellings of one subtype (``Domestic Abuse
violence with injury`` for offences, ``… Violence with Injury`` for
outcomes) are one.  A crime type and subtype that the reader does not know
is kept as written, with a warning.

The unit is ``area_code`` when it is a London borough's ONS code; ``SO18`` (or
a blank code with an aviation security area) is ``MPS-AIRPORTS``, ``Non MET
police force`` is ``MPS-NON-MET``, and a blank, ``Unknown`` or ``N/K`` area is
``MPS-UNKNOWN`` (a warning).

The key is the month, area (its code, or its name when it has none), crime
type, subtype and measure: a repeat is refused at the later line, naming both
lines, whether its count differs or it is an exact copy.
"""

from __future__ import annotations

import re

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, PROBLEMS_SHOWN, FileProblems, check_rows, finish, grouped_table, match_columns,
    parse_counts, start_csv,
)
from policingplan.data.readers.mps_borough_monthly import check_category_text, header_key
from policingplan.data.units import LONDON_BOROUGHS, UNKNOWN_UNITS, normalise_name, suggest_unit, unit_code

#: No borough records this many offences of one type in a month (the most in the
#: 2021-2025 file is 9,204: total notifiable offences in Westminster).
CEILING = 100_000

#: Canonical column → (the name in messages, the header spellings accepted, compared by
#: :func:`header_key`).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "month_year": ("month_year", ("monthyear",)),
    "area_type": ("area_type", ("areatype",)),
    "borough_snt": ("borough_snt", ("boroughsnt",)),
    "area_name": ("area_name", ("areaname",)),
    "area_code": ("area_code", ("areacode",)),
    "crime_type": ("crime_type", ("crimetype", "offencegroup")),
    "crime_subtype": ("crime_subtype", ("crimesubtype", "offencesubgroup")),
    "measure": ("measure", ("measure",)),
    "financial_year": ("financial_year", ("financialyear",)),
    "fy_fyindex": ("fy_fyindex", ("fyfyindex",)),
    "count": ("count", ("count",)),
    "refresh_date": ("refresh_date", ("refreshdate",)),
}

MEASURES = ("Offences", "Positive Outcomes")
AREA_TYPES = ("Borough",)
#: The area code of the MPS Aviation Security command (Heathrow and London City airports).
AVIATION_CODE = "SO18"
#: The units an area without a borough code may be.
OTHER_UNITS = ("MPS-AIRPORTS", "MPS-NON-MET", "MPS-UNKNOWN")

#: Every crime type and subtype in the publisher's files, as the publisher spells them.
KNOWN_PAIRS: tuple[tuple[str, str], ...] = (
    ("Domestic Abuse", "Domestic Abuse"),
    ("Domestic Abuse", "Domestic Abuse Violence with Injury"),
    ("Gun Crime", "Gun Crime"),
    ("Gun Crime", "Gun Crime Personal Robbery"),
    ("Gun Crime", "Lethal Barrel Discharge"),
    ("Gun Crime Personal Robbery", "Gun Crime Personal Robbery"),
    ("Lethal Barrel Discharge", "Lethal Barrel Discharge"),
    ("Hate crime", "AntiSemitic"),
    ("Hate crime", "Disability Crime"),
    ("Hate crime", "Faith Crime"),
    ("Hate crime", "Hate crime"),
    ("Hate crime", "Homophobic Crime"),
    ("Hate crime", "Islamophobic Crime"),
    ("Hate crime", "Racist Crime"),
    ("Hate crime", "Racist and Religious Crime"),
    ("Hate crime", "Transphobic Crime"),
    ("Knife Crime", "Knife Crime"),
    ("Knife Crime", "Knife Crime with Injury"),
    ("Knife Crime", "Knife Crime with Injury (Personal Robbery)"),
    ("Knife Crime", "Knife Injury Victims (1-24)"),
    ("Knife Crime", "Knife Injury Victims (non DA 1-24)"),
    ("Miscalleneous", "Robbery Mobile phone"),
    ("Miscalleneous", "TNO Non Victim Based"),
    ("Miscalleneous", "TNO Victim Based"),
    ("Miscalleneous", "Theft Person - Mobile phone"),
)

_REPEATED = ("a repeated key: the same month, area, crime type, subtype and measure as an "
             "earlier line, with another count")


_COPY = "a repeated line: the same key and count as an earlier line"


def _fold(column: str) -> pl.Expr:
    """A name compared without letter case or runs of spaces."""
    return pl.col(column).str.replace_all(r"\s+", " ").str.to_lowercase()


def _spelling(names: list[str]) -> dict[str, str]:
    return {re.sub(r"\s+", " ", n).lower(): n for n in names}




def _columns(header: list[str], problems: FileProblems, rows) -> dict[str, str] | None:
    by_key: dict[str, str] = {}
    for canonical, (_, spellings) in COLUMNS.items():
        by_key.update({s: canonical for s in spellings})
    found: dict[str, str] = {}
    for name in header:
        canonical = by_key.get(header_key(name))
        if canonical is not None and canonical not in found:
            found[canonical] = name
        elif canonical is not None:
            problems.add(f"two columns could be the {canonical} column: {found[canonical]!r} and {name!r}",
                         line=1, column=name, value=name, accepted=f"one {canonical} column")
        elif name.startswith("(column ") and name.endswith(", unnamed)") and \
                rows.frame[name].str.strip_chars().eq("").all():
            continue  # a trailing empty column
        else:
            problems.add("a column that the dashboard does not have is ignored", line=1, column=name,
                         value=name, severity="warning", accepted=", ".join(COLUMNS))
    wanted = {c: [found[c]] if c in found else [display] for c, (display, _) in COLUMNS.items()}
    return match_columns(rows, wanted, problems)


def _lookup_units(values: pl.Series) -> pl.Series:
    """Area names → unit codes (``None`` for an unknown name; a blank name is unknown area)."""
    lookup = {v: (unit_code(v) if v else "MPS-UNKNOWN") for v in values.unique().to_list()}
    return values.replace_strict(lookup, default=None, return_dtype=pl.Utf8)


def _check_names(frame: pl.DataFrame, column: str, label: str, what: str, problems: FileProblems,
                 allowed: set[str], blank_ok: bool) -> None:
    """An error for each name that is no known area (with the closest one suggested)."""
    unit = pl.col(f"{column}_unit")
    bad = frame.filter(unit.is_null() | ~unit.is_in(list(allowed)) | (pl.lit(not blank_ok) & (pl.col(column) == "")))
    for name in bad[column].unique(maintain_order=True).to_list()[:PROBLEMS_SHOWN]:
        suggestion = suggest_unit(name) if name else None
        message = f"unknown {what}" if name else f"the {what} is blank"
        if suggestion:
            message += f"; did you mean {suggestion!r}?"
        check_rows(frame, pl.col(column) == name, problems, message=message, column=column, label=label,
                   accepted="a London borough's name (as in area_code), 'Aviation Security', "
                            "'Non MET police force', 'Unknown', 'N/K (Legacy Only)' or 'Other / NK'")


def _areas(frame: pl.DataFrame, found: dict[str, str], problems: FileProblems) -> pl.DataFrame:
    """The unit of each row, from ``area_code``, ``area_name`` and ``borough_snt``, checked to agree."""
    code = pl.col("area_code").str.to_uppercase()
    frame = frame.with_columns(
        code_unit=pl.when(code.is_in(list(LONDON_BOROUGHS))).then(code)
        .when(code == AVIATION_CODE).then(pl.lit("MPS-AIRPORTS"))
        .when(code == "").then(pl.lit(""))
        .otherwise(pl.lit(None, dtype=pl.Utf8)),
        area_name_unit=_lookup_units(frame["area_name"]),
        borough_snt_unit=_lookup_units(frame["borough_snt"]),
    )
    check_rows(frame, pl.col("code_unit").is_null(), problems, message="unknown area code",
               column="area_code", label=found["area_code"],
               accepted="a London borough's ONS code (E09000001 to E09000033), SO18 for aviation "
                        "security, or blank for an area without a code")
    allowed = set(LONDON_BOROUGHS) | set(OTHER_UNITS)
    _check_names(frame, "area_name", found["area_name"], "area name", problems, allowed, blank_ok=True)
    _check_names(frame, "borough_snt", found["borough_snt"], "borough", problems, allowed, blank_ok=False)
    valid = (pl.col("code_unit").is_not_null() & pl.col("area_name_unit").is_in(list(allowed))
             & pl.col("borough_snt_unit").is_in(list(allowed)) & (pl.col("borough_snt") != ""))
    coded = valid & (pl.col("code_unit") != "")
    name_off = pl.col("area_name_unit") != pl.col("code_unit")
    snt_off = pl.col("borough_snt_unit") != pl.col("code_unit")
    code_off = coded & name_off & snt_off & (pl.col("area_name_unit") == pl.col("borough_snt_unit"))
    check_rows(frame, code_off, problems, column="area_code", label=found["area_code"],
               message="the area code is not the code of the area named in area_name and borough_snt",
               accepted="the ONS code of the borough named, e.g. E09000007 for Camden")
    check_rows(frame, coded & ~code_off & name_off, problems, column="area_name", label=found["area_name"],
               message="the area name is not the area of area_code",
               accepted="the name of the borough whose code is in area_code")
    check_rows(frame, coded & ~code_off & snt_off, problems, column="borough_snt", label=found["borough_snt"],
               message="the borough is not the area of area_code",
               accepted="the name of the borough whose code is in area_code")
    uncoded = valid & (pl.col("code_unit") == "")
    check_rows(frame, uncoded & pl.col("area_name_unit").is_in(list(LONDON_BOROUGHS)), problems,
               column="area_code", label=found["area_code"], message="a borough's row has no area code",
               accepted="the borough's ONS code (E09000001 to E09000033); blank only for an area "
                        "that is not a borough")
    check_rows(frame, uncoded & ~pl.col("area_name_unit").is_in(list(LONDON_BOROUGHS))
               & (pl.col("borough_snt_unit") != "MPS-UNKNOWN")
               & (pl.col("borough_snt_unit") != pl.col("area_name_unit")),
               problems, column="borough_snt", label=found["borough_snt"],
               message="the borough is not the area of area_name",
               accepted="'Other / NK' for an area without a code, or the area itself")
    frame = frame.with_columns(
        unit=pl.when(pl.col("code_unit") != "").then(pl.col("code_unit"))
        .otherwise(pl.col("area_name_unit")),
        area_key=pl.when(pl.col("code_unit") != "").then(code)
        .otherwise(pl.lit("|") + pl.col("area_name").replace_strict(
            {n: normalise_name(n) for n in frame["area_name"].unique().to_list()}, return_dtype=pl.Utf8)),
    )
    unknown = frame.filter(pl.col("unit").is_in(list(UNKNOWN_UNITS)))
    if unknown.height:
        problems.add(
            f"{unknown.height:,} row(s) have no known borough; they are kept as unit "
            f"'MPS-UNKNOWN' and count only towards force totals",
            line=unknown[LINE][0], column=found["area_name"], value=unknown["area_name"][0],
            severity="warning", key="unknown-borough",
        )
    return frame


def _dates(frame: pl.DataFrame, found: dict[str, str], problems: FileProblems) -> pl.DataFrame:
    """``period`` from ``month_year``; ``refresh`` (ISO) from ``refresh_date``; both checked."""
    def iso(column: str) -> pl.Expr:  # 2021-08-01 as it is; 01/08/2021 (day first) turned round
        dmy = pl.col(column).str.extract_groups(r"^([0-9]{2})/([0-9]{2})/([0-9]{4})$")
        return (pl.when(pl.col(column).str.contains("/"))
                .then(pl.concat_str([dmy.struct[2], dmy.struct[1], dmy.struct[0]], separator="-"))
                .otherwise(pl.col(column)))

    frame = frame.with_columns(month_iso=iso("month_year"), refresh_iso=iso("refresh_date"))
    month_date = pl.col("month_iso").str.to_date("%Y-%m-%d", strict=False)
    refresh_date = pl.col("refresh_iso").str.to_date("%Y-%m-%d", strict=False)
    frame = frame.with_columns(
        month_date=pl.when(pl.col("month_iso").str.contains(r"^(19|20)[0-9]{2}-[0-9]{2}-01$"))
        .then(month_date),
        refresh=pl.when(pl.col("refresh_iso").str.contains(r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"))
        .then(refresh_date),
    )
    check_rows(frame, pl.col("month_date").is_null(), problems, message="not the first day of a real month",
               column="month_year", label=found["month_year"],
               accepted="the first day of a month, YYYY-MM-01 (or 01/MM/YYYY), e.g. 2023-04-01")
    check_rows(frame, pl.col("refresh").is_null(), problems, message="the refresh date is not a real date",
               column="refresh_date", label=found["refresh_date"],
               accepted="a date, YYYY-MM-DD (or DD/MM/YYYY), e.g. 2025-08-02")
    check_rows(frame, pl.col("refresh") < pl.col("month_date"), problems,
               message="the refresh date is before the month it reports",
               column="refresh_date", label=found["refresh_date"],
               accepted="a date on or after the first day of month_year")
    year, month = pl.col("month_date").dt.year(), pl.col("month_date").dt.month()
    start = pl.when(month >= 4).then(year).otherwise(year - 1)
    years = pl.format("{}-{}", (start % 100).cast(pl.Utf8).str.zfill(2),
                      ((start + 1) % 100).cast(pl.Utf8).str.zfill(2))
    frame = frame.with_columns(
        period=pl.col("month_date").dt.strftime("%Y-%m"), period_kind=pl.lit("month"), fy=years)
    dated = pl.col("month_date").is_not_null()
    check_rows(frame, dated & (pl.col("financial_year").str.to_lowercase() != pl.lit("fy") + pl.col("fy")),
               problems, message="the financial year is not that of month_year",
               column="financial_year", label=found["financial_year"],
               accepted="fyYY-YY, the year from April to March that holds the month: "
                        "fy23-24 for April 2023 to March 2024")
    check_rows(frame, dated & ~pl.col("fy_fyindex").str.contains(r"^[0-9]{2}-[0-9]{2}_[0-9]{2}$"),
               problems, message="the financial year index is not written YY-YY_NN",
               column="fy_fyindex", label=found["fy_fyindex"],
               accepted="YY-YY_NN, the financial year of month_year and two digits, e.g. 23-24_01")
    check_rows(frame, dated & pl.col("fy_fyindex").str.contains(r"^[0-9]{2}-[0-9]{2}_[0-9]{2}$")
               & (pl.col("fy_fyindex").str.slice(0, 5) != pl.col("fy")),
               problems, message="the financial year index is not that of month_year",
               column="fy_fyindex", label=found["fy_fyindex"],
               accepted="YY-YY_NN, the financial year of month_year: 23-24_01 for April 2023 to March 2024")
    return frame


def _categories(frame: pl.DataFrame, found: dict[str, str], problems: FileProblems) -> pl.DataFrame:
    """Crime types, subtypes and measures checked, and written in the publisher's spelling."""
    for column, what, example in (("crime_type", "crime type", "Knife Crime"),
                                  ("crime_subtype", "crime subtype", "Knife Crime with Injury")):
        check_category_text(frame, column, found[column], what, problems, example)
    frame = frame.with_columns(
        type_fold=_fold("crime_type"), subtype_fold=_fold("crime_subtype"),
        measure=_fold("measure").replace_strict(_spelling(list(MEASURES)), default=None,
                                                return_dtype=pl.Utf8),
    )
    check_rows(frame, pl.col("measure").is_null(), problems, message="not a known measure",
               column="measure_raw", label=found["measure"], accepted=" or ".join(MEASURES))
    check_rows(frame, ~_fold("area_type").is_in([a.lower() for a in AREA_TYPES]), problems,
               message="not a known area type", column="area_type", label=found["area_type"],
               accepted="Borough (the dashboard's borough-level rows)")
    known = pl.DataFrame({
        "type_fold": [t.lower() for t, _ in KNOWN_PAIRS], "subtype_fold": [s.lower() for _, s in KNOWN_PAIRS],
        "known_type": [t for t, _ in KNOWN_PAIRS], "known_subtype": [s for _, s in KNOWN_PAIRS],
    })
    frame = frame.join(known, on=["type_fold", "subtype_fold"], how="left")
    unknown = frame.filter(pl.col("known_type").is_null() & (pl.col("crime_type") != "")
                           & (pl.col("crime_subtype") != "")).group_by("type_fold", "subtype_fold").agg(
        first=pl.col(LINE).min(), rows=pl.len(), type=pl.col("crime_type").first(),
        subtype=pl.col("crime_subtype").first()).sort("first")
    for row in unknown.head(PROBLEMS_SHOWN).iter_rows(named=True):
        problems.add(
            f"a crime type and subtype the reader does not know ({row['rows']:,} line(s)): kept as "
            "written; a counting rule must name them so",
            line=row["first"], column=found["crime_subtype"], value=f"{row['type']} | {row['subtype']}",
            severity="warning", key="unknown-pair",
            accepted="the dashboard's crime types and subtypes, listed in docs/formats/mps-crime-dashboard.md")
    space = r"\s+"
    return frame.with_columns(
        crime_type=pl.col("known_type").fill_null(pl.col("crime_type").str.replace_all(space, " ")),
        crime_subtype=pl.col("known_subtype").fill_null(pl.col("crime_subtype").str.replace_all(space, " ")),
    )


def _repeated_keys(frame: pl.DataFrame, found: dict[str, str], problems: FileProblems) -> None:
    """The same month, area, crime type, subtype and measure twice: an error at the later
    line naming both lines (at ``count`` when the counts differ, at ``month_year`` for a copy)."""
    keys = ["period", "area_key", "crime_type", "crime_subtype", "measure"]
    keyed = frame.filter(pl.all_horizontal([pl.col(k).is_not_null() for k in keys]))
    repeated = keyed.filter(pl.struct(keys).is_duplicated()).sort(LINE)
    if not repeated.height:
        return
    first = repeated.group_by(keys, maintain_order=True).first().select(
        *keys, first=pl.col(LINE), first_count=pl.col("count_raw"))
    later = repeated.join(first, on=keys).filter(pl.col(LINE) != pl.col("first"))
    copies = later.filter(pl.col("count_raw") == pl.col("first_count"))
    differ = later.filter(pl.col("count_raw") != pl.col("first_count"))
    for row in differ.head(PROBLEMS_SHOWN).iter_rows(named=True):
        problems.add(
            f"a repeated key: line {row[LINE]} has the same month, area, crime type, subtype and "
            f"measure as line {row['first']}, with another count ({row['first_count']!r} on line "
            f"{row['first']}, {row['count_raw']!r} on line {row[LINE]})",
            line=row[LINE], column=found["count"],
            value=f"{row['period']} | {row['area_name'] or row['area_code']} | {row['crime_type']} | "
                  f"{row['crime_subtype']} | {row['measure']} (first on line {row['first']})",
            accepted="each month, area, crime type, subtype and measure once in the file", key=_REPEATED)
    problems.add_more(_REPEATED, differ.height - PROBLEMS_SHOWN)
    for row in copies.head(PROBLEMS_SHOWN).iter_rows(named=True):
        problems.add(
            f"a repeated line: line {row[LINE]} has the same month, area, crime type, subtype, "
            f"measure and count as line {row['first']}; counted twice it would double the count",
            line=row[LINE], column=found["month_year"],
            value=f"{row['period']} | {row['area_name'] or row['area_code']} | {row['crime_type']} | "
                  f"{row['crime_subtype']} | {row['measure']} (first on line {row['first']})",
            accepted="each month, area, crime type, subtype and measure once in the file", key=_COPY)
    problems.add_more(_COPY, copies.height - PROBLEMS_SHOWN)


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    found = _columns(rows.header, problems, rows)
    if found is None:
        return finish(result, problems)
    frame = rows.frame.select(
        LINE, *[pl.col(header).str.strip_chars().alias(name) for name, header in found.items()]
    ).with_columns(measure_raw=pl.col("measure"), count_raw=pl.col("count"))
    frame = _dates(frame, found, problems)
    frame = _areas(frame, found, problems)
    frame = _categories(frame, found, problems)
    frame = frame.with_columns(count=parse_counts(frame, "count", problems, ceiling=CEILING,
                                                  label=found["count"]))
    _repeated_keys(frame, found, problems)
    refresh = frame.filter(pl.col("refresh").is_not_null())["refresh"].unique().sort()
    refresh = [d.isoformat() for d in refresh.to_list()]
    if len(refresh) > 1:
        problems.add(f"the file mixes {len(refresh)} refresh dates ({', '.join(refresh)}); "
                     f"its vintage is taken as the latest, {refresh[-1]}",
                     column=found["refresh_date"], value=refresh[0], severity="warning")
    result.vintage = refresh[-1] if refresh else None
    if problems.has_errors:
        return finish(result, problems)
    return finish(result, problems, grouped_table(kind, frame),
                  rows_accepted=rows.rows_read)
