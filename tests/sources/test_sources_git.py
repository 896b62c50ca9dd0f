"""Git revision ranges via git format-patch, in a repository made by the test."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from qapilint.errors import InputError
from qapilint.sources import load_git_range


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_DATE": "2025-11-04T09:30:00+0100", "GIT_COMMITTER_DATE": "2025-11-04T09:30:00+0100",
           "HOME": str(repo), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "tree"
    r.mkdir()
    _git(r, "init", "-q", "-b", "master")
    _git(r, "config", "user.name", "Ada Tester")
    _git(r, "config", "user.email", "ada@example.org")
    (r / "qapi").mkdir()
    (r / "qapi" / "thing.json").write_text("##\n# @Thing:\n#\n# Since: 9.0\n##\n{ 'struct': 'Thing',\n"
                                           "  'data': { 'a': 'int' } }\n")
    _git(r, "add", "-A")
    _git(r, "commit", "-qm", "base")
    _git(r, "tag", "base")
    (r / "qapi" / "thing.json").write_text("##\n# @Thing:\n#\n# @b: bee (since 10.2)\n#\n# Since: 9.0\n##\n"
                                           "{ 'struct': 'Thing',\n  'data': { 'a': 'int', '*b': 'str' } }\n")
    _git(r, "commit", "-qam", "qapi: add Thing.b\n\nSigned-off-by: Ada Tester <ada@example.org>")
    (r / "README").write_text("hello\n")
    _git(r, "add", "README")
    _git(r, "commit", "-qm", "Add a README")
    return r


def test_range(repo: Path) -> None:
    s = load_git_range(str(repo), "base..HEAD")
    assert [p.title for p in s.patches] == ["qapi: add Thing.b", "Add a README"]
    assert [p.number for p in s.patches] == [1, 2]
    head = _git(repo, "rev-parse", "base").strip()
    assert s.base_commit == head
    first = s.patches[0]
    assert len(first.id) == 40 and first.trailers == [("Signed-off-by", "Ada Tester <ada@example.org>")]
    assert [f.path for f in first.files] == ["qapi/thing.json"]
    assert "patch touches no QAPI schema file" in s.patches[1].notes


@pytest.mark.parametrize("rng", ["--output=/tmp/x", "-1", ""])
def test_option_like_range_rejected(repo: Path, rng: str) -> None:
    with pytest.raises(InputError, match="revision range"):
        load_git_range(str(repo), rng)


def test_bad_revision(repo: Path) -> None:
    with pytest.raises(InputError, match="git format-patch"):
        load_git_range(str(repo), "nosuchref..HEAD")


def test_empty_range(repo: Path) -> None:
    with pytest.raises(InputError, match="no commits"):
        load_git_range(str(repo), "HEAD..HEAD")


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        load_git_range(str(tmp_path / "missing"), "a..b")


def test_object_reader_follows_links_inside_the_tree_and_refuses_the_others(tmp_path: Path) -> None:
    from qapilint.sources.gitrepo import GitRepo

    r = tmp_path / "tree"
    (r / "qapi").mkdir(parents=True)
    secret = tmp_path / "pw-token"
    secret.write_text("s3cret-token\n")
    _git(r, "init", "-q", "-b", "master")
    (r / "qapi" / "real.json").write_text("{ 'include': 'x.json' }\n")
    (r / "qapi" / "inside.json").symlink_to("real.json")
    (r / "qapi" / "outside.json").symlink_to("../../pw-token")
    (r / "qapi" / "absolute.json").symlink_to(str(secret))
    (r / "qapi" / "dangling.json").symlink_to("gone.json")
    (r / "qapi" / "loop.json").symlink_to("loop.json")
    _git(r, "add", "-A")
    _git(r, "-c", "user.name=A", "-c", "user.email=a@example.org", "commit", "-qm", "links")
    with GitRepo(str(r)) as repo:
        head = repo.commit("HEAD")
        assert head is not None
        for name in ("outside", "absolute", "dangling", "loop"):
            assert repo.read(head, f"qapi/{name}.json") is None, name
            # The answer's text was consumed: the stream stays in step for the next read.
            assert repo.read(head, "qapi/real.json") == b"{ 'include': 'x.json' }\n"
        assert repo.read(head, "qapi/inside.json") == b"{ 'include': 'x.json' }\n"
        assert repo.read(head, "qapi/missing.json") is None
