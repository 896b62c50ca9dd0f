"""What introspection hides: type names, where a member is declared; what it shows: conditions."""

from __future__ import annotations

from pathlib import Path

from releasekit import diff_dirs, find, keys

OLD = """
{ 'struct': 'Addr', 'data': { 'host': 'str', 'port': 'int' } }
{ 'struct': 'Server', 'data': { 'addr': 'Addr', '*tls': 'bool', '*max': 'int' } }
{ 'struct': 'Client', 'data': { 'addr': 'Addr', '*tls': 'bool' } }
{ 'command': 'start-server', 'data': 'Server' }
{ 'command': 'connect', 'data': 'Client' }
{ 'command': 'query-server', 'returns': 'Server' }
"""


def test_renamed_type_with_same_structure_is_no_change(tmp_path: Path) -> None:
    new = OLD.replace("'Addr'", "'SocketAddr'")
    assert "Addr'" in new and "'Addr'" not in new
    assert diff_dirs(tmp_path, OLD, new).entries == []


def test_renamed_type_with_a_new_member_is_named_by_its_new_name(tmp_path: Path) -> None:
    new = OLD.replace("'Addr'", "'SocketAddr'").replace("'port': 'int' }", "'port': 'int', '*ipv6': 'bool' }")
    cmp = diff_dirs(tmp_path, OLD, new)
    e = find(cmp, "added", "member", "SocketAddr", "ipv6")
    assert e.replaces == "Addr" and not e.breaking
    assert len(cmp.entries) == 1           # reached from three commands, reported once


def test_member_moved_into_a_base_is_no_change(tmp_path: Path) -> None:
    new = """
{ 'struct': 'Addr', 'data': { 'host': 'str', 'port': 'int' } }
{ 'struct': 'Common', 'data': { 'addr': 'Addr', '*tls': 'bool' } }
{ 'struct': 'Server', 'base': 'Common', 'data': { '*max': 'int' } }
{ 'struct': 'Client', 'base': 'Common', 'data': { } }
{ 'command': 'start-server', 'data': 'Server' }
{ 'command': 'connect', 'data': 'Client' }
{ 'command': 'query-server', 'returns': 'Server' }
"""
    assert diff_dirs(tmp_path, OLD, new).entries == []
    # A member added to the shared base: one entry, on the base, in every direction its users have.
    more = diff_dirs(tmp_path / "2", new, new.replace("'*tls': 'bool' }", "'*tls': 'bool', 'cert': 'str' }"))
    e = find(more, "added", "member", "Common", "cert")
    assert len(more.entries) == 1 and e.breaking and e.directions == {"send", "receive"}


def test_inline_arguments_becoming_a_named_type_is_no_change(tmp_path: Path) -> None:
    old = "{ 'command': 'eject', 'data': { 'id': 'str', '*force': 'bool' } }\n"
    new = "{ 'struct': 'EjectArgs', 'data': { 'id': 'str', '*force': 'bool' } }\n" \
          "{ 'command': 'eject', 'data': 'EjectArgs' }\n"
    assert diff_dirs(tmp_path, old, new).entries == []


def test_member_moved_into_variants(tmp_path: Path) -> None:
    old = "{ 'struct': 'Info', 'data': { 'policy': 'int' } }\n{ 'command': 'query', 'returns': 'Info' }\n"
    new = """
{ 'enum': 'Kind', 'data': [ 'one', 'two' ] }
{ 'struct': 'InfoOne', 'data': { 'policy': 'int' } }
{ 'struct': 'InfoTwo', 'data': { 'other': 'int' } }
{ 'union': 'Info', 'base': { 'kind': 'Kind' }, 'discriminator': 'kind',
  'data': { 'one': 'InfoOne', 'two': 'InfoTwo' } }
{ 'command': 'query', 'returns': 'Info' }
"""
    cmp = diff_dirs(tmp_path, old, new)
    moved = find(cmp, "changed", "member", "Info", "policy")
    assert moved.detail == "moved into variant(s) 'one'" and not moved.breaking   # receive only
    assert not find(cmp, "changed", "discriminator", "Info").breaking
    assert not any(e.breaking for e in cmp.entries)


