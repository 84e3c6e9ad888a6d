"""Recording over HTTP: real WAV takes made with ``wave``, a fake one, the limits,
storage, authorisation and the export that ``datasets`` loads as Audio."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests import factories as f
from tests.factories.media import leased, upload, wav_bytes


def test_wav_take_stored_submitted_exported(db, http, media_dir, tmp_path):
    project_id, api, aid, req = leased(db, http)
    take = wav_bytes(2.0)
    # The name and declared type lie; the server decodes and finds WAV.
    r = upload(api, aid, take, name="../../etc/passwd.webm", mime="video/mp4")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["duration_seconds"] == pytest.approx(2.0, abs=0.01)
    assert body["format"] == "wav" and body["sample_rate"] == 16_000
    sha = hashlib.sha256(take).hexdigest()
    stored = media_dir / sha[:2] / f"{sha}.wav"
    assert stored.read_bytes() == take
    assert [p.name for p in media_dir.rglob("*") if p.is_file()] == [stored.name]
    # The requester and the worker may read it back; another worker may not.
    assert req.get(f"/api/v1/media/{body['media_id']}").content == take
    assert api.get(f"/api/v1/media/{body['media_id']}").status_code == 200
    _, other = f.consented_worker(db, project_id)
    assert http(other).get(f"/api/v1/media/{body['media_id']}").status_code == 404
    answer = {"media_id": body["media_id"], "transcript": "The cat sat."}
    done = api.post(
        f"/api/v1/assignments/{aid}/submission",
        json={"answer": answer, "active_seconds": 9},
        headers={"Idempotency-Key": "rec-1"},
    )
    assert done.status_code == 201, done.text
    lines = req.get(f"/api/v1/projects/{project_id}/export?format=record").text.splitlines()
    row = json.loads(lines[0])
    assert row["script"] == "The cat sat." and row["transcript"] == "The cat sat."
    assert row["audio"] == f"media/{sha}.wav" and row["sample_rate"] == 16_000
    assert row["worker"].startswith("w-")


def test_answer_must_name_a_take_of_this_assignment(db, http, media_dir):
    _, api, aid, _ = leased(db, http)
    r = api.post(
        f"/api/v1/assignments/{aid}/submission",
        json={"answer": {"media_id": 99}, "active_seconds": 1},
        headers={"Idempotency-Key": "x"},
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "answer.media_id"


@pytest.mark.parametrize(
    ("data", "code", "task"),
    [
        (b"OggS" + b"\x00" * 4000, "not_audio", {}),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x01" * 3000, "not_audio", {}),
        (b"<html>not audio</html>" * 100, "not_audio", {}),
        (wav_bytes(0.4), "too_short", {}),
        (wav_bytes(3.0), "too_large", {"max_bytes": 50_000}),
        (wav_bytes(3.0), "too_long", {"max_seconds": 2.0, "min_seconds": 0.5}),
        (wav_bytes(2.0), "format", {"formats": ["webm"]}),
    ],
)
def test_refused_takes_store_nothing(db, http, media_dir, data, code, task):
    _, api, aid, _ = leased(db, http, **task)
    before = f.row_counts(db)
    r = upload(api, aid, data, name="take.wav", mime="audio/wav")
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == code and err["field"] == "file", err
    assert f.row_counts(db) == before
    assert not media_dir.exists() or not any(p.is_file() for p in media_dir.rglob("*"))


def test_upload_on_someone_elses_assignment(db, http, media_dir):
    project_id, _, aid, _ = leased(db, http)
    _, other = f.consented_worker(db, project_id)
    r = upload(http(other), aid, wav_bytes(2.0))
    assert r.status_code == 404 and r.json()["error"]["field"] == "assignment_id"


def test_cli_export_loads_as_audio_with_datasets(db, http, media_dir, tmp_path, backend):
    datasets = pytest.importorskip("datasets")
    import av

    from fairloop.io.writers import write_rows
    from fairloop.services.exports import columns_for, copy_media, export_rows

    project_id, api, aid, _ = leased(db, http)
    media_id = upload(api, aid, wav_bytes(1.5, rate=22_050)).json()["media_id"]
    api.post(
        f"/api/v1/assignments/{aid}/submission",
        json={"answer": {"media_id": media_id}, "active_seconds": 5},
        headers={"Idempotency-Key": "k"},
    )
    from fairloop.cli.common import OPERATOR as operator

    out = tmp_path / "export" / "takes.parquet"
    out.parent.mkdir()
    write_rows(export_rows(db, operator, project_id, "record"), out, columns_for("record"))
    assert copy_media(db, project_id, out.parent) == 1
    ds = datasets.Dataset.from_parquet(str(out))
    assert isinstance(ds.features["audio"], datasets.Audio)
    ds = ds.cast_column("audio", datasets.Audio(decode=False))
    path = out.parent / ds[0]["audio"]["path"]
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        assert stream.sample_rate == 22_050
    assert samples / 22_050 == pytest.approx(1.5, abs=0.01)
    assert ds[0]["sample_rate"] == 22_050 and ds[0]["duration_seconds"] == pytest.approx(1.5)
