import secrets
from contextlib import contextmanager
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, connections, models, transaction
from django.db.models.functions import Coalesce, Length, NullIf
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

COUNTRY_CODE = "100000"
FIRST_YEAR = 1949
LAST_STORABLE_YEAR = 2100

# Lets the database check a code's length: Q(code__length=6).
models.CharField.register_lookup(Length)


def in_english():
    return (get_language() or "").startswith("en")


def localized(obj, field):
    """The zh or en variant of `field` for the active language, falling back to the other."""
    zh, en = getattr(obj, f"{field}_zh"), getattr(obj, f"{field}_en")
    return (en or zh) if in_english() else (zh or en)


def localized_expression(field):
    """The database side of `localized`: `field`_en or `field`_zh, falling back to the other."""
    zh, en = f"{field}_zh", f"{field}_en"
    if in_english():
        return Coalesce(NullIf(en, models.Value("")), zh)
    return Coalesce(NullIf(zh, models.Value("")), en)


class Area(models.TextChoices):
    TOTAL = "total", _("Total")
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class Level(models.TextChoices):
    COUNTRY = "country", _("Country")
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")


class Domain(models.TextChoices):
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    SOCIAL_SECURITY = "social_security", _("Social security")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    DIGITAL = "digital", _("Digital")
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")
    CARE_SERVICES = "care_services", _("Care services")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")
    NEUTRAL = "neutral", _("Neutral (context)")


class Unit(models.TextChoices):
    PERCENT = "%", "%"
    COUNT = "count", _("count")
    TEN_THOUSAND_PERSONS = "10k persons", _("10k persons")
    PER_1000_POPULATION = "per 1000 population", _("per 1000 population")
    PER_1000_LIVE_BIRTHS = "per 1000 live births", _("per 1000 live births")
    PER_100000_LIVE_BIRTHS = "per 100000 live births", _("per 100000 live births")
    YEARS = "years", _("years")
    YUAN_PER_PERSON_MONTH = "yuan/person/month", _("yuan/person/month")
    YUAN_PER_PERSON_YEAR = "yuan/person/year", _("yuan/person/year")
    PLACES_PER_1000_POPULATION = "places per 1000 population", _("places per 1000 population")


class AreaScope(models.TextChoices):
    TOTAL = "total", _("Whole population only")
    SPLIT = "split", _("Split urban / rural")
    RURAL = "rural", _("Rural only")
    URBAN = "urban", _("Urban only")


class Comparison(models.TextChoices):
    MINIMUM = "minimum", _("at least (≥)")
    MAXIMUM = "maximum", _("at most (≤)")
    EXACT = "exact", _("about (=)")
    QUALITATIVE = "qualitative", _("qualitative (words only)")
    PARITY = "parity", _("parity: rural reaches a share of urban")


class RegionQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def within(self, region):
        """The region and every region below it: GB/T 2260 codes share the parent's prefix."""
        return self.filter(code__startswith=region.prefix)

    def children_of(self, region):
        return self.filter(parent=region).order_by("code")

    def for_picker(self, selected=None):
        """The country and the provinces, plus the selected region wherever it lies."""
        shown = models.Q(level__in=[Level.COUNTRY, Level.PROVINCE])
        if selected is not None:
            shown |= models.Q(code=selected.code)
        return self.filter(shown).order_by("code")

    def editable_by(self, user):
        """The regions `user` may enter data for: all for an administrator, else the regions
        assigned to them and every region below those (one query for the assignments)."""
        if user.has_perm("indicators.edit_any_region"):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(prefix_q("code", editor_prefixes(user)))


class Region(models.Model):
    Level = Level

    code = models.CharField(
        _("code"),
        max_length=6,
        primary_key=True,
        validators=[RegexValidator(r"^\d{6}$", _("A region code is six digits (GB/T 2260)."))],
        help_text=_("GB/T 2260 administrative division code; 100000 is the whole country."),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values),
                name="region_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(code__length=6), name="region_code_six_digits"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def natural_key(self):
        return (self.code,)

    @property
    def name(self):
        return localized(self, "name")

    @property
    def prefix(self):
        """The code prefix every region below this one shares (country: empty)."""
        if self.level == self.Level.COUNTRY:
            return ""
        if self.level == self.Level.PROVINCE:
            return self.code[:2]
        if self.level == self.Level.PREFECTURE:
            return self.code[:4]
        return self.code

    @property
    def is_country(self):
        return self.code == COUNTRY_CODE


