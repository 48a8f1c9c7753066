"""Production settings (config.settings) for the benchmarks.

Only two changes: the URLconf adds the bare view (/bench-bare/) next to the site's
URLs, and collected static files go to a scratch folder, not the repository.
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.bare_urls"
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "/tmp/rulewise-bench-static"))
