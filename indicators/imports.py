"""Bulk CSV import of observations: parse, validate, preview, confirm, revert.

One code path for the admin and the `import_csv` command. A preview writes nothing but a
pending ImportBatch holding the rows to write, validated, as CSV, and a fingerprint of the
existing rows they touch. Confirming checks the fingerprint again (refusing if any of those
rows changed), loads the rows into a staging table (COPY on PostgreSQL, one prepared INSERT
on SQLite) and writes observations and their history rows with a few set-based statements,
in one transaction.
"""

import csv
import datetime
import hashlib
import io
import math
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from .models import (
    Area,
    ImportBatch,
    Indicator,
    Observation,
    Region,
    format_value,
    one_version_change,
)

COLUMNS = ["indicator", "region", "area", "year", "value", "source", "note"]
REQUIRED_COLUMNS = ["indicator", "region", "year", "value", "source"]
# Headers a Chinese spreadsheet may carry instead of the codes.
HEADER_ALIASES = {
    "指标": "indicator",
    "指标代码": "indicator",
    "地区": "region",
    "地区代码": "region",
    "区划代码": "region",
    "城乡": "area",
    "区域": "area",
    "年份": "year",
    "年度": "year",
    "数值": "value",
    "值": "value",
    "来源": "source",
    "数据来源": "source",
    "备注": "note",
}
# The data browser's export names each code column beside a name column ("indicator code",
# "indicator"): where a code column is present, the name beside it is read past, so an
# exported file, corrected in a spreadsheet, imports as it is.
CODE_HEADERS = {
    "indicator code": "indicator",
    "indicator_code": "indicator",
    "指标代码": "indicator",
    "region code": "region",
    "region_code": "region",
    "地区代码": "region",
    "区划代码": "region",
}
# Columns the export adds that an import takes from the indicator or region instead.
EXPORT_ONLY_HEADERS = {"level", "unit", "generated", "级别", "单位", "生成数据"}
AREA_ALIASES = {
    "total": Area.TOTAL,
    "合计": Area.TOTAL,
    "全部": Area.TOTAL,
    "总体": Area.TOTAL,
    "urban": Area.URBAN,
    "城镇": Area.URBAN,
    "城市": Area.URBAN,
    "rural": Area.RURAL,
    "农村": Area.RURAL,
    "乡村": Area.RURAL,
}
ENCODINGS = ["utf-8-sig", "gb18030"]
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
YEAR = re.compile(r"\d{4}")
AREAS = tuple(Area.values)
# A pending batch's rows, in ImportBatch.staged_rows: id is the observation a row overwrites,
# empty for a new one.
STAGED_COLUMNS = ["id", "indicator_id", "region_id", "area", "year", "value", "source", "note"]
BATCH_SIZE = 2000
PREVIEW_LIFETIME = datetime.timedelta(days=1)
ERROR, WARNING = "error", "warning"


class StaleImport(Exception):
    """The existing data changed between the preview and the confirmation."""


class RevertConflict(Exception):
    """Rows written by the batch were changed afterwards; reverting would overwrite that."""


@dataclass
class Message:
    row: int
    column: str
    value: str
    text: str
    level: str = ERROR


class Stored(NamedTuple):
    """An observation already in the database, as much of it as an import needs."""

    pk: int
    version: int
    value: float
    source: str
    note: str


@dataclass(slots=True)
class Row:
    line: int
    indicator: Indicator
    region: str
    area: str
    year: int
    value: float
    source: str
    note: str
    action: str = "create"
    existing: Stored | None = None
    key: tuple = field(init=False)

    def __post_init__(self):
        self.key = (self.indicator.id, self.region, self.area, self.year)


@dataclass
class Preview:
    file_name: str
    rows: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    total_rows: int = 0
    fingerprint: str = ""
    scope: dict | None = None

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def errors(self):
        return [m for m in self.messages if m.level == ERROR]

    @property
    def warnings(self):
        return [m for m in self.messages if m.level == WARNING]

    @property
    def rejected(self):
        return len({m.row for m in self.errors if m.row})

    @property
    def can_confirm(self):
        return bool(self.rows) and not self.errors

    def counts(self):
        return {
            "create": self.count("create"),
            "update": self.count("update"),
            "unchanged": self.count("unchanged"),
            "rejected": self.rejected,
        }


