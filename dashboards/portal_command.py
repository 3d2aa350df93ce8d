"""The one command that serves the portal, for `salnameh serve`, the tests and the
benchmarks alike (apart from dashboards/server.py, which builds the server when Streamlit
runs it: importing that here would construct it in the caller's process)."""

from __future__ import annotations

import sys
from pathlib import Path

SERVER = Path(__file__).with_name("server.py")


def portal_command(port: int) -> list[str]:
    """The command that serves the portal on `port`, run from the project's root."""
    return [sys.executable, "-m", "streamlit", "run", str(SERVER), "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
