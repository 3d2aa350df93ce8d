"""The checked catalog compiled at set-up, as Python's modules are compiled to bytecode.

Nearly every command starts by reading the catalog's 163 YAML declarations and checking
them against the reference seeds: 0.09 s of CPU, most of it building Python objects from
YAML, about a tenth of what one form's `salnameh ingest` costs. `make setup` runs this
module, which checks the project's catalog once and stores it (pickled) under `.cache/`
with a key: a hash of every declaration and reference seed and of the code that reads and
checks them. `load_catalog` uses the stored catalog only when its key is the key of the
files as they are now (computing it reads the files, a few milliseconds); any edit since,
and any other catalog or seeds folder, is read and checked from the files as before. This
is written at set-up only: at run time nothing outside the home is written.

    .venv/bin/python -m salnameh.catalog               # what `make setup` runs
"""

from __future__ import annotations

import hashlib
import pickle
import sys
import tempfile
from pathlib import Path

from salnameh.settings import CATALOG_DIR, PROJECT_ROOT, REFERENCE_DIR

COMPILED = PROJECT_ROOT / ".cache" / "catalog.pickle"
# The modules whose code turns the files into the catalog: a change to one of them changes
# what the same files give.
READERS = ("catalog.py", "catalog_check.py", "declarations.py", "reference.py", "settings.py")


def inputs_key(catalog_dir: Path, seeds_dir: Path) -> str:
    digest = hashlib.sha256(sys.version.encode())
    here = Path(__file__).resolve().parent
    files = [
        *sorted(catalog_dir.glob("*.yaml")),
        *sorted(p for p in seeds_dir.iterdir() if p.is_file()),
        *(here / name for name in READERS),
    ]
    for path in files:
        digest.update(f"\0{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read(catalog_dir: Path, seeds_dir: Path):
    """The compiled catalog if it was compiled from these very files, else None."""
    if catalog_dir.resolve() != CATALOG_DIR or seeds_dir.resolve() != REFERENCE_DIR:
        return None
    try:
        key, catalog = pickle.loads(COMPILED.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None  # none compiled, or by other code: read the files
    return catalog if key == inputs_key(catalog_dir, seeds_dir) else None


def write(catalog) -> Path:
    """Store the project's checked catalog (salnameh.catalog.compile_catalog checks it from
    its files first) under the key of those files. Written whole, then renamed into place."""
    key = inputs_key(CATALOG_DIR, REFERENCE_DIR)
    COMPILED.parent.mkdir(exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=COMPILED.parent, delete=False) as handle:
        handle.write(pickle.dumps((key, catalog), protocol=pickle.HIGHEST_PROTOCOL))
    Path(handle.name).chmod(0o644)
    Path(handle.name).replace(COMPILED)
    return COMPILED