def template_csv():
    """The downloadable template: the header and one example row, UTF-8 with BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow(
        ["tap_water_penetration", "350000", "rural", "2023", "95.1", "福建省统计年鉴 2024", ""]
    )
    return "\ufeff" + buffer.getvalue()


def decode(raw):
    """The file's text, from the encodings spreadsheets in China save CSV in."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def normalize(text):
    """Full-width digits, letters and punctuation (NFKC) to their ASCII forms, trimmed."""
    if text.isascii():  # NFKC leaves ASCII as it is: skip the work for most cells
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


def parse_number(text):
    """A float from a cell, or ValueError with the reason in the user's language."""
    if PLAIN_NUMBER.match(text):  # the common case, such as 95.1: nothing to clean
        number = float(text)
    else:
        cleaned = normalize(text).replace(" ", "")
        if THOUSANDS.match(cleaned):
            cleaned = cleaned.replace(",", "")
        if "," in cleaned:
            raise ValueError(
                _("use a point for decimals and commas only between groups of three digits")
            )
        if not PLAIN_NUMBER.match(cleaned):
            raise ValueError(_("a number is expected, such as 95.1 or 12,345"))
        number = float(cleaned)
    if math.isinf(number):
        raise ValueError(_("the number is too large"))
    return number


def parse_year(text):
    cleaned = normalize(text)
    if not YEAR.fullmatch(cleaned):
        raise ValueError(_("a four-digit year is expected, such as 2023"))
    return int(cleaned)


def read_table(text):
    """(header, data rows with their line numbers): comma or tab separated."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    # A row of empty cells is skipped; line numbers count the lines a quoted cell spans.
    rows = [(reader.line_num, cells) for cells in reader if "".join(cells).strip()]
    return header, rows


def map_header(header):
    """{column: index}, or file-level messages naming what is wrong with the header."""
    columns, messages = {}, []
    keys = [normalize(name).lower() for name in header]
    coded = {CODE_HEADERS[key] for key in keys if key in CODE_HEADERS}
    for index, (name, key) in enumerate(zip(header, keys, strict=True)):
        if key in CODE_HEADERS:
            key = CODE_HEADERS[key]
        elif key in EXPORT_ONLY_HEADERS or HEADER_ALIASES.get(key, key) in coded:
            continue
        else:
            key = HEADER_ALIASES.get(key, key)
        if key in COLUMNS and key not in columns:
            columns[key] = index
        elif key:
            messages.append(
                Message(
                    1,
                    name,
                    name,
                    _("Unknown or repeated column %(name)s; the columns are: %(columns)s.")
                    % {"name": name, "columns": ", ".join(COLUMNS)},
                )
            )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        messages.append(
            Message(
                1,
                "",
                "",
                _(
                    "Missing column(s): %(missing)s. The first row must name the columns: "
                    "%(columns)s."
                )
                % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)},
            )
        )
    return columns, messages


def preview(raw, file_name, user):
    """Parse and validate an uploaded file; write nothing. Returns a Preview."""
    result = Preview(file_name=file_name)
    text = decode(raw)
    if text is None:
        result.messages.append(
            Message(
                0,
                "",
                "",
                _(
                    "The file is neither UTF-8 nor GB18030/GBK text. Save it from the "
                    "spreadsheet as CSV (UTF-8) and upload it again."
                ),
            )
        )
        return result
    try:
        header, table = read_table(text)
    except csv.Error as error:
        result.messages.append(
            Message(0, "", "", _("The file is not valid CSV: %(error)s.") % {"error": error})
        )
        return result
    if not header:
        result.messages.append(Message(0, "", "", _("The file is empty.")))
        return result
    result.total_rows = len(table)
    if len(table) > settings.IMPORT_MAX_ROWS:
        result.messages.append(
            Message(
                0,
                "",
                "",
                _(
                    "The file has %(rows)s rows; at most %(limit)s rows can be imported at once. "
                    "Split it into smaller files."
                )
                % {"rows": len(table), "limit": settings.IMPORT_MAX_ROWS},
            )
        )
        return result
    columns, header_messages = map_header(header)
    if header_messages:
        result.messages.extend(header_messages)
        return result
    if not table:
        result.messages.append(Message(0, "", "", _("The file has a header but no rows.")))
        return result

    parser = RowParser(header, columns)
    editable = set(Region.objects.editable_by(user).values_list("code", flat=True))
    header_names = parser.names
    seen = {}
    for line, cells in table:
        row, messages = parser.parse(line, cells)
        if row is not None:
            if row.region not in editable:
                messages.append(
                    Message(
                        line,
                        header_names["region"],
                        row.region,
                        _(
                            "You may enter data only for your own regions; %(region)s is not one "
                            "of them."
                        )
                        % {"region": row.region},
                    )
                )
            elif row.key in seen:
                messages.append(
                    Message(
                        line,
                        header_names["year"],
                        str(row.year),
                        _(
                            "This indicator, region, area and year already appear on row "
                            "%(first)s of the file; keep one of the two rows."
                        )
                        % {"first": seen[row.key]},
                    )
                )
            else:
                seen[row.key] = line
                result.rows.append(row)
        result.messages.extend(messages)

    existing, result.scope = load_existing(result.rows)
    result.fingerprint = fingerprint((stored.pk, stored.version) for stored in existing.values())
    classify(result.rows, existing)
    result.messages.extend(warn(result.rows, existing, header_names))
    result.messages.sort(key=lambda m: (m.row, m.level != ERROR))
    return result


class Remembered(dict):
    """A dictionary that works a missing key's value out with `work(key)` and keeps it."""

    def __init__(self, work):
        super().__init__()
        self.work = work

    def __missing__(self, key):
        self[key] = value = self.work(key)
        return value


