"""Where the app keeps its files: light enough for ``app.main`` to ask before any page (or package) is loaded."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """Where the app keeps its database, clips and uploads: env ``LAB_DATA_DIR``, else ``data/``."""
    return Path(os.environ.get("LAB_DATA_DIR", ROOT / "data"))
