"""Fetch the Vazirmatn web font (OFL) from the npm registry for the portal, once, at set-up.

`make setup` runs this; the portal works without it (Noto Sans Arabic or DejaVu Sans take
over), so a failed download is reported and does not stop the set-up. The tarball is
checked against its pinned SHA-256 before anything is extracted.
"""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "33.0.3"
TARBALL = f"https://registry.npmjs.org/vazirmatn/-/vazirmatn-{VERSION}.tgz"
SHA256 = "9506e9e6a27e62b353c04a136c27de0cc3aa9e434658b45a6363f7c98c357090"
WANTED = ("Vazirmatn-Regular.woff2", "Vazirmatn-Bold.woff2")
TARGET = Path(__file__).parent / "static" / "fonts"


def fetch(target: Path = TARGET) -> list[Path]:
    if all((target / name).exists() for name in WANTED):
        return [target / name for name in WANTED]
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise ValueError(f"{TARBALL} does not match its pinned SHA-256; nothing extracted")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for name in WANTED:
            member = archive.extractfile(f"package/fonts/webfonts/{name}")
            (target / name).write_bytes(member.read())
            written.append(target / name)
    return written


def main() -> None:
    try:
        for path in fetch():
            print(f"font ready: {path}")
    except Exception as failure:  # the portal falls back to Noto/DejaVu
        print(f"Vazirmatn not fetched ({failure}); the portal uses Noto Sans Arabic or "
              "DejaVu Sans instead", file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
