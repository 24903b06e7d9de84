"""The errors of ``astara link``, each with its own exit code."""

from __future__ import annotations

from astara.errors import InvalidInput


class LinkageError(InvalidInput):
    """A linkage input cannot be read: the message names the file, row and column at fault."""

    exit_code = 18
    code = "linkage_input"


class LinkageEngineError(InvalidInput):
    """The linkage engine cannot run (e.g. ``--engine spark`` without the ``astara[spark]`` extra)."""

    status_code = 503
    exit_code = 19
    code = "linkage_engine"
