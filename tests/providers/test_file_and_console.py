import email
import io
from email import policy

from newsletter.providers import ConsoleProvider, FileProvider, provider_from_settings
from tests.conftest import make_settings
from tests.providers.helpers import outgoing_batch, recipient


def test_file_provider_writes_one_parseable_eml_per_recipient(settings, tmp_path):
    batch = outgoing_batch(settings, [recipient(n) for n in (3, 1, 2)])
    results = FileProvider(tmp_path / "outbox").send_batch(batch)
    assert sorted(r.delivery_id for r in results) == [1, 2, 3]
    assert all(r.accepted and r.provider_message_id for r in results)
    files = sorted((tmp_path / "outbox" / "send-1").iterdir())
    assert [f.name for f in files] == ["1.1.abc.eml", "1.2.abc.eml", "1.3.abc.eml"]  # from the Message-IDs
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "reader1@example.org"


def test_file_provider_retry_rewrites_the_same_files(settings, tmp_path):
    batch = outgoing_batch(settings, [recipient(1), recipient(2)])
    provider = FileProvider(tmp_path / "outbox")
    provider.send_batch(batch)
    provider.send_batch(batch)
    assert sorted(p.name for p in (tmp_path / "outbox" / "send-1").iterdir()) == ["1.1.abc.eml", "1.2.abc.eml"]


def test_console_provider_prints_each_message(settings):
    stream = io.StringIO()
    batch = outgoing_batch(settings, [recipient(1), recipient(2)])
    results = ConsoleProvider(stream).send_batch(batch)
    assert [r.accepted for r in results] == [True, True]
    output = stream.getvalue()
    assert output.count("List-Unsubscribe-Post: List-Unsubscribe=One-Click") == 2
    assert "reader2@example.org" in output


def test_backend_setting_chooses_the_provider(tmp_path):
    assert isinstance(provider_from_settings(make_settings(tmp_path)), FileProvider)
    assert isinstance(provider_from_settings(make_settings(tmp_path, email_backend="console")), ConsoleProvider)


def test_file_names_are_safe_whatever_the_message_id(settings, tmp_path):
    odd = recipient(1)
    odd = type(odd)(**{**odd.__dict__, "message_id": "<../../etc/passwd@example.org>"})
    FileProvider(tmp_path / "outbox").send_batch(outgoing_batch(settings, [odd], send_id=None))
    assert [p.name for p in (tmp_path / "outbox" / "transactional").iterdir()] == [".._.._etc_passwd.eml"]