def test_conditions_are_kept_and_compared(tmp_path: Path) -> None:
    old = """
{ 'struct': 'Opts', 'data': { 'a': 'int', '*b': { 'type': 'int', 'if': 'CONFIG_B' },
                              '*c': { 'type': 'int', 'if': { 'all': [ 'X', 'Y' ] } } } }
{ 'command': 'setup', 'data': 'Opts' }
{ 'command': 'linux-only', 'if': 'CONFIG_LINUX' }
"""
    new = old.replace("'a': 'int'", "'a': { 'type': 'int', 'if': 'CONFIG_A' }") \
             .replace("{ 'type': 'int', 'if': 'CONFIG_B' }", "'int'") \
             .replace("{ 'all': [ 'X', 'Y' ] }", "'X'") \
             .replace("'if': 'CONFIG_LINUX' }", "'if': 'CONFIG_LINUX' }\n{ 'command': 'new-one', 'if': 'CONFIG_NEW' }")
    cmp = diff_dirs(tmp_path, old, new)
    a = find(cmp, "added", "if", "Opts", "a")
    assert a.breaking and a.on == "member 'a'" and a.after == "CONFIG_A"        # fewer builds have it
    b = find(cmp, "removed", "if", "Opts", "b")
    assert not b.breaking and b.group == "changed"                               # more builds have it
    c = find(cmp, "changed", "if", "Opts", "c")
    assert not c.breaking                                                        # all(X, Y) -> X widens
    added = find(cmp, "added", "definition", "new-one")
    assert added.cond == "CONFIG_NEW"                                            # reported with its condition
    narrowed = diff_dirs(tmp_path / "2", old, old.replace("'if': 'CONFIG_LINUX'",
                                                          "'if': { 'all': [ 'CONFIG_LINUX', 'CONFIG_KVM' ] }"))
    assert find(narrowed, "changed", "if", "linux-only").breaking


def test_exempt_items(tmp_path: Path) -> None:
    old = """
{ 'struct': 'Stats', 'data': { 'n': 'int' } }
{ 'command': 'x-debug-stats', 'returns': 'Stats' }
{ 'command': 'query-perf', 'returns': 'Perf', 'features': [ 'unstable' ] }
{ 'struct': 'Perf', 'data': { 'n': 'int' } }
{ 'command': 'tune', 'data': { 'level': 'int',
                               '*x-knob': 'int',
                               '*knob': { 'type': 'int', 'features': [ 'unstable' ] } } }
{ 'struct': 'Shared', 'data': { 'v': 'int' } }
{ 'command': 'x-get-shared', 'returns': 'Shared' }
{ 'command': 'get-shared', 'returns': 'Shared' }
"""
    new = old.replace("'data': { 'n': 'int' } }\n{ 'command': 'x-debug", "'data': { } }\n{ 'command': 'x-debug") \
             .replace("'Perf', 'data': { 'n': 'int' }", "'Perf', 'data': { }") \
             .replace("'*x-knob': 'int',", "") \
             .replace("'*knob': { 'type': 'int', 'features': [ 'unstable' ] }",
                      "'knob': { 'type': 'int', 'features': [ 'unstable' ] }") \
             .replace("'Shared', 'data': { 'v': 'int' }", "'Shared', 'data': { }")
    cmp = diff_dirs(tmp_path, old, new)
    for defn, name, op, what in (("Stats", "n", "removed", "member"), ("Perf", "n", "removed", "member"),
                                 ("tune", "x-knob", "removed", "member"), ("tune", "knob", "changed", "optional")):
        e = find(cmp, op, what, defn, name)
        assert e.breaking and e.policy == "exempt", e
    # Reached through a stable command as well: not exempt.
    shared = find(cmp, "removed", "member", "Shared", "v")
    assert shared.breaking and shared.policy == "violation"


def test_types_nobody_uses_are_invisible(tmp_path: Path) -> None:
    old = "{ 'struct': 'Orphan', 'data': { 'a': 'int' } }\n{ 'command': 'ping' }\n"
    new = "{ 'struct': 'Orphan', 'data': { 'b': 'str' } }\n{ 'enum': 'Unused', 'data': [ 'x' ] }\n" \
          "{ 'command': 'ping' }\n"
    assert keys(diff_dirs(tmp_path, old, new)) == set()
