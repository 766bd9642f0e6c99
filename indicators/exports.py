"""CSV and zip exports: streamed, spreadsheet-safe, with their metadata.

Everything that depends on the active language (headers, labels, names) is decided when the
export is built, inside the view, because the rows are written after the view has returned.
"""

import csv
import io
import itertools
import tempfile
import zipfile
from urllib.parse import quote

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Area, Level, Unit, format_value, localized_expression

BOM = "\ufeff"
CHUNK_ROWS = 2000
COPY_BLOCK_BYTES = 256 * 1024
# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text):
    """A text cell a spreadsheet will show as text, never run as a formula."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_header():
    return [
        _("indicator code"),
        _("indicator"),
        _("region code"),
        _("region"),
        _("level"),
        _("area"),
        _("year"),
        _("value"),
        _("unit"),
        _("source"),
        _("note"),
        _("generated"),
    ]


class RowFormatter:
    """Turns a `for_export()` tuple into CSV cells: labels translated, text made safe.

    Year and value stay numbers (a negative value is a number, not a formula).
    """

    def __init__(self):
        self.levels = {code: str(label) for code, label in Level.choices}
        self.areas = {code: str(label) for code, label in Area.choices}
        self.units = {code: str(label) for code, label in Unit.choices}
        self.yes_no = {True: _("yes"), False: _("no")}

    def __call__(self, row):
        code, name, region_code, region, level, area, year, value, unit, source, note, gen = row
        return [
            safe_text(code),
            safe_text(name),
            safe_text(region_code),
            safe_text(region),
            safe_text(self.levels.get(level, level)),
            safe_text(self.areas.get(area, area)),
            year,
            format_value(value),
            safe_text(self.units.get(unit, unit)),
            safe_text(source),
            safe_text(note),
            self.yes_no[gen],
        ]


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value):
        return value


def csv_lines(header, rows, formatter, chunk_rows=CHUNK_ROWS):
    """Yield the CSV as UTF-8 chunks of `chunk_rows` lines, BOM first: memory stays flat."""
    writer = csv.writer(_Echo())
    yield (BOM + writer.writerow(header)).encode()
    writerow = writer.writerow
    chunk = []
    for row in rows:
        chunk.append(writerow(formatter(row)))
        if len(chunk) >= chunk_rows:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


def stream_observations(queryset):
    """The observations of `queryset` as CSV (UTF-8 chunks), streamed in constant memory.

    On PostgreSQL the database writes the CSV itself (COPY … TO STDOUT), labels and formula
    neutralisation included; elsewhere Python's csv module does. Both give the same bytes.
    """
    if connection.vendor == "postgresql":
        return copy_lines(export_header(), *copy_statement(queryset))
    rows = queryset.for_export().iterator(chunk_size=CHUNK_ROWS)
    return csv_lines(export_header(), rows, RowFormatter())


# The SQL twins of safe_text() and format_value(), for COPY. Empty text becomes NULL, which
# COPY writes bare like the csv module does (an empty string would be written "").
SAFE_TEXT_SQL = "NULLIF(CASE WHEN ascii({x}) IN ({codes}) THEN '''' || {x} ELSE {x} END, '')"
FORMULA_CODES = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
# Whole numbers as integers (-0.0 as 0); others in PostgreSQL's shortest round-trip form,
# which is Python's repr() below 1e15 (beyond that PostgreSQL writes 1.5e+15).
VALUE_SQL = (
    "CASE WHEN {x} = trunc({x}) AND abs({x}) < 1e18 THEN ({x})::int8::text ELSE ({x})::text END"
)


def label_sql(column, choices, params):
    """CASE column WHEN code THEN label … ELSE column END; the labels are made safe here."""
    whens = []
    for code, label in choices:
        whens.append("WHEN %s THEN %s")
        params.extend([code, safe_text(label)])
    return f"CASE {column} {' '.join(whens)} ELSE {column} END"


def copy_statement(queryset):
    """(COPY (SELECT …) TO STDOUT statement, params): `queryset`'s export rows, as CSV."""
    inner_sql, inner_params = (
        queryset.order_by()
        .values(
            c_code=F("indicator__code"),
            c_name=localized_expression("indicator__name"),
            c_region=F("region_id"),
            c_region_name=localized_expression("region__name"),
            c_level=F("region__level"),
            c_area=F("area"),
            c_year=F("year"),
            c_value=F("value"),
            c_unit=F("indicator__unit"),
            c_source=F("source"),
            c_note=F("note"),
            c_generated=F("is_generated"),
            o_order=F("indicator__display_order"),
        )
        .query.sql_with_params()
    )
    params = []
    labels = ", ".join(
        [
            label_sql("c_level", Level.choices, params) + " AS l_level",
            label_sql("c_area", Area.choices, params) + " AS l_area",
            label_sql("c_unit", Unit.choices, params) + " AS l_unit",
            "CASE WHEN c_generated THEN %s ELSE %s END AS l_generated",
        ]
    )
    params.extend([safe_text(_("yes")), safe_text(_("no"))])

    def safe(column):
        return SAFE_TEXT_SQL.format(x=column, codes=FORMULA_CODES)

    columns = [
        safe("c_code"),
        safe("c_name"),
        safe("c_region"),
        safe("c_region_name"),
        "NULLIF(l_level, '')",
        "NULLIF(l_area, '')",
        "c_year",
        VALUE_SQL.format(x="c_value"),
        "NULLIF(l_unit, '')",
        safe("c_source"),
        safe("c_note"),
        "NULLIF(l_generated, '')",
    ]
    # The order of for_export(): Observation.Meta.ordering with the indicator's own ordering.
    sql = (
        f"COPY (SELECT {', '.join(columns)} FROM (SELECT *, {labels} FROM ({inner_sql}) t) u "
        "ORDER BY o_order, c_code, c_region, c_area, c_year) TO STDOUT WITH (FORMAT csv)"
    )
    return sql, (*params, *inner_params)


