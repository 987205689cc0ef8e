"""`newsletter doctor`: is this configuration ready to send?"""

import typer
from pydantic import ValidationError

from newsletter.cli.app import app
from newsletter.config import get_settings
from newsletter.operations.doctor import invalid_settings, run_checks
from newsletter.operations.findings import Level


@app.command("doctor")
def doctor() -> None:
    """Check the configuration end to end: the settings, the database (reachable, migrated), the
    broker, the provider's credentials (without delivering anything), SPF, DKIM and DMARC of the
    From domain, and /metrics. One line per check; exits 1 when one is an error."""
    try:
        settings = get_settings()
    except ValidationError as err:
        findings = invalid_settings(err)
    else:
        findings = run_checks(settings)
    for finding in findings:
        typer.echo(finding.line())
    if any(finding.level is Level.ERROR for finding in findings):
        raise typer.Exit(code=1)
