"""Every worker page in every language: no English left (issue 16, part 5).

The walk signs a worker in and renders the login page, /work, a disclosure before and
after consent, a task page of every type, a qualification test, earnings, wellbeing,
the inbox, "no more work" and a break refusal. In each language but English, no word
of the English catalogue may be visible (text, titles, labels, and the data-* strings
the page scripts show) unless the language's own catalogue uses it too (a loanword,
"fairloop") or it comes from the requester's content (names, instructions, items).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from starlette.requests import Request

from fairloop.db.engine import Database
from fairloop.domain.languages import LANGUAGES
from fairloop.domain.specs import parse_spec
from fairloop.errors import WellbeingRefusal
from fairloop.services.projects import create_project
from fairloop.settings import get_settings
from fairloop.web.i18n import LOCALE_DIR, from_accept_language
from fairloop.web.render import page
from tests import factories as f
from tests.conftest import clean
from tests.factories.feedback import feedback_spec, item
from tests.factories.model import record_spec, redteam_spec
from tests.factories.web import csrf_of, login

ROOT = Path(__file__).parent.parent.parent
OTHERS = [code for code in LANGUAGES if code != "en"]
WORD = re.compile(r"[^\W\d_]{3,}")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
# Words the pages may show in any language: units and names of things, not sentences.
ANYWHERE = {"fairloop", "json", "url", "usd", "api", "csv", "min", "asr", "markdown", "ok"}
# Requester content, made of words no catalogue has, so that it hides no English.
ZIB = "Zib zab zob."
SUPPORT = {"contact": "Zib: +1 555 0100, care@example.org", "resources": ZIB}
CONTENT = {
    "name": "Zorblat",
    "disclosure": {
        "purpose": "Quuxing the frobs.",
        "end_use": "A frobnicator by Blorp Lab.",
        "data_use": "Blorp Lab keeps quux for one year under CC BY 4.0.",
        "withdrawal": "Zeep zap.",
        "contact": "lab@example.org",
    },
}


def english_catalogue() -> list[str]:
    """Every msgid of the sources, as ``make messages`` extracts them (babel.cfg)."""
    method_map = [
        ("src/fairloop/**.py", "python"),
        ("src/fairloop/web/templates/**.html", "jinja2"),
    ]
    options = {"src/fairloop/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options
    ):
        found.update([message] if isinstance(message, str) else message)
    return sorted(m for m in found if m)


def catalogue(code: str) -> dict[str, str]:
    """msgid -> translation (a plural's singular and plural each -> its forms, joined;
    empty if any form is)."""
    found: dict[str, str] = {}
    with (LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
        for m in read_po(po):
            if not m.id or m.fuzzy:
                continue
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            forms = m.string if isinstance(m.string, tuple) else (m.string,)
            text = " ".join(forms) if all(forms) else ""
            found.update(dict.fromkeys(ids, text))
    return found


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text))}


class Visible(HTMLParser):
    """The text a person sees or hears: text outside script and style, titles, labels,
    and data-* strings the page scripts show (data-msg-*, data-show, ...)."""

    SHOWN: ClassVar[set[str]] = {"aria-label", "title", "placeholder", "alt", "label"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "kbd"):  # a key's name is printed on the key
            self._skip += 1
        for name, value in attrs:
            if not value:
                continue
            said = name in self.SHOWN or (
                tag == "input"
                and name == "value"
                and dict(attrs).get("type") in ("submit", "button")
            )
            scripted = name.startswith("data-") and (" " in value or value[:1].isupper())
            if said or scripted:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "kbd") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def in_context(text: str, word: str) -> str:
    """``word`` with some of the visible text around it, for the failure message."""
    match = re.search(rf"(?i)\b{re.escape(word)}\b", text)
    start = match.start() if match else 0
    return " ".join(text[max(0, start - 40) : start + 40].split())


def content_words(*things: Any) -> set[str]:
    """Every word of the requester's specs and items: shown as written, in any language."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.update(words(value.replace("_", " ")))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(things)
    return found


