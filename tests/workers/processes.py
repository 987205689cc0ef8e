"""Starting and stopping real `celery` processes (workers, beat) for the distributed tests."""

import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Delivery, Send
from tests.conftest import BIN


def start_celery(*args: str, env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    """`celery -A workers ARGS...` in the background, its output in ``log``."""
    with log.open("w") as out:
        return subprocess.Popen([str(BIN / "celery"), "-A", "workers", *args], cwd=cwd, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    """Ask a process to stop; kill it if it does not within 30 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_workers_and_beat(env: dict[str, str], cwd: Path, *worker_args: str) -> dict[str, subprocess.Popen]:
    """Two workers, ``worker1`` and ``worker2`` (with ``worker_args``), and a beat; logs in ``cwd``."""
    processes = {
        name: start_celery("worker", *worker_args, "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle",
                           "--loglevel", "INFO", env=env, cwd=cwd, log=cwd / f"{name}.log")
        for name in ("worker1", "worker2")
    }
    processes["beat"] = start_celery("beat", "--schedule", str(cwd / "beat-schedule"), "--loglevel", "INFO",
                                     env=env, cwd=cwd, log=cwd / "beat.log")
    return processes


def accepted(url: str) -> int:
    """How many deliveries are accepted."""
    with transaction(url) as session:
        return session.scalar(select(func.count()).where(Delivery.status == "accepted"))


def kill_worker_mid_send(url: str, worker: subprocess.Popen, *, once_accepted: int) -> None:
    """SIGKILL ``worker`` once ``once_accepted`` recipients are accepted: mid-batch, with
    messages in flight, as likely as not."""
    deadline = time.monotonic() + 120
    while accepted(url) < once_accepted:
        assert time.monotonic() < deadline, "the send did not get going"
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()


def wait_until_sent(url: str, send_id: int, *, timeout: float) -> None:
    """Wait for the send to be ``sent``; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with transaction(url) as session:
            status = session.get(Send, send_id).status
        if status == "sent":
            return
        assert time.monotonic() < deadline, f"send still {status}: {accepted(url)} accepted"
        time.sleep(0.25)