def editor_prefixes(user):
    """The code prefixes of the regions assigned to `user`."""
    assigned = Region.objects.filter(assignments__user=user)
    return [region.prefix for region in assigned]


def prefix_q(field, prefixes):
    """Matches codes under any of `prefixes`; matches nothing when there are none."""
    if not prefixes:
        return models.Q(pk__in=[])
    condition = models.Q()
    for prefix in prefixes:
        condition |= models.Q(**{f"{field}__startswith": prefix})
    return condition


class EditorAssignment(models.Model):
    """An editor may enter data for this region and every region below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="region_assignments",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="assignments"
    )

    class Meta:
        verbose_name = _("region assignment")
        verbose_name_plural = _("region assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="one_assignment_per_region")
        ]

    def __str__(self):
        return f"{self.user} → {self.region}"


class IndicatorQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def headline(self):
        return self.filter(is_headline=True)


class Indicator(models.Model):
    Domain = Domain
    Direction = Direction
    Unit = Unit
    Areas = AreaScope

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, choices=Unit)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction)
    definition_zh = models.TextField(_("definition (Chinese)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    source = models.TextField(_("source"), blank=True)
    min_value = models.FloatField(_("lowest valid value"), null=True, blank=True)
    max_value = models.FloatField(_("highest valid value"), null=True, blank=True)
    areas = models.CharField(
        _("areas reported"),
        max_length=10,
        choices=AreaScope,
        default=AreaScope.TOTAL,
        help_text=_("Which of total, urban and rural this indicator is published for."),
    )
    max_yearly_change = models.FloatField(
        _("largest plausible yearly change"),
        null=True,
        blank=True,
        help_text=_(
            "In the indicator's unit. A value that moves more than this from the previous year "
            "is shown as a warning before it is saved. Empty: no check."
        ),
    )
    is_headline = models.BooleanField(_("headline"), default=False)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_value__isnull=True)
                | models.Q(max_value__isnull=True)
                | models.Q(min_value__lte=models.F("max_value")),
                name="indicator_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=Direction.values),
                name="indicator_direction_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(areas__in=AreaScope.values),
                name="indicator_areas_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    @property
    def name(self):
        return localized(self, "name")

    @property
    def definition(self):
        return localized(self, "definition")

    @property
    def lead_area(self):
        """The area a single-area view shows first: rural where urban and rural are split."""
        return Area.RURAL if self.areas == AreaScope.SPLIT else self.areas

    @property
    def split_by_area(self):
        return self.areas == self.Areas.SPLIT

    @property
    def allowed_areas(self):
        if self.areas == self.Areas.SPLIT:
            return [Area.TOTAL, Area.URBAN, Area.RURAL]
        return [Area(self.areas)]

    @property
    def valid_range_text(self):
        low = "−∞" if self.min_value is None else format_value(self.min_value)
        high = "+∞" if self.max_value is None else format_value(self.max_value)
        return f"{low} – {high}"

    def check_value(self, value):
        """Raise ValidationError unless `value` lies in this indicator's valid range."""
        too_low = self.min_value is not None and value < self.min_value
        too_high = self.max_value is not None and value > self.max_value
        if too_low or too_high:
            raise ValidationError(
                _("%(value)s is outside the valid range of %(indicator)s (%(range)s %(unit)s)."),
                code="out_of_range",
                params={
                    "value": format_value(value),
                    "indicator": self.name,
                    "range": self.valid_range_text,
                    "unit": self.get_unit_display(),
                },
            )


