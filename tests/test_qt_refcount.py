"""Guard against PySide6 releases that corrupt reference counts (6.12.0 decrefs True on every emit),
which makes the interpreter abort at exit after enough signals."""

import subprocess
import sys

CODE = """
import sys
from PySide6.QtCore import QObject, Signal
class S(QObject):
    changed = Signal(int)
    flag = Signal(bool)
s = S()
s.flag.connect(lambda v: None)
before = sys.getrefcount(True), sys.getrefcount(False)
for _ in range(50):
    s.changed.emit(1)
    s.flag.emit(True)
    s.flag.emit(False)
after = sys.getrefcount(True), sys.getrefcount(False)
print(after[0] - before[0], after[1] - before[1])
"""


def test_signal_emit_keeps_bool_refcounts():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.split() == ["0", "0"], "this PySide6 release leaks or drops references to True/False"
