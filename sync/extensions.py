"""Extensions: the packages that plug into the engine, found through their entry points.

An installed distribution declares, in ``pyproject.toml``::

    [project.entry-points."costbridge.extensions"]
    slack = "bot.extension:install"        # install(svc): register on svc.hooks

    [project.entry-points."costbridge.commands"]
    sandbox = "sandbox.cli:register"       # register(app): add typer commands

so the engine and its command line never import them. A declared extension that cannot be
loaded is a broken installation: it is refused by name, never skipped in silence.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from sync.errors import ConfigurationError

EXTENSIONS = "costbridge.extensions"
COMMANDS = "costbridge.commands"


def installed(group: str) -> list[Callable[[Any], None]]:
    """Every entry point of ``group``, loaded, in name order."""
    found: list[Callable[[Any], None]] = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        try:
            found.append(point.load())
        except Exception as exc:  # an import error inside the extension, whatever it is
            raise ConfigurationError(
                f"the {point.name!r} extension ({point.value}) cannot be loaded: "
                f"{type(exc).__name__}: {exc}; reinstall costbridge"
            ) from exc
    return found
