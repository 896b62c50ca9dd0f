"""Errors that end the processing of one input (reported as one line, exit status 2)."""

from __future__ import annotations


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
        return f"qapilint: error: {self.where}: {self.message}"
