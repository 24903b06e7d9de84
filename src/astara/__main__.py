"""The ``astara`` command and ``python -m astara``: :func:`astara.cli.main`, started quicker.

The cyclic garbage collector is off while the command starts. Loading SQLAlchemy, the models and
pydantic allocates hundreds of thousands of objects, all of which live on; collecting over them
again and again, during start-up and after, cost about 0.2 s of a short command such as
``astara stats``. :func:`astara.cli.start_up_over` freezes them (``gc.freeze``: later collections
skip them) and turns collection back on, when the command first opens the store, or after a
second for a command that never does.
"""

from __future__ import annotations

import gc
import threading


def main() -> None:
    gc.disable()
    from astara import cli

    timer = threading.Timer(1.0, cli.start_up_over)
    timer.daemon = True
    timer.start()
    try:
        cli.main()
    finally:
        timer.cancel()


if __name__ == "__main__":
    main()
