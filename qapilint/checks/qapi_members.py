"""Reading members out of raw definition data (as written: '*' markers, short forms)."""

from __future__ import annotations

from qapilint.changes.usage import BUILTINS as BUILTINS  # the checks' callers import these from here
from qapilint.changes.usage import SCALAR_BUILTINS as SCALAR_BUILTINS
from qapilint.changes.usage import Member as Member
from qapilint.changes.usage import effective_members as effective_members
from qapilint.changes.usage import members as members
from qapilint.changes.usage import type_text as type_text
from qapilint.qapi.schema_model import c_name as c_name
