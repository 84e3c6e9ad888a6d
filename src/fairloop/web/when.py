"""Times as people read them: in their own time zone, in words ("today at 2:30 PM",
"in 10 minutes"), formatted by Babel for the page's locale (:mod:`.i18n` writes
absolute dates, numbers and money).

The filters read from the page's context ``page_locale`` (else ``locale``, else "en"),
``zone`` (a tzinfo or an IANA name; UTC without one) and ``now`` (else the clock)::

    {{ _("You can continue %(when)s (%(left)s).", when=at|in_words, left=at|from_now) }}
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time, format_timedelta
from jinja2 import pass_context
from jinja2.runtime import Context


def locale_of(name: object) -> Locale:
    """The Babel locale for ``name`` ("pt-BR", "pt_BR", "ar"); English if unknown."""
    try:
        return Locale.parse(str(name or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale("en")


def zone_of(zone: object) -> tzinfo:
    if isinstance(zone, tzinfo):
        return zone
    try:
        return ZoneInfo(str(zone)) if zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def as_datetime(at: datetime | str) -> datetime:
    """An aware datetime from a datetime or an ISO 8601 string (naive reads as UTC)."""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_words(at: datetime, today: date, locale: Locale) -> tuple[str, str, str]:
    """(which day, the date in words, the time): which day is "today", "tomorrow",
    "yesterday" or "date" for any other."""
    delta = (at.date() - today).days
    day = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(delta, "date")
    skeleton = "MMMMEEEEd" if at.year == today.year else "yMMMMEEEEd"
    return (
        day,
        format_skeleton(skeleton, at, locale=locale),
        format_time(at, "short", locale=locale),
    )


def _locale(context: Context) -> Locale:
    return locale_of(context.get("page_locale") or context.get("locale"))


def _now(context: Context) -> datetime:
    now = context.get("now")
    return as_datetime(now) if now is not None else datetime.now(UTC)


@pass_context
def in_words(context: Context, at: datetime | str | None, zone: object = None) -> str:
    """``at`` in the worker's zone (``zone``, else the page's), in words: "today at
    2:30 PM", "Tue, March 3 at 9:00 AM"."""
    if at is None:
        return ""
    zone = zone_of(zone or context.get("zone"))
    locale = _locale(context)
    local = as_datetime(at).astimezone(zone)
    day, on, time = day_words(local, _now(context).astimezone(zone).date(), locale)
    gettext = context.resolve("gettext")

    def _(message: str, **values: str) -> str:
        return str(context.call(gettext, message, **values))

    if day == "today":
        return _("today at %(time)s", time=time)
    if day == "tomorrow":
        return _("tomorrow at %(time)s", time=time)
    if day == "yesterday":
        return _("yesterday at %(time)s", time=time)
    return _("%(date)s at %(time)s", date=on, time=time)


@pass_context
def from_now(context: Context, at: datetime | str | None) -> str:
    """How far ``at`` is from now, in words: "in 10 minutes", "2 hours ago"."""
    if at is None:
        return ""
    delta = as_datetime(at) - _now(context)
    locale = _locale(context)
    return format_timedelta(delta, granularity="minute", add_direction=True, locale=locale)


FILTERS = {"in_words": in_words, "from_now": from_now}
"""Installed on the page environment (:mod:`fairloop.web.render`)."""