def copy_lines(header, sql, params):
    """Yield PostgreSQL's CSV in blocks of about COPY_BLOCK_BYTES, BOM and header first.

    COPY ends a row with LF and the csv module with CRLF: COPY sends one row per message, so
    each message's last byte is its row's end and becomes CRLF (LFs inside quotes stay).
    """
    yield (BOM + csv.writer(_Echo()).writerow(header)).encode()
    statement = connection.ops.compose_sql(sql, params)
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        block = bytearray()
        for row in copy:
            block += row[:-1]
            block += b"\r\n"
            if len(block) >= COPY_BLOCK_BYTES:
                yield bytes(block)
                block.clear()
        if block:
            yield bytes(block)


def file_name(parts, extension, now=None):
    """'<what>_<when>.<ext>', e.g. '观测值_tap_water_350000_20260123-1015.csv'."""
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    words = [_("observations"), *parts, stamp]
    stem = "_".join(slugify(str(word), allow_unicode=True) for word in words if word)
    return f"{stem}.{extension}"


def attachment(filename):
    """Content-Disposition: an ASCII fallback, and the exact name per RFC 5987 / 6266."""
    fallback = filename.encode("ascii", "ignore").decode().strip("_") or "export"
    if not filename.startswith(fallback):
        fallback = "observations_" + fallback
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def readme_text(filterset, indicators, sources, url, now=None):
    """The README that travels with the data: what, from where, filtered how, and when."""
    now = timezone.localtime(now)
    out = io.StringIO()
    out.write(_("Urban–Rural Equalization Dashboard: data export") + "\n\n")
    out.write(_("Exported at: %(time)s") % {"time": now.isoformat(timespec="seconds")} + "\n")
    out.write(_("Reproduce this view: %(url)s") % {"url": url} + "\n\n")
    out.write(_("Filter used:") + "\n")
    for line in filterset.description() or [_("(none: every value)")]:
        out.write(f"  - {line}\n")
    out.write("\n" + _("Indicators:") + "\n")
    for indicator in indicators:
        out.write(f"\n{indicator.code}: {indicator.name}\n")
        out.write("  " + _("Unit: %(unit)s") % {"unit": indicator.get_unit_display()} + "\n")
        out.write("  " + _("Valid range: %(r)s") % {"r": indicator.valid_range_text} + "\n")
        out.write("  " + _("Direction: %(d)s") % {"d": indicator.get_direction_display()} + "\n")
        if indicator.definition:
            out.write("  " + _("Definition: %(d)s") % {"d": indicator.definition} + "\n")
        if indicator.source:
            out.write("  " + _("Source: %(s)s") % {"s": indicator.source} + "\n")
    out.write("\n" + _("Sources of the values:") + "\n")
    for source in sources:
        out.write(f"  - {source}\n")
    out.write(
        "\n"
        + _(
            "observations.csv is UTF-8 with a byte-order mark. Text cells that begin with "
            "=, +, -, @ or a tab are prefixed with ' so spreadsheets do not run them. "
            "Values marked generated=yes are made up for demos and tests, not published."
        )
        + "\n"
    )
    return out.getvalue()


