"""One error hierarchy for the whole platform.

Every error carries a stable ``code`` (what a script matches on), a ``message`` (what
a person reads) and, where one input is to blame, the ``field`` (or file line) that
caused it. The API renders it as ``{"error": {"code", "message", "field"}}`` with
``status``; the CLI prints it on one line.

    FairloopError
     ├── InvalidInput      422  bad spec, item, answer, file row
     ├── BadRequest        400  a request missing something required (Idempotency-Key)
     ├── Unauthorized      401  no or unknown credentials
     ├── Forbidden         403  known user, not allowed (no consent, wrong role)
     │    ├── WellbeingRefusal  exposure budget, break due (with ``resume_at``)
     │    └── NotNow        qualification, skills, daily cap (``resume_at``, ``link``)
     ├── NotFound          404  absent, or not visible to this user
     ├── Conflict          409  the state does not allow it (lease released, ...)
     │    └── PendingLimit  the worker holds ``max_pending`` live leases already
     ├── RateLimited       429
     └── Upstream          502  a model server (or other outside service) failed
"""

from __future__ import annotations


class FairloopError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}

    def one_line(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"error ({self.code}){where}: {self.message}"


class InvalidInput(FairloopError):
    status = 422
    code = "invalid"


class BadRequest(FairloopError):
    status = 400
    code = "bad_request"


class Unauthorized(FairloopError):
    status = 401
    code = "unauthorized"


class Forbidden(FairloopError):
    status = 403
    code = "forbidden"


class WellbeingRefusal(Forbidden):
    """A hazard item refused for the worker's protection; says when work may resume."""

    def __init__(self, message: str, *, code: str, resume_at: str | None):
        super().__init__(message, code=code)
        self.resume_at = resume_at

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["error"]["resume_at"] = self.resume_at  # type: ignore[index]
        return body


class NotNow(Forbidden):
    """The worker may not take work here yet: says what to do (``link``) or when to
    come back (``resume_at``, ISO 8601)."""

    def __init__(
        self, message: str, *, code: str, resume_at: str | None = None, link: str | None = None
    ):
        super().__init__(message, code=code)
        self.resume_at = resume_at
        self.link = link

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["error"].update(resume_at=self.resume_at, link=self.link)  # type: ignore[attr-defined]
        return body


class NotFound(FairloopError):
    status = 404
    code = "not_found"


class Conflict(FairloopError):
    status = 409
    code = "conflict"


class PendingLimit(Conflict):
    """A lease asked for while holding ``max_pending`` live ones (``held``: their ids)."""

    code = "max_pending"

    def __init__(self, message: str, *, held: list[int]):
        super().__init__(message, field="max_pending")
        self.held = held

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["error"]["held"] = self.held  # type: ignore[index]
        return body


class RateLimited(FairloopError):
    status = 429
    code = "rate_limited"


class Upstream(FairloopError):
    """An outside service we call (a project's model) failed; the message never carries
    what it sent back, which could hold anything."""

    status = 502
    code = "upstream"
