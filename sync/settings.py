"""Every setting costbridge reads, from the environment and ``.env``.

Variables are prefixed ``COSTBRIDGE_`` (``COSTBRIDGE_DATABASE_URL``), except Slack's conventional
``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET`` and ``SLACK_APP_TOKEN``. Secrets are ``SecretStr`` so
they never print. Docker secrets can be mounted as files under ``COSTBRIDGE_SECRETS_DIR``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COSTBRIDGE_",
        env_file=".env",
        extra="ignore",
        secrets_dir=os.environ.get("COSTBRIDGE_SECRETS_DIR") or None,
    )

    # --- storage and process -------------------------------------------------------------
    database_url: str = Field(
        "sqlite:///./var/costbridge.db",
        description="Where costbridge keeps its state: sqlite:///path.db or postgresql://...",
    )
    data_dir: str = Field("./var", description="Local files (SQLite, generated key).")
    secret_key: SecretStr | None = Field(
        None,
        description="Fernet key that encrypts stored OAuth tokens. Generated into data_dir "
        "when unset (fine for one machine; set it explicitly in production).",
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_json: bool = Field(True, description="JSON log lines (false: human-readable console).")
    public_base_url: str = Field(
        "http://localhost:8000", description="How outside systems reach this service."
    )

    # --- Procore (source) ------------------------------------------------------------------
    procore_api_base: str = Field("https://api.procore.com", description="Procore REST base URL.")
    procore_oauth_base: str = Field(
        "https://login.procore.com", description="Procore OAuth base URL (/oauth/token)."
    )
    procore_app_base: str = Field(
        "https://app.procore.com", description="Procore web app, for 'Open in Procore' links."
    )
    procore_client_id: str = Field("", description="OAuth client id (client credentials).")
    procore_client_secret: SecretStr = Field(SecretStr(""), description="OAuth client secret.")
    procore_company_id: str = Field("", description="Procore company id (Procore-Company-Id).")
    procore_webhook_authorization: SecretStr = Field(
        SecretStr(""),
        description="The exact Authorization header value configured on the Procore hook.",
    )
    procore_max_retries: int = Field(
        4, description="Waits-and-retries of one Procore call on 429 or 503 (Retry-After)."
    )

    # --- QuickBooks Online (target) --------------------------------------------------------
    qbo_api_base: str = Field(
        "https://quickbooks.api.intuit.com", description="QuickBooks Online API base URL."
    )
    qbo_token_url: str = Field(
        "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
        description="Intuit OAuth token endpoint.",
    )
    qbo_client_id: str = Field("", description="Intuit app client id.")
    qbo_client_secret: SecretStr = Field(SecretStr(""), description="Intuit app client secret.")
    qbo_realm_id: str = Field("", description="The QuickBooks company (realm) id.")
    qbo_refresh_token: SecretStr = Field(
        SecretStr(""),
        description="Initial refresh token; after first use the rotated one lives in the database.",
    )
    qbo_minor_version: int = Field(75, description="QuickBooks minorversion sent on every call.")
    qbo_max_retries: int = Field(
        3, description="Waits-and-retries of one QuickBooks call on 429 (throttling)."
    )
    prime_change_order_target: Literal["invoice", "estimate"] = Field(
        "invoice", description="What an approved prime contract change order becomes."
    )

    # --- engine ----------------------------------------------------------------------------
    commitment_change_orders: Literal["amend", "separate"] = Field(
        "amend",
        description="Commitment change orders: 'amend' adds their lines to the commitment's "
        "purchase order when the commitment posted (Procore's own Desktop connector does the "
        "same); 'separate' posts each as a purchase order of its own.",
    )
    retry_max_attempts: int = Field(3, description="Attempts before a document is dead-lettered.")
    retry_base_seconds: float = Field(30.0, description="First retry delay; doubles each time.")
    retry_max_seconds: float = Field(1800.0, description="Longest delay between attempts.")
    worker_poll_seconds: float = Field(1.0, description="How often an idle worker looks for work.")
    worker_lease_seconds: float = Field(300.0, description="How long a claimed item stays ours.")
    sweep_interval_minutes: int = Field(15, description="Reconciliation sweep period.")
    sweep_lookback_minutes: int = Field(
        1440, description="How far back the first sweep looks when it has never run."
    )
    purge_payloads: bool = Field(True, description="Purge raw payloads once a document synced.")
    auto_void: bool = Field(
        False,
        description="Void (or delete) the QuickBooks document of a posted change order deleted "
        "or voided in Procore without asking (off: Slack asks; un-approval always asks).",
    )

    # --- Slack -----------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "COSTBRIDGE_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "COSTBRIDGE_SLACK_SIGNING_SECRET"),
    )
    slack_app_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "COSTBRIDGE_SLACK_APP_TOKEN")
    )
    slack_channel: str = Field("#costbridge", description="Where the bot posts.")
    slack_api_base_url: str = Field(
        "https://slack.com/api/",
        description="Slack Web API base URL (the sandbox Slack's /api/ in the demo and tests).",
    )
    slack_approvers: str = Field(
        "", description="Comma-separated Slack user ids allowed to change mappings and post."
    )
    slack_approver_group: str = Field(
        "", description="A Slack user group id whose members are approvers too."
    )
    slack_rollup_window_minutes: int = Field(
        30, description="Failures with the same cause within this window share one alert."
    )
    slack_digest_time: str = Field(
        "08:00", description="Daily digest time, HH:MM in slack_digest_timezone; empty: none."
    )
    slack_digest_timezone: str = Field("UTC", description="Time zone of the daily digest.")
    slack_digest_channel: str = Field(
        "", description="Where the daily digest goes (empty: slack_channel)."
    )
    slack_socket_mode: bool = Field(
        False,
        description="Talk to Slack over Socket Mode (needs SLACK_APP_TOKEN, xapp-...) instead of "
        "HTTP at /slack/events: for local development without a public URL.",
    )
    rate_limit_alert_minutes: int = Field(
        15,
        ge=1,
        description="Alert when Procore or QuickBooks rate limiting (waits, 429s) continues "
        "for longer than this.",
    )
    # --- Slack (issue 3): add Slack settings above this line -------------------------------

    # --- QuickBooks Desktop / Web Connector (issue 5): add its settings below this line ---
    target: Literal["qbo", "qbd"] = Field(
        "qbo",
        description="Where documents are written: qbo (QuickBooks Online) or qbd (QuickBooks "
        "Desktop through the Web Connector).",
    )
    qbd_company: str = Field(
        "office",
        pattern=r"^[a-z0-9][a-z0-9-]{0,27}$",
        description="Name of the QuickBooks Desktop company file costbridge writes to "
        "(lower case, digits, dashes; at most 28 characters).",
    )
    qbd_username: str = Field(
        "costbridge", description="Web Connector user name of that company file."
    )
    qbd_password: SecretStr = Field(
        SecretStr(""),
        description="Web Connector password of that company file (stored hashed; typed into "
        "the Web Connector by the office).",
    )
    qbd_company_path: str = Field(
        "",
        description="Path of the .QBW file the Web Connector should open; empty: the company "
        "file open in QuickBooks.",
    )
    qbd_app_name: str = Field("costbridge", description="AppName in the .qwc file.")
    qbd_owner_id: str = Field(
        "{2f6b3c1e-8d4a-4b7e-9c35-6e1f0a9d7b42}",
        description="OwnerID GUID of this application (one per application, never changes).",
    )
    qbd_run_every_minutes: int = Field(
        15, ge=1, description="How often the Web Connector runs (Scheduler in the .qwc)."
    )
    qbd_ticket_minutes: int = Field(
        60, ge=1, description="How long a Web Connector session ticket stays valid."
    )
    qbd_postpone_seconds: int = Field(
        0, ge=0, description="authenticate asks the Web Connector to wait this long (0: no)."
    )
    qbd_min_run_every_seconds: int = Field(
        0, ge=0, description="Lower limit the Web Connector may poll at (0: not sent)."
    )
    qbd_stale_minutes: int = Field(
        0,
        ge=0,
        description="Alert when the Web Connector has not polled for this long "
        "(0: three times COSTBRIDGE_QBD_RUN_EVERY_MINUTES).",
    )
    qbd_po_item: str = Field(
        "Job Cost",
        description="Non-inventory item on purchase-order lines that map to an account "
        "(QuickBooks purchase order lines are item lines; the account is the override).",
    )
    qbd_max_attempts: int = Field(
        3,
        ge=1,
        description="Sends of one request to QuickBooks Desktop: after 'record in use' (3180; "
        "re-sent in later sessions, then a person decides) or when no answer came back.",
    )
    qbd_list_refresh_minutes: int = Field(
        60, ge=1, description="Re-read accounts, vendors, customers, items, classes this often."
    )
    qbd_page_size: int = Field(
        100, ge=1, description="Rows per page of a list query (iterator MaxReturned)."
    )

    @field_validator(
        "secret_key", "slack_bot_token", "slack_signing_secret", "slack_app_token", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # ``COSTBRIDGE_SECRET_KEY=`` in a .env means "not set", not "an empty key".
        return None if isinstance(value, str) and not value.strip() else value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
