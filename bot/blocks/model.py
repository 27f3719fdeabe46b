"""Plain view data the builders render: filled by ``bot.services.views`` from the database."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocView:
    """A source document as the header of every message shows it."""

    document_id: int
    kind: str  # DocumentKind value
    number: str
    title: str
    project: str
    counterparty: str  # the vendor (commitment) or the project's owner (prime)
    total: str
    url: str = ""


@dataclass(frozen=True)
class LineView:
    position: int
    description: str
    amount: str


@dataclass(frozen=True)
class Group:
    """Unresolved lines that one answer fixes: same reason, same cost code + cost type.

    ``picker`` says what the answer is: ``account`` / ``item`` (a rule), ``vendor`` /
    ``customer`` (a link), or ``""`` when only a person outside Slack can fix it.
    """

    reason: str
    title: str
    messages: tuple[str, ...]
    lines: tuple[LineView, ...] = ()
    picker: str = ""
    suggested: str = ""  # the best suggestion, in words ("5010 Labor")
    create: str = ""  # the vendor / job name a "Create" button would add ("" = no button)


@dataclass(frozen=True)
class AttentionView:
    doc: DocView
    version_id: int
    revision: int
    groups: tuple[Group, ...]
    # The posted document a "Void in QuickBooks" button voids ("PurchaseOrder SC-001-003") and
    # its total; "" = no button (only after the change order left, or was un-approved in, Procore).
    void_target: str = ""
    void_total: str = "0"
    # The QuickBooks document someone edited since costbridge wrote it ("PurchaseOrder
    # SC-100-001"): Overwrite / Keep replace Apply & sync. "" = not waiting on such an edit.
    conflict_target: str = ""


@dataclass(frozen=True)
class Outcome:
    """How a document's story ended, for the message edited in place."""

    # posted | skipped | snoozed | applying | superseded | voiding | voided | overwriting |
    # overwritten | kept
    state: str
    actor: str = ""  # Slack user id
    target: str = ""  # "PurchaseOrder 1043"
    summary: str = ""  # "rule saved: 03-300 Labor → 5010 Labor"
    until: str = ""  # snoozed until


@dataclass(frozen=True)
class FailureView:
    doc: DocView
    error: str  # in plain words
    remote: str  # the target system's own message
    attempts: int
    revision: int


@dataclass(frozen=True)
class RollupView:
    rollup_id: int
    title: str  # "QuickBooks returns 503"
    documents: int
    waiting: int
    retry_every: str  # "retrying every 5 min" or ""
    sample: tuple[str, ...] = ()  # a few document labels


@dataclass(frozen=True)
class StatusView:
    counts: dict[str, int]
    dead_letters: int
    oldest_waiting: str
    last_posted: str
    paused: bool
    health: tuple[str, ...] = ()


@dataclass(frozen=True)
class HomeView:
    synced_today: int
    waiting: int
    failed: int
    my_queue: tuple[tuple[DocView, str], ...]  # (document, why)
    recent_failures: tuple[tuple[DocView, str], ...]
    health: tuple[str, ...]
    is_approver: bool
    paused: bool = False


@dataclass(frozen=True)
class DigestView:
    day: str
    posted: int
    posted_total: str
    waiting: tuple[DocView, ...]
    failed: tuple[tuple[DocView, str], ...]
    extra: dict[str, int] = field(default_factory=dict)
