"""`newsletter doctor`: the configuration checked end to end, one finding per check.

Each check is a function of the settings that returns findings: ``ok``, ``warning`` (works,
but look at it) or ``error`` (something will not work), each saying what it found and, when
it is not ok, what to change. Checks reach the outside world (the database, the broker, the
provider, DNS) with short timeouts, and change nothing: the provider is asked in sandbox
mode, the SMTP relay is left before any mail, the database is not migrated.
"""

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import make_url

from newsletter.config import DEVELOPMENT_SECRET_KEY, Settings
from newsletter.db import get_engine
from newsletter.db.schema import current_revision, head_revision
from newsletter.operations.dns_check import dns_findings
from newsletter.operations.findings import TIMEOUT, Finding, Level, error, ok, warning
from newsletter.operations.health import broker_check, first_line


def run_checks(settings: Settings, *, resolver=None) -> list[Finding]:
    """Every check, in the order a deployment needs them."""
    return [
        *settings_findings(settings),
        database_finding(settings),
        *broker_findings(settings),
        provider_finding(settings),
        *dns_findings(settings, resolver=resolver),
        metrics_finding(settings),
    ]


def invalid_settings(err: ValidationError) -> list[Finding]:
    """The settings object's refusals of the environment, one finding each."""
    findings = []
    for problem in err.errors():
        message = str(problem["msg"]).removeprefix("Value error, ")
        if problem["loc"]:
            message = f"NEWSLETTER_{str(problem['loc'][0]).upper()}: {message}"
        findings.append(error("settings", message))
    return findings


