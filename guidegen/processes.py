"""Worker processes that never outlive the process that started them.

``build``, ``cards`` and ``batch`` lay out in forked workers. If the parent is killed outright
(``kill -9``, the out-of-memory killer) nothing tells a worker to stop, and each would go on
under PID 1 holding its memory. So every worker asks the kernel for SIGTERM when its parent
dies (Linux's PR_SET_PDEATHSIG) and, on every system, watches its parent's pid as well.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

# How often a worker looks for its parent where the kernel cannot tell it (not Linux).
PARENT_CHECK_SECONDS = 0.5


def die_with_parent(parent: int) -> None:
    """Call first thing in a worker whose parent's pid is ``parent``."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(143)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(143)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
