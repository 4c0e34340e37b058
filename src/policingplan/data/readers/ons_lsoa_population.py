"""``ons-lsoa-population``: ONS mid-year population estimates for LSOAs, summed to units.

The layout is ``LSOA11CD,LSOA11NM,MSOA11CD,MSOA11NM,LAD11CD,LAD11NM``, then persons,
males and females, each for all ages and the bands 0-15, 16-29, 30-44, 45-64 and
65+ (``Persons_All-Ages`` … ``Females_65+``).  Headers are matched without regard
to case, spaces or punctuation, with the spellings of other releases (``LSOA
Code``, ``LSOA21CD``, ``All Ages``; see ``docs/formats/ons-lsoa-population.md``).
Required: the LSOA code, the local authority code (the unit), all ages and 0-15
for persons; every other column of the layout is checked when present:

* codes: LSOA ``E01``/``W01`` + 6 digits, MSOA ``E02``/``W02`` + 6 digits, the local
  authority a London borough's code (``E09000001`` … ``E09000033``);
* names: the local authority's name is its code's; the MSOA's name is the local
  authority's name and a number (``Camden 024``), the LSOA's the MSOA's name and a
  letter (``Camden 024B``); each MSOA code has one name, and no name two codes;
* counts: whole numbers from 0 to 100,000; the age bands add up to all ages (for
  persons, males and females), and males and females add up to persons, exactly;
* the key: each LSOA once.

The values are ``all_ages`` and ``age_0_15``; there are no attributes.  The file holds
no date, so the mid-year comes from the file's name (``…mid2020.csv``, ``…mid-2020.csv``
or ``…2020.csv`` give the period ``2020``, period kind ``year``).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, PROBLEMS_SHOWN, FileProblems, check_key, check_rows, finish, find_columns, grouped_table,
    new_result, parse_counts, parse_csv, text_bytes,
)
from policingplan.data.units import LONDON_BOROUGHS, unit_code

#: No LSOA (about 1,500 people) holds this many residents.
CEILING = 100_000

BANDS = ("All-Ages", "0-15", "16-29", "30-44", "45-64", "65+")
GROUPS = ("Persons", "Males", "Females")

#: Canonical name → accepted header spellings (compared without case, spaces or punctuation).
IDENTIFIERS: dict[str, list[str]] = {
    "lsoa": ["LSOA11CD", "LSOA Code", "LSOA21CD", "LSOA 2021 Code"],
    "lsoa_name": ["LSOA11NM", "LSOA Name", "LSOA21NM", "LSOA 2021 Name"],
    "msoa": ["MSOA11CD", "MSOA Code", "MSOA21CD", "MSOA 2021 Code"],
    "msoa_name": ["MSOA11NM", "MSOA Name", "MSOA21NM", "MSOA 2021 Name"],
    "lad": ["LAD11CD", "LA Code", "LAD Code", "LAD21CD", "LAD 2021 Code",
            "LA Code (2021 boundaries)", "LA Code (2018 boundaries)"],
    "lad_name": ["LAD11NM", "LA Name", "LAD Name", "LAD21NM", "LAD 2021 Name",
                 "LA name (2021 boundaries)", "LA name (2018 boundaries)"],
}


def _count_name(group: str, band: str) -> str:
    return f"{group.lower()}_{band.lower().replace('-', '_').replace('+', '_plus')}"


def _count_spellings(group: str, band: str) -> list[str]:
    spellings = [f"{group}_{band}"]
    if group == "Persons":  # ONS's own layouts give persons' bands without the word
        spellings += [band, "All Ages"] if band == "All-Ages" else [band]
    return spellings


COUNTS: dict[str, list[str]] = {_count_name(g, b): _count_spellings(g, b) for g in GROUPS for b in BANDS}
REQUIRED = {"lsoa", "lad", "persons_all_ages", "persons_0_15"}
LAYOUT = ("LSOA11CD, LSOA11NM, MSOA11CD, MSOA11NM, LAD11CD, LAD11NM, then Persons_, Males_ and "
          "Females_ All-Ages, 0-15, 16-29, 30-44, 45-64 and 65+")


def mid_year_of(file: str) -> str | None:
    """The mid-year that a file's name gives (``ons-population-lsoa-mid2020.csv`` → ``2020``)."""
    name = Path(file).name.lower()
    match = re.search(r"mid[-_ ]?((?:19|20)[0-9][0-9])", name) or re.search(r"(?<![0-9])((?:19|20)[0-9][0-9])(?![0-9])", name)
    return match.group(1) if match else None


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result = new_result(kind, file)
    problems = FileProblems(file)
    year = mid_year_of(file)
    if year is None:
        problems.add("the file's name does not say which mid-year it estimates", value=Path(file).name,
                     accepted="a name holding the year, e.g. ons-population-lsoa-mid2020.csv")
    text = text_bytes(data, problems)
    rows = parse_csv(text, problems) if text is not None else None
    if rows is None:
        return finish(result, problems)
    result.rows_read = rows.rows_read
    wanted = {**IDENTIFIERS, **COUNTS}
    found = find_columns(rows, wanted, problems, optional=set(wanted) - REQUIRED, accepted=LAYOUT)
    if found is None or year is None:
        return finish(result, problems)
    labels = dict(found)
    frame = rows.frame.select(
        LINE, *[pl.col(header).str.strip_chars().alias(name) for name, header in found.items()]
    )
    _check_codes(frame, labels, problems)
    _check_names(frame, labels, problems)
    counts = [name for name in COUNTS if name in found]
    frame = frame.with_columns(
        [parse_counts(frame, name, problems, ceiling=CEILING, label=labels[name]).alias(f"{name}#")
         for name in counts])
    _check_sums(frame, labels, problems)
    check_key(frame, ["lsoa"],
              [c for c in found if c != "lsoa"], labels, problems, described_as="LSOA")
    if problems.has_errors:
        return finish(result, problems)
    check_rows(frame, pl.col("persons_0_15#") > pl.col("persons_all_ages#"), problems,
               message="more children than people of all ages", column="persons_0_15",
               label=labels["persons_0_15"], accepted="a 0-15 count no larger than the all-ages count")
    frame = frame.with_columns(
        unit=pl.col("lad").str.to_uppercase(),
        all_ages=pl.col("persons_all_ages#"), age_0_15=pl.col("persons_0_15#"),
        period=pl.lit(year), period_kind=pl.lit("year"),
    )
    return finish(result, problems, grouped_table(kind, frame), rows_accepted=rows.rows_read)


