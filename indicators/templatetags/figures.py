from django import template

from indicators.models import format_value

register = template.Library()


@register.filter
def num(value, digits=None):
    """A published number as published; a computed one rounded to `digits` decimals."""
    if value is None or value == "":
        return "–"
    if digits is not None:
        value = round(float(value), int(digits))
    return format_value(value)


@register.filter
def percent(rate):
    """A growth rate as a signed percentage: 0.0123 → +1.23%."""
    if rate is None:
        return "–"
    return f"{rate * 100:+.2f}%"
