"""Errors that end the processing of one input (reported as one line, exit status 2)."""

from __future__ import annotations

import re

# Control characters (C0 but tab, DEL, C1): an input's name or content must not act on the terminal.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


class InputError(Exception):
    """Unusable input: missing file, not UTF-8, malformed JSON/mbox, ...

    ``where`` names the input (path, URL, ``<stdin>``); the CLI prints
    ``qapilint: error: WHERE: MESSAGE`` and carries on with the other inputs.
    """

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message

    def line(self) -> str:
        """The one error line the CLI prints for it."""
        text = f"qapilint: error: {self.where}: {self.message}"
        return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