def break_page(code: str) -> str:
    """The refusal page as the worker sees it when a break is due."""
    request = Request({"type": "http", "method": "GET", "path": "/work", "headers": [],
                       "query_string": b""})  # fmt: skip
    request.state.locale = code
    refusal = WellbeingRefusal("break due", code="break_due", resume_at=None)
    return bytes(page(request, "break.html", 403, error=refusal).body).decode()


def build(db: Database, url: str) -> tuple[dict[str, str], set[str], httpx.Client, str]:
    """Projects of every task type with one item each, leased by one worker: (page name
    -> path, the words of their content, the worker's API client, the worker's email)."""
    requester, _ = f.user(db, "requester", org="Blorp Lab")
    specs: dict[str, dict[str, Any]] = {
        kind: {**feedback_spec(kind, overlap=1), **CONTENT}
        for kind in ("rate", "compare", "rank", "write", "converse")
    }
    specs["label"] = f.spec(**CONTENT, overlap=1)
    specs["review"] = f.spec(
        **CONTENT, overlap=1, task={"type": "review", "categories": ["vcr", "hte"]}
    )
    specs["redteam"] = {**redteam_spec("http://127.0.0.1:9/v1"), **CONTENT}
    specs["record"] = {**record_spec(), **CONTENT}
    for spec in specs.values():
        spec["task"]["instructions"] = ZIB
        if "support" in spec:
            spec["support"] = SUPPORT
            spec["severity_examples"] = {str(level): ZIB for level in range(1, 5)}
    items: dict[str, dict[str, Any]] = {k: item(k, 1) for k in ("rate", "compare", "rank")}
    items |= {k: item(k, 1) for k in ("write", "converse")}
    items["label"] = {"id": "l1", "data": {"text": "Glorp zib?"}}
    items["review"] = {"id": "v1", "data": {"text": "Glorp zib?"}}
    items["redteam"] = {"id": "t1", "data": {"goal": "Zib the glorp."}}
    items["record"] = {"id": "s1", "data": {"script": "Zib zab zob."}}
    worker, token = f.user(db, "worker")
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    paths: dict[str, str] = {}
    for kind, spec in specs.items():
        project_id = create_project(db, requester, parse_spec(spec))
        f.add_items(db, requester, project_id, [items[kind]])
        if kind == "label":
            paths["disclosure before consent"] = f"/work/projects/{project_id}"
        assert api.post(f"/api/v1/projects/{project_id}/consent").status_code == 200
        lease = api.post(f"/api/v1/projects/{project_id}/assignments")
        assert lease.status_code in (200, 201), lease.text
        paths[f"task: {kind}"] = f"/work/assignments/{lease.json()['id']}"
        paths.setdefault("disclosure after consent", f"/work/projects/{project_id}")
        paths.setdefault("no more work", f"/work/projects/{project_id}/done")
    qualified = f.project(db, requester, **CONTENT, qualification={"items": 1, "pass": 1.0})
    f.add_items(db, requester, qualified, [{"data": {"text": "Zib"}, "gold": {"label": "toxic"}}])
    paths["qualification"] = f"/work/projects/{qualified}/qualification"
    paths |= {"work": "/work", "earnings": "/me/earnings", "wellbeing": "/me/wellbeing"}
    paths["inbox"] = "/me/inbox"
    found = content_words(specs, items) | words(worker.email) | words(requester.email)
    return paths, found, api, worker.email


