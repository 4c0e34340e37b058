"""``police-uk-street``: the national street-level crime format of the police data portal.

One row per crime (or anti-social behaviour incident), for any force in
England, Wales and Northern Ireland.  Every one of the twelve columns is
checked (see ``docs/formats/police-uk-street.md``).  Attributes:
``crime_type`` (``Crime type``), ``outcome`` (``Last outcome category``;
blank for anti-social behaviour, kept as an empty string), ``lsoa`` (``LSOA
code``) and ``force`` (``Falls within``).

The unit: for the City of London Police, the City (``E09000001``); for the
Metropolitan Police Service, the London borough named at the start of the
LSOA name (``Camden 024B`` is Camden, ``E09000007``), or ``MPS-UNKNOWN`` (a
warning) when the LSOA is blank or outside London; for every other force, the
force's own name, as published (``Thames Valley Police``).

Speed: the national files hold millions of rows, in files of a few thousand.
The row-level work is one grouping by the coded columns, one query of a few
aggregates (the coordinates as numbers, the distinct locations, the context),
and one pass over the crime IDs' bytes (their form, and a 64-bit hash of each
for repeats).  Every check then runs on the groups, on the distinct LSOA
(code, name) pairs or on distinct values, only to say whether all pass; only
a file that fails one goes back to its records, the careful way, to name each
line (``_check_each_line``).  A file as the publisher writes it takes the
quickest way (``_plainly_valid``); one with other spellings or surrounding
spaces a slower one (``_all_valid``).  Small files make each query's fixed
cost count, so the queries are eager and few.
"""

from __future__ import annotations

import difflib
import gzip
import re
from functools import lru_cache

import numpy as np
import polars as pl
import pyarrow as pa

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, PROBLEMS_SHOWN, FileProblems, finish, grouped_table, match_columns, start_csv,
)
from policingplan.data.units import LONDON_BOROUGHS, normalise_name

CITY_OF_LONDON_POLICE = "City of London Police"
METROPOLITAN_POLICE = "Metropolitan Police Service"
ANTI_SOCIAL_BEHAVIOUR = "Anti-social behaviour"

#: Canonical name → the header that holds it (any letter case, spacing or punctuation).
COLUMNS = {
    "crime_id": ["Crime ID"],
    "month": ["Month"],
    "reported_by": ["Reported by"],
    "force": ["Falls within"],
    "longitude": ["Longitude"],
    "latitude": ["Latitude"],
    "location": ["Location"],
    "lsoa": ["LSOA code"],
    "lsoa_name": ["LSOA name"],
    "crime_type": ["Crime type"],
    "outcome": ["Last outcome category"],
    "context": ["Context"],
}

#: The forces that publish street-level data, spelt as data.police.uk spells them in
#: ``Reported by`` and ``Falls within``: the 43 territorial forces of England and Wales,
#: British Transport Police and the Police Service of Northern Ireland.
FORCES = (
    "Avon and Somerset Constabulary", "Bedfordshire Police", "Cambridgeshire Constabulary",
    "Cheshire Constabulary", "City of London Police", "Cleveland Police", "Cumbria Constabulary",
    "Derbyshire Constabulary", "Devon & Cornwall Police", "Dorset Police", "Durham Constabulary",
    "Dyfed-Powys Police", "Essex Police", "Gloucestershire Constabulary", "Greater Manchester Police",
    "Gwent Police", "Hampshire Constabulary", "Hertfordshire Constabulary", "Humberside Police",
    "Kent Police", "Lancashire Constabulary", "Leicestershire Police", "Lincolnshire Police",
    "Merseyside Police", "Metropolitan Police Service", "Norfolk Constabulary", "North Wales Police",
    "North Yorkshire Police", "Northamptonshire Police", "Northumbria Police", "Nottinghamshire Police",
    "South Wales Police", "South Yorkshire Police", "Staffordshire Police", "Suffolk Constabulary",
    "Surrey Police", "Sussex Police", "Thames Valley Police", "Warwickshire Police", "West Mercia Police",
    "West Midlands Police", "West Yorkshire Police", "Wiltshire Police",
    "British Transport Police", "Police Service of Northern Ireland",
)

#: Other spellings of a force's name → the name as published above.
FORCE_ALIASES = {
    "Hampshire and Isle of Wight Constabulary": "Hampshire Constabulary",  # the force's name from 2022
    "Devon and Cornwall Police": "Devon & Cornwall Police",
}

#: The crime types data.police.uk has published, by scheme: from December 2010
#: (``Violent crime``), from September 2011 (``Public disorder and weapons``, ``Shoplifting`` …),
#: and from May 2013 on (``Violence and sexual offences``, ``Public order`` …).
CRIME_TYPES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public disorder and weapons", "Public order",
    "Robbery", "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences",
    "Violent crime",
)

#: The outcome categories data.police.uk has published as ``Last outcome category``.
OUTCOMES = (
    "Action to be taken by another organisation", "Awaiting court outcome", "Court case unable to proceed",
    "Court result unavailable", "Defendant found not guilty", "Defendant sent to Crown Court",
    "Formal action is not in the public interest", "Further action is not in the public interest",
    "Further investigation is not in the public interest", "Investigation complete; no suspect identified",
    "Local resolution", "Offender deprived of property", "Offender fined", "Offender given a caution",
    "Offender given a drugs possession warning", "Offender given absolute discharge",
    "Offender given community sentence", "Offender given conditional discharge",
    "Offender given penalty notice", "Offender given suspended prison sentence",
    "Offender ordered to pay compensation", "Offender otherwise dealt with", "Offender sent to prison",
    "Status update unavailable", "Suspect charged", "Suspect charged as part of another case",
    "Unable to prosecute suspect", "Under investigation",
)

