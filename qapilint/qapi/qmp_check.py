"""QMP examples against the schema: message shapes, commands, replies, events.

The protocol (QEMU's QMP specification): a client sends
``{"execute"|"exec-oob": NAME, "arguments": {...}, "id": ...}``; the server
answers ``{"return": VALUE, "id": ...}`` or ``{"error": {"class": ..., "desc":
...}, "id": ...}``, and sends events ``{"event": NAME, "data": {...},
"timestamp": {"seconds": ..., "microseconds": ...}}``.  ``exec-oob`` is for
commands with ``'allow-oob': true`` only.  A command defined with ``'gen':
false`` takes arguments its schema does not list (``device_add`` passes them
to the device), so unknown keys are not reported for it.  ``'boxed': true``
changes the C interface only: on the wire the arguments are the members of
the named type either way.

Replies answer commands in order (or by ``id``); a reply with no command
before it in its example answers the command the doc block documents.
"""

from __future__ import annotations

import re

from qapilint.qapi.examples import Example, Message
from qapilint.qapi.qmp_ids import (
    BAD_VALUE,
    MISSING_MEMBER,
    OOB,
    SHAPE,
    SYNTAX,
    TIMESTAMP,
    UNKNOWN_COMMAND,
    UNKNOWN_EVENT,
    UNKNOWN_MEMBER,
    WRONG_TYPE,
)
from qapilint.qapi.qmp_json import EDict, Fix, Parsed, Path
from qapilint.qapi.qmp_types import Issue, Matcher, ObjectView, Raw, TypeTable, did_you_mean, json_kind

_KIND_RULE = {"unknown-member": UNKNOWN_MEMBER, "wrong-type": WRONG_TYPE, "bad-value": BAD_VALUE,
              "missing-member": MISSING_MEMBER}

_COMMAND_KEYS = frozenset({"execute", "exec-oob", "arguments", "id"})
_REPLY_KEYS = frozenset({"return", "error", "id"})
_EVENT_KEYS = frozenset({"event", "data", "timestamp"})
_EXECUTE_RE = re.compile(r'"(?:execute|exec-oob)"\s*:\s*"([^"]+)"')


class ExampleIssue:
    """A problem of one message, located: what :mod:`qapilint.checks.example` makes findings of.

    A plain class, not a dataclass: this module is imported by every
    ``audit``, and a dataclass costs a millisecond to create.
    """

    __slots__ = ("rule", "message", "msg", "offset", "item", "fix", "more_fixes", "subject", "type_name",
                 "path", "kind", "missing")

    def __init__(self, rule: str, message: str, msg: Message, offset: int | None = None, *,
                 item: str | None = None, fix: Fix | None = None, more_fixes: tuple[Fix, ...] = (),
                 subject: str | None = None, type_name: str | None = None, path: Path = (),
                 kind: str = "", missing: Issue | None = None) -> None:
        self.rule = rule
        self.message = message
        self.msg = msg
        self.offset = offset              # into msg.text; None: the message's first line
        self.item = item
        self.fix = fix
        self.more_fixes = more_fixes      # the same mistake further on, repaired with ``fix``
        self.subject = subject            # the command or event the message is about
        self.type_name = type_name        # the type the issue is about (stale-example attribution)
        self.path = path
        self.kind = kind                  # the syntax problem's kind (trailing-comma, ...)
        self.missing = missing            # a missing-member issue as the matcher made it

    def __repr__(self) -> str:
        return f"ExampleIssue({self.rule!r}, {self.message!r}, line {self.line})"

    @property
    def line(self) -> int:
        return self.position[0]

    @property
    def position(self) -> tuple[int, int | None]:
        if self.offset is None:
            line, col, _text = self.msg.rows[0]
            return line, col
        return self.msg.position(self.offset)


class Result:
    """The issues of a run of examples; ``out_of_view``: names a tree would resolve."""

    __slots__ = ("issues", "out_of_view", "messages")

    def __init__(self) -> None:
        self.issues: list[ExampleIssue] = []
        self.out_of_view: set[str] = set()
        self.messages = 0


