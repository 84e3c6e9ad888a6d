"""Templates, translations and the one safe way to turn requester Markdown into HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nh3
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from fairloop.domain import languages
from fairloop.domain.viewing import collapsed
from fairloop.web import i18n, items, when
from fairloop.web.assets import ASSETS

TEMPLATES = Path(__file__).parent / "templates"

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


# Items keep their line breaks (a poem, an address), unlike instructions.
_item_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
_item_markdown.enable("table")
_BLOCKS = re.compile(r"<(p|li|h[1-6]|blockquote|th|td)>")


def item_markdown(text: str, code_label: str = "", table_label: str = "") -> Markup:
    """An item's Markdown, cleaned as :func:`markdown`, with its line breaks kept,
    ``dir="auto"`` on each block (Arabic reads right to left beside English), and code
    blocks and tables that scroll inside the page, focusable under ``code_label`` and
    ``table_label`` (the template passes them, translated)."""
    html = _item_markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    clean = _BLOCKS.sub(r'<\1 dir="auto">', clean)
    code = escape(code_label)
    clean = clean.replace(
        "<pre>", f'<pre class="code" tabindex="0" role="group" aria-label="{code}">'
    )
    table = escape(table_label)
    clean = clean.replace(
        "<table>",
        f'<div class="scroll" tabindex="0" role="group" aria-label="{table}"><table dir="auto">',
    ).replace("</table>", "</table></div>")
    return Markup(clean)


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # One environment for every language: _() reads the page's language (i18n.current),
    # so templates compile once and each catalogue is compiled once.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext_, i18n.ngettext_, newstyle=True
    )
    env.filters["markdown"] = markdown
    env.filters["item_markdown"] = item_markdown
    env.globals["item_fields"] = items.item_fields
    env.filters["pretty_json"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False)
    env.filters["number"] = i18n.number
    env.filters["money"] = i18n.money
    env.filters["when"] = i18n.when
    env.filters["translated"] = i18n.gettext_
    env.filters.update(when.FILTERS)  # in_words, from_now: "today at 2:30 PM"
    env.globals["collapsed"] = collapsed
    env.globals["languages"] = languages.LANGUAGES
    # A message made in Python (marked with render._), translated with no % formatting.
    env.globals["translated"] = i18n.gettext_
    env.globals["static_url"] = ASSETS.url
    return env


ENV = _env()


def _(message: str) -> str:
    """Marks ``message`` for the catalogue; the page translates it as it renders
    (``{{ _(message) }}``), in the language of the request."""
    return message


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template``; every page gets ``actor`` and ``csrf`` (may be None)."""
    context.setdefault("actor", getattr(request.state, "actor", None))
    context.setdefault("csrf", getattr(request.state, "csrf", None))
    context.setdefault("inbox_unread", getattr(request.state, "inbox_unread", 0))
    code = i18n.locale_for(request)
    token = i18n.current.set(code)
    try:
        html = ENV.get_template(template).render(
            request=request,
            page_locale=code,
            page_lang=languages.html_lang(code),
            page_dir=languages.direction(code),
            **context,
        )
    finally:
        i18n.current.reset(token)
    headers = {"Content-Language": languages.html_lang(code)}
    return HTMLResponse(html, status_code=status, headers=headers)
