"""A worker process exempts what it built at startup from the garbage collector's full
collections once it is ready (operations/heap.py), in a process of its own as Celery starts one."""

import subprocess
import sys

READY = """
import gc
from celery.signals import worker_process_init
import workers.celery_app  # noqa: F401 (connects the signal)
before = gc.get_freeze_count()
worker_process_init.send(sender=None)
print(before, gc.get_freeze_count())
"""


def test_a_worker_process_freezes_its_startup_heap_when_it_is_ready(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "NEWSLETTER_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}",
           "NEWSLETTER_SECRET_KEY": "heap-test-" * 4}
    shown = subprocess.run([sys.executable, "-c", READY], capture_output=True, text=True, env=env, cwd=tmp_path,
                           check=True)
    before, after = map(int, shown.stdout.split())
    assert before == 0 and after > 10_000  # the modules, the app and its settings: tens of thousands of objects