class _Pending:
    """A command waiting for its reply: its name, whether the schema has it, its "id"."""

    __slots__ = ("name", "known", "id")

    def __init__(self, name: str, known: bool, id: object = None) -> None:
        self.name = name
        self.known = known
        self.id = id


class _Checker:
    def __init__(self, table: TypeTable, result: Result) -> None:
        self.table = table
        self.result = result

    def issue(self, rule: str, message: str, msg: Message, offset: int | None = None, **kw: object) -> None:
        self.result.issues.append(ExampleIssue(rule, message, msg, offset, **kw))  # type: ignore[arg-type]

    def example(self, ex: Example) -> None:
        pending: list[_Pending] = []
        seen_command = False
        for msg in ex.messages:
            if not msg.complete:
                continue
            self.result.messages += 1
            parsed = msg.parsed()
            for p in parsed.problems:
                self.issue(SYNTAX, p.message, msg, p.offset, fix=p.fix, kind=p.kind, more_fixes=p.more)
            v = parsed.value
            if not parsed.ok:
                m = _EXECUTE_RE.search(msg.text)
                if m is not None:
                    seen_command = True
                    pending.append(_Pending(m.group(1), False))
                elif msg.direction == "<-" and pending:
                    pending.pop(0)
                continue
            if not isinstance(v, dict):
                self.issue(SHAPE, f"a QMP message is a JSON object, not {json_kind(v)}", msg)
                continue
            if "execute" in v or "exec-oob" in v:
                seen_command = True
                pend = self.command(v, msg, parsed)
                if pend is not None:
                    pending.append(pend)
            elif "return" in v or "error" in v:
                self.reply(v, msg, self.answered(v, pending, ex, seen_command))
            elif "event" in v:
                self.event(v, msg)
            elif "QMP" in v:
                continue
            elif msg.direction == "<-":
                cmd = self.answered(v, pending, ex, seen_command)
                name = f" of '{cmd.name}'" if cmd is not None else ""
                self.issue(SHAPE, f"the reply{name} is not wrapped in {{\"return\": ...}}: the server "
                                  f"sends a reply ({{\"return\": ...}} or {{\"error\": ...}}) or an event",
                           msg, subject=cmd.name if cmd else None)
            elif msg.direction == "->":
                self.issue(SHAPE, "a command is {\"execute\": NAME, \"arguments\": {...}}; this message has "
                                  "no \"execute\"", msg)

    def answered(self, v: dict[str, object], pending: list[_Pending], ex: Example,
                 seen_command: bool) -> _Pending | None:
        rid = v.get("id")
        if rid is not None:
            for k, p in enumerate(pending):
                if p.id == rid:
                    return pending.pop(k)
        if pending:
            return pending.pop(0)
        if not seen_command and ex.symbol is not None:
            d = self.table.get(ex.symbol, "command")
            if d is not None:
                return _Pending(ex.symbol, True)
        return None

    def unexpected_keys(self, v: dict[str, object], allowed: frozenset[str], what: str, msg: Message,
                        parsed: Parsed | None = None) -> None:
        for key in v:
            if key not in allowed:
                self.issue(SHAPE, f"'{key}' is not a key of {what} (only {', '.join(sorted(allowed))})",
                           msg, _at(msg, (key,), True), item=key)

    def command(self, v: dict[str, object], msg: Message, parsed: Parsed) -> _Pending | None:
        if msg.direction == "<-":
            self.issue(SHAPE, "'<-' marks what the server sends, but this is a command (the client "
                              "sends it: '->')", msg)
        if "execute" in v and "exec-oob" in v:
            self.issue(SHAPE, "a command has \"execute\" or \"exec-oob\", not both", msg)
        key = "execute" if "execute" in v else "exec-oob"
        name = v[key]
        self.unexpected_keys(v, _COMMAND_KEYS, "a command", msg)
        if not isinstance(name, str):
            self.issue(SHAPE, f"\"{key}\" names the command: a string, not {json_kind(name)}", msg,
                       _at(msg, (key,)))
            return None
        d = self.table.get(name, "command")
        if d is None:
            if self.table.complete:
                self.issue(UNKNOWN_COMMAND, f"there is no command '{name}'{self.close(name, 'command')}",
                           msg, _at(msg, (key,)), item=name, subject=name)
            else:
                self.result.out_of_view.add(name)
            return _Pending(name, False, v.get("id"))
        if key == "exec-oob" and d.data.get("allow-oob") is not True and not d.partial:
            self.issue(OOB, f"\"exec-oob\" runs a command out of band, but '{name}' does not allow it "
                            f"(no 'allow-oob': true)", msg, _at(msg, (key,)), subject=name)
        if "arguments" in v or not isinstance(v, EDict):
            view = self.table.args_view(name, d.data.get("data"), f"the arguments of '{name}'")
            if view is None:
                self.result.out_of_view.add(str(d.data.get("data")))
            else:
                self.match_object(v.get("arguments", {}), view, msg, ("arguments",) if "arguments" in v else (),
                                  f"the arguments of '{name}'", server=False, lenient=d.data.get("gen") is False,
                                  subject=name, partial=d.partial)
        if d.data.get("success-response") is False:
            return None
        return _Pending(name, True, v.get("id"))

    def reply(self, v: dict[str, object], msg: Message, cmd: _Pending | None) -> None:
        subject = cmd.name if cmd is not None else None
        if msg.direction == "->":
            self.issue(SHAPE, "'->' marks what the client sends, but this is a reply (the server "
                              "sends it: '<-')", msg, subject=subject)
        self.unexpected_keys(v, _REPLY_KEYS, "a reply", msg)
        if "return" in v and "error" in v:
            self.issue(SHAPE, "a reply has \"return\" or \"error\", not both", msg, subject=subject)
            return
        if "error" in v:
            self.error(v["error"], msg, subject)
            return
        if cmd is None or not cmd.known:
            return
        d = self.table.get(cmd.name, "command")
        if d is None:
            return
        ret = d.data.get("returns")
        what = f"the reply of '{cmd.name}'"
        if ret is None:
            if d.partial:
                return
            self.match_object(v["return"], self.table.args_view(cmd.name, None, f"the return value of '{cmd.name}'")
                              or ObjectView(""), msg, ("return",), what, server=True, subject=cmd.name,
                              partial=False, nothing=True)
            return
        m = Matcher(self.table, server=True)
        m.value(v["return"], ret, ("return",), what)
        self.take(m, msg, cmd.name)

    def error(self, err: object, msg: Message, subject: str | None) -> None:
        if not isinstance(err, dict):
            self.issue(SHAPE, f"\"error\" is an object {{\"class\": ..., \"desc\": ...}}, not {json_kind(err)}",
                       msg, _at(msg, ("error",)), subject=subject)
            return
        if isinstance(err, EDict):
            return
        for key in ("class", "desc"):
            if key not in err:
                self.issue(SHAPE, f"an error reply has \"class\" and \"desc\"; \"{key}\" is missing", msg,
                           _at(msg, ("error",)), subject=subject)
            elif not isinstance(err[key], str):
                self.issue(SHAPE, f"the error's \"{key}\" is a string, not {json_kind(err[key])}", msg,
                           _at(msg, ("error", key)), subject=subject)
        for key in err:
            if key not in ("class", "desc"):
                self.issue(SHAPE, f"'{key}' is not a key of an error (only class, desc)", msg,
                           _at(msg, ("error", key), True), item=key, subject=subject)
        cls = err.get("class")
        ev = self.table.enum_values("QapiErrorClass")
        if isinstance(cls, str) and ev is not None and not ev[1] and cls not in ev[0]:
            self.issue(BAD_VALUE, f"there is no error class '{cls}' (QapiErrorClass: {', '.join(sorted(ev[0]))})",
                       msg, _at(msg, ("error", "class")), item=cls, subject=subject)

    def event(self, v: dict[str, object], msg: Message) -> None:
        name = v["event"]
        if msg.direction == "->":
            self.issue(SHAPE, "'->' marks what the client sends, but this is an event (the server "
                              "sends it: '<-')", msg)
        self.unexpected_keys(v, _EVENT_KEYS, "an event", msg)
        self.timestamp(v, msg, name if isinstance(name, str) else None)
        if not isinstance(name, str):
            self.issue(SHAPE, f"\"event\" names the event: a string, not {json_kind(name)}", msg,
                       _at(msg, ("event",)))
            return
        d = self.table.get(name, "event")
        if d is None:
            if self.table.complete:
                self.issue(UNKNOWN_EVENT, f"there is no event '{name}'{self.close(name, 'event')}", msg,
                           _at(msg, ("event",)), item=name, subject=name)
            else:
                self.result.out_of_view.add(name)
            return
        view = self.table.args_view(name, d.data.get("data"), f"the data of '{name}'")
        if view is None:
            self.result.out_of_view.add(str(d.data.get("data")))
            return
        data = v.get("data", {})
        self.match_object(data, view, msg, ("data",) if "data" in v else (), f"the data of '{name}'",
                          server=True, subject=name, partial=d.partial)

    def timestamp(self, v: dict[str, object], msg: Message, name: str | None) -> None:
        ts = v.get("timestamp")
        if ts is None and "timestamp" not in v:
            self.issue(TIMESTAMP, "the event has no \"timestamp\" ({\"seconds\": ..., \"microseconds\": ...})",
                       msg, subject=name)
            return
        if not isinstance(ts, dict):
            self.issue(TIMESTAMP, f"\"timestamp\" is an object {{\"seconds\": ..., \"microseconds\": ...}}, "
                                  f"not {json_kind(ts)}", msg, _at(msg, ("timestamp",)), subject=name)
            return
        if isinstance(ts, EDict):
            return
        for key in ("seconds", "microseconds"):
            val = ts.get(key)
            if key not in ts:
                self.issue(TIMESTAMP, f"the timestamp has no \"{key}\"", msg, _at(msg, ("timestamp",)),
                           subject=name)
            elif not isinstance(val, int) or isinstance(val, bool):
                self.issue(TIMESTAMP, f"the timestamp's \"{key}\" is an integer, not {json_kind(val)}", msg,
                           _at(msg, ("timestamp", key)), subject=name)
        for key in ts:
            if key not in ("seconds", "microseconds"):
                self.issue(TIMESTAMP, f"'{key}' is not a key of a timestamp (only seconds, microseconds)",
                           msg, _at(msg, ("timestamp", key), True), item=key, subject=name)

    def match_object(self, value: object, view: ObjectView, msg: Message, path: Path, what: str, *,
                     server: bool, subject: str, partial: bool, lenient: bool = False,
                     nothing: bool = False) -> None:
        m = Matcher(self.table, server=server)
        if partial:
            view = ObjectView(view.name, dict(view.members), True, view.discriminator, view.branches, True,
                              view.label)
        if nothing and isinstance(value, dict) and value and not isinstance(value, EDict):
            m.add(Issue("unknown-member", path, f"'{subject}' returns nothing: {what} is {{\"return\": {{}}}}"))
        elif nothing:
            if not isinstance(value, dict):
                m.add(Issue("wrong-type", path, f"'{subject}' returns nothing: {what} is {{\"return\": {{}}}}, "
                                                f"not {json_kind(value)}"))
        else:
            m.obj(value, view, path, what, lenient=lenient)
        self.take(m, msg, subject)

    def take(self, m: Matcher, msg: Message, subject: str) -> None:
        self.result.out_of_view |= m.out_of_view
        for i in m.issues:
            self.issue(_KIND_RULE[i.kind], i.message, msg, _at(msg, i.path, i.at_key), item=i.item,
                       subject=subject, type_name=i.type_name, path=i.path,
                       missing=i if i.kind == "missing-member" else None)

    def close(self, name: str, meta: str) -> str:
        return did_you_mean(name, (n for n, d in self.table.defs.items() if d.meta == meta), 0.75)


def _at(msg: Message, path: Path, at_key: bool = False) -> int | None:
    """Offset of the key (or value) at ``path`` in the message text; None: its first line."""
    return msg.locate(path, at_key)


def check_examples(examples: list[Example], table: TypeTable) -> Result:
    result = Result()
    checker = _Checker(table, result)
    for ex in examples:
        checker.example(ex)
    return result


def table_of(defs: list[Raw], complete: bool) -> TypeTable:
    return TypeTable(defs, complete)
