"""The `fairloop` command line, run as a user runs it: a subprocess over a database."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from fairloop.services.projects import consent
from tests import factories as f
from tests.factories.cli import one_line_error, refused_import, write_spec


def test_users_projects_items_export(cli, db, tmp_path):
    made = cli(
        "users",
        "create",
        "lab@example.org",
        "--role",
        "requester",
        "--org",
        "Lab",
        "--password-stdin",
        stdin="pw-123456\n",
    )
    assert made.returncode == 0, made.stderr
    assert "API token (shown once): fl_" in made.stdout
    created = cli("projects", "create", write_spec(tmp_path, f.spec(overlap=1)), "--org", "Lab")
    assert created.returncode == 0, created.stderr
    project_id = int(created.stdout.strip())

    items = tmp_path / "items.csv"
    with items.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "text", "priority"])
        for i in range(3):
            writer.writerow([f"row{i}", f"comment, with comma {i}", 0])
    imported = cli("items", "import", project_id, items)
    assert imported.returncode == 0, imported.stderr
    assert "imported 3 items" in imported.stdout

    worker, _ = f.user(db, "worker")
    consent(db, worker, project_id)
    f.work_through(db, project_id, [worker])

    for name in ("raw.jsonl", "agg.csv", "agg.parquet"):
        fmt = "raw" if name.startswith("raw") else "aggregated"
        done = cli("export", project_id, "--format", fmt, "--out", tmp_path / name)
        assert done.returncode == 0, done.stderr
    raw = [json.loads(line) for line in (tmp_path / "raw.jsonl").read_text().splitlines()]
    assert sorted(r["external_id"] for r in raw) == ["row0", "row1", "row2"]
    with (tmp_path / "agg.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [json.loads(r["answer"]) for r in rows] == [{"label": "toxic"}] * 3
    table = pq.read_table(tmp_path / "agg.parquet").to_pylist()
    assert [r["external_id"] for r in table] == ["row0", "row1", "row2"]
    assert all(r["confidence"] == 1.0 and r["submissions"] == 1 for r in table)


def test_parquet_and_jsonl_imports(cli, db, tmp_path):
    import pyarrow as pa

    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester)
    pq.write_table(pa.table({"id": ["a", "b"], "text": ["one", "two"]}), tmp_path / "items.parquet")
    assert cli("items", "import", project_id, tmp_path / "items.parquet").returncode == 0
    (tmp_path / "items.jsonl").write_text(
        '{"data": {"text": "three"}, "gold": "toxic"}\n\n{"data": {"text": "four"}}\n'
    )
    done = cli("items", "import", project_id, tmp_path / "items.jsonl")
    assert done.returncode == 0, done.stderr
    assert f.row_counts(db)["items"] == 4


def test_spec_missing_disclosure_purpose(cli, db, tmp_path):
    f.user(db, "requester", org="Lab")
    body = f.spec()
    del body["disclosure"]["purpose"]
    before = f.row_counts(db)
    line = one_line_error(cli("projects", "create", write_spec(tmp_path, body), "--org", "Lab"))
    assert "disclosure.purpose" in line
    assert f.row_counts(db) == before


def test_unknown_task_type(cli, db, tmp_path):
    f.user(db, "requester", org="Lab")
    line = one_line_error(
        cli(
            "projects",
            "create",
            write_spec(tmp_path, f.spec(task={"type": "paint"})),
            "--org",
            "Lab",
        )
    )
    assert "task.type" in line and "paint" in line


def test_csv_with_a_missing_column(cli, db, tmp_path):
    line = refused_import(
        cli,
        db,
        tmp_path / "items.csv",
        "id,comment\n1,hello\n",
        task={**f.SPEC["task"], "required_fields": ["text"]},
    )
    assert "items.csv:1" in line and "'text'" in line


def test_csv_with_a_short_row_names_the_line(cli, db, tmp_path):
    line = refused_import(cli, db, tmp_path / "items.csv", "id,text\n1,hello\n2\n")
    assert "items.csv:3" in line


def test_a_json_line_that_is_not_json(cli, db, tmp_path):
    line = refused_import(
        cli, db, tmp_path / "items.jsonl", '{"data": {"text": "ok"}}\n{"data": \n'
    )
    assert "items.jsonl:2" in line


def test_a_gold_label_not_in_the_spec(cli, db, tmp_path):
    line = refused_import(
        cli, db, tmp_path / "items.jsonl", '{"data": {"text": "ok"}, "gold": "purple"}\n'
    )
    assert "items.jsonl:1: gold" in line and "purple" in line


def test_missing_file_and_unknown_project(cli, db, tmp_path):
    assert "no such file" in one_line_error(cli("items", "import", 1, tmp_path / "nope.csv"))
    (tmp_path / "items.jsonl").write_text('{"data": {"text": "ok"}}\n')
    assert "no project 999" in one_line_error(cli("items", "import", 999, tmp_path / "items.jsonl"))


def test_export_needs_a_known_suffix(cli, db, tmp_path):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester)
    line = one_line_error(cli("export", project_id, "--format", "raw", "--out", tmp_path / "x.txt"))
    assert ".jsonl, .csv or .parquet" in line


def test_help_works(cli):
    done = cli("--help")
    assert done.returncode == 0
    for command in ("demo", "serve", "db", "users", "projects", "items", "export", "quality"):
        assert command in done.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [("FAIRLOOP_THREADS", "-3"), ("FAIRLOOP_FEE_PERCENT", "150"), ("FAIRLOOP_THREADS", "many")],
)
def test_a_bad_setting_is_named_and_nothing_starts(tmp_path, variable, value):
    env = {**os.environ, "FAIRLOOP_SECRET_KEY": "k" * 40, variable: value}
    ran = subprocess.run(
        [sys.executable, "-m", "fairloop", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert ran.returncode == 1
    assert f"{variable}={value!r}" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not (tmp_path / "fairloop.db").exists()
