"""Slack's documented Block Kit limits, checked on built blocks (tests run every builder here).

slack_sdk's models validate most per-element limits (we run them too) but not the per-message
block count nor nested options, so those are checked here. Sources: docs.slack.dev block and
composition-object reference pages (see research/slack_and_style.md, Part A2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
SECTION_TEXT = 3000
FIELD_TEXT = 2000
MAX_FIELDS = 10
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
ID_CHARS = 255
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
MAX_OPTIONS = 100
URL_CHARS = 3000
FALLBACK_TEXT = 40000
# Undocumented, reported at about 13k characters of text across blocks (bolt-js #2509).
TOTAL_TEXT = 12000


def violations(
    blocks: Sequence[dict[str, Any]], *, surface: str = "message", text: str = "x"
) -> list[str]:
    """Every limit the blocks break, in words; empty when Slack would accept them."""
    found: list[str] = []
    if len(blocks) > MAX_BLOCKS[surface]:
        found.append(f"{len(blocks)} blocks > {MAX_BLOCKS[surface]} per {surface}")
    if surface == "message" and not (0 < len(text) <= FALLBACK_TEXT):
        found.append("fallback text missing or too long")
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        found.append("duplicate block_id")
    total = 0
    for i, block in enumerate(blocks):
        where = f"block {i} ({block.get('type')})"
        found.extend(f"{where}: {v}" for v in _block(block))
        total += sum(len(t) for t in _texts(block))
        try:
            parsed = Block.parse(block)
            if parsed is None:
                found.append(f"{where}: unknown block type")
            else:
                parsed.validate_json()
        except SlackObjectFormationError as exc:
            found.append(f"{where}: slack_sdk: {exc}")
    if total > TOTAL_TEXT:
        found.append(f"{total} characters of text > {TOTAL_TEXT}")
    return found


def options_violations(response: dict[str, Any]) -> list[str]:
    """Limits of an options-request answer (``options`` or ``option_groups``)."""
    found: list[str] = []
    groups = response.get("option_groups")
    options = [o for g in groups for o in g["options"]] if groups else response.get("options", [])
    if len(options) >= MAX_OPTIONS:
        found.append(f"{len(options)} options (must be under {MAX_OPTIONS})")
    for group in groups or []:
        if len(group["label"]["text"]) > OPTION_TEXT:
            found.append("option group label > 75")
    found.extend(_options(options))
    return found


def _options(options: Iterable[dict[str, Any]]) -> list[str]:
    found = []
    for opt in options:
        if len(opt["text"]["text"]) > OPTION_TEXT:
            found.append(f"option text > {OPTION_TEXT}: {opt['text']['text'][:20]}…")
        if len(opt["value"]) > OPTION_VALUE:
            found.append(f"option value > {OPTION_VALUE}")
    return found


def _block(block: dict[str, Any]) -> list[str]:
    found: list[str] = []
    kind = block.get("type")
    if len(block.get("block_id", "")) > ID_CHARS:
        found.append("block_id > 255")
    if kind == "section":
        if "text" in block and not 0 < len(block["text"]["text"]) <= SECTION_TEXT:
            found.append(f"section text {len(block['text']['text'])} chars")
        fields = block.get("fields", [])
        if len(fields) > MAX_FIELDS:
            found.append("more than 10 fields")
        found.extend("field > 2000" for f in fields if len(f["text"]) > FIELD_TEXT)
        if "accessory" in block:
            found.extend(_element(block["accessory"]))
    elif kind == "header" and len(block["text"]["text"]) > HEADER_TEXT:
        found.append("header > 150")
    elif kind == "context" and len(block["elements"]) > CONTEXT_ELEMENTS:
        found.append("context > 10 elements")
    elif kind == "actions":
        if len(block["elements"]) > ACTIONS_ELEMENTS:
            found.append("actions > 25 elements")
        for element in block["elements"]:
            found.extend(_element(element))
    return found


def _element(element: dict[str, Any]) -> list[str]:
    found: list[str] = []
    if len(element.get("action_id", "")) > ID_CHARS:
        found.append("action_id > 255")
    if element.get("type") == "button":
        if len(element["text"]["text"]) > BUTTON_TEXT:
            found.append("button text > 75")
        if len(element.get("value", "")) > BUTTON_VALUE:
            found.append("button value > 2000")
        if len(element.get("url", "")) > URL_CHARS:
            found.append("button url > 3000")
    options = list(element.get("options", []))
    if "initial_option" in element:
        options.append(element["initial_option"])
    if len(element.get("options", [])) > MAX_OPTIONS:
        found.append("select with more than 100 options")
    found.extend(_options(options))
    return found


def _texts(block: dict[str, Any]) -> Iterable[str]:
    if "text" in block and isinstance(block["text"], dict):
        yield block["text"]["text"]
    for f in block.get("fields", []):
        yield f["text"]
    if block.get("type") == "context":
        for e in block["elements"]:
            if "text" in e:
                yield e["text"]
