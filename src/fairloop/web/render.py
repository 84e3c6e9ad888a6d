"""Templates, translations and the one safe way to turn requester Markdown into HTML."""

from __future__ import annotations

import gettext
import json
from pathlib import Path
from typing import Any

import nh3
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from fairloop.domain.viewing import collapsed

TEMPLATES = Path(__file__).parent / "templates"
LOCALES = Path(__file__).parent.parent / "locale"

# html=False: raw HTML in Markdown is shown as text; nh3 then cleans what Markdown made.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def markdown(text: str) -> Markup:
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def translations(lang: str = "en") -> gettext.NullTranslations:
    return gettext.translation("messages", localedir=LOCALES, languages=[lang], fallback=True)


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(), newstyle=True)  # type: ignore[attr-defined]
    env.filters["markdown"] = markdown
    env.filters["pretty_json"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False)
    env.globals["collapsed"] = collapsed
    return env


ENV = _env()
_ = translations().gettext


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template``; every page gets ``actor`` and ``csrf`` (may be None)."""
    context.setdefault("actor", getattr(request.state, "actor", None))
    context.setdefault("csrf", getattr(request.state, "csrf", None))
    context.setdefault("inbox_unread", getattr(request.state, "inbox_unread", 0))
    html = ENV.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status)
