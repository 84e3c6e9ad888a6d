"""The language of a page, its catalogue, and numbers, money and dates as the locale
writes them.

The catalogues are the .po files under ``src/fairloop/locale``; each is compiled in
memory the first time a page asks for its language (Babel's pofile and mofile), so no
binary is committed and a fresh clone renders every language. The page's language is
the worker's setting, else the ``fairloop_lang`` cookie the picker sets, else the best
match of ``Accept-Language``, else English.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from fastapi import Request

from fairloop.domain import languages
from fairloop.web.session import read_cookie

LOCALE_DIR = Path(__file__).parent.parent / "locale"
COOKIE = "fairloop_lang"
# Other names browsers send for a language we have ("tl" is Tagalog, Filipino's base).
_ALIASES = {"pt": "pt_BR", "tl": "fil"}

# The language of the page being rendered (set by render.page around each render).
current: ContextVar[str] = ContextVar("fairloop_locale", default=languages.DEFAULT)


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``code``; English (or a missing file) translates nothing."""
    path = LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    if code == languages.DEFAULT or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def gettext_(message: str) -> str:
    return translations(current.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(current.get()).ngettext(singular, plural, n)


def from_accept_language(header: str) -> str | None:
    """The best language we have for an ``Accept-Language`` header, or None."""
    wanted: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and q > 0:
            wanted.append((-q, i, tag.strip()))
    for _q, _i, tag in sorted(wanted):
        code = languages.known(tag)
        base = tag.replace("_", "-").split("-")[0].lower()
        code = code or languages.known(_ALIASES.get(base, base))
        if code:
            return code
    return None


def locale_for(request: Request) -> str:
    """The worker's setting, else the picker's cookie, else Accept-Language, else en."""
    return (
        languages.known(getattr(request.state, "locale", None))
        or languages.known(read_cookie(request, COOKIE))
        or from_accept_language(request.headers.get("accept-language", ""))
        or languages.DEFAULT
    )


@cache
def _babel(code: str) -> Locale:
    return Locale.parse(code)


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number(value: object, *, digits: int | None = None) -> str:
    """``1234.5`` as the locale writes it ("1.234,5" in es); text that is no number as is."""
    amount = _decimal(value)
    if amount is None:
        return str(value)
    pattern = None if digits is None else "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(amount, format=pattern, locale=_babel(current.get()))


def money(value: object, currency: str = "USD", *, minor: bool = False) -> str:
    """A decimal string from the services ("0.20"), or integer minor units with
    ``minor=True``, as money in the page's locale ("0,20 US$" in es)."""
    amount = _decimal(value)
    if amount is None or not currency:
        return str(value)
    if minor:
        amount = amount / 100
    return format_currency(amount, currency, locale=_babel(current.get()))


def _zone(name: object) -> tzinfo | None:
    try:
        return ZoneInfo(str(name)) if name else None
    except (KeyError, ValueError):
        return None


def when(value: object, zone: object = None, *, style: str = "medium") -> str:
    """A date or time (a datetime, or ISO text from the services) as the locale writes
    it, in ``zone`` (an IANA name) when given."""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    code = _babel(current.get())
    if isinstance(moment, datetime):
        return format_datetime(moment, style, tzinfo=_zone(zone), locale=code)
    if isinstance(moment, date):
        return format_date(moment, style, locale=code)
    return str(value)
