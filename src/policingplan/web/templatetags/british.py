"""Template filters for British formats (policingplan.formatting): ``{{ value|count }}``, ``{{ month|month }}``."""

from django import template

from policingplan.formatting import fmt_int, fmt_pct
from policingplan.web.present import month_label

register = template.Library()


@register.filter
def count(value):
    return fmt_int(value)


@register.filter
def percent(value, places=0):
    return fmt_pct(value, int(places))


@register.filter
def month(value):
    return month_label(value)


@register.simple_tag
def status_thresholds():
    """``likely (80% or more), in the balance, or unlikely (20% or less)``, from the monitor's thresholds."""
    from policingplan.monitor.core import LIKELY_AT, UNLIKELY_AT

    return (f"likely ({fmt_pct(LIKELY_AT, 0)} or more), in the balance, "
            f"or unlikely ({fmt_pct(UNLIKELY_AT, 0)} or less)")
