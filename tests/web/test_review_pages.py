"""The earnings page after a rejection: the time stays, the appeal's deadline is
shown, and an appeal nobody decided for 8 days reads as decided for the worker."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from fairloop.db.base import utcnow
from fairloop.db.models import Appeal
from fairloop.services.pay.review import appeal, review
from tests import factories as f
from tests.factories.pay import do_task
from tests.factories.web import login

QUOTE = {"quotes": ["toxic"], "note": "one word where a reason was asked for"}


def test_rejected_time_and_an_ignored_appeal_on_the_earnings_page(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2, overlap=1)
    worker, _ = f.consented_worker(db, project_id)
    now = utcnow()
    stored = do_task(db, worker, project_id, now - timedelta(minutes=5), 120)
    review(
        db,
        requester,
        stored["id"],
        {"decision": "reject", "reason": "low_effort", "evidence": QUOTE},
    )
    filed = appeal(db, worker, stored["id"], "The label is right.")
    minutes = round(stored["active_seconds"] / 60, 1)

    client = login(http, worker.email)
    page = client.get("/me/earnings").text
    # The project stays listed with its time, all of it rejected, and no pay.
    row = page.split(f'id="project-{project_id}"')[1].split("</tr>")[0]
    assert f"{minutes} min</td>" in row and f'class="rejected">{minutes} min' in row
    assert "0.00 USD" in row
    assert "Appeal: open" in page and "or it is decided for you" in page
    assert filed["deadline"][:10] in page

    with db.engine.begin() as conn:  # 8 days pass and no admin decides
        conn.execute(
            update(Appeal)
            .where(Appeal.id == filed["id"])
            .values(created_at=utcnow() - timedelta(days=8))
        )
    page = client.get("/me/earnings").text
    assert "Appeal: overturned" in page and "decided for you at its deadline" in page
    assert "No admin decided this appeal within 7 days" in page
    assert 'id="balance">0.20 USD' in page