def build_zip(queryset, readme):
    """A temporary file holding observations.csv (written chunk by chunk) and README.txt."""
    archive = tempfile.TemporaryFile()  # noqa: SIM115 -- the response closes it once sent
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("observations.csv", "w", force_zip64=True) as member:
            for chunk in stream_observations(queryset):
                member.write(chunk)
        zf.writestr("README.txt", BOM + readme)
    archive.seek(0)
    return archive


def indicator_header():
    return [
        _("region code"),
        _("region"),
        _("area"),
        _("year"),
        _("value"),
        _("kind"),
        _("source"),
        _("note"),
        _("generated"),
    ]


class IndicatorRowFormatter(RowFormatter):
    """An indicator's series rows, then its target rows, in `indicator_header()` columns."""

    def __call__(self, row):
        if hasattr(row, "comparison"):  # a Target
            return self.target(row)
        _code, _name, region_code, region, _level, area, year, value, _unit, source, note, gen = row
        return [
            safe_text(region_code),
            safe_text(region),
            safe_text(self.areas.get(area, area)),
            year,
            format_value(value),
            _("observed"),
            safe_text(source),
            safe_text(note),
            self.yes_no[gen],
        ]

    def target(self, target):
        value = target.value if target.parity_share is None else target.parity_share
        return [
            safe_text(target.region_id or ""),
            safe_text(target.region.name if target.region else _("every region")),
            safe_text(self.areas.get(target.area, target.area)),
            target.year,
            format_value(value),
            safe_text(_("target: %(c)s") % {"c": target.get_comparison_display()}),
            safe_text(target.source),
            safe_text(target.wording),
            self.yes_no[False],
        ]


def stream_indicator(indicator, targets):
    """One indicator's observations (streamed) followed by its targets, as CSV text chunks."""
    observations = indicator.observations.for_export().iterator(chunk_size=CHUNK_ROWS)
    rows = itertools.chain(observations, targets)
    return csv_lines(indicator_header(), rows, IndicatorRowFormatter())


def indicator_document(indicator, observations, targets):
    """An indicator as JSON-ready data: definition, series by region and area, targets."""
    series = {}
    for obs in observations:
        key = (obs.region_id, obs.area)
        if key not in series:
            series[key] = {
                "region": {"code": obs.region_id, "name": obs.region.name},
                "area": obs.area,
                "points": [],
            }
        series[key]["points"].append(
            {
                "year": obs.year,
                "value": obs.value,
                "source": obs.source,
                "note": obs.note,
                "generated": obs.is_generated,
            }
        )
    return {
        "indicator": {
            "code": indicator.code,
            "name": indicator.name,
            "name_zh": indicator.name_zh,
            "name_en": indicator.name_en,
            "unit": indicator.unit,
            "domain": indicator.domain,
            "direction": indicator.direction,
            "definition": indicator.definition,
            "source": indicator.source,
            "min_value": indicator.min_value,
            "max_value": indicator.max_value,
            "areas": indicator.areas,
        },
        "series": list(series.values()),
        "targets": [
            {
                "region": target.region_id,
                "area": target.area,
                "year": target.year,
                "base_year": target.base_year,
                "comparison": target.comparison,
                "value": target.value,
                "parity_share": target.parity_share,
                "source": target.source,
                "wording": target.wording,
            }
            for target in targets
        ],
        "has_generated_values": any(
            point["generated"] for s in series.values() for point in s["points"]
        ),
    }
