"""Importing the house style must not switch a Jupyter kernel away from its inline backend.

Otherwise executed notebooks (the reports) carry "<Figure size ...>" text instead of figures.
"""

from __future__ import annotations

import os
import subprocess
import sys

INLINE = "module://matplotlib_inline.backend_inline"

SCRIPT = f"""
import sys, types
{{setup}}
import matplotlib
matplotlib.use("{INLINE}")
import permanent_research.plots  # noqa: F401
print(matplotlib.get_backend())
"""


def _backend_after_import(in_kernel: bool) -> str:
    setup = "sys.modules['ipykernel'] = types.ModuleType('ipykernel')" if in_kernel else ""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(setup=setup)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def test_kernel_keeps_inline_backend():
    assert _backend_after_import(in_kernel=True) == INLINE


def test_scripts_default_to_agg():
    assert _backend_after_import(in_kernel=False).lower() == "agg"