class RowParser:
    """Parses and checks the data rows of one file.

    What depends only on a cell's text, or on an indicator with an area and a year, is worked
    out once per distinct text and remembered: a file of 100,000 rows has a few thousand
    distinct regions, areas and years, and every value is still checked on its own."""

    def __init__(self, header, columns):
        self.width = len(header)
        # The cells of COLUMNS from a row padded with empty cells: a column the file lacks is
        # the last padding cell, and so is a cell past the end of a short row.
        self.cells_of = operator.itemgetter(*(columns.get(column, -1) for column in COLUMNS))
        self.padding = [""] * (self.width + 1)
        self.names = {column: header[index] for column, index in columns.items()}
        self.last_year = timezone.now().year
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.region_of = Remembered(self.region)
        self.area_of = Remembered(self.area)
        self.year_of = Remembered(self.year)
        self.cell_errors_of = Remembered(self.cell_errors)

    def region(self, text):
        """(code, error text or None)."""
        code = normalize(text)
        if code and code not in self.regions:
            return code, _(
                "Unknown region code %(code)s; a region is its six-digit GB/T 2260 code."
            ) % {"code": text}
        return code, None

    @staticmethod
    def area(text):
        """(area or None when the cell is empty, error text or None)."""
        raw = normalize(text).lower()
        if raw and raw not in AREA_ALIASES:
            return None, _("Unknown area %(area)s; use total, urban or rural.") % {"area": text}
        return AREA_ALIASES.get(raw), None

    @staticmethod
    def year(text):
        """(year, error text or None)."""
        try:
            return parse_year(text), None
        except ValueError as error:
            return None, str(error)

    def cell_errors(self, cell):
        """The model's checks of a cell but its value (Observation.cell_errors)."""
        code, area, year = cell
        return Observation.cell_errors(
            self.indicators[code], area, year, None, last_year=self.last_year
        )

    def parse(self, line, cells):
        """(Row or None, messages) for one line of the file."""
        messages = []
        found = len(cells)
        texts = [text.strip() for text in self.cells_of(cells + self.padding)]
        code, region_text, area_text, year_text, value_text, source, note = texts

        def refuse(column, value, text):
            messages.append(Message(line, self.names.get(column, column), value, text))

        if found > self.width and any(c.strip() for c in cells[self.width :]):
            refuse(
                "",
                "",
                _("This row has %(found)s cells but the header names %(expected)s columns.")
                % {"found": found, "expected": self.width},
            )
        if not (code and region_text and year_text and value_text and source):
            given = dict(zip(COLUMNS, texts, strict=True))
            for column in REQUIRED_COLUMNS:
                if not given[column]:
                    refuse(column, "", _("This cell is empty; it is required."))
        indicator = self.indicators.get(code)
        if code and indicator is None:
            refuse(
                "indicator",
                code,
                _(
                    "Unknown indicator code %(code)s; see the indicator list in the admin for "
                    "the codes."
                )
                % {"code": code},
            )
        region, error = self.region_of[region_text]
        if error:
            refuse("region", region_text, error)
        area, error = self.area_of[area_text]
        if error:
            refuse("area", area_text, error)
        elif area is None and indicator is not None:
            if len(indicator.allowed_areas) == 1:
                area = indicator.allowed_areas[0]
            else:
                refuse(
                    "area", "", _("This indicator is split by area: enter total, urban or rural.")
                )
        year = value = None
        if year_text:
            year, error = self.year_of[year_text]
            if error:
                refuse("year", year_text, error)
        if value_text:
            try:
                value = parse_number(value_text)
            except ValueError as error:
                refuse("value", value_text, str(error))
        if messages:
            return None, messages

        errors = self.cell_errors_of[code, area, year]
        try:
            indicator.check_value(value)
        except ValidationError as error:
            errors = {**errors, "value": error}
        if errors:
            given = dict(zip(COLUMNS, texts, strict=True))
            for column in ("year", "value", "area"):  # as Observation.cell_errors names them
                for text in errors[column].messages if column in errors else ():
                    refuse(column, given[column], text)
            return None, messages
        return Row(line, indicator, region, area, year, value, source, note), messages