def _check_codes(frame: pl.DataFrame, labels: dict[str, str], problems: FileProblems) -> None:
    check_rows(frame, ~pl.col("lsoa").str.contains(r"^[EeWw]01[0-9]{6}$"), problems,
               message="not an LSOA code", column="lsoa", label=labels["lsoa"],
               accepted="an LSOA code: E01 (England) or W01 (Wales) and 6 digits, e.g. E01000001")
    if "msoa" in labels:
        check_rows(frame, ~pl.col("msoa").str.contains(r"^[EeWw]02[0-9]{6}$"), problems,
                   message="not an MSOA code", column="msoa", label=labels["msoa"],
                   accepted="an MSOA code: E02 (England) or W02 (Wales) and 6 digits, e.g. E02000001")
    check_rows(frame, ~pl.col("lad").str.to_uppercase().is_in(list(LONDON_BOROUGHS)), problems,
               message="not a London local authority code", column="lad", label=labels["lad"],
               accepted="a London borough's ONS code, E09000001 (City of London) to E09000033 "
                        "(Westminster)")


def _prefix_matches(frame: pl.DataFrame, column: str, pattern: str) -> pl.Series:
    """Whether each name is a local authority's name (the row's) followed by ``pattern``."""
    prefix = frame[column].str.extract(pattern, 1)
    distinct = prefix.unique().to_list()
    units = {p: (unit_code(p) if p else None) for p in distinct}
    named = prefix.replace_strict(units, default=None, return_dtype=pl.Utf8)
    return named.eq_missing(frame["lad"].str.to_uppercase()) & named.is_not_null()


def _check_names(frame: pl.DataFrame, labels: dict[str, str], problems: FileProblems) -> None:
    known_lad = pl.col("lad").str.to_uppercase().is_in(list(LONDON_BOROUGHS))
    if "lad_name" in labels:
        names = frame["lad_name"].unique().to_list()
        lookup = {n: (unit_code(n) if n else None) for n in names}
        named = frame["lad_name"].replace_strict(lookup, default=None, return_dtype=pl.Utf8)
        work = frame.with_columns(named=named)
        bad = work.filter(known_lad & ~pl.col("named").eq_missing(pl.col("lad").str.to_uppercase()))
        for row in bad.head(PROBLEMS_SHOWN).iter_rows(named=True):
            problems.add("the local authority's name is not its code's", line=row[LINE],
                         column=labels["lad_name"], value=row["lad_name"],
                         accepted=f"{LONDON_BOROUGHS[row['lad'].upper()]} for {row['lad'].upper()}",
                         key="ons-lad-name")
    if "msoa_name" in labels:
        ok = _prefix_matches(frame, "msoa_name", r"^(.*) [0-9]{3}$")
        check_rows(frame.with_columns(ok=ok), known_lad & ~pl.col("ok"), problems,
                   message="the MSOA's name is not its local authority's name and a number",
                   column="msoa_name", label=labels["msoa_name"],
                   accepted="the local authority's name, a space and 3 digits, e.g. Camden 024")
    if "lsoa_name" in labels:
        if "msoa_name" in labels:
            ok = (frame["lsoa_name"].str.slice(0, frame["msoa_name"].str.len_chars()) == frame["msoa_name"]) \
                & (frame["lsoa_name"].str.len_chars() == frame["msoa_name"].str.len_chars() + 1) \
                & frame["lsoa_name"].str.contains(r"[A-Z]$")
            accepted = "the MSOA's name followed by a capital letter, e.g. Camden 024B in Camden 024"
        else:
            ok = _prefix_matches(frame, "lsoa_name", r"^(.*) [0-9]{3}[A-Z]$")
            accepted = "the local authority's name, a space, 3 digits and a letter, e.g. Camden 024B"
        check_rows(frame.with_columns(ok=ok.fill_null(False)), known_lad & ~pl.col("ok"), problems,
                   message="the LSOA's name does not fit its MSOA and local authority",
                   column="lsoa_name", label=labels["lsoa_name"], accepted=accepted)
        _one_to_one(frame, "lsoa", "lsoa_name", labels, problems, "LSOA")
    if "msoa" in labels and "msoa_name" in labels:
        _one_to_one(frame, "msoa", "msoa_name", labels, problems, "MSOA")


