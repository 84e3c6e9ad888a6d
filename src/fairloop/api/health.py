from __future__ import annotations

from fastapi import APIRouter

from fairloop.http.deps import DatabaseDep
from fairloop.services.health import check_database

router = APIRouter()


@router.get("/healthz")
def healthz(db: DatabaseDep) -> dict[str, str]:
    check_database(db)
    return {"status": "ok"}
