"""The sandbox Slack as one FastAPI app: Web API, response_url, the page and its clicks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

from sandbox.slack.api import read_args, router
from sandbox.slack.driver import SlackDriver
from sandbox.slack.state import APPROVER, Message, SlackState

PAGE = Path(__file__).with_name("page.html")


def create_app(state: SlackState, driver: SlackDriver | None = None) -> FastAPI:
    app = FastAPI(title="sandbox Slack", docs_url=None, redoc_url=None)
    app.include_router(router(state))
    app.state.driver = driver  # set later when the app it talks to exists (the demo)

    def current() -> SlackDriver | None:
        found: SlackDriver | None = app.state.driver
        return found

    @app.post("/_sandbox/response/{key}")
    async def response_url(key: str, request: Request) -> PlainTextResponse:
        # https://docs.slack.dev/interactivity/handling-user-interaction#message_responses
        if key not in state.response_urls:
            return PlainTextResponse("no_such_response_url", status_code=404)
        channel, ts, user = state.response_urls[key]
        args = await read_args(request)
        state.calls.append(_call("response_url", args))
        original = state.find(channel, ts) if ts else None
        if args.get("delete_original") and original is not None:
            state.messages.remove(original)
        elif args.get("replace_original") and original is not None:
            original.text = str(args.get("text") or original.text)
            original.blocks = list(args.get("blocks") or [])
            original.edits += 1
        else:
            public = args.get("response_type") == "in_channel"
            state.messages.append(
                Message(
                    channel,
                    state.next_ts(),
                    str(args.get("text") or ""),
                    list(args.get("blocks") or []),
                    ephemeral_to="" if public else user,
                )
            )
        return PlainTextResponse("ok")

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(PAGE.read_text())

    @app.get("/_sandbox/state")
    async def snapshot(user: str = APPROVER, channel: str = "C0SYNC") -> dict[str, Any]:
        return {
            "channel": {"id": channel, "name": state.channels.get(channel, channel)},
            "users": state.users,
            "messages": [
                {**m.as_json(), "replies": [r.as_json() for r in state.replies(channel, m.ts)]}
                for m in state.top_level(channel)
            ],
            "ephemerals": [m.as_json() for m in state.ephemerals(user)],
            "home": state.views.get(user),
        }

    @app.post("/_sandbox/ui/action")
    async def ui_action(request: Request) -> JSONResponse:
        driver = current()
        if driver is None:
            return JSONResponse({"error": "no app to send clicks to"}, status_code=503)
        data = await request.json()
        response = await driver.block_action(
            data["channel"],
            data["ts"],
            data["action"],
            user=data.get("user", APPROVER),
            values=data.get("values") or {},
        )
        return JSONResponse({"status": response.status_code})

    @app.post("/_sandbox/ui/options")
    async def ui_options(request: Request) -> JSONResponse:
        driver = current()
        if driver is None:
            return JSONResponse({"error": "no app to ask"}, status_code=503)
        data = await request.json()
        response = await driver.options(
            data["channel"],
            data["ts"],
            data["block_id"],
            data["action_id"],
            data.get("value", ""),
            user=data.get("user", APPROVER),
        )
        body = response.json() if response.status_code == 200 and response.content else {}
        return JSONResponse(body, status_code=response.status_code)

    @app.post("/_sandbox/ui/command")
    async def ui_command(request: Request) -> JSONResponse:
        driver = current()
        if driver is None:
            return JSONResponse({"error": "no app to send commands to"}, status_code=503)
        data = await request.json()
        user = data.get("user", APPROVER)
        response = await driver.command(str(data.get("text", "")), user=user)
        if response.status_code == 200 and response.content:
            reply = response.json()
            state.messages.append(
                Message(
                    "C0SYNC",
                    state.next_ts(),
                    str(reply.get("text") or ""),
                    list(reply.get("blocks") or []),
                    ephemeral_to=user,
                )
            )
        return JSONResponse({"status": response.status_code})

    @app.post("/_sandbox/ui/home")
    async def ui_home(request: Request) -> JSONResponse:
        driver = current()
        if driver is None:
            return JSONResponse({"error": "no app"}, status_code=503)
        data = await request.json()
        user = data.get("user", APPROVER)
        event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
        response = await driver.event(event, event_id=f"Ev{state.next_ts().replace('.', '')}")
        return JSONResponse({"status": response.status_code})

    return app


def _call(method: str, args: dict[str, Any]) -> Any:
    from sandbox.slack.state import Call

    return Call(method, args)
