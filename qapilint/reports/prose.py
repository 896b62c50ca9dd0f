"""Findings said the way a reviewer would say them in a reply ("This is new in 11.1, not 10.2.").

Rule messages are written for a terminal and name everything they talk
about; a reply comment sits directly under the quoted line, so it can be
terse and leave the member or definition unnamed ("Missing (since 11.1).").
The common rules get such a rewrite here, recognised from the message
shape.  Anything not recognised falls back to the message itself as a
sentence, so a changed message text degrades to plain wording, never to a
wrong one.

``say`` gives the comment for one finding; ``say_group`` the comment for
findings of several quoted lines that get one comment ("@a and @b: please
document what absence means.").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qapilint.checks.registry import FAMILIES
from qapilint.findings import Finding

_FAMILY_ORDER = {"version": 0, "docs": 1} | {fam: 2 + i for i, fam in enumerate(FAMILIES)}

_MISMATCH = re.compile(r"says (?P<found>\S+?), but this is new in (?P<exp>[0-9][0-9.]*(?: or [0-9][0-9.]*)?)")
_TYPE = re.compile(r"says '(?P<key>[^']+)': '(?P<said>[^']+)', but the diff declares '(?P<decl>[^']+)'")
_LACKS = re.compile(r"lacks '\(since (?P<ver>[^)]+)\)'")
_NO_SINCE = re.compile(r"expected 'Since: (?P<ver>[^']+)'")
_REDUNDANT = re.compile(r"has '(?P<tag>\([^)]*\))'")
_EDITED = re.compile(r"changed from (?P<old>\S+) to (?P<new>\S+?);")
_THREE = re.compile(r"'(?P<ver>\d+\.\d+)\.\d+' has three components")
_WRITE = re.compile(r"write '#?\s*(?P<fix>[^']+)'")
_MISSING_COLON = "missing colon after 'Since'"
_HAS_ABSENT = re.compile(r"^(?P<flag>has_\w+) is not generated for member '(?P<m>[^']+)'[^:]*: (?P<why>.*)$")
_HAS_NOT_SET = re.compile(r"member '(?P<m>[^']+)'.* never sets (?P<flag>has_\w+) = true")
_QUOTED = re.compile(r"'([^']+)'")
_STRUCTURE = re.compile(r"^(?P<what>\w+) of (?P<meta>\w+) '[^']*' changes \('(?P<old>[^']*)' -> '(?P<new>[^']*)'\)")
_RETYPED = re.compile(r"changes type from '(?P<old>[^']+)' to '(?P<new>[^']+)'")
_WHAT = {"data": "the arguments", "returns": "the return type", "base": "the base type",
         "discriminator": "the discriminator", "boxed": "'boxed'"}

# Rules whose reply comment is about the member on the quoted line, so one
# comment can cover several lines naming their members.
GROUPABLE = frozenset({"since-member-missing", "compat-optional-absence", "docs-undocumented",
                       "compat-removed-member", "compat-removed-value", "compat-removed-branch",
                       "since-mismatch", "since-redundant"})


def sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return text
    first = text.split(" ", 1)[0]
    # Identifiers (has_foo, 'name', @member) keep their spelling.
    if first.isalpha() and first.islower():
        text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def lower_first(text: str) -> str:
    """'Missing (since 11.1).' -> 'missing (since 11.1).', for use after 'a, b: '."""
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower() and first.isalpha():
        return text[0].lower() + text[1:]
    return text


def _since_text(ver: str) -> str:
    """'(since 10.1)', or for an undecided release '(since 10.1), or (since 10.2) if it misses 10.1'."""
    parts = ver.split(" or ")
    if len(parts) == 2:
        return f"(since {parts[0]}), or (since {parts[1]}) if it misses {parts[0]}"
    return f"(since {ver})"


def _mismatch(f: Finding, expected: str | None) -> str | None:
    m = _MISMATCH.search(f.message)
    if not m:
        return None
    return f"This is new in {m['exp']}, not {m['found']}."


def _type(f: Finding, expected: str | None) -> str | None:
    m = _TYPE.search(f.message)
    if not m:
        return None
    return f"The commit message says '{m['key']}': '{m['said']}'. Which one is right?"


def _member_missing(f: Finding, expected: str | None) -> str | None:
    m = _LACKS.search(f.message)
    ver = m["ver"] if m else expected
    if not ver or ver == "X.Y":
        return None
    return f"Missing {_since_text(ver)}."


def _since_missing(f: Finding, expected: str | None) -> str | None:
    m = _NO_SINCE.search(f.message)
    ver = m["ver"] if m else expected
    return f"Missing 'Since: {ver}'." if ver else "Missing 'Since:' section."


def _redundant(f: Finding, expected: str | None) -> str | None:
    m = _REDUNDANT.search(f.message)
    tag = m["tag"] if m else "(since ...)"
    return f"Drop {tag}: the whole definition is new."


def _edited(f: Finding, expected: str | None) -> str | None:
    m = _EDITED.search(f.message)
    if not m:
        return None
    return (f"Why change the tag from {m['old']} to {m['new']}? It records the release that "
            f"added this, and that doesn't change.")


def _format(f: Finding, expected: str | None) -> str | None:
    m = _THREE.search(f.message)
    return f"Make that {m['ver']}; release tags are X.Y." if m else None


def _malformed(f: Finding, expected: str | None) -> str | None:
    if _MISSING_COLON not in f.message:
        return None
    m = _WRITE.search(f.message)
    fix = f" Write '{m['fix']}'." if m else ""
    return f"Missing colon, so this isn't a 'Since:' section.{fix}"


def _optional_absence(f: Finding, expected: str | None) -> str | None:
    return "Please document what absence means."


def _undocumented(f: Finding, expected: str | None) -> str | None:
    return "Missing documentation."


def _removed(f: Finding, expected: str | None) -> str | None:
    if "breaks existing clients" not in f.message:
        return None
    extra = ""
    if "receive-only" in f.message:
        extra = " It is receive-only, so only introspection sees it, but still."
    return f"Removal breaks existing clients.{extra}"


def _removed_command(f: Finding, expected: str | None) -> str | None:
    if "breaks existing clients" not in f.message:
        return None
    return "Removal breaks existing clients. It needs to be deprecated first."


def _new_mandatory(f: Finding, expected: str | None) -> str | None:
    m = _QUOTED.search(f.message)
    if not m or "existing clients do not send it" not in f.message:
        return None
    return f"Existing clients don't send @{m[1]}, so making it mandatory breaks them. Make it optional?"


def _has_absent(f: Finding, expected: str | None) -> str | None:
    m = _HAS_ABSENT.search(f.message)
    if not m:
        return None
    if m["why"].startswith("it is mandatory"):
        return f"There is no {m['flag']}: @{m['m']} is mandatory."
    if "pointer" in m["why"]:
        return f"There is no {m['flag']}: @{m['m']} is a pointer, and NULL means absent."
    return None


def _has_not_set(f: Finding, expected: str | None) -> str | None:
    m = _HAS_NOT_SET.search(f.message)
    return f"Missing {m['flag']} = true; without it, @{m['m']} is not sent." if m else None


def _structure(f: Finding, expected: str | None) -> str | None:
    m = _STRUCTURE.search(f.message)
    if not m:
        return None
    what = _WHAT.get(m["what"], m["what"]) if m["meta"] == "command" or m["what"] != "data" else "the data"
    return f"This changes {what} from {m['old']} to {m['new']}. Is that compatible for existing clients?"


def _retyped(f: Finding, expected: str | None) -> str | None:
    m = _RETYPED.search(f.message)
    return (f"Changing the type from '{m['old']}' to '{m['new']}' can break existing clients. "
            f"Is it compatible?") if m else None


def _to_mandatory(f: Finding, expected: str | None) -> str | None:
    return "Clients that omit this break when it becomes mandatory." if "becomes mandatory" in f.message else None


def _to_optional(f: Finding, expected: str | None) -> str | None:
    if "becomes optional" not in f.message:
        return None
    return "Clients may rely on this being present. What do they get now when it's absent?"


def _bad_reference(f: Finding, expected: str | None) -> str | None:
    if not f.item:
        return None
    if f.message.startswith("'@"):
        return f"@{f.item} names nothing in the schema. A typo, or a name that was renamed away?"
    return f"`{f.item}` is not a definition, so the manual gets a broken link."


_PHRASES: dict[str, Callable[[Finding, str | None], str | None]] = {
    "since-mismatch": _mismatch,
    "message-type-mismatch": _type,
    "since-member-missing": _member_missing,
    "since-missing": _since_missing,
    "since-redundant": _redundant,
    "since-edited": _edited,
    "since-format": _format,
    "since-malformed": _malformed,
    "compat-optional-absence": _optional_absence,
    "compat-removed-member": _removed,
    "compat-removed-value": _removed,
    "compat-removed-branch": _removed,
    "compat-removed-command": _removed_command,
    "compat-new-mandatory": _new_mandatory,
    "docs-undocumented": _undocumented,
    "compat-structure-changed": _structure,
    "docs-bad-reference": _bad_reference,
    "compat-type-changed": _retyped,
    "compat-optional-to-mandatory": _to_mandatory,
    "compat-mandatory-to-optional": _to_optional,
    "cname-has-flag-absent": _has_absent,
    "cname-has-flag-not-set": _has_not_set,
}


def say(f: Finding, expected: str | None = None) -> str:
    """One short paragraph for ``f``, meant to sit right under the line it is about."""
    phrase = _PHRASES.get(f.rule)
    text = phrase(f, expected) if phrase is not None else None
    return text if text is not None else sentence(f.message)


def subject_of(f: Finding) -> str | None:
    """What a groupable finding is about: its member, value or definition name."""
    if f.rule not in GROUPABLE:
        return None
    if f.item:
        return f.item
    m = _QUOTED.search(f.message)
    return m[1] if m else f.definition


def names(items: list[str]) -> str:
    """'@a', '@a and @b', '@a, @b and @c'."""
    at = [f"@{i}" for i in items]
    return at[0] if len(at) == 1 else ", ".join(at[:-1]) + " and " + at[-1]


def _merge(texts: list[str]) -> str:
    """Sentences of one comment; "Missing documentation." and "Missing (since X)." become one."""
    if "Missing documentation." in texts:
        since = [t for t in texts if t.startswith("Missing (since ")]
        if since:
            texts = [t for t in texts if t not in since]
            texts[texts.index("Missing documentation.")] = "Missing documentation, including " + since[0][8:]
    return " ".join(texts)


def say_group(findings: list[Finding], expected: str | None = None) -> list[str]:
    """The paragraphs of one comment on ``findings`` (one quoted line, or a run of similar ones).

    Findings with the same wording share a sentence; when the comment covers
    several members, the sentence says which ("@a and @b: missing (since 11.1).").
    """
    if any(f.rule == "since-mismatch" for f in findings):
        # The tag is there, just wrong: "missing (since X)" on top would contradict it.
        findings = [f for f in findings if f.rule != "since-member-missing"]
    # Version tags first, then documentation, compatibility...: the same order in every comment.
    findings = sorted(findings, key=lambda f: _FAMILY_ORDER.get(f.family, len(_FAMILY_ORDER)))
    by_text: dict[str, list[Finding]] = {}
    for f in findings:
        by_text.setdefault(say(f, expected), []).append(f)
    subjects = {t: tuple(dict.fromkeys(s for f in fs if (s := subject_of(f)) is not None))
                for t, fs in by_text.items()}
    if len(set(subjects.values())) == 1 and next(iter(subjects.values())):
        # One member (or the same few): one paragraph says everything about it.
        (same,) = set(subjects.values())
        body = _merge(list(by_text))
        return [f"{names(list(same))}: {lower_first(body)}" if len(same) > 1 else body]
    everyone = {s for subj in subjects.values() for s in subj}
    return [f"{names(list(subjects[t]))}: {lower_first(t)}" if subjects[t] and len(everyone) > 1 else t
            for t in by_text]
