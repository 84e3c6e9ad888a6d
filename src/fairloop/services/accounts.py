"""Accounts: users, organisations, API tokens and browser sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import ApiToken, Membership, Organisation, User, WebSession
from fairloop.domain import languages
from fairloop.domain.actors import ROLES, Actor
from fairloop.errors import Conflict, InvalidInput, Unauthorized
from fairloop.services import audit

SESSION_DAYS = 14
_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4 (RFC 9106's low-memory choice)
MIN_PASSWORD = 8
# Verifying against this when the email is unknown keeps the timing the same.
_DUMMY_HASH = _hasher.hash("not a password")


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def _check_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 320:
        raise InvalidInput(f"{email!r} is not an email address", field="email")
    return email


def _org(session: Session, name: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name)
        session.add(org)
        session.flush()
    return org


def create_user(
    db: Database,
    email: str,
    *,
    role: str,
    password: str | None = None,
    org: str | None = None,
    country: str | None = None,
) -> tuple[Actor, str]:
    """Create a user (and its organisation if new); returns it and a first API token."""
    email = _check_email(email)
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    if role == "requester" and not org:
        raise InvalidInput("a requester belongs to an organisation: give --org", field="org")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise InvalidInput("country must be a two-letter code such as KE", field="country")
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters", field="password")
    with db.transaction() as session:
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise Conflict(f"a user with email {email} exists already", field="email")
        user = User(
            email=email,
            role=role,
            password_hash=_hasher.hash(password) if password else None,
            country=country.upper() if country else None,
        )
        session.add(user)
        session.flush()
        if org:
            session.add(Membership(user_id=user.id, org_id=_org(session, org).id))
        token = _issue_token(session, user.id, label="created")
        audit.record(session, None, "user.create", f"user:{user.id}")
        return Actor(user.id, user.role, user.email), token


def _issue_token(session: Session, user_id: int, *, label: str) -> str:
    secret = new_secret("fl")
    session.add(ApiToken(user_id=user_id, token_hash=token_hash(secret), label=label))
    return secret


def _verify_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(
            user.password_hash if user and user.password_hash else _DUMMY_HASH, password
        )
    except (VerifyMismatchError, InvalidHashError):
        return False


def _check_password(db: Database, email: str, password: str, *, field: str = "password") -> int:
    """The user id if the password is right. Hashing takes ~50 ms: it runs in a read
    transaction, never holding the single SQLite writer."""
    with db.transaction(readonly=True) as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if not _verify_password(user, password) or user is None or user.disabled_at:
        raise Unauthorized("wrong email or password", field=field)
    return user.id


def token_for_password(db: Database, email: str, password: str) -> str:
    """A new API token for whoever knows the password."""
    user_id = _check_password(db, email, password)
    with db.transaction() as session:
        return _issue_token(session, user_id, label="password")


# Built once: every API request runs it, and building it cost more than running it.
_BY_TOKEN = (
    select(User.id, User.role, User.email)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        User.disabled_at.is_(None),
    )
)


def actor_for_token(db: Database, secret: str) -> Actor:
    with db.lookup() as conn:
        row = conn.execute(_BY_TOKEN, {"token_hash": token_hash(secret)}).first()
    if row is None:
        raise Unauthorized("unknown or revoked API token", field="Authorization")
    return Actor(row.id, row.role, row.email)


def start_session(db: Database, email: str, password: str) -> tuple[str, str, Actor]:
    """Log in: returns (cookie secret, CSRF token, actor). A fresh secret each login."""
    user_id = _check_password(db, email, password)
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        secret = new_secret("fs")
        csrf = secrets.token_urlsafe(32)
        session.add(
            WebSession(
                user_id=user.id,
                session_hash=token_hash(secret),
                csrf_token=csrf,
                expires_at=utcnow() + timedelta(days=SESSION_DAYS),
            )
        )
        return secret, csrf, Actor(user.id, user.role, user.email)


def actor_for_session(
    db: Database, secret: str, *, now: datetime | None = None
) -> tuple[Actor, str, str | None]:
    """(actor, CSRF token, the user's language or None) for a live session cookie."""
    now = now or utcnow()
    with db.transaction(readonly=True) as session:
        row = session.execute(
            select(User.id, User.role, User.email, WebSession.csrf_token, User.locale)
            .join(WebSession, WebSession.user_id == User.id)
            .where(
                WebSession.session_hash == token_hash(secret),
                WebSession.ended_at.is_(None),
                WebSession.expires_at > now,
                User.disabled_at.is_(None),
            )
        ).first()
    if row is None:
        raise Unauthorized("please log in", field="session")
    return Actor(row.id, row.role, row.email), row.csrf_token, row.locale


def set_locale(db: Database, actor: Actor, code: object) -> dict[str, str]:
    """The language of this user's pages, one of domain/languages.py."""
    chosen = languages.known(code)
    if chosen is None:
        raise InvalidInput(
            f"locale {str(code)[:16]!r} is not a language fairloop speaks; use one of "
            + ", ".join(languages.LANGUAGES),
            field="locale",
        )
    with db.transaction() as session:
        session.execute(update(User).where(User.id == actor.id).values(locale=chosen))
    return {"locale": chosen}


def end_session(db: Database, secret: str) -> None:
    """Log out: ends every session and API token of the cookie's user, so a cookie or
    token copied elsewhere dies with it."""
    with db.transaction() as session:
        user_id = session.scalar(
            select(WebSession.user_id).where(WebSession.session_hash == token_hash(secret))
        )
        if user_id is not None:
            _end_all_access(session, user_id)
            audit.record(session, Actor(user_id, "", ""), "user.logout", f"user:{user_id}")


def change_password(db: Database, actor: Actor, current: str, new: str) -> str:
    """Set a new password; every session and token ends. Returns a fresh API token."""
    if len(new) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters", field="new")
    user_id = _check_password(db, actor.email, current, field="current")
    new_hash = _hasher.hash(new)
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.password_hash = new_hash
        _end_all_access(session, user_id)
        audit.record(session, actor, "user.password", f"user:{user_id}")
        return _issue_token(session, user_id, label="password change")


def _end_all_access(session: Session, user_id: int) -> None:
    now = utcnow()
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