def load_existing(rows):
    """({key: Stored} for the rows' cells and the year before each, scope): one query.

    The scope (indicators, years, regions) is what the fingerprint covers; the batch keeps it
    so the confirmation can check the same rows again without the file."""
    if not rows:
        return {}, None
    years = [row.year for row in rows]
    regions = sorted({row.region for row in rows})
    scope = {
        "indicators": sorted({row.key[0] for row in rows}),
        "years": [min(years) - 1, max(years)],
        # Past a few hundred regions the IN list costs more than the rows it leaves out.
        "regions": regions if len(regions) <= 500 else None,
    }
    stored = in_scope(scope).values_list(
        "indicator_id", "region_id", "area", "year", "pk", "version", "value", "source", "note"
    )
    return {(i, r, a, y): Stored(*rest) for i, r, a, y, *rest in stored}, scope


def in_scope(scope):
    queryset = Observation.objects.filter(
        indicator_id__in=scope["indicators"],
        year__gte=scope["years"][0],
        year__lte=scope["years"][1],
    )
    if scope["regions"] is not None:
        queryset = queryset.filter(region_id__in=scope["regions"])
    return queryset


def fingerprint(versions):
    """A digest of (pk, version) pairs: it changes when any of those rows changes."""
    digest = hashlib.sha256()
    for pk, version in sorted(versions):
        digest.update(f"{pk}:{version};".encode())
    return digest.hexdigest()


def classify(rows, existing):
    for row in rows:
        row.existing = existing.get(row.key)
        if row.existing is None:
            row.action = "create"
        elif (row.existing.value, row.existing.source, row.existing.note) == (
            row.value,
            row.source,
            row.note,
        ):
            row.action = "unchanged"
        else:
            row.action = "update"


def warn(rows, existing, names):
    """Warnings: overwriting a value, a jump from the previous year, a total outside its parts."""
    messages = []
    in_file = {row.key: row.value for row in rows}

    def value_at(key):
        if key in in_file:
            return in_file[key]
        obs = existing.get(key)
        return None if obs is None else obs.value

    def warning(row, text):
        messages.append(Message(row.line, names["value"], format_value(row.value), text, WARNING))

    triples_checked = set()
    for row in rows:
        indicator, value = row.indicator, row.value
        indicator_id, region, area, year = row.key
        if row.action == "update" and row.existing.value != value:
            warning(
                row,
                _("Overwrites the stored value %(old)s with %(new)s.")
                % {"old": format_value(row.existing.value), "new": format_value(value)},
            )
        limit = indicator.max_yearly_change
        previous = None if limit is None else value_at((indicator_id, region, area, year - 1))
        if previous is not None and abs(value - previous) > limit:
            warning(
                row,
                _(
                    "Changes by %(change)s from %(previous)s in %(year)s; changes larger than "
                    "%(limit)s %(unit)s a year are unusual for this indicator."
                )
                % {
                    "change": format_value(round(value - previous, 6)),
                    "previous": format_value(previous),
                    "year": year - 1,
                    "limit": format_value(limit),
                    "unit": indicator.get_unit_display(),
                },
            )
        triple = (indicator_id, region, year)
        if (
            indicator.unit == Indicator.Unit.PERCENT
            and indicator.split_by_area
            and triple not in triples_checked
        ):
            triples_checked.add(triple)
            total, urban, rural = (value_at((indicator_id, region, a, year)) for a in AREAS)
            if None not in (total, urban, rural) and not (
                min(urban, rural) <= total <= max(urban, rural)
            ):
                warning(
                    row,
                    _(
                        "In %(year)s the total (%(total)s) is not between the urban "
                        "(%(urban)s) and rural (%(rural)s) values; a rate's total normally "
                        "lies between them."
                    )
                    % {
                        "year": year,
                        "total": format_value(total),
                        "urban": format_value(urban),
                        "rural": format_value(rural),
                    },
                )
    return messages


