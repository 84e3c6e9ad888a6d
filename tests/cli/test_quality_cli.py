"""`fairloop quality ...` run as a user runs it: a subprocess on CSV files."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories.refdata import refdata


@pytest.fixture
def cli(tmp_path: Path):
    def run(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fairloop", "quality", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "COLUMNS": "300"},  # rich wraps stderr at the width
            timeout=120,
        )

    return run


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def refuse(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 1 with one line naming the problem, and no traceback."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


LABELS = "item,worker,label\n1,u,cat\n1,v,cat\n1,w,dog\n2,u,dog\n2,v,dog\n2,w,dog\n"


@pytest.mark.parametrize("method", ["mv", "wmv", "ds", "onecoin", "glad", "mace"])
def test_aggregate_writes_item_label_confidence(cli, tmp_path: Path, method: str) -> None:
    labels = write(tmp_path, "labels.csv", LABELS)
    result = cli("aggregate", labels, "--method", method, "--out", tmp_path / "out.csv")
    assert result.returncode == 0, result.stderr
    out = rows(tmp_path / "out.csv")
    assert [(r["item"], r["label"]) for r in out] == [("1", "cat"), ("2", "dog")]
    assert all(0.0 < float(r["confidence"]) <= 1.0 for r in out)


def test_aggregate_ds_on_the_anaesthetists(cli, tmp_path: Path) -> None:
    source = refdata("dawid_skene", "ds1979_anaesthetists.csv")
    expected = json.loads(refdata("dawid_skene", "expected.json").read_text())
    out, workers = tmp_path / "out.csv", tmp_path / "workers.csv"
    result = cli("aggregate", source, "--method", "ds", "--out", out, "--workers-out", workers)
    assert result.returncode == 0, result.stderr
    assert [int(r["label"]) for r in rows(out)] == expected["map_class_per_patient"]
    assert [r["labels"] for r in rows(workers)] == ["135", "45", "45", "45", "45"]


def test_wmv_takes_gold_weights(cli, tmp_path: Path) -> None:
    labels = write(tmp_path, "l.csv", "item,worker,label\n1,good,x\n1,bad1,y\n1,bad2,y\n")
    weights = write(tmp_path, "w.csv", "worker,weight\ngood,0.95\nbad1,0.3\nbad2,0.3\n")
    out = tmp_path / "out.csv"
    result = cli("aggregate", labels, "--method", "wmv", "--weights", weights, "--out", out)
    assert result.returncode == 0, result.stderr
    assert rows(out)[0]["label"] == "x"


def test_agreement_prints_one_json_object(cli, tmp_path: Path) -> None:
    source = refdata("krippendorff", "wikipedia.csv")
    result = cli("agreement", source, "--metric", "alpha", "--level", "interval")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["metric"] == "alpha" and body["level"] == "interval"
    assert body["value"] == pytest.approx(0.811, abs=0.001)
    assert (body["items"], body["workers"]) == (12, 3)


@pytest.mark.parametrize("metric", ["fleiss", "cohen", "percent"])
def test_agreement_metrics(cli, tmp_path: Path, metric: str) -> None:
    two = "item,worker,label\n1,u,a\n1,v,a\n2,u,b\n2,v,b\n3,u,a\n3,v,b\n4,u,b\n4,v,b\n"
    result = cli(
        "agreement", write(tmp_path, "l.csv", two), "--metric", metric, "--bootstrap", "20"
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["metric"] == metric and body["workers"] == 2 and body["items"] == 4
    assert body["rounds"] == 20


def test_rank_writes_scores_best_first(cli, tmp_path: Path) -> None:
    pairs = (
        "left,right,winner\n" + "a,b,left\nb,a,right\na,b,right\nb,c,left\nc,b,left\nc,a,tie\n" * 5
    )
    for method in ("bt", "elo"):
        out = tmp_path / f"{method}.csv"
        result = cli("rank", write(tmp_path, "p.csv", pairs), "--method", method, "--out", out)
        assert result.returncode == 0, result.stderr
        table = rows(out)
        assert list(table[0]) == ["id", "score", "lower", "upper", "comparisons"]
        assert table[0]["id"] == "a"
        scores = [float(r["score"]) for r in table]
        assert scores == sorted(scores, reverse=True)
        assert sum(scores) / 3 == pytest.approx(1000.0, abs=0.01)
        assert all(float(r["lower"]) <= float(r["upper"]) for r in table)


def test_missing_column(cli, tmp_path: Path) -> None:
    bad = write(tmp_path, "l.csv", "item,annotator,label\n1,u,a\n")
    refuse(cli("aggregate", bad, "--out", tmp_path / "o.csv"), "missing column 'worker'")


def test_empty_file(cli, tmp_path: Path) -> None:
    refuse(cli("agreement", write(tmp_path, "l.csv", "")), "empty")
    refuse(cli("agreement", write(tmp_path, "h.csv", "item,worker,label\n")), "no rows")


def test_mixed_label_types(cli, tmp_path: Path) -> None:
    bad = write(tmp_path, "l.csv", "item,worker,label\n1,u,1\n1,v,2\n2,u,cat\n")
    refuse(cli("agreement", bad), "line 4", "label", "'cat'")


def test_single_worker(cli, tmp_path: Path) -> None:
    one = write(tmp_path, "l.csv", "item,worker,label\n1,u,a\n2,u,b\n")
    refuse(cli("agreement", one, "--metric", "fleiss"), "two workers", "[worker]")


def test_bad_winner(cli, tmp_path: Path) -> None:
    bad = write(tmp_path, "p.csv", "left,right,winner\na,b,left\na,b,draw\n")
    refuse(cli("rank", bad, "--out", tmp_path / "o.csv"), "line 3", "'draw'", "winner")


def test_other_refusals(cli, tmp_path: Path) -> None:
    labels = write(tmp_path, "l.csv", LABELS)
    refuse(cli("aggregate", labels, "--method", "best", "--out", tmp_path / "o.csv"), "method")
    refuse(cli("agreement", labels, "--level", "interval"), "numeric")
    refuse(
        cli("agreement", write(tmp_path, "e.csv", "item,worker,label\n,u,a\n")), "line 2", "item"
    )
    unbeaten = write(tmp_path, "p.csv", "left,right,winner\na,b,left\nb,c,tie\n")
    refuse(cli("rank", unbeaten, "--out", tmp_path / "o.csv"), "won every comparison")
    refuse(
        cli(
            "rank",
            write(tmp_path, "s.csv", "left,right,winner\na,a,tie\n"),
            "--out",
            tmp_path / "o.csv",
        ),
        "itself",
    )
