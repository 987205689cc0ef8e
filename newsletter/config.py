"""The one settings object. Nothing else in the service reads the environment.

Every setting is read from ``NEWSLETTER_*`` environment variables or a ``.env`` file in the
working directory (see ``.env.example``). The defaults run everything embedded: SQLite in the
working directory, an in-process Celery worker, and a file outbox.
"""

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from newsletter.networks import checked_networks_file

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration of one deployment of the service."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSLETTER_", env_file=".env", env_ignore_empty=True, extra="ignore", frozen=True
    )

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///newsletter.db"
    broker_url: str | None = Field(
        default=None,
        description="Celery broker, e.g. redis://localhost:6379/0. Unset: embedded worker.",
    )
    email_backend: Literal["file", "console", "smtp", "sendgrid"] = "file"
    outbox_dir: Path = Path("outbox")
    base_url: str = "http://localhost:8000"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    from_email: str = "brief@example.org"
    from_name: str = "The Weekly Brief"
    reply_to: str | None = None
    list_unsubscribe_mailto: str | None = Field(
        default=None, description="Address for mailto: List-Unsubscribe, next to the URL."
    )
    organisation_name: str = "Example Rights Watch"
    postal_address: str = "1 Example Street, London EC1A 1AA, United Kingdom"
    # The organisation's look; admins can override each in the newsroom (Branding).
    brand_logo_url: str | None = Field(default=None, pattern=r"^https://", description="The logo: an https image.")
    brand_logo_alt: str | None = Field(default=None, description="What the logo shows, for screen readers.")
    brand_primary_colour: str = Field(default="#1d3557", pattern=r"^#[0-9a-fA-F]{6}$",
                                      description="The masthead behind white text, and links.")
    brand_accent_colour: str = Field(default="#8a1c1c", pattern=r"^#[0-9a-fA-F]{6}$",
                                     description="Section titles, and the call-to-action button.")
    brand_footer_text: str | None = Field(default=None, description="A sentence above the postal address.")
    brand_social_links: str = Field(  # text, not a dict: the settings object must stay hashable
        default="", description="A name and its https address each, comma-separated: "
                                "'Mastodon https://mastodon.example/@us, Bluesky https://bsky.app/profile/us'.")
    batch_size: int = Field(default=1000, ge=1, le=1000)
    redis_url: str | None = Field(
        default=None, description="Redis for shared limits; defaults to the broker when it is Redis."
    )
    subscribe_rate_limit: str = "5/10 minutes"
    subscribe_address_rate_limit: str = Field(
        default="3/hour", description="Confirmation emails per address, whoever asks for them."
    )
    login_rate_limit: str = Field(default="10/5 minutes", description="Sign-in attempts per client address.")
    max_upload_mb: int = Field(default=100, gt=0, description="The largest request body (a CSV upload) accepted.")
    trusted_proxies: str = Field(
        default="", description="Addresses or networks (CIDR), comma-separated, of the reverse proxies whose "
                                "X-Forwarded-For and X-Forwarded-Proto are believed. Empty: nobody's.",
    )
    templates_dir: Path = REPOSITORY_ROOT / "templates"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_ca_file: Path | None = Field(
        default=None, description="CA bundle to trust for the SMTP server (a private relay)."
    )
    smtp_timeout: float = Field(default=30, gt=0)
    smtp_connections: int = Field(
        default=10, ge=1, le=200, description="Connections each worker process keeps to the relay, sending at once."
    )
    smtp_messages_per_connection: int = Field(
        default=100, ge=1, description="Messages over one SMTP connection before it is replaced by a new one."
    )
    sendgrid_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SENDGRID_API_KEY", "NEWSLETTER_SENDGRID_API_KEY"),
    )
    sendgrid_api_url: str = "https://api.sendgrid.com"
    sendgrid_timeout: float = Field(default=30, gt=0, description="Seconds to wait for SendGrid's answer.")
    sendgrid_sandbox: bool = Field(default=False, description="Ask SendGrid to validate but deliver nothing.")
    sendgrid_concurrency: int = Field(
        default=8, ge=1, le=64, description="Batches each worker process has in flight at SendGrid at once."
    )
    sendgrid_webhook_public_key: str | None = Field(
        default=None, description="The Event Webhook's verification key; unset: the webhook is off."
    )
    rate_limit_per_second: float | None = Field(default=None, gt=0)
    rate_limit_per_hour: float | None = Field(default=None, gt=0)
    batch_stuck_after: float = Field(
        default=300, gt=0, description="Seconds before a batch claimed by a silent worker counts as stuck."
    )
    ambiguous_resend_after: float = Field(
        default=900, gt=0, description="Seconds a batch the provider may have accepted waits for confirmation."
    )
    late_send_limit: float = Field(
        default=6 * 3600, gt=0, description="Seconds past its time after which a scheduled send waits for an admin."
    )
    soft_bounce_limit: int = Field(
        default=3, ge=1, description="Soft bounces within NEWSLETTER_SOFT_BOUNCE_DAYS that suppress an address."
    )
    soft_bounce_days: float = Field(default=30, gt=0, description="The window soft bounces are counted in.")
    poll_interval: float = Field(default=5, gt=0, description="Seconds between scheduler and recovery sweeps.")
    bounce_address: str | None = Field(
        default=None, pattern=r"^[^@\s+]+@[^@\s]+$",
        description="Envelope sender, tagged per delivery (VERP) as bounces+TOKEN@...; unset: From.",
    )
    bounce_imap_host: str | None = Field(default=None, description="The bounce mailbox's IMAP server; unset: off.")
    bounce_imap_port: int = Field(default=993, gt=0, lt=65536)
    bounce_imap_user: str | None = None
    bounce_imap_password: str | None = None
    bounce_imap_tls: Literal["ssl", "starttls", "none"] = "ssl"
    bounce_imap_folder: str = "INBOX"
    bounce_imap_done_folder: str | None = Field(
        default=None, description="The folder processed bounces are moved to; unset: they are deleted."
    )
    bounce_poll_seconds: float = Field(default=60, gt=0, description="Seconds between reads of the bounce mailbox.")
    machine_click_seconds: float = Field(
        default=10, ge=0, description="A click this soon after the provider took the message is a machine's."
    )
    machine_click_networks: Path | None = Field(
        default=None, description="A file of networks (a CIDR a line) whose clicks are machines' (link scanners' "
                                  "networks you have seen or their vendors publish); unset: none.")
    machine_open_networks: Path | None = Field(
        default=None, description="A file of networks (a CIDR a line, or Apple's egress-ip-ranges.csv) whose "
                                  "fetches of the open image are machines'; unset: the shipped list (Apple's block).")
    event_retention_days: int = Field(
        default=180, ge=1, description="Raw delivery events older than this are deleted; kept counts stay.")
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line, with the send and batch ids."
    )
    metrics_token: str | None = Field(
        default=None, description="Bearer token that /metrics asks for; unset: /metrics is off (404)."
    )
    feed_poll_minutes: float = Field(default=60, gt=0, description="Minutes between polls of a feed (each feed may override).")
    blurb_chars: int = Field(default=320, ge=40, description="About how long a blurb intake writes is, cut at a sentence.")
    fetch_allow_private: bool = Field(
        default=False, description="Let intake fetch private, loopback and link-local addresses (tests only)."
    )
    fetch_allowed_hosts: str = Field(
        default="", description="Host names, comma-separated, intake may fetch although they resolve to private "
                                "addresses (an intranet's feed server). Empty: none.",
    )
    fetch_max_mb: float = Field(default=5, gt=0, description="The largest page or feed intake reads.")
    fetch_timeout: float = Field(default=15, gt=0, description="Seconds a page or feed may take, redirects included.")
    metrics_dir: Path | None = Field(
        default=None, description="Folder shared by the web app and the workers for their metrics; "
                                  "unset: /metrics counts only the process that answers.",
    )

    @field_validator("base_url", "sendgrid_api_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("from_name", "from_email", "organisation_name", "postal_address")
    @classmethod
    def _single_line(cls, value: str) -> str:
        if "\r" in value or "\n" in value:
            raise ValueError("must be a single line")
        return value

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> "Settings":
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise ValueError(
                "NEWSLETTER_SECRET_KEY must be set to a long random value in production "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_networks(cls, value: str) -> str:
        # Written out as uvicorn reads them: it would take a typo, or a network written from one
        # of its hosts (10.0.0.5/24), for a name that never matches, and trust nobody silently.
        entries = []
        for entry in filter(None, (part.strip() for part in value.split(","))):
            try:
                entries.append(str(ipaddress.ip_network(entry, strict=False) if "/" in entry
                                   else ipaddress.ip_address(entry)))
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network "
                                 "(like 10.0.0.2 or 172.16.0.0/12)") from None
        return ",".join(entries)

    @field_validator("machine_click_networks", "machine_open_networks")
    @classmethod
    def _networks_file(cls, value: Path | None) -> Path | None:
        return checked_networks_file(value)  # read now: a bad line stops startup, not a reader's click

    @field_validator("subscribe_rate_limit", "subscribe_address_rate_limit", "login_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse  # imported here: only this check and the web app need it

        try:
            parse(value)
        except ValueError:
            raise ValueError("must look like '5/10 minutes' or '100 per hour'") from None
        return value

    @property
    def shared_redis_url(self) -> str | None:
        """Redis shared by every process: NEWSLETTER_REDIS_URL, else a Redis broker, else none."""
        if self.redis_url:
            return self.redis_url
        if self.broker_url and self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return None

    @property
    def sender_domain(self) -> str:
        """The domain of the From address, used for Message-IDs."""
        return self.from_email.rpartition("@")[2]


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
