"""`newsletter doctor`'s DNS check: SPF, DKIM and DMARC of the From domain, which Gmail and
Yahoo require of bulk senders (dnspython, with the checks' short timeout)."""

from newsletter.config import Settings
from newsletter.operations.findings import TIMEOUT, Finding, Level, error, ok, warning
from newsletter.operations.health import first_line

# Where the usual providers and hosts publish DKIM keys (SendGrid's domain authentication: s1, s2).
DKIM_SELECTORS = ("s1", "s2", "default", "selector1", "selector2", "google", "k1", "mail", "dkim")


def dns_findings(settings: Settings, *, resolver=None) -> list[Finding]:
    """SPF, DKIM and DMARC of the From domain, which Gmail and Yahoo require of bulk senders."""
    domain = settings.sender_domain
    try:
        import dns.exception
        import dns.resolver
    except ImportError:
        return [warning("dns", f"dnspython is not installed: SPF, DKIM and DMARC of {domain} not checked")]
    if resolver is None:
        resolver = dns.resolver.Resolver()
    resolver.lifetime = TIMEOUT
    missing = Level.ERROR if settings.environment == "production" else Level.WARNING

    def txt(name: str) -> list[str]:
        try:
            answer = resolver.resolve(name, "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]

    try:
        resolver.resolve(domain, "SOA")
    except dns.resolver.NXDOMAIN:
        return [Finding("dns", missing, f"{domain} (the From domain) does not exist in DNS: "
                                        "send from a domain you own (NEWSLETTER_FROM_EMAIL)")]
    except dns.resolver.NoAnswer:
        pass  # a subdomain without a zone of its own
    except dns.exception.DNSException as err:
        return [warning("dns", f"could not resolve {domain} ({first_line(err) or type(err).__name__}): "
                               "SPF, DKIM and DMARC not checked")]
    try:
        spf = [record for record in txt(domain) if record.lower().startswith("v=spf1")]
        dmarc = [record for record in txt(f"_dmarc.{domain}") if record.lower().startswith("v=dmarc1")]
        dkim = next((selector for selector in _selectors(settings)
                     if any("p=" in record for record in txt(f"{selector}._domainkey.{domain}"))), None)
    except dns.exception.DNSException as err:
        return [warning("dns", f"could not resolve the records of {domain} ({first_line(err) or type(err).__name__})")]
    findings = []
    if len(spf) == 1:
        findings.append(ok("spf", f"{domain}: {spf[0]}"))
    elif spf:
        findings.append(error("spf", f"{domain} has {len(spf)} SPF records, which is invalid: merge them into one"))
    else:
        findings.append(Finding("spf", missing, f"no SPF record at {domain}: publish a TXT record "
                                                "\"v=spf1 include:... -all\" naming your provider's servers"))
    if dmarc:
        findings.append(ok("dmarc", f"_dmarc.{domain}: {dmarc[0]}"))
    else:
        findings.append(Finding("dmarc", missing, f"no DMARC record at _dmarc.{domain}: publish a TXT record "
                                                  "such as \"v=DMARC1; p=none; rua=mailto:...\""))
    if dkim:
        findings.append(ok("dkim", f"a key at {dkim}._domainkey.{domain}"))
    else:
        findings.append(warning("dkim", f"no DKIM key at the usual selectors of {domain} "
                                        f"({', '.join(_selectors(settings))}): set up your provider's domain "
                                        "authentication, or check your own selector"))
    return findings


def _selectors(settings: Settings) -> tuple[str, ...]:
    return ("s1", "s2") if settings.email_backend == "sendgrid" else DKIM_SELECTORS