#: The box that holds the United Kingdom's land (longitude and latitude, WGS84).
LONGITUDE_RANGE = (-8.7, 1.8)
LATITUDE_RANGE = (49.8, 60.9)

_BOROUGH_BY_NAME = {normalise_name(name): code for code, name in LONDON_BOROUGHS.items()}
_SQUASH = re.compile(r"[^a-z0-9]+")


def _squash(text: str) -> str:
    return _SQUASH.sub("", text.lower())


def _force_key(name: str) -> str:
    return _squash(name.replace("&", " and "))


_FORCE_BY_KEY = {_force_key(name): name for name in FORCES}
_FORCE_BY_KEY.update({_force_key(alias): name for alias, name in FORCE_ALIASES.items()})
_CRIME_TYPE_BY_KEY = {name.lower(): name for name in CRIME_TYPES}
_OUTCOME_BY_KEY = {name.lower(): name for name in OUTCOMES}


@lru_cache(maxsize=1)
def london_lsoas() -> pl.DataFrame | None:
    """The 4,835 London LSOAs of 2011 (``lsoa``, ``borough`` code), from
    ``data/reference/lsoa-london-2011.csv.gz``; ``None`` when that file is missing."""
    from policingplan.settings import PROJECT_ROOT

    path = PROJECT_ROOT / "data" / "reference" / "lsoa-london-2011.csv.gz"
    try:
        raw = gzip.decompress(path.read_bytes())
    except OSError:
        return None
    table = pl.read_csv(raw, infer_schema=False)
    return table.select(lsoa=pl.col("LSOA11CD"), borough=pl.col("LAD11CD"))


def _header_spellings(header: list[str]) -> dict[str, list[str]]:
    """Each canonical column's spellings, with the header's own spelling when it differs
    from the publisher's only in letter case, spacing or punctuation."""
    by_squash = {_squash(name): name for name in header}
    return {canonical: spellings + ([by_squash[_squash(spellings[0])]] if _squash(spellings[0]) in by_squash else [])
            for canonical, spellings in COLUMNS.items()}


def _flags(no_location: pl.Series) -> list[pl.Expr]:
    """Row-level flags, kept as group keys so that the checks that relate columns run on groups.

    Blank means empty; a value of spaces only is checked as a value (and refused where one
    is not accepted).
    """
    lon = pl.col("longitude").cast(pl.Float64, strict=False)
    lat = pl.col("latitude").cast(pl.Float64, strict=False)
    return [
        (pl.col("crime_id").str.len_bytes() == 0).alias("id_blank"),
        pl.col("crime_id").str.contains(r"^(?:[0-9a-f]{64})?$").alias("id_ok"),
        (pl.col("longitude").str.len_bytes() == 0).alias("lon_blank"),
        (pl.col("latitude").str.len_bytes() == 0).alias("lat_blank"),
        lon.is_between(*LONGITUDE_RANGE).fill_null(False).alias("lon_ok"),
        lat.is_between(*LATITUDE_RANGE).fill_null(False).alias("lat_ok"),
        pl.col("location").is_in(no_location.implode()).alias("no_location"),
        (pl.col("lsoa").str.len_bytes() == 0).alias("lsoa_blank"),
        (pl.col("lsoa_name").str.len_bytes() == 0).alias("name_blank"),
    ]


FLAGS = ["id_blank", "id_ok", "lon_blank", "lat_blank", "lon_ok", "lat_ok", "no_location", "lsoa_blank",
         "name_blank"]
KEYS = ["month", "reported_by", "force", "lsoa", "lsoa_name", "crime_type", "outcome"]
#: The coded columns whose values are looked up in the publisher's lists.
KNOWN = {"reported_by": "force", "force": "force", "crime_type": "crime_type", "outcome": "outcome"}


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    found = match_columns(rows, _header_spellings(rows.header), problems)
    if found is None:
        return finish(result, problems)
    _extra_columns(rows, set(found.values()), problems)
    records = rows.frame.select(LINE, *[pl.col(header).alias(name) for name, header in found.items()])
    # The records grouped by the coded columns (the table's keys, and every distinct value
    # that a check on a value alone needs), the row-level checks as a few aggregates, and the
    # crime IDs' form: one pass each.  Every check then runs on the groups or the distinct
    # values, only to say whether all pass; only when one fails do the checks go through the
    # records again, the careful way, to name each line (_check_each_line).
    frame, summary = _summarise(records)
    london = london_lsoas()
    ids_ok, ids_repeat = _crime_id_form(records["crime_id"])
    if ids_ok and (_plainly_valid(frame, summary, london) or _all_valid(frame, summary, london)):
        if london is None:
            _warn_no_london_list(found, problems)
        if ids_repeat:
            _check_crime_ids(records, found, problems)
    else:
        _check_each_line(records, found, problems)
    del records
    if problems.has_errors:
        return finish(result, problems)
    if "spaced" not in summary:  # the careful way found nothing that the quick one did
        _all_valid(frame, summary, london)
    spaced, *published = summary["spaced"], *summary["published"]
    if spaced:
        frame = frame.with_columns(pl.col(GROUP_KEYS).str.strip_chars())
    for column, done in zip(("force", "crime_type", "outcome"), published):
        if not done:
            if column != "force":
                _warn_unknown(frame, column, found, problems)
            frame = _spell_as_published(frame, column)
    # Without surrounding spaces and with every coded value spelt as published, each group is
    # already one row of the table: the LSOA code gives its one name, and so the unit.
    table = grouped_table(kind, _units(frame, found, problems), aggregate=spaced or not all(published))
    return finish(result, problems, table, rows_accepted=rows.rows_read)


