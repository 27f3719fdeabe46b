"""A person resolves a waiting change order by clicking in the demo's sandbox Slack page.

Headless Debian chromium driven by Playwright: the page, its external select (options
requests), the confirm dialog and the Apply button are the real ones a newcomer uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import MappingRuleRow
from sandbox.demo.company import DemoWorld
from sandbox.demo.qbo import play, start_world
from sandbox.demo.slack import sandbox_slack
from sandbox.slack.state import APPROVER
from sync.engine.worker import run_forever
from sync.settings import Settings
from sync.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing under CI: .ci/run installs it (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install -y chromium); CI runs this test")


def _po_lines(world: DemoWorld) -> int:
    """Lines on the sandbox QuickBooks' purchase orders."""
    rows = world.qbo.realm(world.qbo_company.realm_id).rows("PurchaseOrder")
    return sum(len(row["Line"]) for row in rows)


async def test_a_waiting_change_order_is_resolved_by_clicking(tmp_path: Path) -> None:
    _need_chromium()
    from playwright.async_api import async_playwright

    base = Settings(_env_file=None, data_dir=str(tmp_path), worker_poll_seconds=0.1)
    async with sandbox_slack() as slack:
        world, svc, hooks = await start_world(slack.settings_for(base))
        slack.connect(create_app(svc))
        await play(svc, world)
        # The first pass used Procore's 10-second allowance; the subject here is the page.
        world.procore.limiter.configure(spike_limit=10_000)
        posted_before = _po_lines(world)
        stop = asyncio.Event()
        worker = asyncio.create_task(run_forever(svc, stop))
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                page = await browser.new_page()
                page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
                await page.goto(f"{slack.url}/")
                message = page.locator("div.message", has=page.locator("input.ext-select")).first
                await message.wait_for(timeout=10_000)
                await message.locator("input.ext-select").first.click()
                await message.locator("li.ext-option", has_text="5050").first.click()
                await message.locator("button[data-action-id='cb.apply']").click()
                await page.locator("div.message", has_text="Posted as").first.wait_for(
                    timeout=20_000
                )
                await browser.close()
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            await hooks.aclose()
    # its lines went onto its commitment's purchase order (amend mode, the default)
    assert _po_lines(world) > posted_before
    async with svc.sessions() as session:
        authors = [r.author for r in (await session.execute(select(MappingRuleRow))).scalars()]
    assert APPROVER in authors
    await svc.aclose()