def save_pending(result, user):
    """Keep a confirmable preview as a pending ImportBatch; returns the batch.

    Previews left pending for longer than PREVIEW_LIFETIME are discarded on the way: their
    rows take room, and the data they were checked against has likely moved on."""
    ImportBatch.objects.filter(
        status=ImportBatch.Status.PENDING, created_at__lt=timezone.now() - PREVIEW_LIFETIME
    ).update(status=ImportBatch.Status.DISCARDED, payload={}, staged_rows="")
    counts = result.counts()
    staged = io.StringIO()
    csv.writer(staged, lineterminator="\n").writerows(
        (
            "" if row.existing is None else row.existing.pk,
            row.indicator.pk, row.region, row.area, row.year, row.value, row.source, row.note,
        )
        for row in result.rows
        if row.action != "unchanged"
    )  # fmt: skip
    return ImportBatch.objects.create(
        user=user,
        file_name=result.file_name[:255],
        rows_total=result.total_rows,
        created_count=counts["create"],
        updated_count=counts["update"],
        unchanged_count=counts["unchanged"],
        warning_count=len(result.warnings),
        payload={"fingerprint": result.fingerprint, "scope": result.scope},
        staged_rows=staged.getvalue(),
    )


def confirm(batch, user):
    """Write a pending batch in one transaction. Raises StaleImport if the data moved since
    the preview; the batch is then discarded and a new preview is needed."""
    try:
        return write(batch, user)
    except StaleImport:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PENDING).update(
            status=ImportBatch.Status.DISCARDED, payload={}, staged_rows=""
        )
        raise


@transaction.atomic
def write(batch, user):
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PENDING:
        raise StaleImport
    scope = batch.payload["scope"]
    versions = in_scope(scope).values_list("pk", "version") if scope else []
    if fingerprint(versions) != batch.payload["fingerprint"]:
        raise StaleImport
    now = timezone.now()
    reason = (_("CSV import %(file)s") % {"file": batch.file_name})[:100]
    params = {
        "now": connection.ops.adapt_datetimefield_value(now),
        "reason": reason,
        "user": user.pk,
        "batch": batch.pk,
    }
    with connection.cursor() as cursor, one_version_change(Observation._meta.db_table):
        stage(cursor, batch.staged_rows)
        # What revert() restores: the values overwritten, and the version the update gives.
        cursor.execute(
            "SELECT o.id, o.value, o.source, o.note, o.version + 1 FROM indicators_observation o "
            "JOIN import_rows s ON s.id = o.id ORDER BY o.id"
        )
        previous = [list(row) for row in cursor.fetchall()]
        created = insert_new(cursor, params)
        if previous:
            update_changed(cursor, params)
        cursor.execute("DROP TABLE import_rows")
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = now
    batch.created_count, batch.updated_count = len(created), len(previous)
    batch.payload = {"created": created, "updated": previous}
    batch.staged_rows = ""
    batch.save()
    return batch


def stage(cursor, staged_rows):
    """The batch's rows in a temporary table, import_rows: COPY on PostgreSQL, one prepared
    INSERT for every row on SQLite."""
    postgresql = connection.vendor == "postgresql"
    cursor.execute(
        "CREATE TEMP TABLE import_rows (id bigint, indicator_id bigint, region_id text, "
        "area text, year smallint, value float8, source text, note text)"
        + (" ON COMMIT DROP" if postgresql else "")
    )
    if postgresql:
        # An empty id is NULL (a new row); empty sources and notes stay empty strings.
        with cursor.copy(
            f"COPY import_rows ({', '.join(STAGED_COLUMNS)}) FROM STDIN "
            "(FORMAT csv, FORCE_NOT_NULL (source, note))"
        ) as copy:
            copy.write(staged_rows)
    else:
        cursor.executemany(
            "INSERT INTO import_rows VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (
                (int(pk) if pk else None, int(indicator), region, area, int(year), float(value),
                 source, note)
                for pk, indicator, region, area, year, value, source, note in csv.reader(
                    io.StringIO(staged_rows, newline="")
                )
            ),
        )  # fmt: skip


# Columns of a historical row copied from the observation (every tracked field).
TRACKED = [
    f.column
    for f in Observation.history.model._meta.concrete_fields
    if not f.column.startswith("history_") and f.column != "import_batch_id"
]


