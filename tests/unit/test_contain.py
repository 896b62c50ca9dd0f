"""qapilint.contain: names from patches and schemas are read inside the tree only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qapilint import contain
from qapilint.qapi.loader import load_schema
from qapilint.rebuild.detect import TreeReader

SECRET = "CANARY-unit-5d1e"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """tmp/tree (a tree with VERSION) and tmp/secret beside it."""
    (tmp_path / "secret").write_text(SECRET + "\n")
    t = tmp_path / "tree"
    (t / "qapi").mkdir(parents=True)
    (t / "VERSION").write_text("10.2.50\n")
    (t / "qapi" / "ok.json").write_text("{ 'enum': 'E', 'data': [ 'a' ] }\n")
    (t / "qapi" / "out.json").symlink_to("../../secret")
    (t / "qapi" / "in.json").symlink_to("ok.json")
    os.mkfifo(t / "qapi" / "fifo.json")
    return t


@pytest.mark.parametrize("name, reason", [
    ("qapi/x.json", None),
    ("qapi/../qapi/x.json", None),
    ("", "the path is empty"),
    ("/etc/passwd", "absolute paths are not allowed"),
    ("../x.json", "the path leads outside the tree"),
    ("qapi/../../x.json", "the path leads outside the tree"),
    ("qapi/x\0.json", "the path contains a NUL byte"),
])
def test_lexical_problem(name: str, reason: str | None) -> None:
    assert contain.lexical_problem(name) == reason


def test_tree_files_reads_inside_and_refuses_the_rest(tree: Path) -> None:
    files = contain.TreeFiles(str(tree))
    assert files.read_text("qapi/ok.json").startswith("{ 'enum'")
    assert files.read_text("qapi/in.json").startswith("{ 'enum'")   # a symlink inside the tree is fine
    for name, reason in [("qapi/out.json", "a symbolic link leads outside the tree"),
                         ("qapi/fifo.json", "a FIFO, not a regular file"),
                         ("../secret", "the path leads outside the tree"),
                         (str(tree.parent / "secret"), "absolute paths are not allowed")]:
        with pytest.raises(contain.PathRefused) as e:
            files.read_bytes(name)
        assert e.value.reason == reason
        assert SECRET not in str(e.value)
    with pytest.raises(IsADirectoryError):
        files.read_bytes("qapi")
    with pytest.raises(FileNotFoundError):
        files.read_bytes("qapi/missing.json")


def test_symlink_refusal_does_not_tell_whether_the_target_exists(tree: Path) -> None:
    (tree / "qapi" / "gone.json").symlink_to("../../no-such-file")
    files = contain.TreeFiles(str(tree))
    with pytest.raises(contain.PathRefused) as a:
        files.read_bytes("qapi/out.json")
    with pytest.raises(contain.PathRefused) as b:
        files.read_bytes("qapi/gone.json")
    assert a.value.reason == b.value.reason


def test_size_caps(tree: Path) -> None:
    (tree / "qapi" / "big.json").write_text("#" * 2000)
    with pytest.raises(contain.TooLarge, match="larger than"):
        contain.TreeFiles(str(tree), max_file=1000).read_bytes("qapi/big.json")
    files = contain.TreeFiles(str(tree), max_file=5000, max_tree=3000)
    files.read_bytes("qapi/big.json")
    with pytest.raises(contain.TooLarge, match="files read from the tree exceed"):
        files.read_bytes("qapi/big.json")


def test_device_is_refused_unread() -> None:
    with pytest.raises(contain.PathRefused, match="a device, not a regular file"):
        contain.read_regular("/dev/zero")


def test_show_escapes_control_characters_and_shortens() -> None:
    assert contain.show("a\0b\x1b[31m\n") == "a\\0b\\x1b[31m\\x0a"
    assert len(contain.show("x" * 1000)) == 120


def test_find_root(tmp_path: Path) -> None:
    (tmp_path / "t" / "a" / "b").mkdir(parents=True)
    (tmp_path / "t" / "VERSION").write_text("1.0.0\n")
    f = tmp_path / "t" / "a" / "b" / "x.json"
    assert contain.find_root(str(f)) == str(tmp_path / "t")
    (tmp_path / "t" / "a" / ".git").mkdir()
    assert contain.find_root(str(f)) == str(tmp_path / "t" / "a")
    (tmp_path / "u").mkdir()
    lone = tmp_path / "u" / "x.json"
    if not any((p / "VERSION").exists() or (p / ".git").exists() for p in tmp_path.parents):
        assert contain.find_root(str(lone)) == str(tmp_path / "u")


def test_tree_reader_work_tree(tree: Path) -> None:
    r = TreeReader(str(tree))
    assert r.read("qapi/ok.json") is not None
    assert r.read("qapi/missing.json") is None
    for name in ("qapi/out.json", "qapi/fifo.json", "../secret", "/etc/passwd", "qapi/\0.json"):
        with pytest.raises(contain.PathRefused):
            r.read_or_refuse(name)
        assert r.read(name) is None     # as a missing file, for callers that do not report refusals


@pytest.mark.parametrize("include, reason", [
    ("../../secret", "the path leads outside the tree"),
    ("SECRET_ABS", "absolute paths are not allowed"),
    ("/dev/zero", "absolute paths are not allowed"),
    ("out.json", "a symbolic link leads outside the tree"),
    ("fifo.json", "a FIFO, not a regular file"),
])
def test_loader_refuses_includes(tree: Path, include: str, reason: str) -> None:
    include = str(tree.parent / "secret") if include == "SECRET_ABS" else include
    root = tree / "qapi" / "root.json"
    root.write_text(f"{{ 'include': 'ok.json' }}\n{{ 'include': '{include}' }}\n")
    s = load_schema(str(root), use_cache=False)
    assert [(e.rule, e.message, e.info.line) for e in s.errors] == [
        ("include-outside-tree", f"can't include '{include}': {reason}", 2)]
    assert len(s.exprs) == 1   # ok.json's enum


def test_loader_keeps_qemu_layouts(tmp_path: Path) -> None:
    """storage-daemon/qapi includes ../../qapi/...; nested include dirs climb back up."""
    t = tmp_path / "qemu"
    (t / "qapi").mkdir(parents=True)
    (t / "storage-daemon" / "qapi").mkdir(parents=True)
    (t / "tests" / "include").mkdir(parents=True)
    (t / "VERSION").write_text("10.2.50\n")
    (t / "qapi" / "common.json").write_text("{ 'enum': 'E', 'data': [ 'a' ] }\n")
    (t / "storage-daemon" / "qapi" / "qapi-schema.json").write_text("{ 'include': '../../qapi/common.json' }\n")
    (t / "tests" / "top.json").write_text("{ 'include': 'include/sub.json' }\n")
    (t / "tests" / "include" / "sub.json").write_text("{ 'include': '../../qapi/common.json' }\n")
    for root in (t / "storage-daemon" / "qapi" / "qapi-schema.json", t / "tests" / "top.json"):
        s = load_schema(str(root), use_cache=False)
        assert s.errors == [] and len(s.exprs) == 1


def test_loader_without_a_tree_stays_in_the_files_directory(tmp_path: Path) -> None:
    # No VERSION or .git above: the file's own directory is the tree.
    d = tmp_path / "lone"
    d.mkdir()
    (tmp_path / "up.json").write_text("{ 'enum': 'E', 'data': [ 'a' ] }\n")
    (d / "root.json").write_text("{ 'include': '../up.json' }\n")
    if any((p / "VERSION").exists() or (p / ".git").exists() for p in d.parents):
        pytest.skip("the temporary directory lies inside a tree")
    s = load_schema(str(d / "root.json"), use_cache=False)
    assert [e.rule for e in s.errors] == ["include-outside-tree"]
    s = load_schema(str(d / "root.json"), use_cache=False, tree=str(tmp_path))
    assert s.errors == []
