"""The directory where several worker processes keep their metrics for /metrics to sum.

Kept apart from the metrics themselves: prometheus_client decides at import time whether it
counts in shared files, so the variable must be set before anything imports it, and this
module (imported by the CLI before it starts workers) imports nothing of it.
"""

import atexit
import os
import shutil
import tempfile

ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_metrics_dir(*, workers: int) -> str | None:
    """With several workers and no directory given, make a fresh one for this run (removed at
    exit) and name it in the environment the workers inherit; returns the directory in use."""
    given = os.environ.get(ENV)
    if given or workers <= 1:
        return given
    # Fresh per run: files left by an earlier run's processes would be summed with this one's.
    directory = tempfile.mkdtemp(prefix="spacefacts-metrics-")
    os.environ[ENV] = directory
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory
