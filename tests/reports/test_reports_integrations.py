"""The integration snippets: pre-commit hooks, the sendemail-validate recipe, b4 commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "integrations.md"


def _scripts() -> set[str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return set(data["project"]["scripts"])


def _hooks() -> list[dict[str, object]]:
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return hooks


def _env() -> dict[str, str]:
    # The console script of the running interpreter's environment comes first.
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("NO_COLOR", None)
    return env


def test_pre_commit_hooks_parse_and_name_the_console_script() -> None:
    hooks = _hooks()
    assert {h["id"] for h in hooks} == {"qapilint", "qapilint-commits"}
    for h in hooks:
        assert {"id", "name", "entry", "language"} <= set(h)
        assert h["language"] == "python"
        assert re.search(r"\bqapilint check\b", str(h["entry"]))
        assert re.compile(str(h["files"])).search("qapi/migration.json")
        assert not re.compile(str(h["files"])).search("hw/core/machine.c")
    assert "qapilint" in _scripts()
    assert shutil.which("qapilint", path=_env()["PATH"]) is not None


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def staged_tree(tmp_path: Path, fixtures_dir: Path) -> Path:
    src = fixtures_dir / "examples" / "tree"
    if not src.is_dir():
        pytest.skip("example tree fixture not available")
    repo = tmp_path / "qemu"
    shutil.copytree(src, repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "apply", "--cached", "--include=qapi/*", str(fixtures_dir / "examples" / "throttle-stats.mbox"))
    return repo


def test_pre_commit_hook_entry_reviews_the_staged_change(staged_tree: Path) -> None:
    entry = str(next(h for h in _hooks() if h["id"] == "qapilint")["entry"])
    p = subprocess.run(["sh", "-c", entry + ' "$@"', "sh", "--format", "b4-prep"], cwd=staged_tree, env=_env(),
                       capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" not in p.stderr
    assert p.returncode == 1, p.stderr
    assert "ERROR:" in p.stdout and "[since-mismatch]" in p.stdout


def _recipe() -> str:
    text = DOC.read_text(encoding="utf-8")
    m = re.search(r"<!-- snippet:sendemail-validate -->\s*```sh\n(.*?)```", text, re.S)
    assert m, "recipe block missing from docs/integrations.md"
    return m.group(1)


def test_sendemail_validate_recipe_runs_on_a_patch_mail(staged_tree: Path, fixtures_dir: Path) -> None:
    hook = staged_tree / "sendemail-validate"
    hook.write_text(_recipe(), encoding="utf-8")
    hook.chmod(0o755)
    _git(staged_tree, "reset", "-q")  # the tree is the base the mail applies to
    mail = fixtures_dir / "examples" / "throttle-stats.mbox"
    p = subprocess.run([str(hook), str(mail)], cwd=staged_tree, env=_env(), capture_output=True, text=True,
                       timeout=300, check=False)
    assert "Traceback" not in p.stderr
    assert p.returncode == 1 and "[since-mismatch]" in p.stdout
    cover = staged_tree / "cover.eml"
    cover.write_text("From: A <a@example.org>\nSubject: [PATCH 0/2] cover\nMessage-ID: <c@example.org>\n\n"
                     "Just words.\n", encoding="utf-8")
    p = subprocess.run([str(hook), str(cover)], cwd=staged_tree, env=_env(), capture_output=True, text=True,
                       timeout=300, check=False)
    assert "Traceback" not in p.stderr and p.returncode == 0


def test_b4_commands_in_the_doc_use_existing_formats() -> None:
    from qapilint.reports import FORMATS

    text = DOC.read_text(encoding="utf-8")
    cmds = re.findall(r'perpatch-check-cmd "(qapilint .*)"', text)
    assert len(cmds) == 2
    for c in cmds:
        fmt = re.search(r"--format (\S+)", c)
        assert fmt and fmt.group(1) in FORMATS
