"""The needs-attention message: one per document, with what blocks it and how to answer."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks.conflict import conflict_elements
from bot.blocks.header import doc_fields, doc_label, doc_section
from bot.blocks.message import Message
from bot.blocks.model import AttentionView, Group
from bot.blocks.refs import ButtonRef, GroupRef
from bot.blocks.text import Block, button, clip, context, esc, header, money, option, plain, section

# 50 blocks per message: 5 for the header and buttons, two per group, room to spare.
MAX_GROUPS = 12
# Lines listed per group; the rest are counted ("and 14 more").
MAX_LINES = 8
# Section text is 3,000 characters at most; long descriptions are cut well below it.
DESCRIPTION_CHARS = 120

SCOPES = (
    ("everywhere", "This cost code + type, everywhere"),
    ("project", "This cost code + type, this project"),
    ("line", "Only this change order"),
)
DEFAULT_SCOPE = "everywhere"
# Slack refuses messages whose text adds up to about 13k characters (bolt-js #2509), below
# the sum of the per-block limits: the groups share this budget.
GROUP_TEXT_BUDGET = 9000
SNOOZES = (("1d", "Snooze 1 day"), ("7d", "Snooze 1 week"))
_PLACEHOLDER = {
    "account": "Search accounts…",
    "item": "Search items…",
    "vendor": "Pick the QuickBooks vendor…",
    "customer": "Pick the customer:job…",
}
_PICK_ACTION = {
    "account": ids.PICK_ACCOUNT,
    "item": ids.PICK_ACCOUNT,
    "vendor": ids.PICK_VENDOR,
    "customer": ids.PICK_CUSTOMER,
}


def attention_message(view: AttentionView) -> Message:
    doc = view.doc
    blocks: list[Block] = [
        header(clip(f"Needs attention: {doc_label(doc)}", 150)),
        doc_section(doc),
        doc_fields(doc),
        {"type": "divider"},
    ]
    shown = view.groups[:MAX_GROUPS]
    per_group = min(3000, GROUP_TEXT_BUDGET // max(len(shown), 1))
    for index, group in enumerate(shown):
        blocks.extend(_group_blocks(view, index, group, per_group))
    hidden = len(view.groups) - MAX_GROUPS
    if hidden > 0:
        blocks.append(
            context(f"…and {hidden} more to resolve: `/sync show {doc.document_id}` lists them.")
        )
    blocks.append(_buttons(view))
    who = (
        "Only approvers can overwrite, keep, retry or snooze."
        if view.conflict_target
        else "Only approvers can apply, retry, skip, snooze or void."
    )
    blocks.append(context(who))
    count = sum(len(g.lines) or 1 for g in view.groups)
    text = f"Needs attention: {doc_label(doc)} ({count} to resolve)"
    return Message(text=clip(text, 3000), blocks=blocks)


def _group_blocks(view: AttentionView, index: int, group: Group, budget: int) -> list[Block]:
    lines = [f"*{esc(group.title)}*"]
    lines.extend(f"_{esc(clip(m, 400))}_" for m in group.messages[:3])
    if group.suggested:
        lines.append(f"Suggested: *{esc(clip(group.suggested, 200))}*")
    for line in group.lines[:MAX_LINES]:
        desc = esc(clip(line.description or "(no description)", DESCRIPTION_CHARS))
        lines.append(f"• Line {line.position}: {desc} — {money(line.amount)}")
    if len(group.lines) > MAX_LINES:
        lines.append(f"• …and {len(group.lines) - MAX_LINES} more lines")
    blocks: list[Block] = [section(clip("\n".join(lines), budget))]
    if group.picker:
        ref = GroupRef(index, view.doc.document_id, view.revision)
        elements = _pickers(group) + create_elements(view, index, group)
        blocks.append({"type": "actions", "block_id": ref.encode(), "elements": elements})
    return blocks


def _pickers(group: Group) -> list[dict[str, Any]]:
    select: dict[str, Any] = {
        "type": "external_select",
        "action_id": _PICK_ACTION[group.picker],
        "placeholder": plain(_PLACEHOLDER[group.picker], 150),
        "min_query_length": 0,  # open the menu at once: suggestions come first
    }
    elements = [select]
    if group.picker in ("account", "item"):
        scopes = [option(label, value) for value, label in SCOPES]
        elements.append(
            {
                "type": "static_select",
                "action_id": ids.SCOPE,
                "placeholder": plain("Remember it for…", 150),
                "options": scopes,
                "initial_option": scopes[0],
            }
        )
    return elements


def create_elements(view: AttentionView, index: int, group: Group) -> list[dict[str, Any]]:
    """ "Create vendor" / parent picker + "Create job": Slack's own confirm dialog names exactly
    what will be added (a static dialog, so the job's parent is the customer picked beside it)."""
    if not group.create or group.picker not in ("vendor", "customer"):
        return []
    ref = ButtonRef(view.doc.document_id, view.version_id, view.revision, str(index))
    name = clip(group.create, 100)
    if group.picker == "vendor":
        label, action, title = "Create vendor in QuickBooks", ids.CREATE_VENDOR, "Create vendor?"
        text = f"Creates the vendor “{name}” in QuickBooks and links it to this Procore vendor."
        parent: list[dict[str, Any]] = []
    else:
        label, action, title = "Create job", ids.CREATE_JOB, "Create job?"
        text = (
            f"Creates the job “{name}” under the parent customer picked beside this button "
            "and links this Procore project to it."
        )
        parent = [
            {
                "type": "external_select",
                "action_id": ids.PICK_PARENT,
                "placeholder": plain("Parent customer for a new job…", 150),
                "min_query_length": 0,
            }
        ]
    confirm = {
        "title": plain(title, 100),
        "text": plain(f"{text} Then the waiting change orders sync.", 300),
        "confirm": plain("Create", 30),
        "deny": plain("Cancel", 30),
    }
    return [*parent, {**button(label, action, ref.encode()), "confirm": confirm}]


def void_elements(view: AttentionView) -> list[dict[str, Any]]:
    """ "Void in QuickBooks": Slack's own confirm dialog names the document and its total."""
    if not view.void_target:
        return []
    ref = ButtonRef(view.doc.document_id, view.version_id, view.revision)
    what = f"{clip(view.void_target, 120)} for {money(view.void_total)}"
    confirm = {
        "title": plain("Void in QuickBooks?", 100),
        "text": plain(
            f"Void {what} in QuickBooks? (QuickBooks deletes what it cannot void, like a "
            "purchase order.) This change order will not be posted again.",
            300,
        ),
        "confirm": plain("Void", 30),
        "deny": plain("Cancel", 30),
        "style": "danger",
    }
    void = button("Void in QuickBooks", ids.VOID, ref.encode(), style="danger")
    return [{**void, "confirm": confirm}]


def _answers(view: AttentionView, ref: ButtonRef) -> list[dict[str, Any]]:
    """What answers the question. An edit in QuickBooks is answered by Overwrite or Keep:
    Apply has no choice to save, and Skip would only postpone it to the next change (Keep is
    its lasting form); Retry stays, for when the edit was undone in QuickBooks."""
    if view.conflict_target:
        return [*conflict_elements(view), button("Retry", ids.RETRY, ref.encode())]
    return [
        {
            **button("Apply & sync", ids.APPLY, ref.encode(), style="primary"),
            "confirm": {
                "title": plain("Apply and post?", 100),
                "text": plain("Save the choices as mapping rules and post to QuickBooks.", 300),
                "confirm": plain("Apply & sync", 30),
                "deny": plain("Cancel", 30),
            },
        },
        button("Retry", ids.RETRY, ref.encode()),
        button("Skip", ids.SKIP, ref.encode(), style="danger"),
        *void_elements(view),
    ]


def _buttons(view: AttentionView) -> Block:
    ref = ButtonRef(view.doc.document_id, view.version_id, view.revision)
    elements = _answers(view, ref)
    for arg, label in SNOOZES:
        snooze = ButtonRef(view.doc.document_id, view.version_id, view.revision, arg)
        elements.append(button(label, ids.SNOOZE, snooze.encode()))
    if view.doc.url.startswith("http"):
        elements.append(button("Open in Procore", ids.OPEN, url=view.doc.url))
    return {
        "type": "actions",
        "block_id": f"doc.d{view.doc.document_id}.r{view.revision}",
        "elements": elements,
    }
