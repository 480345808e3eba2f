"""What a fresh interpreter imports while it runs a snippet: for tests that keep heavy modules off a path."""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Iterable


def imported_by(code: str, packages: Iterable[str]) -> list[str]:
    """The modules of `packages` (top-level names or dotted modules) loaded after running `code` in a new process."""
    probe = (f"{code}\nimport json, sys\nwanted = {json.dumps(list(packages))}\n"
             "print(json.dumps(sorted(m for m in sys.modules if m in wanted or m.split('.')[0] in wanted)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])
