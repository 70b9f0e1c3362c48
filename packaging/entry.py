"""Entry script of the desktop build (PyInstaller): the ``n11-desktop`` command, and the
children it starts (``--run-module n11_desktop.…``, see ``n11_desktop.core.child``)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from n11_desktop.core.child import run_module_from_argv

    if run_module_from_argv(sys.argv):
        sys.exit(0)
    from n11_desktop.cli import main

    sys.exit(main())
