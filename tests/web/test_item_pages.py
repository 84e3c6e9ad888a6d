"""The item renderer's HTML, and the image route: images from a cacheable URL for the
worker holding the lease alone; the spec's fields under their labels; Markdown with its
line breaks; dir="auto" on text; instructions open on a worker's first task only."""

from __future__ import annotations

import base64
import re

from fairloop.domain.specs import parse_spec
from fairloop.services.projects import create_project
from fairloop.services.work import assign
from tests import factories as f
from tests.factories.feedback import feedback_spec
from tests.factories.web import login

PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BwHwAFgwJ/lVd6WwAAAABJRU5ErkJggg=="
)
PNG = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()


def leased_page(http, db, spec, rows):
    """A worker's task page on the first item of a new project: (client, lease, html)."""
    requester, _ = f.user(db, "requester")
    project_id = create_project(db, requester, parse_spec(spec))
    f.add_items(db, requester, project_id, rows)
    worker, _ = f.user(db, "worker")
    f.consent(db, worker, project_id)
    lease = assign.lease_next(db, worker, project_id)
    assert lease is not None
    client = login(http, worker.email)
    page = client.get(f"/work/assignments/{lease.id}")
    assert page.status_code == 200, page.text
    return client, lease, page.text, worker


def test_an_image_item_links_a_cacheable_url_for_the_lease_holder_alone(http, db):
    spec = f.spec(overlap=1)
    client, lease, html, _worker = leased_page(http, db, spec, [{"data": {"image": PNG}}])
    url = f"/work/assignments/{lease.id}/images/image"
    assert f'src="{url}"' in html and "data:image/png" not in html
    image = client.get(url)
    assert image.status_code == 200 and image.content == PNG_BYTES
    assert image.headers["content-type"] == "image/png"
    assert image.headers["cache-control"] == "private, max-age=86400"
    again = client.get(url, headers={"If-None-Match": image.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    # Another worker, an unknown field, a field that holds no image: nothing.
    other, _ = f.user(db, "worker")
    assert login(http, other.email).get(url).status_code == 404
    assert client.get(f"/work/assignments/{lease.id}/images/nothing").status_code == 404
    # Once the item is given back, the lease's image is gone with it.
    assign.release(db, _worker, lease.id)
    assert client.get(url).status_code == 404


def test_the_spec_names_the_fields_and_their_labels_in_its_order(http, db):
    task = {
        **f.SPEC["task"],
        "fields": [{"name": "context", "label": "Where it was said"}, {"name": "question"}],
    }
    row = {
        "data": {
            "question": "Is it rude?",
            "context": "A forum",
            "secret_note": "not for the page 5e1",
        }
    }
    _client, _lease, html, _w = leased_page(http, db, f.spec(task=task, overlap=1), [row])
    assert html.index("Where it was said") < html.index("A forum") < html.index("Is it rude?")
    assert ">Question</h3>" in html
    assert "not for the page 5e1" not in html and "secret_note" not in html


def test_without_named_fields_every_field_shows_in_import_order(http, db):
    row = {"data": {"question": "Is it rude?", "context": "A forum", "votes": [1, 2]}}
    _client, _lease, html, _w = leased_page(http, db, f.spec(overlap=1), [row])
    for text in ("Question", "Is it rude?", "Context", "A forum", "Votes"):
        assert text in html
    if db.engine.dialect.name == "sqlite":
        # PostgreSQL's JSONB keeps no key order (shorter keys first): there a spec that
        # cares names its fields (task.fields, above).
        assert html.index("Is it rude?") < html.index("A forum") < html.index("Votes")


def test_markdown_keeps_line_breaks_code_scrolls_and_text_has_dir_auto(http, db):
    text = (
        "First line\nsecond line\n\n```\ncode here\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nمرحبا"
    )
    _client, _lease, html, _w = leased_page(http, db, f.spec(overlap=1), [{"data": {"text": text}}])
    assert "First line<br>" in html
    assert re.search(
        r'<pre class="code" tabindex="0" role="group" aria-label="Code[^"]+"><code>code here', html
    )
    assert re.search(
        r'<div class="scroll" tabindex="0" role="group" aria-label="Table[^"]+"><table', html
    )
    assert '<p dir="auto">مرحبا</p>' in html


def test_a_plain_prompt_shows_on_rate_compare_and_rank(http, db):
    for kind, data in (
        ("rate", {"prompt": "Plain prompt R", "response": "Resp."}),
        (
            "compare",
            {
                "prompt": "Plain prompt C",
                "responses": [{"id": "a", "text": "X"}, {"id": "b", "text": "Y"}],
            },
        ),
        ("rank", {"prompt": "Plain prompt K", "responses": [{"id": r, "text": r} for r in "pqr"]}),
    ):
        _c, _lease, html, _w = leased_page(
            http, db, feedback_spec(kind, overlap=1), [{"data": data}]
        )
        assert data["prompt"] in html, kind
        if kind != "rate":
            assert 'id="resp-h-A"' in html or 'id="rank-h-A"' in html
            assert 'id="resp-h-B"' in html or 'id="rank-h-B"' in html


def test_instructions_are_open_until_the_worker_has_submitted_in_the_project(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2, overlap=1)
    worker, token = f.user(db, "worker")
    f.consent(db, worker, project_id)
    client = login(http, worker.email)
    first = assign.lease_next(db, worker, project_id)
    assert first is not None
    html = client.get(f"/work/assignments/{first.id}").text
    assert '<details class="instructions" id="instructions" open>' in html
    api = http(token)
    assert f.post_answer(api, first.id, "toxic", key="k1").status_code == 201
    second = assign.lease_next(db, worker, project_id)
    assert second is not None
    html = client.get(f"/work/assignments/{second.id}").text
    assert '<details class="instructions" id="instructions">' in html
