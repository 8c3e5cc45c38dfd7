"""Ctrl-C that Python can only report as "Exception ignored" still ends the CLI quietly with 130."""

import subprocess
import sys

PROGRAM = """
import sys
from vgi_host.cli.main import _interrupts_are_exits
sys.unraisablehook = _interrupts_are_exits

class InterruptedWhileCollected:
    def __del__(self):
        raise KeyboardInterrupt  # what a SIGINT inside an import lock's callback looks like

InterruptedWhileCollected()
print("still running")
"""


def test_an_unraisable_keyboard_interrupt_exits_130_without_a_traceback():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130
    assert "Traceback" not in done.stderr
    assert "vgi-host: interrupted" in done.stderr
    assert "still running" not in done.stdout


def test_other_unraisable_exceptions_are_still_reported():
    program = PROGRAM.replace("raise KeyboardInterrupt", "raise ValueError('kept')")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "ValueError: kept" in done.stderr
    assert "still running" in done.stdout