def _one_to_one(frame: pl.DataFrame, code: str, name: str, labels: dict[str, str],
                problems: FileProblems, what: str) -> None:
    """Each code has one name, and each name one code: the first line of each sets it."""
    pairs = frame.select(LINE, code, name)
    for key, other, label in ((code, name, labels[name]), (name, code, labels[code])):
        if key == "lsoa":
            continue  # an LSOA twice is the key's own check
        if code == "lsoa":
            label = labels[name]  # the LSOA code is the key: the name is the one that is wrong
        first = pairs.group_by(key).agg(pl.col(LINE).min().alias("first"),
                                        pl.col(other).sort_by(LINE).first().alias("expected"))
        bad = pairs.join(first, on=key).filter(pl.col(other) != pl.col("expected")).sort(LINE)
        for row in bad.head(PROBLEMS_SHOWN).iter_rows(named=True):
            problems.add(f"the {what} {'code' if key == code else 'name'} {row[key]!r} has another "
                         f"{'name' if key == code else 'code'} on line {row['first']}",
                         line=row[LINE], column=label, value=row[other],
                         accepted=f"{row['expected']}, as on line {row['first']}",
                         key=f"ons-one-to-one-{what}-{key}")


def _check_sums(frame: pl.DataFrame, labels: dict[str, str], problems: FileProblems) -> None:
    """The bands add up to all ages for each group; males and females add up to persons.

    A single wrong count breaks one group's sum and one band's: the count at the crossing
    of the two is named.  A broken sum that crosses no other is named at its total.
    """
    def col(group: str, band: str) -> str:
        return f"{_count_name(group, band)}#"

    present = {c for c in frame.columns if c.endswith("#")}
    row_checks: dict[str, pl.Expr] = {}
    for group in GROUPS:
        cells = [col(group, b) for b in BANDS]
        if all(c in present for c in cells):
            row_checks[group] = pl.sum_horizontal(cells[1:]) != pl.col(cells[0])
    band_checks: dict[str, pl.Expr] = {}
    for band in BANDS:
        cells = [col(g, band) for g in GROUPS]
        if all(c in present for c in cells):
            band_checks[band] = pl.col(cells[1]) + pl.col(cells[2]) != pl.col(cells[0])
    if not row_checks and not band_checks:
        return
    every = [col(g, b) for g in GROUPS for b in BANDS if col(g, b) in present]
    work = frame.filter(pl.all_horizontal([pl.col(c).is_not_null() for c in every])).with_columns(
        **{f"row {g}": e for g, e in row_checks.items()}, **{f"band {b}": e for b, e in band_checks.items()})
    flags = [f"row {g}" for g in row_checks] + [f"band {b}" for b in band_checks]
    work = work.filter(pl.any_horizontal([pl.col(f) for f in flags]))
    for row in work.iter_rows(named=True):
        bad_groups = [g for g in row_checks if row[f"row {g}"]]
        bad_bands = [b for b in band_checks if row[f"band {b}"]]
        cells = [(g, b) for g in bad_groups for b in bad_bands]
        cells += [(g, "All-Ages") for g in bad_groups if not bad_bands]
        cells += [("Persons", b) for b in bad_bands if not bad_groups]
        for group, band in cells:
            parts = []
            if group in row_checks and row[f"row {group}"]:
                total = sum(row[col(group, b)] for b in BANDS[1:])
                parts.append(f"{group.lower()}' age bands add up to {total:,}, against "
                             f"{row[col(group, 'All-Ages')]:,} for all ages")
            if band in band_checks and row[f"band {band}"]:
                parts.append(f"males and females aged {band} add up to "
                             f"{row[col('Males', band)] + row[col('Females', band)]:,}, against "
                             f"{row[col('Persons', band)]:,} persons")
            problems.add(f"the counts do not add up: {'; '.join(parts)}", line=row[LINE],
                         column=labels[_count_name(group, band)], value=str(row[col(group, band)]),
                         accepted="age bands that add up to all ages, and males and females "
                                  "that add up to persons, as ONS publishes them",
                         key="ons-sums")
