"""``record``: one row per recording, with the script or prompt, the transcript and the
take as a path relative to the export's media folder (``media/<sha256>.<ext>``);
:func:`copy_media` fills that folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fairloop.db.engine import Database
from fairloop.db.models import Media, Submission
from fairloop.io.audio import EXTENSIONS
from fairloop.services.exports.common import task_submissions
from fairloop.services.work.media import media_root, relative_path

COLUMNS = {
    "submission_id": "int",
    "item_id": "int",
    "external_id": "str",
    "script": "str",
    "prompt": "str",
    "transcript": "str",
    "audio": "audio",
    "duration_seconds": "float",
    "sample_rate": "int",
    "format": "str",
    "worker": "str",
    "active_seconds": "int",
    "submitted_at": "str",
}
MEDIA_FOLDER = "media"


def export_path(media: Media) -> str:
    return f"{MEDIA_FOLDER}/{media.sha256}.{EXTENSIONS[media.format]}"


def record_rows(db: Database, project_id: int) -> Iterator[dict[str, Any]]:
    with db.transaction(readonly=True) as session:
        for sub, external_id, data, pseudonym in session.execute(task_submissions(project_id)):
            media = session.get(Media, sub.answer["media_id"])
            assert media is not None
            yield {
                "submission_id": sub.id,
                "item_id": sub.item_id,
                "external_id": external_id,
                "script": data.get("script"),
                "prompt": data.get("prompt"),
                "transcript": sub.answer.get("transcript", ""),
                "audio": export_path(media),
                "duration_seconds": media.duration_seconds,
                "sample_rate": media.sample_rate,
                "format": media.format,
                "worker": pseudonym,
                "active_seconds": sub.active_seconds,
                "submitted_at": sub.submitted_at.isoformat(),
            }


def copy_media(db: Database, project_id: int, out_dir: Path) -> int:
    """Copy the project's submitted takes into ``out_dir/media``: what the ``audio``
    paths of a record export point at. Returns the number of files."""
    target = out_dir / MEDIA_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    root = media_root()
    count = 0
    with db.transaction(readonly=True) as session:
        for (answer,) in session.execute(
            select(Submission.answer).where(Submission.project_id == project_id)
        ):
            media = session.get(Media, answer["media_id"])
            assert media is not None
            dest = out_dir / export_path(media)
            if not dest.exists():
                shutil.copyfile(root / relative_path(media.sha256, media.format), dest)
            count += 1
    return count
