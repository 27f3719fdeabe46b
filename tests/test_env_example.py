"""``.env.example`` documents every setting, under its real name and with its real default."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import AliasChoices
from pydantic.fields import FieldInfo

from sync.settings import Settings

ENV_EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"
# "NAME=value", or "# NAME=value" for a setting that is unset by default.
ASSIGNMENT = re.compile(r"^(?:#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")
MENTION = re.compile(r"\bCOSTBRIDGE_[A-Z0-9_]+\b")
# Read from the process environment by sync.settings itself, not a field: prose only.
NOT_FIELDS = {"COSTBRIDGE_SECRETS_DIR"}


def env_name(name: str, field: FieldInfo) -> str:
    """The variable a field is read from: its first alias, else the prefixed field name."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        assert isinstance(first, str)
        return first
    if isinstance(alias, str):
        return alias
    return f"{Settings.model_config.get('env_prefix', '')}{name}".upper()


def expected_names() -> set[str]:
    return {env_name(name, field) for name, field in Settings.model_fields.items()}


def accepted_names() -> set[str]:
    """Every variable a setting is read from (aliases included, e.g. COSTBRIDGE_SLACK_*)."""
    names = expected_names()
    for field in Settings.model_fields.values():
        if isinstance(field.validation_alias, AliasChoices):
            names |= {c for c in field.validation_alias.choices if isinstance(c, str)}
    return names


def listed_names() -> list[str]:
    names = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match:
            names.append(match.group(1))
    return names


def test_every_setting_is_listed_by_its_env_var_name() -> None:
    missing = expected_names() - set(listed_names())
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_nothing_unknown_or_repeated_is_listed() -> None:
    names = listed_names()
    unknown = set(names) - expected_names()
    assert not unknown, f".env.example lists variables no setting reads: {sorted(unknown)}"
    repeated = sorted({n for n in names if names.count(n) > 1})
    assert not repeated, f".env.example lists {repeated} more than once"


def test_no_unknown_costbridge_variable_is_mentioned() -> None:
    mentioned = set(MENTION.findall(ENV_EXAMPLE.read_text()))
    unknown = mentioned - accepted_names() - NOT_FIELDS
    assert not unknown, f".env.example mentions unknown variables: {sorted(unknown)}"


def test_the_listed_values_are_the_defaults() -> None:
    # Copying .env.example to .env must change nothing: every value shown is the default.
    from_example = Settings(_env_file=ENV_EXAMPLE)
    defaults = Settings(_env_file=None)
    assert from_example.model_dump() == defaults.model_dump()
