"""The consent page over real HTTP: every term a worker accepts, with its figure,
before the button that consents (issue 15, part 7: terms before consent)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from fairloop.db.models import User
from fairloop.services.suspend import suspend
from tests import factories as f
from tests.factories.web import login


def _text(html: str) -> str:
    """What a reader reads: tags dropped, white space folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _consent_page(http, db, **overrides):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, **overrides)
    worker, _ = f.user(db, "worker")
    page = login(http, worker.email).get(f"/work/projects/{project_id}")
    assert page.status_code == 200
    return page.text, _text(page.text)


def test_the_consent_page_shows_every_term_with_its_figure(http, db):
    _html, text = _consent_page(
        http,
        db,
        pay={
            "currency": "USD",
            "per_task": "0.20",
            "estimated_seconds": 60,
            "hourly_floor": "12.00",
        },
        lease_minutes=30,
        notice_days=7,
        suspension_fee_percent=40,
        auto_approve_days=3,
        reading_seconds=300,
        qualification={"items": 4, "pass": 0.75},
    )
    terms = text[text.index("The terms") : text.index("I have read this and consent")]
    assert "Pay 0.20 USD a task" in terms
    assert "Each task takes about 60 s: 12.00 USD an hour at that pace." in terms
    assert "Hourly floor at least 12.00 USD an hour Counting the time you really work" in terms
    assert "The qualification test (4 items) is paid the same way, pass or fail." in terms
    assert "Time to do a task 30 minutes From when you start a task" in terms
    assert "you can ask for more time on the task page" in terms
    assert "keeps counting for 5 minutes without typing or clicking" in terms
    assert "Review approved automatically after 3 days" in terms
    # The instance's appeal deadline (FAIRLOOP_APPEAL_DEADLINE_DAYS, default 7).
    assert (
        "Appeals decided within 7 days You can appeal any rejection. An admin outside the requester's organisation decides"
        in terms
    )
    assert "If the project stops 7 days' notice" in terms
    assert "Kill fee 40% of a day's earnings for each day of notice not given" in terms
    assert "the days you worked here in the last 14 days" in terms
    # The requester's record sits beside the terms, before the button.
    assert "Who you would work for" in terms and "New requester" in terms
    assert text.index("The terms") < text.index("I have read this and consent")
    assert "sensitive content" not in text


def test_defaults_and_singulars_read_as_a_worker_would_say_them(http, db):
    _html, text = _consent_page(
        http,
        db,
        pay={
            "currency": "EUR",
            "per_task": "1.50",
            "estimated_seconds": 300,
            "hourly_floor": "15.00",
        },
        lease_minutes=60,
        notice_days=1,
        auto_approve_days=1,
    )
    assert "1.50 EUR a task" in text and "about 5 minutes: 18.00 EUR an hour" in text
    assert "at least 15.00 EUR an hour" in text and "60 minutes" in text
    assert "keeps counting for 2 minutes" in text  # the default reading window
    assert "approved automatically after 1 day " in text and "1 day's notice" in text
    assert "25% of a day's earnings" in text  # the least kill fee a project may offer
    assert "qualification test" not in text


def test_a_hazard_project_shows_its_hazards_examples_and_support(http, db):
    html, text = _consent_page(http, db, **f.hazard_spec(["vcr", "hte"]), lease_minutes=60)
    warning = text[text.index("Warning: this project contains sensitive content") :]
    warning = warning[: warning.index("The terms")]
    assert "Violent crimes" in warning and "Hate" in warning
    for level, example in f.HAZARD_FIELDS["severity_examples"].items():
        assert f"Severity {level} {example}" in warning
    assert "Support on offer " + f.HAZARD_FIELDS["support"]["contact"] in warning
    assert f.HAZARD_FIELDS["support"]["resources"] in warning
    assert 'id="hazard-warning"' in html


def test_a_suspended_project_gives_its_notice_end_in_the_workers_own_zone(http, db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=1, notice_days=7)
    worker, _ = f.user(db, "worker")
    with db.transaction() as session:
        session.execute(update(User).where(User.id == worker.id).values(time_zone="Asia/Tokyo"))
    now = datetime.now(UTC).replace(hour=20, minute=30, second=0, microsecond=0)
    suspend(db, requester, project_id, now=now)
    text = _text(login(http, worker.email).get(f"/work/projects/{project_id}").text)
    # In words, in the worker's zone (UTC+9): a week on, 05:30 in Tokyo.
    ends = (now + timedelta(days=7)).astimezone(ZoneInfo("Asia/Tokyo"))
    year = f", {ends.year}" if ends.year != datetime.now(ZoneInfo("Asia/Tokyo")).year else ""
    local = f"{ends:%a}, {ends:%B} {ends.day}{year} at 5:30 AM"
    assert f"You may keep working until {local} (Asia/Tokyo)" in text
