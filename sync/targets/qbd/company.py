"""Company files: each is a target with its own Web Connector user, password and GUIDs."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models_qbd import QbdCompanyFile
from sync.settings import Settings
from sync.targets.qbd.passwords import hash_password, verify_password

TARGET_PREFIX = "qbd:"


def target_name(company: str) -> str:
    return f"{TARGET_PREFIX}{company}"


def new_guid() -> str:
    """A GUID in braces, the form the .qwc file and QuickBooks use."""
    return "{" + str(uuid.uuid4()).upper() + "}"


async def by_name(session: AsyncSession, name: str) -> QbdCompanyFile | None:
    stmt = select(QbdCompanyFile).where(col(QbdCompanyFile.name) == name)
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_username(session: AsyncSession, username: str) -> QbdCompanyFile | None:
    stmt = select(QbdCompanyFile).where(col(QbdCompanyFile.username) == username)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_company_file(
    session: AsyncSession,
    *,
    name: str,
    username: str,
    password: str,
    owner_id: str,
    company_path: str,
    now: datetime,
) -> QbdCompanyFile:
    """A new company file with a fresh FileID (one per company file, kept forever)."""
    row = QbdCompanyFile(
        name=name,
        username=username,
        password_hash=hash_password(password),
        owner_id=owner_id,
        file_id=new_guid(),
        company_path=company_path,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def ensure_configured(
    session: AsyncSession, settings: Settings, *, now: datetime
) -> QbdCompanyFile | None:
    """The company file the settings describe, created or brought in line with them.

    The settings' password is the source of truth for that file: when it changes (a rotated
    secret) the stored hash follows. Without a password nothing is created: a Web Connector
    user without a password must never exist.
    """
    password = settings.qbd_password.get_secret_value()
    row = await by_name(session, settings.qbd_company)
    if row is None:
        if not password:
            return None
        return await add_company_file(
            session,
            name=settings.qbd_company,
            username=settings.qbd_username,
            password=password,
            owner_id=settings.qbd_owner_id,
            company_path=settings.qbd_company_path,
            now=now,
        )
    changed = False
    if password and not verify_password(password, row.password_hash):
        row.password_hash = hash_password(password)
        changed = True
    for column, value in (
        ("username", settings.qbd_username),
        ("owner_id", settings.qbd_owner_id),
        ("company_path", settings.qbd_company_path),
    ):
        if getattr(row, column) != value:
            setattr(row, column, value)
            changed = True
    if changed:
        row.updated_at = now
        session.add(row)
        await session.flush()
    return row
