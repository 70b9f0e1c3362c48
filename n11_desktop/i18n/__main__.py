"""``python -m n11_desktop.i18n build|update``: compile the .qm for packaging / refresh the .ts from the sources."""

from __future__ import annotations

import argparse
import sys

from . import LANGS, build, run_lupdate, ts_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m n11_desktop.i18n")
    parser.add_argument("action", choices=("build", "update"),
                        help="build: compile the .qm files next to the .ts; update: run lupdate over the sources")
    args = parser.parse_args(argv)
    for lang in LANGS:
        if args.action == "update":
            run_lupdate(ts_path(lang))
            print(f"updated {ts_path(lang).name}")
        else:
            print(f"wrote {build(lang).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