def settings_findings(settings: Settings) -> list[Finding]:
    """The public address and the secret key, judged for the environment."""
    production = settings.environment == "production"
    if settings.base_url.startswith("https://"):
        url = ok("base url", settings.base_url)
    elif production:
        url = error("base url", f"NEWSLETTER_BASE_URL is {settings.base_url}: in production it must be https:// "
                                "(unsubscribe links and the session cookie need it); serve the app behind TLS")
    else:
        url = ok("base url", f"{settings.base_url} (development; https:// in production)")
    if settings.secret_key == DEVELOPMENT_SECRET_KEY:
        key = warning("secret key", "the placeholder NEWSLETTER_SECRET_KEY: set a long random one before production "
                                    "(python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    elif len(settings.secret_key) < 32:
        key = Finding("secret key", Level.ERROR if production else Level.WARNING,
                      f"NEWSLETTER_SECRET_KEY has {len(settings.secret_key)} characters: use 32 or more, random")
    else:
        key = ok("secret key", "set")
    return [url, key]


def database_finding(settings: Settings) -> Finding:
    """Reachable, and migrated to this version's latest revision."""
    url = make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_disk and not Path(url.database).exists():  # connecting would create an empty one
        return error("database", f"no database at {url.database}: run `newsletter db upgrade` "
                                 "(or check NEWSLETTER_DATABASE_URL)")
    head = head_revision()
    try:
        with get_engine(settings.database_url).connect() as connection:
            current = current_revision(connection)
    except Exception as err:  # noqa: BLE001 - whatever the driver raises, it is not reachable
        return error("database", f"cannot connect to {shown} ({first_line(err)}): check NEWSLETTER_DATABASE_URL "
                                 "and that the server is running")
    if current != head:
        return error("database", f"{shown} is at revision {current or 'none'}, this version needs {head}: "
                                 "run `newsletter db upgrade`")
    return ok("database", f"{shown} reachable, migrated ({head})")


def broker_findings(settings: Settings) -> list[Finding]:
    """The broker and the shared Redis, when set."""
    if not settings.broker_url:
        return [ok("broker", "none: the web app and the command line send in-process (embedded worker)")]
    findings = [_reachable("broker", settings.broker_url, "NEWSLETTER_BROKER_URL")]
    if settings.redis_url and settings.redis_url != settings.broker_url:
        findings.append(_reachable("redis", settings.redis_url, "NEWSLETTER_REDIS_URL"))
    return findings


def _reachable(check: str, url: str, setting: str) -> Finding:
    shown = make_url(url).render_as_string(hide_password=True) if "://" in url else url
    result = broker_check(url)
    if result.ok:
        return ok(check, f"{shown} reachable")
    return error(check, f"cannot reach {shown} ({result.problem}): start it, or fix {setting}")


def provider_finding(settings: Settings) -> Finding:
    """The provider's credentials, tried without delivering anything."""
    backend = settings.email_backend
    if backend == "sendgrid":
        return sendgrid_finding(settings)
    if backend == "smtp":
        return smtp_finding(settings)
    level = Level.WARNING if settings.environment == "production" else Level.OK
    where = f"written to {settings.outbox_dir}/" if backend == "file" else "printed"
    return Finding("provider", level, f"{backend}: messages are {where}, not delivered"
                   + ("; set NEWSLETTER_EMAIL_BACKEND to smtp or sendgrid" if level is Level.WARNING else ""))


def sendgrid_finding(settings: Settings) -> Finding:
    """A mail/send call in sandbox mode: SendGrid checks the key and the message, delivers nothing."""
    if not settings.sendgrid_api_key:
        return error("provider", "sendgrid: SENDGRID_API_KEY is not set: create an API key with Mail Send "
                                 "permission in SendGrid and set it")
    body = {
        "personalizations": [{"to": [{"email": settings.from_email}]}],
        "from": {"email": settings.from_email, "name": settings.from_name},
        "subject": "newsletter doctor",
        "content": [{"type": "text/plain", "value": "A sandbox check by `newsletter doctor`: never delivered."}],
        "mail_settings": {"sandbox_mode": {"enable": True}},
    }
    request = urllib.request.Request(
        f"{settings.sendgrid_api_url}/v3/mail/send", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {settings.sendgrid_api_key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=min(TIMEOUT, settings.sendgrid_timeout)) as response:
            status = response.status
    except urllib.error.HTTPError as err:
        said = _sendgrid_errors(err.read())
        if err.code in (401, 403):
            return error("provider", f"sendgrid: SendGrid refused SENDGRID_API_KEY ({err.code}: {said}): create a "
                                     "key with Mail Send permission, and verify the From address as a sender")
        return error("provider", f"sendgrid: SendGrid answered {err.code} ({said}) to a sandbox message from "
                                 f"{settings.from_email}")
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        return error("provider", f"sendgrid: cannot reach {settings.sendgrid_api_url} ({reason}): check "
                                 "NEWSLETTER_SENDGRID_API_URL and the network")
    return ok("provider", f"sendgrid: the API key works (a sandbox message, answered {status}, nothing delivered)")


def _sendgrid_errors(raw: bytes) -> str:
    try:
        return "; ".join(e.get("message", "?") for e in json.loads(raw)["errors"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return raw[:200].decode("utf-8", "replace").strip() or "no details"


def smtp_finding(settings: Settings) -> Finding:
    """Connect, EHLO, STARTTLS or TLS and login as configured, QUIT: no mail."""
    s = settings
    where = f"{s.smtp_host}:{s.smtp_port}"
    steps = []
    try:
        context = ssl.create_default_context(cafile=s.smtp_ca_file)
        if s.smtp_tls == "ssl":
            smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=min(TIMEOUT, s.smtp_timeout), context=context)
            steps.append("TLS")
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=min(TIMEOUT, s.smtp_timeout))
        with smtp:
            smtp.ehlo()
            if s.smtp_tls == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
                steps.append("STARTTLS")
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password or "")
                steps.append(f"logged in as {s.smtp_user}")
    except smtplib.SMTPAuthenticationError as err:
        return error("provider", f"smtp: {where} refused the user name or password ({err.smtp_code}): check "
                                 "NEWSLETTER_SMTP_USER and NEWSLETTER_SMTP_PASSWORD")
    except smtplib.SMTPNotSupportedError as err:
        return error("provider", f"smtp: {where} does not support what NEWSLETTER_SMTP_TLS={s.smtp_tls} asks "
                                 f"({first_line(err)}): change NEWSLETTER_SMTP_TLS or NEWSLETTER_SMTP_PORT")
    except ssl.SSLError as err:
        return error("provider", f"smtp: TLS with {where} failed ({first_line(err)}): check NEWSLETTER_SMTP_TLS, "
                                 "and NEWSLETTER_SMTP_CA_FILE for a private certificate authority")
    except (smtplib.SMTPException, OSError) as err:
        return error("provider", f"smtp: cannot talk to {where} ({first_line(err)}): check NEWSLETTER_SMTP_HOST "
                                 "and NEWSLETTER_SMTP_PORT")
    done = f" ({', '.join(steps)})" if steps else ""
    level = Level.WARNING if s.smtp_tls == "none" and s.environment == "production" else Level.OK
    advice = "; mail crosses the network unencrypted: set NEWSLETTER_SMTP_TLS" if level is Level.WARNING else ""
    return Finding("provider", level, f"smtp: {where} answered{done}{advice}")


def metrics_finding(settings: Settings) -> Finding:
    """Whether /metrics is on, and sees the workers."""
    if not settings.metrics_token:
        return ok("metrics", "/metrics is off (set NEWSLETTER_METRICS_TOKEN to turn it on)")
    if len(settings.metrics_token) < 16:
        return warning("metrics", "NEWSLETTER_METRICS_TOKEN is short: use 16 or more random characters")
    if settings.broker_url and not settings.metrics_dir:
        return warning("metrics", "/metrics will not count what the workers do: set NEWSLETTER_METRICS_DIR to a "
                                  "folder shared by the web app and the workers")
    return ok("metrics", "/metrics is on, behind NEWSLETTER_METRICS_TOKEN")