@pytest.fixture(scope="module")
def walk(sqlite_backend, tmp_path_factory) -> Iterator[tuple[dict[str, dict[str, str]], set[str]]]:
    """Every page of the walk in every language: {code: {page: html}}, content words."""
    mp = pytest.MonkeyPatch()
    mp.setenv("FAIRLOOP_MEDIA_DIR", str(tmp_path_factory.mktemp("media")))
    mp.setenv("FAIRLOOP_OUTBOUND_ALLOW", "127.0.0.1:9")  # no model is asked: no turn is sent
    get_settings.cache_clear()
    clean(sqlite_backend.db)
    url = sqlite_backend.server_url()
    paths, found, api, email = build(sqlite_backend.db, url)
    pages: dict[str, dict[str, str]] = {}
    with httpx.Client(base_url=url, timeout=30) as anonymous:
        for code in LANGUAGES:
            assert api.put("/api/v1/me", json={"locale": code}).status_code == 200
            signed_in = login(lambda: httpx.Client(base_url=url, timeout=30), email)
            shown = {name: signed_in.get(path) for name, path in paths.items()}
            got = {name: r.text for name, r in shown.items() if r.status_code == 200}
            assert got.keys() == shown.keys(), {n: r.status_code for n, r in shown.items()}
            anonymous.cookies.set("fairloop_lang", code)
            got["login"] = anonymous.get("/login").text
            got["break"] = break_page(code)
            pages[code] = got
            signed_in.close()
    yield pages, found
    api.close()
    mp.undo()
    get_settings.cache_clear()


@pytest.mark.parametrize("code", OTHERS)
def test_every_worker_page_has_no_english_left(walk, code):
    pages, content = walk
    english = set().union(*(words(m) for m in english_catalogue()))
    own = set().union(*(words(s) for s in catalogue(code).values()))
    names = set().union(*(words(n) for n in LANGUAGES.values()))
    allowed = own | content | names | ANYWHERE
    left = {}
    for name, html in pages[code].items():
        text = visible(html)
        stray = (words(text) & english) - allowed
        if stray:
            left[name] = [in_context(text, w) for w in sorted(stray)]
    assert not left, f"English words left on {code} pages: {left}"


@pytest.mark.parametrize("code", OTHERS)
def test_each_catalogue_translates_every_string(code):
    have = catalogue(code)
    missing = [m for m in english_catalogue() if not have.get(m)]
    assert not missing, f"{len(missing)} strings untranslated in {code}: {missing[:20]}"


@pytest.mark.parametrize("code", OTHERS)
def test_the_page_says_its_language_and_direction(walk, code):
    html = walk[0][code]["work"]
    lang = code.replace("_", "-")
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_accept_language_picks_the_best_language_we_have():
    assert from_accept_language("pt-BR,pt;q=0.9,en;q=0.5") == "pt_BR"
    assert from_accept_language("de-DE, fr-CA;q=0.8, en;q=0.7") == "fr"
    assert from_accept_language("tl, en;q=0.1") == "fil"
    assert from_accept_language("de, ja") is None
    assert from_accept_language("en;q=0.2, ar;q=0.9") == "ar"


def test_the_setting_beats_the_cookie_and_the_browser(http, db):
    worker, token = f.user(db, "worker")
    client = login(http, worker.email)
    client.headers["Accept-Language"] = "fr"
    assert 'lang="fr"' in client.get("/work").text
    picked = client.post(
        "/language",
        data={"locale": "sw", "next": "/me/wellbeing", "csrf": csrf_of(client.get("/work").text)},
    )
    assert picked.status_code == 303 and picked.headers["location"] == "/me/wellbeing"
    client.cookies.delete("fairloop_lang")
    assert 'lang="sw"' in client.get("/work").text  # the worker's setting, not the cookie
    assert http(token).put("/api/v1/me", json={"locale": "xx"}).status_code == 422


def test_anonymous_pages_follow_the_picker_cookie(http, db):
    client = http()
    client.headers["Accept-Language"] = "es"
    assert 'lang="es"' in client.get("/login").text
    client.post("/language", data={"locale": "ar", "next": "/login"})
    page_html = client.get("/login").text
    assert '<html lang="ar" dir="rtl">' in page_html and "تسجيل الدخول" in page_html


def test_money_and_numbers_follow_the_locale():
    from fairloop.web import i18n

    token = i18n.current.set("es")
    try:
        assert i18n.money("1234.20", "USD") == "1.234,20\xa0US$"
        assert i18n.number("1234.5") == "1.234,5"
    finally:
        i18n.current.reset(token)
    assert i18n.money("0.20", "EUR") == "€0.20"
    assert i18n.money(20, "USD", minor=True) == "$0.20"