#: The columns the records are grouped by: the table's keys, and the LSOA name (the Met's unit).
GROUP_KEYS = ["month", "force", "lsoa", "lsoa_name", "crime_type", "outcome"]
LSOA_CODE = r"^[EW]01[0-9]{6}$"
MONTH = r"^(19|20|21)[0-9][0-9]-(0[1-9]|1[0-2])$"
LSOA_NAME = r"^\S.*\s[0-9]{3}[A-Z]$"
NO_LOCATION = r"(?i)^\s*no location\s*$"
LOCATION = r"(?i)^\s*(on or near\b.*|no location\s*)$"
ON_OR_NEAR = r"(?i)^\s*on or near\b.*$"  # LOCATION less NO_LOCATION
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _asb(crime_type: pl.Expr) -> pl.Expr:
    return crime_type.str.strip_chars().str.to_lowercase() == ANTI_SOCIAL_BEHAVIOUR.lower()


def _summarise(records: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """The records grouped by :data:`GROUP_KEYS` (``count``, first line, and how many have a
    crime ID and how many blank coordinates), and the verdicts of the row-level checks."""
    crime_id, location, context = pl.col("crime_id"), pl.col("location"), pl.col("context")
    lon_blank = pl.col("longitude").str.len_bytes() == 0
    lat_blank = pl.col("latitude").str.len_bytes() == 0
    lon = pl.col("longitude").cast(pl.Float64, strict=False)
    lat = pl.col("latitude").cast(pl.Float64, strict=False)
    given = context.filter(context.str.len_bytes() > 0)
    # Eager queries: on files of a few thousand lines, planning a lazy one costs more than it saves.
    frame = records.group_by(GROUP_KEYS).agg(
        pl.len().cast(pl.Int64).alias("count"), pl.col(LINE).min(),
        (crime_id.str.len_bytes() > 0).sum().alias("ids"), lon_blank.sum().alias("no_coordinates"),
    )
    # The distinct locations of the lines without coordinates must say so, and those of the
    # lines with them must not (the two forms that the publisher writes are disjoint).
    reported_by = pl.col("reported_by").filter(pl.col("reported_by") != pl.col("force")).unique()
    summary = records.select(
        rows_valid=pl.all_horizontal(
            ((lon_blank | lon.is_between(*LONGITUDE_RANGE).fill_null(False))
             & (lat_blank | lat.is_between(*LATITUDE_RANGE).fill_null(False)) & (lon_blank == lat_blank)).all(),
            location.filter(lon_blank).unique().str.contains(NO_LOCATION).all(),
            location.filter(~lon_blank).unique().str.contains(ON_OR_NEAR).all(),
            ~((given.str.len_chars() > CONTEXT_LIMIT) | given.str.contains(CONTROL)).any(),
        ),
        # Reported by: the values that differ from Falls within (usually none)
        reported_by=reported_by.implode(),
    )
    summary = {name: column[0] for name, column in summary.to_dict().items()}  # lists as Series
    summary["nulls"] = any(column.null_count() for column in records.get_columns())
    return frame, summary


def _crime_id_form(ids: pl.Series) -> tuple[bool, bool]:
    """Whether every crime ID is blank or 64 hexadecimal characters in lower case, and (when
    they are) whether any two of them may be the same (a 64-bit hash of each ID repeats).

    The IDs' bytes are checked in one pass over the column's buffer: a regular expression
    per value costs several times more.
    """
    array = ids.to_arrow()
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    if array.null_count:
        return False, True
    _, offsets, data = array.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[array.offset: array.offset + len(array) + 1]
    lengths = np.diff(offsets)
    if not ((lengths == 0) | (lengths == 64)).all():
        return False, True
    if data is None or offsets[-1] == offsets[0]:
        return True, False
    text = np.frombuffer(data, dtype=np.uint8)[offsets[0]: offsets[-1]]
    if not (((text - 48) < 10) | ((text - 97) < 6)).all():  # 0-9, a-f (bytes below wrap round)
        return False, True
    # Every ID is 64 bytes, one after another: hash each one's eight words into one.
    words = text.reshape(-1, 64).view("<u8")
    hashes = words[:, 0].copy()
    for i in range(1, 8):
        hashes *= np.uint64(0x9E3779B97F4A7C15)
        hashes ^= words[:, i]
    hashes.sort()
    return True, bool((hashes[1:] == hashes[:-1]).any())


def _plainly_valid(frame: pl.DataFrame, summary: dict, london: pl.DataFrame | None) -> bool:
    """Whether the file is valid as the publisher writes it: every value without surrounding
    spaces, every force, crime type and outcome spelt as published, and every check passing
    (:func:`_all_valid`, for any other file, allows other spellings).  A few queries on the
    groups and on the distinct LSOA (code, name) pairs.

    The LSOA codes' names: with every pair both blank or both well formed, each code has one
    name and each name one code when the pairs, the codes and the names are as many.
    """
    extra = summary["reported_by"]
    if summary["nulls"] or not summary["rows_valid"] or (extra.len() and not extra.is_in(FORCES).all()):
        return False
    lsoa, name = pl.col("lsoa"), pl.col("lsoa_name")
    asb = pl.col("crime_type") == ANTI_SOCIAL_BEHAVIOUR
    no_outcome = pl.col("outcome") == ""
    checks = [
        pl.col("month").str.contains(MONTH),
        pl.col("force").is_in(FORCES),
        pl.col("crime_type").is_in(CRIME_TYPES),
        pl.col("outcome").is_in(OUTCOMES) | no_outcome,
        asb | (pl.col("ids") == pl.col("count")) | (pl.col("ids").sum() == 0),
        ~asb | ((pl.col("ids") == 0) & no_outcome),
        pl.col("no_coordinates") == pl.when(lsoa == "").then(pl.col("count")).otherwise(0),
    ]
    if not frame.select(pl.all_horizontal(checks).fill_null(False).all()).item():
        return False
    pairs = frame.select(lsoa, name).unique()
    formed, codes, names, prefixes = pairs.select(
        (((lsoa == "") & (name == "")) | (lsoa.str.contains(LSOA_CODE) & name.str.contains(LSOA_NAME))).all()
        .alias("formed"),
        lsoa.n_unique().alias("codes"), name.n_unique().alias("names"),
        # the names less their last four characters (the number and letter), for their borough
        name.str.head(-4).unique().implode().alias("prefixes"),
    ).row(0)
    if not (formed and codes == names == pairs.height):
        return False
    if london is not None and not _outside_london(pairs["lsoa"], prefixes, london):
        # Some of the file is in London: each code's borough, and its name's, pair by pair.
        borough, district = pl.col("borough"), pl.col("district")
        pairs = pairs.with_columns(borough=lsoa.replace_strict(london["lsoa"], london["borough"], default=None,
                                                               return_dtype=pl.Utf8), district=_borough_of(name))
        wrong = ((borough.is_not_null() & (district.is_null() | (district != borough)))
                 | (district.is_not_null() & borough.is_null() & (lsoa <= london["lsoa"].max())))
        if pairs.select(wrong.any()).item():
            return False
    summary["spaced"], summary["published"] = False, [True, True, True]
    return True


#: London's LSOA numbers (``E01`` and six digits), as a table: the list's object and the table.
_LONDON_NUMBERS: list = [None, None]
#: The borough of the part of an LSOA name before its number and letter (None outside London).
_DISTRICTS: dict[str, str | None] = {}


def _outside_london(codes: pl.Series, prefixes: list[str], london: pl.DataFrame) -> bool:
    """Whether no code is on the London list and no name (``prefixes``: the names less their
    last four characters) is in a London borough: then no LSOA can be a wrong London one.

    For codes that are blank or ``E01``/``W01`` and six digits (checked before).  The codes are
    looked up by number in a table of London's; the few distinct name prefixes in a cache.
    """
    if _LONDON_NUMBERS[0] is not london:
        table = np.zeros(1_000_000, dtype=bool)
        table[london["lsoa"].str.slice(3).cast(pl.Int64).to_numpy()] = True
        _LONDON_NUMBERS[:] = [london, table]
    array = codes.to_arrow()
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    _, offsets, data = array.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[array.offset: array.offset + len(array) + 1]
    if offsets[-1] > offsets[0]:
        text = np.frombuffer(data, dtype=np.uint8)[offsets[0]: offsets[-1]].reshape(-1, 9)
        numbers = (text[:, 3:].astype(np.int64) - 48) @ (10 ** np.arange(5, -1, -1))
        if (_LONDON_NUMBERS[1][numbers] & (text[:, 0] == ord("E"))).any():
            return False
    new = [prefix for prefix in prefixes if prefix not in _DISTRICTS]
    if new:
        if len(_DISTRICTS) > 100_000:
            _DISTRICTS.clear()
        found = pl.DataFrame({"prefix": new}, schema={"prefix": pl.Utf8}).select(
            _borough_of_district(pl.col("prefix").str.strip_chars_end()))
        _DISTRICTS.update(zip(new, found.to_series().to_list()))
    return all(_DISTRICTS[prefix] is None for prefix in prefixes)


def _all_valid(frame: pl.DataFrame, summary: dict, london: pl.DataFrame | None) -> bool:
    """Whether every check of :func:`_check` passes (without naming lines): the checks on a
    value alone on the distinct values, the checks that relate columns on the groups and
    the row-level verdicts of :func:`_summarise`, the LSOA checks on the distinct pairs.
    Adds to ``summary`` whether any key has surrounding spaces (``spaced``) and whether
    the forces, crime types and outcomes are all spelt as published (``published``)."""
    lsoa, name = pl.col("lsoa").str.strip_chars(), pl.col("lsoa_name").str.strip_chars()
    asb = _asb(pl.col("crime_type"))
    distinct = {c: pl.col(c).unique() for c in GROUP_KEYS}
    forces = distinct["force"].append(pl.lit(summary["reported_by"]))
    lsoa_blank = pl.col("lsoa").str.len_bytes() == 0
    checks = [
        distinct["month"].str.strip_chars().str.contains(MONTH),
        _known("force", forces).is_not_null(),
        (distinct["lsoa"] == "") | distinct["lsoa"].str.strip_chars().str.contains(LSOA_CODE),
        (distinct["lsoa_name"] == "") | distinct["lsoa_name"].str.strip_chars().str.contains(LSOA_NAME),
        distinct["crime_type"].str.strip_chars() != "",
        # a crime ID on every crime (unless no line has one), none on anti-social behaviour
        asb | (pl.col("ids") == pl.col("count")) | (pl.col("ids").sum() == 0),
        ~asb | (pl.col("ids") == 0),
        # an LSOA code with coordinates, a blank code with none; a name with its code
        pl.col("no_coordinates") == pl.when(lsoa_blank).then(pl.col("count")).otherwise(0),
        lsoa_blank == (pl.col("lsoa_name").str.len_bytes() == 0),
        (pl.col("outcome").str.strip_chars() == "") | ~asb,
    ]
    # (in their order of appearance, so that the code and the name, each taken apart, stay paired)
    pair = (pl.struct(lsoa.alias("lsoa"), name.alias("lsoa_name")).filter(lsoa.str.contains(LSOA_CODE))
            .unique(maintain_order=True))
    code, named = pair.struct.field("lsoa"), pair.struct.field("lsoa_name")
    checks += [~code.is_duplicated(), ~named.is_duplicated()]
    if london is not None:
        highest = london["lsoa"].max()
        borough = code.replace_strict(london["lsoa"], london["borough"], default=None, return_dtype=pl.Utf8)
        district = _borough_of(named)
        checks.append(~((borough.is_not_null() & (district.is_null() | (district != borough)))
                        | (district.is_not_null() & borough.is_null() & (code <= highest))))
    keys = pl.col(GROUP_KEYS)
    verdicts = frame.select(
        pl.all_horizontal(check.fill_null(False).all() for check in checks).alias("valid"),
        pl.any_horizontal((keys.str.strip_chars() != keys).any()).alias("spaced"),
        pl.col("force").is_in(FORCES).all().alias("force"),
        pl.col("crime_type").is_in(CRIME_TYPES).all().alias("crime_type"),
        (pl.col("outcome").is_in(OUTCOMES) | (pl.col("outcome") == "")).all().alias("outcome"),
    ).row(0, named=True)
    summary["spaced"] = verdicts["spaced"]
    summary["published"] = [verdicts["force"], verdicts["crime_type"], verdicts["outcome"]]
    return verdicts["valid"] and not summary["nulls"] and summary["rows_valid"]


_BOROUGH_NAMES = pl.Series(list(_BOROUGH_BY_NAME), dtype=pl.Utf8)
_BOROUGH_CODES = pl.Series(list(_BOROUGH_BY_NAME.values()), dtype=pl.Utf8)


def _borough_of(lsoa_name: pl.Expr) -> pl.Expr:
    """The London borough (code) that an LSOA name starts with, null when none."""
    return _borough_of_district(lsoa_name.str.replace(r"\s+[0-9]{3}[A-Z]$", ""))


def _borough_of_district(district: pl.Expr) -> pl.Expr:
    """The London borough (code) of a local authority's name, null when none."""
    return (district.str.to_lowercase().str.replace_all("&", " and ", literal=True).str.replace_all(r"[-_\s]+", " ")
            .replace_strict(_BOROUGH_NAMES, _BOROUGH_CODES, default=None, return_dtype=pl.Utf8))


def _check_each_line(records: pl.DataFrame, found: dict[str, str], problems: FileProblems) -> None:
    """Every check, naming each failing line: the records grouped by the coded columns and
    the row-level flags, each check run on the groups, and a failing one on the records."""
    locations = records["location"].unique()
    no_location = locations.filter(locations.str.contains(NO_LOCATION))
    frame = (records.lazy().with_columns(_flags(no_location)).group_by(KEYS + FLAGS)
             .agg(pl.len().cast(pl.Int64).alias("count"), pl.col(LINE).min()).collect())
    _check(frame, records, locations, no_location, found, problems)
    if not problems.has_errors:
        _check_crime_ids(records, found, problems)


def _extra_columns(rows, used: set[str], problems: FileProblems) -> None:
    """A trailing unnamed column with nothing in it is passed over; any other column not in
    the format gets a warning (it is not read)."""
    for name in rows.header:
        if name in used:
            continue
        unnamed = name.startswith("(column ") and name.endswith(", unnamed)")
        # The column as a Series: a select on the whole frame for each column would take time in
        # the square of the columns, and a spreadsheet that saved its blank columns has thousands.
        if unnamed and not (rows.frame.get_column(name).str.strip_chars() != "").any():
            continue
        close = difflib.get_close_matches(name.lower(), [s[0].lower() for s in COLUMNS.values()], n=1)
        problems.add(
            "a column that the police-uk-street format does not have; it is not read"
            + (f" (is it {close[0]!r} twice?)" if close else ""),
            line=1, column=name, value=name, severity="warning",
            accepted="the twelve columns " + ", ".join(s[0] for s in COLUMNS.values()),
        )


def _known(column: str, values: pl.Expr) -> pl.Expr:
    """A coded value's publisher spelling (any letter case and spacing), null when unknown."""
    if KNOWN[column] == "force":
        key = (values.str.replace_all("&", " and ", literal=True).str.to_lowercase()
               .str.replace_all(r"[^a-z0-9]+", ""))
        table = _FORCE_BY_KEY
    else:
        key = values.str.strip_chars().str.to_lowercase()
        table = _CRIME_TYPE_BY_KEY if column == "crime_type" else _OUTCOME_BY_KEY
    return key.replace_strict(table, default=None, return_dtype=pl.Utf8)


def _spell_as_published(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """The column's known values in the publisher's spelling; unknown ones kept as written."""
    distinct = frame.select(pl.col(column).unique()).with_columns(known=_known(column, pl.col(column)))
    changed = distinct.filter(pl.col("known").is_not_null() & (pl.col("known") != pl.col(column)))
    if not changed.height:
        return frame
    mapping = dict(zip(changed[column].to_list(), changed["known"].to_list()))
    return frame.with_columns(pl.col(column).replace(mapping))


def _check(frame: pl.DataFrame, records: pl.DataFrame, locations: pl.Series, no_location: pl.Series,
           found: dict[str, str], problems: FileProblems) -> None:
    """Every column's check: a value's own check on the column's distinct values, a check that
    relates columns on the distinct combinations of flags; a failing check goes back to the
    records for its lines."""
    every_id_blank = frame.select(pl.col("id_blank").all()).item()
    lon_blank, lat_blank = pl.col("lon_blank"), pl.col("lat_blank")
    lsoa_blank, name_blank = pl.col("lsoa_blank"), pl.col("name_blank")
    asb = pl.col("crime_type").str.strip_chars().str.to_lowercase() == ANTI_SOCIAL_BEHAVIOUR.lower()
    stripped = {c: pl.col(c).str.strip_chars() for c in ("month", "lsoa", "lsoa_name", "crime_type", "outcome")}
    forces = "one of the forces that publish on data.police.uk, spelt as published, e.g. City of London Police"
    # (column, check on the column alone?, valid, message, accepted)
    checks = [
        ("crime_id", False, pl.col("id_ok"), "not a crime ID",
         "64 hexadecimal characters in lower case (0-9, a-f), or blank for anti-social behaviour"),
        ("crime_id", False, ~pl.col("id_blank") | asb | pl.lit(every_id_blank), "a crime without a crime ID",
         "a crime ID on every crime (blank only for anti-social behaviour, or for every line of the "
         "oldest files, which have none)"),
        ("crime_id", False, pl.col("id_blank") | ~asb, "anti-social behaviour with a crime ID",
         "a blank crime ID for anti-social behaviour (the publisher gives it none)"),
        ("month", True, stripped["month"].str.contains(r"^(19|20|21)[0-9][0-9]-(0[1-9]|1[0-2])$"),
         "not a real month", "a month written YYYY-MM, month 01 to 12, e.g. 2023-04"),
        ("reported_by", True, _known("reported_by", pl.col("reported_by")).is_not_null(),
         "not a force that publishes street-level data", forces),
        ("force", True, _known("force", pl.col("force")).is_not_null(),
         "not a force that publishes street-level data", forces),
        ("longitude", False, lon_blank | pl.col("lon_ok"), "not a longitude in the United Kingdom",
         f"a number of degrees from {LONGITUDE_RANGE[0]} to {LONGITUDE_RANGE[1]}, e.g. -0.0912, or blank "
         "with the latitude"),
        ("latitude", False, lat_blank | pl.col("lat_ok"), "not a latitude in the United Kingdom",
         f"a number of degrees from {LATITUDE_RANGE[0]} to {LATITUDE_RANGE[1]}, e.g. 51.5138, or blank "
         "with the longitude"),
        ("longitude", False, ~lon_blank | lat_blank, "the latitude is given but not the longitude",
         "both coordinates, or neither (a crime with no location)"),
        ("latitude", False, ~lat_blank | lon_blank, "the longitude is given but not the latitude",
         "both coordinates, or neither (a crime with no location)"),
        ("location", False, pl.col("no_location") == lon_blank,
         "the location and the coordinates disagree",
         "'No Location' with blank coordinates; 'On or near …' with both coordinates"),
        ("lsoa", True, (pl.col("lsoa") == "") | stripped["lsoa"].str.contains(r"^[EW]01[0-9]{6}$"),
         "not an LSOA code", "an LSOA code: E01 (England) or W01 (Wales) and six digits, e.g. E01000001, or blank"),
        ("lsoa", False, lsoa_blank == lon_blank, "the LSOA code and the coordinates disagree",
         "an LSOA code with coordinates, or a blank code with blank coordinates"),
        ("lsoa_name", True, (pl.col("lsoa_name") == "")
         | stripped["lsoa_name"].str.contains(r"^\S.*\s[0-9]{3}[A-Z]$"),
         "not an LSOA name", "the local authority's name, three digits and a letter, e.g. Camden 024B"),
        ("lsoa_name", False, name_blank == lsoa_blank, "the LSOA name and the LSOA code disagree (one is blank)",
         "both the LSOA code and its name, or neither"),
        ("crime_type", True, stripped["crime_type"] != "", "the crime type is blank",
         "a crime type, e.g. Burglary"),
        ("outcome", False, (stripped["outcome"] == "") | ~asb, "anti-social behaviour with an outcome",
         "a blank outcome for anti-social behaviour (it has none)"),
    ]
    _check_context(records, found, problems)
    valid_location = locations.str.contains(LOCATION)
    if not valid_location.all():
        bad = locations.filter(~valid_location)
        _report(records.filter(pl.col("location").is_in(bad.implode())).sort(LINE), "location",
                "not a location as the publisher writes it",
                "'On or near' and a place (e.g. On or near Cheapside), or 'No Location'", found, problems)
    relations = frame.lazy().select("crime_type", "outcome", *FLAGS).unique().collect()
    alone_columns = sorted({column for column, alone, *_ in checks if alone})
    distinct = dict(zip(alone_columns, frame.lazy().select(
        pl.col(c).unique().implode() for c in alone_columns).collect().row(0)))
    verdicts: dict[int, bool] = {}
    for column in alone_columns:
        mine = [i for i, check in enumerate(checks) if check[0] == column and check[1]]
        values = pl.DataFrame({column: pl.Series(distinct[column], dtype=pl.Utf8)})
        row = values.select(checks[i][2].fill_null(False).all().alias(str(i)) for i in mine).row(0)
        verdicts.update(zip(mine, row))
    relation_checks = [i for i, check in enumerate(checks) if not check[1]]
    verdicts.update(zip(relation_checks, relations.select(
        checks[i][2].fill_null(False).all().alias(str(i)) for i in relation_checks).row(0)))
    failing = [i for i in range(len(checks)) if not verdicts[i]]
    if failing:
        lines = records.with_columns(_flags(no_location)).sort(LINE)
        for i in failing:
            column, _, valid, message, accepted = checks[i]
            _report(lines.filter(~valid.fill_null(False)), column, message, accepted, found, problems)
    _check_lsoas(frame, records, found, problems, london_lsoas())


#: The longest context accepted: the publisher's notes are a sentence or two, and a longer
#: value is lines swallowed by a quote left open.
CONTEXT_LIMIT = 2_000


def _check_context(records: pl.DataFrame, found: dict[str, str], problems: FileProblems) -> None:
    """Context is free text: any words, but no control characters and no runaway length."""
    context = records["context"]
    if not (context.str.len_bytes() > 0).any():
        return
    bad = (context.str.len_chars() > CONTEXT_LIMIT) | context.str.contains(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
    rows = records.filter(bad).select(LINE, value=pl.col("context").str.slice(0, 80))
    if rows.height:
        problems.add_rows(rows, message="not free text: control characters, or longer than a note can be "
                          "(a quote left open swallows the lines after it)", column=found["context"],
                          value_column="value",
                          accepted=f"any text of at most {CONTEXT_LIMIT:,} characters without control characters")


def _lines(records: pl.DataFrame) -> pl.DataFrame:
    """The records with their LSOA code and name stripped, as the LSOA checks compare them."""
    return records.with_columns(pl.col("lsoa", "lsoa_name").str.strip_chars()).sort(LINE)


def _report(rows: pl.DataFrame, column: str, message: str, accepted: str, found: dict[str, str],
            problems: FileProblems) -> None:
    rows = rows.select(LINE, pl.col(column).alias("value")) if column in rows.columns else rows
    problems.add_rows(rows.sort(LINE), message=message, column=found[column], value_column="value",
                      accepted=accepted)


def _warn_no_london_list(found: dict[str, str], problems: FileProblems) -> None:
    problems.add("the list of London LSOAs (data/reference/lsoa-london-2011.csv.gz) is missing: LSOA "
                 "codes are checked for their form only", column=found["lsoa"], severity="warning")


def _check_lsoas(frame: pl.DataFrame, records: pl.DataFrame, found: dict[str, str],
                 problems: FileProblems, london: pl.DataFrame | None) -> None:
    """Each LSOA code has one name across the file (and each name one code); a London LSOA exists."""
    district = pl.col("lsoa_name").str.replace(r"\s+[0-9]{3}[A-Z]$", "")
    pairs = (frame.lazy().group_by("lsoa", "lsoa_name").agg(pl.col(LINE).min())
             .with_columns(pl.col("lsoa", "lsoa_name").str.strip_chars())
             .filter(pl.col("lsoa").str.contains(r"^[EW]01[0-9]{6}$"))
             .group_by("lsoa", "lsoa_name").agg(pl.col(LINE).min()).collect())
    for key, other, label in (("lsoa", "lsoa_name", "name"), ("lsoa_name", "lsoa", "code")):
        split = pairs.filter(pl.col(key).is_duplicated())
        if not split.height:
            continue
        # Every line of a code with two names (or a name with two codes) is named, each with
        # the other value and the first line that has it: which of them is wrong, the file
        # cannot say.
        others = split.join(split.select(key, pl.col(other).alias("other_value"), pl.col(LINE).alias("other_line")),
                            on=key).filter(pl.col(other) != pl.col("other_value"))
        others = others.sort("other_line").group_by("lsoa", "lsoa_name").first()
        lines = _lines(records).join(others.select("lsoa", "lsoa_name", "other_value", "other_line"),
                                     on=["lsoa", "lsoa_name"], how="inner")
        lines = lines.with_columns(value=pl.format("{} (line {} has {})", pl.col(other),
                                                   "other_line", "other_value"))
        what = "code" if key == "lsoa" else "name"
        problems.add_rows(lines.select(LINE, "value").sort(LINE),
                          message=f"the LSOA {what} has another {label} on another line of the file",
                          column=found[other], value_column="value",
                          accepted=f"one {label} for each LSOA {what} across the file")
    if london is None:
        _warn_no_london_list(found, problems)
        return
    highest = london["lsoa"].max()
    candidates = pairs.select("lsoa", "lsoa_name").unique().join(london, on="lsoa", how="left").filter(
        pl.col("borough").is_not_null() | (pl.col("lsoa") <= highest))
    if not candidates.height:
        return
    names = (candidates.drop("borough")
             .with_columns(named=district.str.to_lowercase().str.replace_all("&", " and ", literal=True)
                           .str.replace_all(r"[-_\s]+", " ")
                           .replace_strict(_BOROUGH_BY_NAME, default=None, return_dtype=pl.Utf8))
             .join(london, on="lsoa", how="left"))
    wrong = names.filter(
        (pl.col("borough").is_not_null() & (pl.col("named").is_null() | (pl.col("named") != pl.col("borough"))))
        | (pl.col("named").is_not_null() & pl.col("borough").is_null() & (pl.col("lsoa") <= highest))
    )
    if wrong.height:
        lines = _lines(records).join(wrong.select("lsoa", "lsoa_name", "borough"), on=["lsoa", "lsoa_name"])
        lines = lines.with_columns(value=pl.format("{} {}", "lsoa", "lsoa_name"))
        problems.add_rows(  # sorted again: a join keeps no order
            lines.select(LINE, "value").sort(LINE), message="no such London LSOA: the code is not an LSOA of the "
            "borough that its name gives", column=found["lsoa"], value_column="value",
            accepted=f"a London LSOA code of 2011 ({london.height:,} codes, ONS) in the borough of its name, "
                     f"or a code created in 2021 (above {highest})")


def _check_crime_ids(records: pl.DataFrame, found: dict[str, str], problems: FileProblems) -> None:
    """A crime ID names one crime: its lines must agree on the month, the forces and the crime type.

    Repeats are found on a 64-bit hash of each ID (sorted), and only the IDs whose hash
    repeats are compared in full.
    """
    ids = records.select(LINE, "crime_id").filter(pl.col("crime_id").str.len_bytes() > 0)
    if ids.height < 2:
        return
    hashes = ids["crime_id"].hash().sort()
    if not (hashes.slice(1) == hashes.slice(0, hashes.len() - 1)).any():
        return
    identity = ["month", "reported_by", "force", "crime_type"]
    repeated = records.filter(pl.col("crime_id").str.len_bytes() > 0).filter(
        pl.col("crime_id").is_duplicated()).with_columns(pl.col(identity).str.strip_chars()).sort(LINE)
    first = repeated.group_by("crime_id", maintain_order=True).first()
    joined = repeated.join(first.select("crime_id", *[pl.col(c).alias(f"first_{c}") for c in identity],
                                        pl.col(LINE).alias("first")), on="crime_id")
    joined = joined.filter(pl.col(LINE) != pl.col("first"))
    for column in identity:
        differ = joined.filter(pl.col(column).str.to_lowercase() != pl.col(f"first_{column}").str.to_lowercase())
        if differ.height:
            # Both lines are named: the later one with the first line's value, the first with the later's.
            later = differ.select(LINE, value=pl.format("{} (line {} has {} for this crime ID)", column, "first",
                                                        f"first_{column}"))
            earlier = differ.select(pl.col("first").alias(LINE),
                                    value=pl.format("{} (line {} has {} for this crime ID)", f"first_{column}",
                                                    LINE, column))
            problems.add_rows(pl.concat([later, earlier]).unique(LINE, keep="first").sort(LINE),
                              message="a repeated crime ID whose lines disagree: the same crime ID is on an "
                                      "earlier line with another " + found[column],
                              column=found[column], value_column="value",
                              accepted="each crime ID's lines alike in Month, Reported by, Falls within and "
                                       "Crime type (they may differ in location and outcome)")
            joined = joined.filter(pl.col(column).str.to_lowercase() == pl.col(f"first_{column}").str.to_lowercase())


def _warn_unknown(frame: pl.DataFrame, column: str, found: dict[str, str], problems: FileProblems) -> None:
    """Crime types and outcomes the publisher has not used before: kept as written, with a warning."""
    known, what = (CRIME_TYPES, "crime type") if column == "crime_type" else (OUTCOMES, "outcome")
    distinct = frame.select(pl.col(column).unique()).filter(
        _known(column, pl.col(column)).is_null() & (pl.col(column) != ""))
    if not distinct.height:
        return
    values = (frame.filter(pl.col(column).is_in(distinct[column].implode()))
              .group_by(column).agg(pl.col("count").sum(), pl.col(LINE).min()).sort(LINE))
    for value, count, line in values.head(PROBLEMS_SHOWN).iter_rows():
        problems.add(
            f"a {what} that data.police.uk has not published before ({count:,} line(s)); it is kept "
            "as written: check that a counting rule names it", line=line, column=found[column],
            value=value, severity="warning", key=f"unknown-{column}",
            accepted=f"a known {what}: " + ", ".join(known),
        )


def _units(frame: pl.DataFrame, found: dict[str, str], problems: FileProblems) -> pl.DataFrame:
    unit = pl.when(pl.col("force") == CITY_OF_LONDON_POLICE).then(pl.lit("E09000001"))
    if frame.select((pl.col("force") == METROPOLITAN_POLICE).any()).item():
        names = frame["lsoa_name"].unique()
        boroughs = pl.DataFrame({"lsoa_name": names}).with_columns(
            borough=pl.col("lsoa_name").str.replace(r"\s+[0-9]{3}[A-Z]$", "").str.to_lowercase()
            .str.replace_all("&", " and ", literal=True).str.replace_all(r"[-_\s]+", " ")
            .replace_strict(_BOROUGH_BY_NAME, default=None, return_dtype=pl.Utf8)
        )
        frame = frame.join(boroughs, on="lsoa_name", how="left", nulls_equal=True)
        met = pl.col("force") == METROPOLITAN_POLICE
        unknown = frame.filter(met & pl.col("borough").is_null()).sort(LINE)
        if unknown.height:
            problems.add(
                f"{unknown['count'].sum():,} Metropolitan Police row(s) have no London LSOA; they are kept "
                "as unit 'MPS-UNKNOWN' and count only towards force totals",
                line=int(unknown[LINE][0]), column=found["lsoa_name"],
                value=unknown["lsoa_name"][0], severity="warning",
            )
        unit = unit.when(met).then(pl.col("borough").fill_null("MPS-UNKNOWN"))
    return frame.with_columns(unit=unit.otherwise(pl.col("force")), period=pl.col("month"),
                              period_kind=pl.lit("month"))
