"""A real Dovecot IMAP server for the bounce mailbox tests: one per test session (starting it
takes ~25 ms, stopping it 1-3 s), with one user, listening on a free port of 127.0.0.1."""

import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import require
from tests.web.conftest import free_port

USER, PASSWORD = "bounces", "imap-s3cret"
NOBODY = 65534  # the mail uid: not 0, not dovecot's own (LOGIN would work and SELECT fail)

CONFIG = """\
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def dovecot_binary() -> str | None:
    """Dovecot lives in /usr/sbin, which is not on every PATH."""
    found = shutil.which("dovecot")
    if found:
        return found
    return "/usr/sbin/dovecot" if os.access("/usr/sbin/dovecot", os.X_OK) else None


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def append(self, folder: str, message: bytes, *, seen: bool = False) -> None:
        """Deliver ``message`` into ``folder`` (created if missing), as an MTA would."""
        imap = self.connect()
        try:
            imap.create(folder)
            kind, data = imap.append(folder, r"(\Seen)" if seen else None, None, message)
            assert kind == "OK", data
        finally:
            imap.logout()

    def messages(self, folder: str) -> list[tuple[set[str], bytes]]:
        """Every message in ``folder``: its flags and its bytes, in order."""
        imap = self.connect()
        try:
            kind, data = imap.select(folder, readonly=True)
            if kind != "OK":
                return []
            kind, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
            found = []
            for item in data:
                if isinstance(item, tuple):
                    flags = imaplib.ParseFlags(item[0])
                    found.append(({f.decode() for f in flags}, item[1]))
            return found
        finally:
            imap.logout()


@pytest.fixture(scope="session")
def dovecot() -> ImapServer:
    """A running Dovecot with one user, ``bounces``; each test uses folders of its own."""
    binary = dovecot_binary()
    require(binary is not None, "Dovecot is not installed (apt-get install dovecot-imapd)")
    require(os.geteuid() == 0, "Dovecot's test server needs root (it switches to the mail user)")
    root = Path(tempfile.mkdtemp(prefix="dv", dir="/tmp"))  # short: it holds unix sockets
    root.chmod(0o755)
    (root / "mail").mkdir()
    os.chown(root / "mail", NOBODY, NOBODY)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(d=root, port=port, uid=NOBODY))
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        _wait_for_banner(process, port, root)
        yield ImapServer("127.0.0.1", port, USER, PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_banner(process: subprocess.Popen, port: int, root: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            pytest.fail(f"Dovecot exited ({process.returncode}): {process.stderr.read().decode()} {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                if conn.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.02)
    pytest.fail("Dovecot did not answer within 10 s")
