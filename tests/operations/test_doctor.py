"""`newsletter doctor` through the installed command: a healthy configuration passes, and each
broken one is named, with what to fix, and exits 1. DNS is checked against a DNS server of the
test's own (the test machine has no Internet)."""

import shutil
import socket
import threading

import dns.message
import dns.rcode
import dns.resolver
import dns.rrset
import pytest

from newsletter.operations.dns_check import dns_findings
from newsletter.operations.findings import Level
from tests.cli import cli_env, run_cli
from tests.conftest import make_settings
from tests.fakes.sendgrid import API_KEY, FakeSendGrid
from tests.providers.test_smtp import certificate, sink, tls_sink  # noqa: F401 (fixtures)
from tests.web.conftest import free_port


@pytest.fixture
def migrated(tmp_path, sqlite_template):
    path = tmp_path / "newsletter.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def doctor(tmp_path, **settings):
    result = run_cli("doctor", cwd=tmp_path, env=cli_env(tmp_path, **settings), timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.splitlines()


def line(lines, check):
    found = [text for text in lines if text.split(maxsplit=1)[1].startswith(f"{check}:")]
    assert len(found) == 1, lines
    return found[0]


def test_a_healthy_embedded_configuration_passes(tmp_path, migrated):
    code, lines = doctor(tmp_path, database_url=migrated, secret_key="k" * 48)
    assert code == 0, lines
    assert line(lines, "database").startswith("ok ") and "migrated" in line(lines, "database")
    assert line(lines, "broker").startswith("ok ") and "embedded" in line(lines, "broker")
    assert line(lines, "provider").startswith("ok ") and "file" in line(lines, "provider")
    assert line(lines, "base url").startswith("ok ") and line(lines, "secret key").startswith("ok ")
    # Whatever this machine's DNS says of example.org, in development it is no error.
    assert [text for text in lines if text.split(maxsplit=1)[1].startswith(("dns:", "spf:"))]
    assert not [text for text in lines if text.startswith("error")]


def test_an_unreachable_broker_is_an_error_that_names_the_setting(tmp_path, migrated):
    port = free_port()
    code, lines = doctor(tmp_path, database_url=migrated, broker_url=f"redis://127.0.0.1:{port}/0")
    assert code == 1
    broker = line(lines, "broker")
    assert broker.startswith("error ") and f"redis://127.0.0.1:{port}/0" in broker
    assert "NEWSLETTER_BROKER_URL" in broker and "refused" in broker.lower()


def test_a_reachable_broker_passes(tmp_path, migrated, redis_url):
    _, lines = doctor(tmp_path, database_url=migrated, broker_url=redis_url)
    assert line(lines, "broker").startswith("ok ")
    assert line(lines, "metrics").startswith("ok ")  # off: no token


def test_a_database_not_created_or_not_migrated_says_to_upgrade(tmp_path):
    code, lines = doctor(tmp_path, database_url=f"sqlite:///{tmp_path / 'none.db'}")
    assert code == 1 and "newsletter db upgrade" in line(lines, "database")
    assert not (tmp_path / "none.db").exists()  # the doctor created nothing
    (tmp_path / "empty.db").touch()
    code, lines = doctor(tmp_path, database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 1 and "revision none" in line(lines, "database") and "newsletter db upgrade" in line(lines, "database")


def test_sendgrid_refusing_the_key_is_an_error_and_a_good_key_is_checked_in_sandbox(tmp_path, migrated):
    fake = FakeSendGrid().start()
    try:
        code, lines = doctor(tmp_path, database_url=migrated, email_backend="sendgrid", sendgrid_api_url=fake.url,
                             sendgrid_api_key="SG.revoked")
        assert code == 1
        provider = line(lines, "provider")
        assert provider.startswith("error ") and "refused SENDGRID_API_KEY (401" in provider
        assert "authorization grant is invalid" in provider and "Mail Send permission" in provider

        code, lines = doctor(tmp_path, database_url=migrated, email_backend="sendgrid", sendgrid_api_url=fake.url,
                             sendgrid_api_key=API_KEY)
        assert code == 0, lines
        assert line(lines, "provider").startswith("ok ") and "nothing delivered" in line(lines, "provider")
        assert fake.answers["200"] == 1 and fake.answers["202"] == 0  # sandbox mode: nothing sent
        assert fake.accepted[0]["mail_settings"] == {"sandbox_mode": {"enable": True}}
    finally:
        fake.stop()


def test_smtp_is_connected_to_and_left_without_mail(tmp_path, migrated, sink):  # noqa: F811
    code, lines = doctor(tmp_path, database_url=migrated, email_backend="smtp", smtp_host="127.0.0.1",
                         smtp_port=sink.port, smtp_tls="none")
    assert code == 0, lines
    assert line(lines, "provider") == f"ok      provider: smtp: 127.0.0.1:{sink.port} answered"
    assert sink.connections == 1 and sink.messages == []


def test_smtp_refusing_the_password_is_an_error(tmp_path, migrated, tls_sink, certificate):  # noqa: F811
    relay = {"database_url": migrated, "email_backend": "smtp", "smtp_host": "127.0.0.1", "smtp_port": tls_sink.port,
             "smtp_tls": "starttls", "smtp_ca_file": certificate[0], "smtp_user": "editor"}
    code, lines = doctor(tmp_path, **relay, smtp_password="s3cret")
    assert code == 0 and "STARTTLS, logged in as editor" in line(lines, "provider")
    code, lines = doctor(tmp_path, **relay, smtp_password="wrong")
    assert code == 1 and "refused the user name or password (535)" in line(lines, "provider")


def test_production_refuses_an_http_base_url(tmp_path, migrated):
    code, lines = doctor(tmp_path, database_url=migrated, environment="production",
                         secret_key="k" * 48, base_url="http://news.example.org")
    assert code == 1
    base = line(lines, "base url")
    assert base.startswith("error ") and "must be https://" in base


def test_production_with_the_placeholder_secret_key_says_what_to_set(tmp_path, migrated):
    code, lines = doctor(tmp_path, database_url=migrated, environment="production",
                         secret_key="development-only-secret-key-change-me")
    assert code == 1
    assert line(lines, "settings").startswith("error ") and "NEWSLETTER_SECRET_KEY must be set" in lines[0]


def test_a_metrics_token_without_a_shared_folder_warns_that_workers_are_missing(tmp_path, migrated, redis_url):
    code, lines = doctor(tmp_path, database_url=migrated, broker_url=redis_url, metrics_token="t" * 32)
    assert code == 0
    assert line(lines, "metrics").startswith("warning ") and "NEWSLETTER_METRICS_DIR" in line(lines, "metrics")


class DnsServer:
    """A UDP DNS server on 127.0.0.1 answering TXT (and SOA) from ``records``."""

    def __init__(self, records: dict[str, list[str]], zone: str):
        self.records = records
        self.zone = zone
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                wire, client = self.socket.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".")
            rdtype = dns.rdatatype.to_text(question.rdtype)
            if rdtype == "SOA" and name == self.zone:
                response.answer.append(dns.rrset.from_text(
                    question.name, 300, "IN", "SOA", "ns. hostmaster. 1 7200 3600 1209600 300"))
            elif rdtype == "TXT" and name in self.records:
                response.answer.append(dns.rrset.from_text_list(
                    question.name, 300, "IN", "TXT", [f'"{text}"' for text in self.records[name]]))
            elif not (name == self.zone or name.endswith(f".{self.zone}") and name in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            self.socket.sendto(response.to_wire(), client)

    def resolver(self) -> dns.resolver.Resolver:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        return resolver

    def close(self) -> None:
        self.socket.close()


def levels(findings):
    return {finding.check: finding.level for finding in findings}


def test_spf_dkim_and_dmarc_of_the_from_domain_are_found(tmp_path):
    server = DnsServer({
        "example.org": ["v=spf1 include:sendgrid.net -all", "google-site-verification=x"],
        "_dmarc.example.org": ["v=DMARC1; p=quarantine"],
        "s1._domainkey.example.org": ["k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"],
    }, zone="example.org")
    try:
        findings = dns_findings(make_settings(tmp_path, email_backend="sendgrid"), resolver=server.resolver())
    finally:
        server.close()
    assert levels(findings) == {"spf": Level.OK, "dmarc": Level.OK, "dkim": Level.OK}
    assert "include:sendgrid.net" in findings[0].message and "s1._domainkey.example.org" in findings[2].message


def test_missing_records_are_errors_in_production_and_warnings_in_development(tmp_path):
    server = DnsServer({}, zone="example.org")
    try:
        production = dns_findings(make_settings(tmp_path, environment="production"), resolver=server.resolver())
        development = dns_findings(make_settings(tmp_path), resolver=server.resolver())
    finally:
        server.close()
    assert levels(production) == {"spf": Level.ERROR, "dmarc": Level.ERROR, "dkim": Level.WARNING}
    assert levels(development) == {"spf": Level.WARNING, "dmarc": Level.WARNING, "dkim": Level.WARNING}
    assert "v=spf1" in production[0].message and "_dmarc.example.org" in production[1].message


def test_a_from_domain_that_cannot_be_resolved_is_reported_cleanly(tmp_path):
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = free_port()  # nothing answers there, as no DNS answers a machine offline
    findings = dns_findings(make_settings(tmp_path), resolver=resolver)
    assert [(f.check, f.level) for f in findings] == [("dns", Level.WARNING)]
    assert findings[0].message.startswith("could not resolve example.org (")
    assert findings[0].message.endswith("SPF, DKIM and DMARC not checked")
