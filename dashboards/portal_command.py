"""The one command that serves the portal, for `salnameh serve`, the tests and the
benchmarks alike. It is kept out of dashboards/server.py, which builds Streamlit's app when
imported: importing it to learn the command would build one in the caller's process."""

from __future__ import annotations

import sys
from pathlib import Path

SERVER = Path(__file__).with_name("server.py")


def portal_command(port: int, script: Path = SERVER) -> list[str]:
    """The command that serves the portal on `port`, run from the project's root; another
    `script` only where a benchmark compares servers."""
    return [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