def format_value(value):
    """A number as published: no trailing '.0', no float noise."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class Reading(NamedTuple):
    """An observation as summaries, charts and pages read it (see for_summaries)."""

    indicator_id: int
    region_id: str
    area: str
    year: int
    value: float
    source: str
    is_generated: bool

    @property
    def display_value(self):
        return format_value(self.value)

    def get_area_display(self):
        return Area(self.area).label


def pk_in_any(querysets, using):
    """A condition matching the rows of any of `querysets` (each sliced): one subquery, a
    UNION ALL, where the database allows a slice inside one (on PostgreSQL an OR of
    subqueries scans the whole table), else an OR of subqueries."""
    if len(querysets) <= 1:
        return models.Q(pk__in=querysets[0] if querysets else [])
    if connections[using].features.supports_slicing_ordering_in_compound:
        return models.Q(pk__in=querysets[0].union(*querysets[1:], all=True))
    condition = models.Q()
    for queryset in querysets:
        condition |= models.Q(pk__in=queryset)
    return condition


class ObservationQuerySet(models.QuerySet):
    def get_by_natural_key(self, indicator_code, region_code, area, year):
        return self.get(indicator__code=indicator_code, region_id=region_code, area=area, year=year)

    def for_region(self, region):
        return self.filter(region=region)

    def below_or_beside(self, region):
        """Rows of the regions directly below `region` and of those beside it, not its own.

        The regions are chosen first (a few dozen), so an indicator's rows are read for those
        from the (indicator, region, area, year) index: filtering through the join made
        SQLite read every row of the indicator."""
        near = Region.objects.filter(
            models.Q(parent=region.code) | models.Q(parent=region.parent_id)
        ).exclude(code=region.code)
        return self.filter(region__in=near)

    def reported_cells(self):
        """{(parent region code, area, year)} that these rows cover: one query, and a few
        dozen rows however many regions there are."""
        cells = self.order_by().values_list("region__parent_id", "area", "year").distinct()
        return set(cells)

    def beside_country(self, region):
        """The region's observations and the country's, to show side by side: one query."""
        return self.filter(region__in={region.code, COUNTRY_CODE})

    def within(self, region):
        return self.filter(region__code__startswith=region.prefix)

    def for_summaries(self):
        """[Reading] with only the columns summaries, charts and tables read: oldest first, and
        areas in the same order within a year (the order a summary's series come in).

        Tuples, not model instances: making an instance of each of a province's 1,200 rows
        (with the country's) cost three times the query."""
        rows = self.order_by("year", "area").values_list(*Reading._fields)
        return [Reading(*row) for row in rows]

    def editable_by(self, user):
        if user.has_perm("indicators.edit_any_region"):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(prefix_q("region__code", editor_prefixes(user)))

    def series(self):
        """Oldest first, ready to group by indicator and area."""
        return self.order_by("indicator_id", "area", "year")

    def for_browser(self):
        """Rows for the data browser: the indicator and region come in the same query."""
        return self.select_related("indicator", "region")

    def rows_per_indicator(self, indicator_ids):
        """[(indicator id, rows)] for those of `indicator_ids` that have rows, in that order.

        One query that reads an index, not the rows, and in parallel on PostgreSQL: it costs
        what count() does. (Ordering it by the indicators' display order in SQL made it
        three times slower.) With slice_in_display_order it lets a page of the default
        order be read without sorting every row."""
        grouped = self.order_by().values_list("indicator_id").annotate(rows=models.Count("*"))
        rows = dict(grouped)
        return [(pk, rows[pk]) for pk in indicator_ids if pk in rows]

    def slice_in_display_order(self, rows_per_indicator, start, stop):
        """Rows start to stop of these rows in the default order (indicator display order,
        region, area, year), from `rows_per_indicator()`: a page falls in one indicator, or
        two, and is read from each with the (indicator, region, area, year) index instead of
        sorting every row. Only the page's own rows are then sorted, by the default order."""
        parts = []
        before = 0
        for indicator_id, rows in rows_per_indicator:
            first, last = max(start - before, 0), min(stop - before, rows)
            if first < last:
                within = self.filter(indicator_id=indicator_id).order_by(
                    "region_id", "area", "year"
                )
                parts.append(within.values("pk")[first:last])
            before += rows
        page = self.model.objects.using(self.db).filter(pk_in_any(parts, self.db))
        related = self.query.select_related
        return page.select_related(*related) if related else page

    def series_by_region(self):
        """Each region's series, area by area, oldest first, with the region in the same query."""
        return self.select_related("region").order_by("region", "area", "year")

    def for_export(self):
        """Export rows as tuples in EXPORT_FIELDS order; names in the active language.

        Tuples rather than model instances so a large export streams in constant memory.
        """
        return self.values_list(
            "indicator__code",
            localized_expression("indicator__name"),
            "region_id",
            localized_expression("region__name"),
            "region__level",
            "area",
            "year",
            "value",
            "indicator__unit",
            "source",
            "note",
            "is_generated",
        ).order_by(*Observation._meta.ordering)

    def latest_by_indicator_and_area(self):
        """{(indicator_id, area): the latest observation}, from one query."""
        latest = {}
        for obs in self.order_by("indicator_id", "area", "year"):
            latest[(obs.indicator_id, obs.area)] = obs
        return latest


class StaleVersion(Exception):
    """Someone saved the row after this copy of it was read."""


class BatchHistory(models.Model):
    """Extra column on historical rows: the import batch that made the change, if any.

    Like simple-history's own links from a historical row (to the indicator, the region, the
    user: user_db_constraint=False below), no foreign key constraint in the database: a
    history row is a record of what was, written once, and the constraint's check on every
    one of an import's history rows cost more than writing them. Django still sets the link
    to NULL when a batch is deleted."""

    import_batch = models.ForeignKey(
        "indicators.ImportBatch",
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        abstract = True


class Observation(models.Model):
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="observations",
        # one_value_per_cell starts with the indicator: a second index would only slow writes.
        db_index=False,
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="observations"
    )
    area = models.CharField(_("area"), max_length=5, choices=Area, default=Area.TOTAL)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"))
    source = models.TextField(_("source"))
    note = models.TextField(_("note"), blank=True)
    is_generated = models.BooleanField(
        _("generated"),
        default=False,
        help_text=_("Made by the generate_data command for demos and benchmarks, not published."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        # Also in the database, so bulk loaders (COPY, INSERT … SELECT) may leave it out.
        db_default=1,
        help_text=_("Goes up by one on every change; a save based on an older version is refused."),
    )

    objects = ObservationQuerySet.as_manager()
    # No history query looks rows up by region or by who entered the value (the log searches
    # region codes with icontains, which no index serves): every index here is paid for by
    # every import, once per history row.
    history = HistoricalRecords(
        bases=[BatchHistory],
        excluded_fields=["updated_at"],
        no_db_index=["region", "entered_by"],
        user_db_constraint=False,
    )

    class Meta:
        ordering = ["indicator", "region", "area", "year"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        permissions = [("edit_any_region", _("Can enter data for every region"))]
        constraints = [
            # Also the index for an indicator's series in one region (indicator page).
            models.UniqueConstraint(
                fields=["indicator", "region", "area", "year"], name="one_value_per_cell"
            ),
            models.CheckConstraint(
                condition=models.Q(area__in=Area.values),
                name="observation_area_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=LAST_STORABLE_YEAR),
                name="observation_year_range",
            ),
        ]
        indexes = [
            # Region scorecard and overview: every indicator of one region.
            models.Index(fields=["region", "indicator", "area", "year"], name="obs_region_idx"),
            # Region comparison: one indicator, one area, one year, every region.
            models.Index(fields=["indicator", "area", "year"], name="obs_indicator_year_idx"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.region_id} {self.area} {self.year}: {self.value}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.indicator.code, self.region_id, self.area, self.year)

    natural_key.dependencies = ["indicators.indicator", "indicators.region"]

    @property
    def display_value(self):
        return format_value(self.value)

    def save_if_version(self, expected_version):
        """Save unless someone else saved the row since `expected_version` was read.

        The conditional UPDATE takes the row lock, so of two editors saving at the same
        moment the second finds the version moved and gets StaleVersion, never a silent
        overwrite."""
        claimed = Observation.objects.filter(pk=self.pk, version=expected_version).update(
            version=models.F("version")
        )
        if not claimed:
            raise StaleVersion
        self.version = expected_version
        self.save()

    def clean(self):
        indicator = self.indicator if self.indicator_id is not None else None
        errors = self.cell_errors(indicator, self.area, self.year, self.value)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def cell_errors(indicator, area, year, value, *, last_year=None):
        """{field: ValidationError} for a cell's year, value and area (clean() without an
        instance, so a large import checks its rows without building model objects). The
        latest valid year is this year; an import reads the clock once and passes it."""
        errors = {}
        if last_year is None:
            last_year = timezone.now().year
        if year is not None and not FIRST_YEAR <= year <= last_year:
            errors["year"] = ValidationError(
                _("%(year)s is not a valid year: enter a year from %(first)s to %(last)s."),
                code="year_out_of_range",
                params={"year": year, "first": FIRST_YEAR, "last": last_year},
            )
        if indicator is not None:
            if value is not None:
                try:
                    indicator.check_value(value)
                except ValidationError as error:
                    errors["value"] = error
            if area and area not in indicator.allowed_areas:
                errors["area"] = ValidationError(
                    _("%(indicator)s is not reported for the %(area)s area; allowed: %(allowed)s."),
                    code="area_not_reported",
                    params={
                        "indicator": indicator.name,
                        "area": Area(area).label,
                        "allowed": ", ".join(str(a.label) for a in indicator.allowed_areas),
                    },
                )
        return errors


class TargetQuerySet(models.QuerySet):
    def get_by_natural_key(self, indicator_code, region_code, area, year, comparison):
        return self.get(
            indicator__code=indicator_code,
            region_id=region_code,
            area=area,
            year=year,
            comparison=comparison,
        )

    def applying_to(self, region):
        """Targets set for this region, for every region, or for the country (shown for
        reference where a region has none of its own): summaries.targets_for picks."""
        return self.filter(
            models.Q(region__in={region.code, COUNTRY_CODE}) | models.Q(region__isnull=True)
        )


class Target(models.Model):
    Comparison = Comparison

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        help_text=_("Leave empty for a target that applies to every region."),
    )
    area = models.CharField(_("area"), max_length=5, choices=Area, default=Area.TOTAL)
    year = models.PositiveSmallIntegerField(_("target year"))
    base_year = models.PositiveSmallIntegerField(
        _("base year"),
        default=2020,
        help_text=_("Progress is measured from this year (2020: end of the 13th Five-Year Plan)."),
    )
    comparison = models.CharField(_("comparison"), max_length=12, choices=Comparison)
    value = models.FloatField(_("target value"), null=True, blank=True)
    parity_share = models.FloatField(
        _("parity share"),
        null=True,
        blank=True,
        help_text=_("For a parity target: the share of the urban value rural must reach (0–1)."),
    )
    source = models.TextField(_("policy source"))
    wording = models.TextField(_("wording"), blank=True, help_text=_("The policy's own words."))

    objects = TargetQuerySet.as_manager()
    history = HistoricalRecords(bases=[BatchHistory], user_db_constraint=False)

    class Meta:
        ordering = ["indicator", "year", "area"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comparison__in=Comparison.values),
                name="target_comparison_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(area__in=Area.values),
                name="target_area_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=LAST_STORABLE_YEAR)
                & models.Q(base_year__gte=FIRST_YEAR, base_year__lt=models.F("year")),
                name="target_year_range",
            ),
            # A numeric target has a value, a qualitative one has none, a parity one a share.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        comparison__in=["minimum", "maximum", "exact"],
                        value__isnull=False,
                        parity_share__isnull=True,
                    )
                    | models.Q(
                        comparison="qualitative", value__isnull=True, parity_share__isnull=True
                    )
                    | models.Q(
                        comparison="parity",
                        value__isnull=True,
                        parity_share__isnull=False,
                        parity_share__gt=0,
                        parity_share__lte=1,
                    )
                ),
                name="target_value_matches_comparison",
            ),
            models.UniqueConstraint(
                fields=["indicator", "region", "area", "year", "comparison"],
                name="one_target_per_cell",
            ),
        ]
        indexes = [
            # Region pages: the targets of one region.
            models.Index(fields=["region", "indicator"], name="target_region_idx"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.area} {self.year} {self.get_comparison_display()}"

    def natural_key(self):
        return (self.indicator.code, self.region_id, self.area, self.year, self.comparison)

    natural_key.dependencies = ["indicators.indicator", "indicators.region"]

    @property
    def is_qualitative(self):
        return self.comparison == self.Comparison.QUALITATIVE

    @property
    def symbol(self):
        return {"minimum": "≥", "maximum": "≤", "exact": "=", "parity": "≥"}.get(
            self.comparison, ""
        )

    @property
    def display_value(self):
        return format_value(self.value)

    def clean(self):
        if self.indicator_id is not None and self.value is not None:
            try:
                self.indicator.check_value(self.value)
            except ValidationError as error:
                raise ValidationError({"value": error}) from None
        if self.comparison in {"minimum", "maximum", "exact"} and self.value is None:
            raise ValidationError({"value": _("A numeric target needs a value.")})
        if self.comparison == "qualitative" and self.value is not None:
            raise ValidationError(
                {"value": _("A qualitative target has no value: quote its words.")}
            )
        if self.comparison == "parity" and not (self.parity_share and 0 < self.parity_share <= 1):
            raise ValidationError(
                {"parity_share": _("A parity target needs a share above 0, at most 1.")}
            )


class DataVersionQuerySet(models.QuerySet):
    def current(self):
        """The token of the data as it stands now, or None if the row is missing (a flushed
        test database): then nothing may be served from the page cache. One query."""
        return self.values_list("token", flat=True).first()


@contextmanager
def one_version_change(table):
    """Write many rows of `table` and change the data version once, not once per row.

    SQLite's triggers are row-level (migration 0005): an import of 100,000 rows would run
    the trigger 100,000 times, which costs more than writing the rows. Inside the block the
    table's triggers are dropped; after it they are created again from their own stored SQL
    and the token changed once. SQLite's DDL is transactional and the block is a savepoint
    of the writing transaction, so no other connection ever sees the table without them,
    and an error inside puts them back with everything else. PostgreSQL's triggers are
    per statement already: there the block only marks the write."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("one_version_change needs a transaction")
    with transaction.atomic(), connection.cursor() as cursor:
        triggers = []
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        yield
        for _name, sql in triggers:
            cursor.execute(sql)
        if triggers:
            DataVersion.objects.update(token=secrets.token_hex(16))


class DataVersion(models.Model):
    """One row whose token changes with every write to regions, indicators, observations or
    targets, in the writing transaction: database triggers (migration 0005) set it, so bulk
    loads, COPY, the importer, the admin, loaddata and plain SQL all count. The page cache
    (pagecache.py) keys its entries on it. A random token rather than a counter, so a restored
    backup can never bring back a number a cache has already seen."""

    token = models.CharField(max_length=32)

    objects = DataVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("data version")

    def __str__(self):
        return self.token


class ImportBatch(models.Model):
    """One uploaded CSV file: previewed, then applied as a whole, and revertible as a whole."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Previewed, not applied")
        APPLIED = "applied", _("Applied")
        REVERTED = "reverted", _("Reverted")
        DISCARDED = "discarded", _("Discarded")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reverted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # While pending: a fingerprint of the existing rows the file touches, and their scope.
    # Once applied: what was created and the previous values of what was updated, for revert.
    payload = models.JSONField(_("payload"), default=dict, blank=True, editable=False)
    # While pending: the rows to write, validated, as CSV (imports.STAGED_COLUMNS), ready to
    # be loaded as they are into a staging table. Emptied once applied or discarded.
    staged_rows = models.TextField(_("rows to write"), blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        permissions = [("revert_importbatch", _("Can revert an applied import"))]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


@receiver(pre_create_historical_record)
def record_import_batch(sender, instance, history_instance, **kwargs):
    """Carry the batch of an import (or its revert) onto history rows written one by one."""
    batch = getattr(instance, "_import_batch", None)
    if batch is not None:
        history_instance.import_batch = batch
