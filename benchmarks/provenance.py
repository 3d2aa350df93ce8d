"""What a benchmark result was measured on: the machine, the packages, the code.

Every benchmark records these beside its figures, so a figure can be tied to the machine
and the exact code it measured (others may edit the tree while a benchmark runs).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _proc_field(path: str, prefix: str) -> str | None:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    return None


def machine_facts(packages: Iterable[str], measured: Iterable[str],
                  code: Iterable[str], code_label: str) -> dict[str, str]:  # fmt: skip
    """Cores, CPU, memory, OS, Python, package versions, commit and code hash.

    `measured` are the folders whose uncommitted changes are reported; `code` the globs
    (relative to the repository) hashed as the code that ran, described by `code_label`.
    """
    memory = _proc_field("/proc/meminfo", "MemTotal:")
    versions = []
    for name in packages:
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name} ?")
    return {
        "cores": f"{os.cpu_count()} (usable: {len(os.sched_getaffinity(0))})",
        "CPU": _proc_field("/proc/cpuinfo", "model name") or "unknown",
        "memory": f"{int(memory.split()[0]) / 2**20:.1f} GiB" if memory else "unknown",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "packages": ", ".join(versions),
        "commit": git_commit(measured),
        "code hash": code_hash(code, code_label),
    }


def code_hash(globs: Iterable[str], label: str) -> str:
    """SHA-256 of the files the globs match, as they are now."""
    digest = hashlib.sha256()
    files = {p for pattern in globs for p in ROOT.glob(pattern) if p.is_file()}
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return f"{digest.hexdigest()[:12]} ({label})"


def git_commit(measured: Iterable[str]) -> str:
    """HEAD and whether the measured folders differ from it (read-only git calls)."""
    try:
        head = _git("rev-parse", "--short", "HEAD").strip()
        dirty = _git("status", "--porcelain", "--", *measured).splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    changed = ", ".join(line[3:] for line in dirty)
    return head + (f"; uncommitted changes in {changed}" if changed else "")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def save_json(result: dict, out: Path | None, name: str) -> Path | None:
    """`result` as `out/name` (the folder made if need be), for a benchmark's `--out`; None
    when no folder was asked for."""
    if out is None:
        return None
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return path
