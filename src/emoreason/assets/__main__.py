"""``python -m emoreason.assets``: build every derived model folder (used by ``make install``)."""

import sys

from emoreason.assets.prepare import prepare_all

if __name__ == "__main__":
    prepare_all(on_done=lambda label, path: sys.stderr.write(f"ok {label}: {path}\n"))
