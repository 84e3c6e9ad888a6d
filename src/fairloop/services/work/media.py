"""Recorded takes: checked by decoding, stored content-addressed under
FAIRLOOP_MEDIA_DIR, read back only by the worker who made them or the project's
requester."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Media, Project
from fairloop.domain.actors import Actor
from fairloop.domain.specs import parse_task
from fairloop.domain.tasks.record import RecordTask
from fairloop.errors import Conflict, InvalidInput, NotFound
from fairloop.io.audio import EXTENSIONS, MIME, AudioInfo, NotAudio, probe
from fairloop.services.access import leased_assignment, project_for_requester
from fairloop.services.work.rows import SubmitAssignment
from fairloop.settings import get_settings


def media_root() -> Path:
    return Path(get_settings().media_dir).resolve()


def relative_path(sha256: str, fmt: str) -> str:
    """Where a file lives below the media root: chosen by us from its hash, never by
    the client."""
    return f"{sha256[:2]}/{sha256}.{EXTENSIONS[fmt]}"


def record_task(db: Database, actor: Actor, assignment_id: int) -> RecordTask:
    """The record task of the worker's own leased assignment (checked before upload)."""
    with db.transaction(readonly=True) as session:
        assignment = leased_assignment(session, actor, assignment_id, lock=False)
        project = session.get(Project, assignment.project_id)
        assert project is not None
        task = parse_task(project.spec["task"])
    if not isinstance(task, RecordTask):
        raise Conflict("uploads belong to recording tasks only", field="assignment_id")
    return task


def check_take(data: bytes, task: RecordTask) -> AudioInfo:
    """Decode the take and hold it to the spec; InvalidInput naming ``file`` otherwise."""
    if len(data) > task.max_bytes:
        raise InvalidInput(
            f"the file is {len(data):,} bytes; the limit is {task.max_bytes:,} (max_bytes)",
            field="file",
            code="too_large",
        )
    try:
        info = probe(data, max_seconds=task.max_seconds)
    except NotAudio as exc:
        raise InvalidInput(
            f"the file is not audio: {exc}", field="file", code="not_audio"
        ) from None
    if info.format not in task.formats:
        raise InvalidInput(
            f"{info.format} audio is not accepted here; send {', '.join(task.formats)}",
            field="file",
            code="format",
        )
    if info.duration_seconds < task.min_seconds:
        raise InvalidInput(
            f"the take is {info.duration_seconds:.1f} s; it must be at least "
            f"{task.min_seconds:g} s (min_seconds)",
            field="file",
            code="too_short",
        )
    if info.duration_seconds > task.max_seconds:
        raise InvalidInput(
            f"the take is longer than {task.max_seconds:g} s (max_seconds)",
            field="file",
            code="too_long",
        )
    return info


def _write_once(root: Path, rel: str, data: bytes) -> None:
    """Write atomically; the same content under the same name is already there."""
    target = root / rel
    if target.exists():
        return
    # Owner only: recordings are people's voices (mkstemp's file is 0600 already).
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store_take(db: Database, actor: Actor, assignment_id: int, data: bytes) -> dict[str, Any]:
    """Check and keep one take; ``{"media_id", "duration_seconds", ...}``."""
    task = record_task(db, actor, assignment_id)
    info = check_take(data, task)
    sha = hashlib.sha256(data).hexdigest()
    _write_once(media_root(), relative_path(sha, info.format), data)
    with db.transaction() as session:
        assignment = leased_assignment(session, actor, assignment_id)
        media = Media(
            project_id=assignment.project_id,
            assignment_id=assignment.id,
            worker_id=actor.id,
            sha256=sha,
            format=info.format,
            codec=info.codec,
            size_bytes=len(data),
            duration_seconds=round(info.duration_seconds, 3),
            sample_rate=info.sample_rate,
            channels=info.channels,
            created_at=utcnow(),
        )
        session.add(media)
        session.flush()
        return {
            "media_id": media.id,
            "duration_seconds": media.duration_seconds,
            "format": media.format,
            "sample_rate": media.sample_rate,
            "channels": media.channels,
        }


INLINE_TYPES = frozenset(MIME.values())
"""The types a take may be served as for playing in place (all audio)."""


@dataclass(frozen=True)
class MediaFile:
    path: Path
    media_type: str


def open_media(db: Database, actor: Actor, media_id: int) -> MediaFile:
    """A take's file, for the worker who made it or the project's requester; 404 else."""
    with db.transaction(readonly=True) as session:
        media = session.get(Media, media_id)
        if media is None:
            raise NotFound(f"no media {media_id}", field="media_id")
        if actor.role == "worker":
            if media.worker_id != actor.id:
                raise NotFound(f"no media {media_id}", field="media_id")
        else:
            try:
                project_for_requester(session, actor, media.project_id)
            except NotFound:
                raise NotFound(f"no media {media_id}", field="media_id") from None
        path = media_root() / relative_path(media.sha256, media.format)
        return MediaFile(path, MIME[media.format])


def check_answer_media(
    session: Connection, assignment: SubmitAssignment, answer: dict[str, Any]
) -> None:
    """A record answer must name a take uploaded for this very assignment."""
    found = session.execute(
        select(Media.id).where(Media.id == answer["media_id"], Media.assignment_id == assignment.id)
    ).first()
    if found is None:
        raise InvalidInput(
            f"media {answer['media_id']} was not uploaded for this assignment",
            field="answer.media_id",
        )
