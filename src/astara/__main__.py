"""The ``astara`` command and ``python -m astara``: :func:`astara.cli.main`, started quicker.

``--version`` needs only the package's metadata, and ``--help`` is printed from a copy while
nothing it is made from has changed (:mod:`astara.kit.help_cache`): neither loads Typer.

The cyclic garbage collector is off while the command starts. Loading SQLAlchemy, the models and
pydantic allocates hundreds of thousands of objects, all of which live on; collecting over them
again and again, during start-up and after, cost about 0.2 s of a short command such as
``astara stats``. :func:`astara.cli.start_up_over` freezes them (``gc.freeze``: later collections
skip them) and turns collection back on, when the command first opens the store, or after a
second for a command that never does.

A small read command (``astara stats``, ``astara seizures show``...) is first offered to a warm
copy of the CLI that has all of that loaded (:mod:`astara.kit.warm`; ``ASTARA_WARM=0`` turns it
off). When none answers the command runs here, and one is started in the background for the next.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys


def main() -> None:
    argv = sys.argv[1:]
    if argv == ["--version"]:
        sys.stdout.write(f"astara {version()}\n")
        return
    if argv[-1:] == ["--help"]:
        from astara.kit import help_cache

        if help_cache.asks_for_help(argv):
            if not help_cache.print_cached(argv):
                help_cache.render_and_keep(argv, _run)
            return
    from astara.kit import warm

    code = warm.answer(argv)
    if code is not None:
        sys.exit(code)
    warm.start_server(argv)
    _run()


def version() -> str:
    """The installed distribution's version, as ``importlib.metadata.version("astara")`` finds it
    (the first ``astara-*.dist-info`` on the module path), read without loading that module and
    the email parser it brings."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("astara-") and name.endswith(".dist-info"):
                metadata = os.path.join(entry, name, "METADATA")
                with contextlib.suppress(OSError), open(metadata, encoding="utf-8") as lines:
                    for line in lines:
                        if line.startswith("Version:"):
                            return line.partition(":")[2].strip()
                        if not line.strip():  # the end of the headers
                            break
    from importlib.metadata import version as installed

    return installed("astara")


def _run() -> None:
    import threading

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
