"""Content from requesters never runs: hostile item text, instructions, project, label
and organisation names, disclosure fields, notices and model replies, seen in Chromium
by a worker and a requester on every page where they appear."""

from __future__ import annotations

import pytest

from fairloop.domain.specs import parse_spec
from fairloop.services.inbox import post_notice
from fairloop.services.projects import create_project
from tests import factories as f
from tests.factories.browser import log_in, start_task
from tests.factories.model import redteam_spec

pytestmark = pytest.mark.browser

# Each piece sets window.__xss and opens a dialog if it ever runs.
PAYLOAD = (
    '<img src=x onerror="window.__xss=1;alert(1)">'
    '<svg onload="window.__xss=2;alert(2)"></svg>'
    "</script><script>window.__xss=3;alert(3)</script>"
    '<a href="javascript:window.__xss=4;alert(4)">click</a>'
    "[md link](javascript:alert(5)) <iframe src=javascript:alert(6)>"
)
SHORT = '<img src=x onerror="window.__xss=7;alert(7)"></script><script>alert(8)</script>'
VISIBLE = "onerror="  # the payload must show up as text where it is placed

CHECK = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) bad.push(el.tagName + ' has ' + a.name);
      if (['href', 'src', 'action', 'formaction', 'data'].includes(a.name)
          && /^\\s*javascript:/i.test(a.value)) bad.push(el.tagName + ' ' + a.name + ' javascript:');
    }
  }
  for (const img of document.querySelectorAll('img')) {
    if (img.getAttribute('src') === 'x') bad.push('injected img');
  }
  if (document.querySelector('iframe, object, embed')) bad.push('injected frame');
  for (const s of document.querySelectorAll('script')) {
    if (!s.src) {
      // JSON data blocks are the one allowed inline form; they must still parse.
      if (s.type !== 'application/json') bad.push('inline script: ' + s.textContent.slice(0, 40));
      else JSON.parse(s.textContent);
    } else if (new URL(s.src).origin !== location.origin) bad.push('foreign script ' + s.src);
  }
  return {bad, ran: window.__xss || null, text: document.body.innerText};
}"""


def assert_inert(page, dialogs: list[str], *, shows: bool = True) -> None:
    page.wait_for_load_state("load")
    result = page.evaluate(CHECK)
    where = page.url
    assert result["bad"] == [], f"{where}: {result['bad']}"
    assert result["ran"] is None and dialogs == [], f"{where}: a payload ran"
    if shows:
        assert VISIBLE in result["text"], f"{where}: the payload is not shown as text"


def watch(page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def test_hostile_requester_content_renders_as_text(site, page_factory, model_server):
    db, base = site.db, site.url
    requester, _ = f.user(db, "requester", org=f"Lab {SHORT}")
    disclosure = {k: f"{v} {PAYLOAD}" for k, v in f.SPEC["disclosure"].items()}
    label_spec = f.spec(
        name=f"Project {SHORT}",
        disclosure=disclosure,
        task={
            "type": "label",
            "instructions": f"Read **this** {PAYLOAD}",
            "labels": [f"toxic {SHORT}", "fine <svg onload=alert(9)>"],
        },
        overlap=1,
    )
    project_id = create_project(db, requester, parse_spec(label_spec))
    f.add_items(db, requester, project_id, [{"data": {"text": f"Item {PAYLOAD}"}}])
    chat_spec = redteam_spec(model_server.base_url)
    chat_spec["name"] = f"Chat {SHORT}"
    chat_spec["task"]["instructions"] = f"Attack {PAYLOAD}"
    chat_id = create_project(db, requester, parse_spec(chat_spec))
    f.add_items(db, requester, chat_id, [{"data": {"goal": f"Goal {PAYLOAD}"}, "severity": 0}])
    model_server.model.replies = [f"Reply {PAYLOAD}"]
    worker, _ = f.user(db, "worker")
    with db.transaction() as session:
        post_notice(session, user_id=worker.id, kind="wellbeing", text=f"Notice {PAYLOAD}")

    page = page_factory()
    dialogs = watch(page)
    log_in(page, base, worker.email)
    for path in ("/work", f"/work/projects/{project_id}", "/me/inbox"):
        page.goto(base + path)
        assert_inert(page, dialogs)
    start_task(page, base, project_id)  # the label task page
    assert_inert(page, dialogs)
    assert page.get_by_text("Item <img src=x").count() >= 1
    start_task(page, base, chat_id)  # the red-team chat, where a script renders replies
    assert_inert(page, dialogs)
    assert page.locator("#goal").inner_text().startswith("Goal <img src=x onerror=")
    page.get_by_label("Your message").fill(f"Me {PAYLOAD}")
    page.get_by_role("button", name="Send").click()
    page.locator(".bubble.assistant").last.wait_for()
    page.wait_for_function("document.querySelector('.bubble.assistant').innerText.length > 5")
    assert_inert(page, dialogs)
    page.reload()  # and as the server renders the stored transcript
    assert_inert(page, dialogs)

    page = page_factory()
    dialogs = watch(page)
    log_in(page, base, requester.email)
    for path in ("/projects", f"/projects/{project_id}", f"/projects/{chat_id}"):
        page.goto(base + path)
        assert_inert(page, dialogs)


def hostile_item(kind: str) -> dict:
    """An item of ``kind`` with the payload in every text field its page shows."""
    from tests.factories.feedback import item

    data = item(kind, 1)["data"]
    for key in ("prompt", "response", "scenario", "draft"):
        if key in data:
            data[key] = f"{key} {PAYLOAD}"
    for response in data.get("responses", []):
        response["text"] = f"{response['id']} {PAYLOAD}"
    for message in data.get("messages", []):
        message["content"] = f"message {PAYLOAD}"
    return {"data": data}


@pytest.mark.parametrize("kind", ["rate", "compare", "rank", "write", "converse"])
def test_feedback_task_pages_render_hostile_items_as_text(site, page_factory, kind):
    from tests.factories.feedback import feedback_spec

    db, base = site.db, site.url
    requester, _ = f.user(db, "requester")
    spec = feedback_spec(kind, overlap=1)
    spec["name"] = f"{kind} {SHORT}"
    spec["task"]["instructions"] = f"Do it {PAYLOAD}"
    project_id = create_project(db, requester, parse_spec(spec))
    f.add_items(db, requester, project_id, [hostile_item(kind)])
    worker, _ = f.user(db, "worker")
    page = page_factory()
    dialogs = watch(page)
    log_in(page, base, worker.email)
    start_task(page, base, project_id)
    assert_inert(page, dialogs)
    # And the item is there, as text: every hostile field the page shows (the
    # instructions hold the payload too, so the page-wide check alone proves nothing).
    shown = page.locator("main").inner_text()
    for text in shown_texts(kind):
        assert f"{text} <img src=x onerror=" in shown, f"{kind}: {text!r} is not shown as text"
    if kind == "write":
        assert page.locator("#text").input_value().startswith(f"draft {PAYLOAD[:20]}")


def shown_texts(kind: str) -> list[str]:
    """The first words of each hostile text the item of ``kind`` shows (see hostile_item)."""
    data = hostile_item(kind)["data"]
    texts = [k for k in ("prompt", "response", "scenario") if k in data]
    texts += [r["id"] for r in data.get("responses", [])]
    return texts + (["message"] if data.get("messages") else [])
