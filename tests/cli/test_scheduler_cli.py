"""`fairloop users grant-skill` and scheduler fields refused by `projects create`."""

from __future__ import annotations

from fairloop.services.work.skills import my_skills
from tests import factories as f
from tests.factories.cli import one_line_error, refused_import, write_spec


def test_grant_skill_and_its_errors(cli, db):
    worker, _ = f.user(db, "worker")
    result = cli("users", "grant-skill", worker.email, "language:sw", "--level", "2")
    assert result.returncode == 0, result.stderr
    assert my_skills(db, worker) == {"language:sw": 2}
    line = one_line_error(cli("users", "grant-skill", worker.email, "Swahili"))
    assert "[skill]" in line and "kind:value" in line
    line = one_line_error(cli("users", "grant-skill", "nobody@example.org", "language:sw"))
    assert "[email]" in line


def test_projects_create_names_a_bad_dynamic_overlap(cli, db, tmp_path):
    f.user(db, "requester", org="Lab")
    before = f.row_counts(db)
    body = f.spec(overlap={"min": 5, "max": 3, "confidence": 0.9})
    line = one_line_error(cli("projects", "create", write_spec(tmp_path, body), "--org", "Lab"))
    assert "overlap.min" in line
    assert f.row_counts(db) == before


def test_a_csv_item_with_a_malformed_skill_names_line_and_field(cli, db, tmp_path):
    line = refused_import(
        cli, db, tmp_path / "items.csv", 'id,text,skills\n1,hello,language:sw\n2,habari,"sw, en"\n'
    )
    assert "items.csv:3: skills" in line and "kind:value" in line


def test_a_qualification_larger_than_the_gold_refuses_the_import(cli, db, tmp_path):
    line = refused_import(
        cli,
        db,
        tmp_path / "items.jsonl",
        '{"data": {"text": "a"}, "gold": "toxic"}\n',
        qualification={"items": 5, "pass": 0.8},
    )
    assert "qualification.items" in line and "only 1 gold" in line
