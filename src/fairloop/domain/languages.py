"""The languages fairloop's pages speak, and which of them run right to left."""

from __future__ import annotations

# Catalogue codes (src/fairloop/locale/<code>/LC_MESSAGES/messages.po); "en" is the
# source language and has no catalogue. Each name is written in its own language.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "fr": "Français",
    "sw": "Kiswahili",
    "fil": "Filipino",
    "hi": "हिन्दी",
    "ar": "العربية",
}
DEFAULT = "en"
RIGHT_TO_LEFT = frozenset({"ar"})


def known(code: object) -> str | None:
    """The catalogue code for ``code`` ("pt-BR", "pt_br" and "pt_BR" alike), or None."""
    if not isinstance(code, str) or len(code) > 16:
        return None
    wanted = code.strip().replace("-", "_").lower()
    return next((c for c in LANGUAGES if c.lower() == wanted), None)


def html_lang(code: str) -> str:
    """The BCP 47 tag for ``<html lang>``: "pt_BR" is "pt-BR"."""
    return code.replace("_", "-")


def direction(code: str) -> str:
    return "rtl" if code in RIGHT_TO_LEFT else "ltr"


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue (``make messages``); a page shows it in its own
    language with ``{{ translated(message) }}``."""
    return message
