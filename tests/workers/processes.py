"""Starting and stopping real `celery` processes (workers, beat) for the distributed tests."""

import subprocess
from pathlib import Path

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
