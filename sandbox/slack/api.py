"""The Slack Web API methods costbridge calls, answered the way Slack answers them.

Every call is recorded (``SlackState.calls``). Arguments arrive as a query string, a form or
JSON (slack_sdk uses all three); ``blocks``/``view`` may be JSON text inside a form. Errors are
``{"ok": false, "error": "..."}`` with HTTP 200, as on Slack.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.slack.state import BOT_USER, TEAM_ID, Message, SlackState

Method = Callable[[SlackState, dict[str, Any]], dict[str, Any]]


async def read_args(request: Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    kind = request.headers.get("content-type", "")
    if body and "json" in kind:
        args.update(json.loads(body))
    elif body:
        args.update((await request.form()).items())
    for key in ("blocks", "view", "attachments"):
        if isinstance(args.get(key), str) and args[key].strip()[:1] in "[{":
            args[key] = json.loads(args[key])
    return args


def router(state: SlackState) -> APIRouter:
    api = APIRouter()

    @api.api_route("/api/{method}", methods=["GET", "POST"])
    async def call(method: str, request: Request) -> JSONResponse:
        args = await read_args(request)
        if request.headers.get("authorization") != f"Bearer {state.token}":
            token = args.pop("token", None)
            if token != state.token:
                return JSONResponse({"ok": False, "error": "invalid_auth"})
        handler = METHODS.get(method)
        if handler is None:
            return JSONResponse({"ok": False, "error": "unknown_method"})
        state.calls.append(_recorded(method, args))
        return JSONResponse(handler(state, args))

    return api


def _recorded(method: str, args: dict[str, Any]) -> Any:
    from sandbox.slack.state import Call

    return Call(method, {k: v for k, v in args.items() if k != "token"})


def _auth_test(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"{state.base_url}/",
        "team": "Acme Builders (sandbox)",
        "user": "costbridge",
        "team_id": TEAM_ID,
        "user_id": BOT_USER,
        "bot_id": "B0BOT",
    }


def _post(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    channel = state.channel_id(str(args.get("channel", "")))
    if channel is None:
        return {"ok": False, "error": "channel_not_found"}
    if not args.get("text") and not args.get("blocks"):
        return {"ok": False, "error": "no_text"}
    thread = str(args.get("thread_ts") or "")
    if thread and state.find(channel, thread) is None:
        return {"ok": False, "error": "thread_not_found"}
    message = Message(
        channel,
        state.next_ts(),
        str(args.get("text") or ""),
        list(args.get("blocks") or []),
        thread_ts=thread,
    )
    state.messages.append(message)
    return {"ok": True, "channel": channel, "ts": message.ts, "message": message.as_json()}


def _update(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    channel = state.channel_id(str(args.get("channel", "")))
    message = state.find(channel or "", str(args.get("ts", "")))
    if message is None:
        return {"ok": False, "error": "message_not_found"}
    if "text" in args:
        message.text = str(args["text"])
    if "blocks" in args:
        message.blocks = list(args["blocks"] or [])
    message.edits += 1
    return {"ok": True, "channel": message.channel, "ts": message.ts, "text": message.text}


def _ephemeral(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    channel = state.channel_id(str(args.get("channel", "")))
    user = str(args.get("user", ""))
    if channel is None:
        return {"ok": False, "error": "channel_not_found"}
    if user not in state.users:
        return {"ok": False, "error": "user_not_in_channel"}
    message = Message(
        channel,
        state.next_ts(),
        str(args.get("text") or ""),
        list(args.get("blocks") or []),
        ephemeral_to=user,
    )
    state.messages.append(message)
    return {"ok": True, "message_ts": message.ts}


def _views_publish(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    user = str(args.get("user_id", ""))
    view = args.get("view")
    if user not in state.users:
        return {"ok": False, "error": "user_not_found"}
    if not isinstance(view, dict) or view.get("type") != "home":
        return {"ok": False, "error": "invalid_arguments"}
    if len(view.get("blocks", [])) > 100:
        return {"ok": False, "error": "invalid_blocks"}
    state.views[user] = view
    return {"ok": True, "view": {"id": f"V{user}", **view}}


def _views_open(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    view = args.get("view")
    if not args.get("trigger_id") or not isinstance(view, dict):
        return {"ok": False, "error": "invalid_arguments"}
    view_id = f"V{len(state.modals) + 1:04d}"
    state.modals[view_id] = view
    return {"ok": True, "view": {"id": view_id, "hash": "1", **view}}


def _views_update(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    view_id = str(args.get("view_id", ""))
    if view_id not in state.modals:
        return {"ok": False, "error": "not_found"}
    state.modals[view_id] = dict(args.get("view") or {})
    return {"ok": True, "view": {"id": view_id, **state.modals[view_id]}}


def _replies(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    channel = state.channel_id(str(args.get("channel", ""))) or ""
    parent = state.find(channel, str(args.get("ts", "")))
    if parent is None:
        return {"ok": False, "error": "thread_not_found"}
    thread = [parent, *state.replies(channel, parent.ts)]
    return {"ok": True, "messages": [m.as_json() for m in thread], "has_more": False}


def _users_info(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    user = str(args.get("user", ""))
    if user not in state.users:
        return {"ok": False, "error": "user_not_found"}
    name = state.users[user]
    return {
        "ok": True,
        "user": {
            "id": user,
            "name": name.split()[0].lower(),
            "real_name": name,
            "team_id": TEAM_ID,
            "profile": {"real_name": name, "display_name": name},
        },
    }


def _group_users(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    group = str(args.get("usergroup", ""))
    if group not in state.usergroups:
        return {"ok": False, "error": "no_such_subteam"}
    return {"ok": True, "users": list(state.usergroups[group])}


METHODS: dict[str, Method] = {
    "auth.test": _auth_test,
    "chat.postMessage": _post,
    "chat.update": _update,
    "chat.postEphemeral": _ephemeral,
    "views.publish": _views_publish,
    "views.open": _views_open,
    "views.update": _views_update,
    "conversations.replies": _replies,
    "users.info": _users_info,
    "usergroups.users.list": _group_users,
}