def history_insert(source, kind):
    """INSERT … SELECT of one historical row per row of `source` (observations)."""
    tracked = ", ".join(TRACKED)
    return (
        f"INSERT INTO {Observation.history.model._meta.db_table} ({tracked}, history_date, "
        "history_change_reason, history_type, history_user_id, import_batch_id) "
        f"SELECT {tracked}, %(now)s, %(reason)s, '{kind}', %(user)s, %(batch)s FROM {source}"
    )


NEW_OBSERVATIONS = (
    "INSERT INTO indicators_observation (indicator_id, region_id, area, year, value, source, "
    "note, is_generated, updated_at, entered_by_id, version) SELECT indicator_id, region_id, "
    "area, year, value, source, note, false, %(now)s, %(user)s, 1 FROM import_rows "
    "WHERE id IS NULL"
)


def insert_new(cursor, params):
    """Insert the staged new rows and their '+' history rows; returns the new ids."""
    if connection.vendor == "postgresql":
        cursor.execute(
            f"WITH ins AS ({NEW_OBSERVATIONS} RETURNING *), "
            f"hist AS ({history_insert('ins', '+')}) SELECT id FROM ins ORDER BY id",
            params,
        )
        return [pk for (pk,) in cursor.fetchall()]
    # SQLite gives a new row the largest rowid plus one, and the transaction holds the write
    # lock (IMMEDIATE): the new rows are those above the largest id before the insert.
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM indicators_observation")
    (last,) = cursor.fetchone()
    cursor.execute(NEW_OBSERVATIONS, params)
    new = f"(SELECT * FROM indicators_observation WHERE id > {int(last)}) AS new"
    cursor.execute(history_insert(new, "+"), params)
    cursor.execute("SELECT id FROM indicators_observation WHERE id > %s ORDER BY id", [last])
    return [pk for (pk,) in cursor.fetchall()]


def update_changed(cursor, params):
    """Overwrite the staged existing rows, then add their '~' history rows."""
    cursor.execute(
        "UPDATE indicators_observation SET value = s.value, source = s.source, note = s.note, "
        "version = indicators_observation.version + 1, entered_by_id = %(user)s, "
        "updated_at = %(now)s FROM import_rows s WHERE indicators_observation.id = s.id",
        params,
    )
    changed = (
        "(SELECT o.* FROM indicators_observation o JOIN import_rows s ON s.id = o.id) AS changed"
    )
    cursor.execute(history_insert(changed, "~"), params)


def chunks(items, size=BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch(ids):
    found = {}
    for chunk in chunks(ids):
        found.update(Observation.objects.in_bulk(chunk))
    return found


@transaction.atomic
def revert(batch, user):
    """Undo an applied batch exactly: delete what it created, restore what it overwrote.

    Refuses (RevertConflict) if any of those rows was changed after the import."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.APPLIED:
        raise RevertConflict(_("Only an applied import can be reverted."))
    created_ids = batch.payload.get("created", [])
    previous = batch.payload.get("updated", [])
    created = fetch(created_ids)
    updated = fetch([item[0] for item in previous])
    moved = sum(1 for pk in created_ids if pk not in created or created[pk].version != 1)
    moved += sum(1 for pk, *_rest, v in previous if pk not in updated or updated[pk].version != v)
    if moved:
        raise RevertConflict(
            _(
                "%(count)s of the rows this import wrote were changed or deleted afterwards; "
                "reverting would overwrite those changes. Correct them by hand instead."
            )
            % {"count": moved}
        )
    now = timezone.now()
    reason = (_("Revert of CSV import %(file)s") % {"file": batch.file_name})[:100]
    restored = []
    for pk, value, source, note, version in previous:
        obs = updated[pk]
        obs.value, obs.source, obs.note, obs.version = value, source, note, version + 1
        obs.entered_by, obs.updated_at = user, now
        restored.append(obs)
    bulk_update_with_history(
        restored,
        Observation,
        ["value", "source", "note", "version", "entered_by", "updated_at"],
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=reason,
        default_date=now,
        custom_historical_attrs={"import_batch": batch},
    )
    for obs in created.values():
        # One by one, so each deletion gets its history row (with user, reason and batch).
        obs._history_user, obs._change_reason, obs._import_batch = user, reason, batch
        obs.delete()
    batch.status = ImportBatch.Status.REVERTED
    batch.reverted_at, batch.reverted_by = now, user
    batch.save()
    return batch
