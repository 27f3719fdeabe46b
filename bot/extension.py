"""The Slack bot as an extension of the engine (entry point ``costbridge.extensions: slack``).

``install`` is called for every service that is built: it keeps the bot on the service and
registers what Slack adds: the notifier, the bot's work kinds, the daily digest,
``POST /slack/events`` and, by setting, Socket Mode beside ``serve``. Without Slack settings
the bot is still installed: the endpoint answers 503 and notices are skipped.
"""

from __future__ import annotations

from bot.notices import notify_slack
from bot.runtime import attach, find_bot
from bot.schedule import digest_job
from bot.socket_mode import socket_mode_companion
from bot.web import mount_slack
from bot.work import WORK
from sync.service import Service


def install(svc: Service) -> None:
    if find_bot(svc) is not None:
        return
    attach(svc)
    svc.hooks.notifiers.append(notify_slack)
    for kind, handler in WORK.items():
        svc.hooks.add_work(kind, handler)
    if (job := digest_job(svc)) is not None:
        svc.hooks.jobs.append(job)
    svc.hooks.web.append(mount_slack)
    svc.hooks.companions.append(socket_mode_companion)
