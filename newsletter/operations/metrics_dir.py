"""Where this process group writes its metrics: a folder of its own under NEWSLETTER_METRICS_DIR.

prometheus_client decides once, when it is first imported, whether a metric lives in this
process's memory or in a file that the web app's /metrics reads (PROMETHEUS_MULTIPROC_DIR set);
after that it silently stays as it started. So the entry points (`newsletter serve`, the Celery
app) call :func:`use_metrics_dir` first, and :mod:`newsletter.operations.metrics` imports
prometheus_client only when the first metric is made.

One folder per process group (a `newsletter serve`; a `celery worker` and its pool's children,
which inherit the folder), named ``HOST-PID`` after the group's first process, rather than one
flat folder: containers sharing the folder have the same pids (every container's first process
is 1), and a group starting again must empty what its last run left without deleting the files
of groups still running. The folders of this host's groups whose process is gone go too.
"""

import logging
import os
import re
import shutil
import socket
import sys
from pathlib import Path

from newsletter.config import Settings

log = logging.getLogger(__name__)

ENVIRONMENT_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's, not ours

_group: Path | None = None  # this process group's folder, once chosen


def use_metrics_dir(settings: Settings) -> Path | None:
    """Make this process (and the processes it forks) count in a fresh folder of its own under
    NEWSLETTER_METRICS_DIR; the folder, or None when that setting is unset."""
    global _group
    if settings.metrics_dir is None:
        return None
    if _group is not None:
        return _group
    if "prometheus_client" in sys.modules:
        log.warning("prometheus_client was imported before the metrics folder was set: this process's "
                    "metrics will not appear in /metrics")
        return None
    root = settings.metrics_dir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    host = re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())
    _remove_dead_groups(root, host)
    group = root / f"{host}-{os.getpid()}"
    shutil.rmtree(group, ignore_errors=True)  # an earlier process of this host with the same pid
    group.mkdir()
    os.environ[ENVIRONMENT_VARIABLE] = str(group)
    _group = group
    return group


def forget_process(pid: int) -> None:
    """Process ``pid`` of this group has stopped: its live gauges stop counting (called from
    Celery's worker_process_shutdown signal)."""
    if _group is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, str(_group))


def _remove_dead_groups(root: Path, host: str) -> None:
    for folder in root.glob(f"{host}-*"):
        pid = folder.name.rpartition("-")[2]
        if folder.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
