"""`fairloop pay settle` and `fairloop pay payouts`, run as an operator runs them."""

from __future__ import annotations

import csv

from fairloop.services.accounts import create_user
from fairloop.services.pay.review import review
from fairloop.services.projects import consent
from tests import factories as f
from tests.factories.pay import entries


def read(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_settle_then_payouts_then_mark_paid_once(cli, db, tmp_path):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, items=2, overlap=1)
    # An address a spreadsheet would run as a formula: the CSV must not let it.
    worker, _ = create_user(db, "=1+2@evil.example.org", role="worker", password=f.PASSWORD)
    consent(db, worker, project_id)
    f.work_through(db, project_id, [worker])
    for e in f.submissions_of(db, worker.id):
        review(db, requester, e, {"decision": "approve"})

    settled = cli("pay", "settle", "--project", project_id)
    assert settled.returncode == 0, settled.stderr
    assert settled.stdout.strip().startswith("settled 1 projects")

    out = tmp_path / "payouts.csv"
    due = cli("pay", "payouts", "--out", out)
    assert due.returncode == 0, due.stderr
    [row] = read(out)
    assert row["email"] == "'=1+2@evil.example.org"
    assert (row["currency"], row["amount"], row["entries"]) == ("USD", "0.40", "2")
    assert entries(db, kind="payout") == []

    assert cli("pay", "payouts", "--out", out, "--mark-paid").returncode == 0
    [paid] = entries(db, kind="payout")
    assert (paid.amount_minor, paid.user_id) == (-40, worker.id)
    assert cli("pay", "payouts", "--out", out, "--mark-paid").returncode == 0
    assert len(entries(db, kind="payout")) == 1
    assert read(out) == []


def test_payouts_need_a_csv_file(cli, tmp_path):
    bad = cli("pay", "payouts", "--out", tmp_path / "payouts.xlsx")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error (invalid) [--out]: the payouts file must end in .csv"
    assert not (tmp_path / "payouts.xlsx").exists()
