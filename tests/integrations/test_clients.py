"""The documented integrations, run as written with the real clients.

pre-commit and b4 come from PyPI, ``git send-email`` from Debian's git-email
(``.ci/run`` installs them); each test skips with a reason when its client is
missing.  Every recipe is read from README.md / docs/integrations.md
(docsnippets.py).  On a QEMU-shaped repository whose branch adds a wrong
'Since: 9.2' and then a clean command, every entry point must report the
wrong tag at its true line, pass the clean commit, and never say
'already defined' (the base is the commit before the series, not the work
tree that already holds it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import pytest
from docsnippets import DOC, README, REPO, names, snippet
from qemurepo import QemuRepo, make_repo

# Recipe -> the test that runs it (the check below keeps this list whole).
TESTED = {
    README: {"readme-pre-commit", "readme-sendemail-validate", "readme-b4", "readme-gitlab", "readme-github"},
    DOC: {"pre-commit-local", "pre-commit-install", "pre-commit-repo", "sendemail-validate", "b4-config",
          "gitlab-ci", "github-actions"},
}


def test_every_recipe_in_the_docs_is_run_by_a_test() -> None:
    for doc, tested in TESTED.items():
        assert names(doc) == tested, doc.name


@pytest.fixture
def repo(tmp_path: Path) -> QemuRepo:
    return make_repo(tmp_path)


def _need(tool: str, repo: QemuRepo) -> None:
    if shutil.which(tool, path=repo.env()["PATH"]) is None:
        pytest.skip(f"{tool} is not installed (.ci/run installs it from PyPI)")


def _run(repo: QemuRepo, cmd: list[str] | str, cwd: Path | None = None, timeout: int = 300,
         **env: str) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(cmd, cwd=cwd or repo.path, env=repo.env(**env), capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL, shell=isinstance(cmd, str),
                       executable="/bin/bash" if isinstance(cmd, str) else None, check=False)
    assert "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr
    return p


def _wrong_reported(repo: QemuRepo, text: str) -> None:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert re.search(rf"qapi/widgets\.json:{repo.wrong_line}\b.*since-mismatch", text), text
    assert "name-redefined" not in text and "already defined" not in text, text


# -- pre-commit ---------------------------------------------------------------

@pytest.mark.parametrize("doc,name", [(README, "readme-pre-commit"), (DOC, "pre-commit-local")])
def test_pre_commit_local_hooks_on_commit_and_push(repo: QemuRepo, tmp_path: Path, doc: Path, name: str) -> None:
    _need("pre-commit", repo)
    (repo.path / ".pre-commit-config.yaml").write_text(snippet(doc, name), encoding="utf-8")
    p = _run(repo, snippet(DOC, "pre-commit-install"))
    assert p.returncode == 0, p.stdout + p.stderr
    # The wrong commit's change, staged on a branch from master.
    repo.git("checkout", "-q", "-b", "work", "master")
    repo.git("checkout", "feature~1", "--", "qapi/widgets.json")
    p = _run(repo, ["pre-commit", "run"])
    assert p.returncode == 1, p.stdout + p.stderr
    _wrong_reported(repo, p.stdout)
    p = _run(repo, ["git", "commit", "-q", "-m", "qapi: add WidgetInfo"])
    assert p.returncode != 0 and "since-mismatch" in p.stdout + p.stderr, p.stdout + p.stderr
    repo.git("commit", "-q", "--no-verify", "-m", "qapi: add WidgetInfo")
    # The clean commit on top of it passes the hook.
    repo.git("checkout", "feature", "--", "qapi/widgets.json")
    p = _run(repo, ["git", "commit", "-m", "qapi: add query-widgets"])
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"qapilint \(staged QAPI changes\)\.+Passed", p.stdout + p.stderr), p.stdout + p.stderr

    # pre-push, through a real push to a bare remote.
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=repo.env())
    repo.git("remote", "add", "origin", str(remote))
    repo.git("push", "-q", "--no-verify", "origin", "master")
    (repo.path / "qapi" / "widgets.json").write_text("{ 'dirty'\n", encoding="utf-8")   # never read
    p = _run(repo, ["git", "push", "origin", "feature"])        # a new branch: no upstream
    assert p.returncode != 0, p.stdout + p.stderr
    _wrong_reported(repo, p.stdout + p.stderr)
    assert repo.git("ls-remote", "origin", "feature").stdout == ""
    repo.git("push", "-q", "--no-verify", "origin", "feature~1:refs/heads/feature")
    p = _run(repo, ["git", "push", "origin", "feature"])        # only the clean commit is new
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"qapilint \(commits being pushed\)\.+Passed", p.stdout + p.stderr), p.stdout + p.stderr
    assert repo.git("ls-remote", "origin", "feature").stdout.startswith(repo.clean)


def test_pre_commit_hooks_of_this_repository_pinned_to_a_commit(repo: QemuRepo) -> None:
    _need("pre-commit", repo)
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=False)
    if head.returncode != 0:
        pytest.skip("this checkout of qapilint is not a git repository")
    shown = subprocess.run(["git", "-C", str(REPO), "show", "HEAD:.pre-commit-hooks.yaml"], capture_output=True,
                           text=True, check=False).stdout
    if "--staged" not in shown:
        pytest.skip("HEAD of this checkout predates the --staged hooks (commit them first)")
    p = _run(repo, snippet(DOC, "pre-commit-repo"), QAPILINT=str(REPO),
             PRE_COMMIT_HOME=str(repo.home / "pre-commit"))
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"rev: {head.stdout.strip()}" in (repo.path / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    repo.git("checkout", "-q", "-b", "work", "master")
    repo.git("checkout", "feature~1", "--", "qapi/widgets.json")
    p = _run(repo, ["pre-commit", "run"], timeout=600, PRE_COMMIT_HOME=str(repo.home / "pre-commit"))
    if p.returncode == 3 and _no_index(p.stdout + p.stderr):
        pytest.skip("pre-commit could not install the hook's environment (no package index?): "
                    + (p.stdout + p.stderr).strip().splitlines()[-1])
    assert p.returncode == 1, p.stdout + p.stderr
    _wrong_reported(repo, p.stdout)


def _no_index(output: str) -> bool:
    """pip failed for want of a package index (no network), not because of qapilint."""
    return any(m in output for m in ("No matching distribution", "Could not find a version",
                                     "NewConnectionError", "Temporary failure in name resolution"))


# -- git send-email -----------------------------------------------------------

def _send_email(repo: QemuRepo, rng: str) -> subprocess.CompletedProcess[str]:
    return _run(repo, ["git", "send-email", "--dry-run", "--confirm=never", "--to=dummy@example.org",
                       "--suppress-cc=all", "--smtp-server=/nonexistent/sendmail", "--8bit-encoding=UTF-8", rng])


@pytest.mark.parametrize("doc,name", [(README, "readme-sendemail-validate"), (DOC, "sendemail-validate")])
def test_sendemail_validate_hook_from_the_branch(repo: QemuRepo, doc: Path, name: str) -> None:
    if not (Path(repo.git("--exec-path").stdout.strip()) / "git-send-email").exists():
        pytest.skip("git send-email is not installed (Debian package git-email)")
    hook = repo.path / ".git" / "hooks" / "sendemail-validate"
    hook.write_text(snippet(doc, name), encoding="utf-8")
    hook.chmod(0o755)
    p = _send_email(repo, "master..feature")
    assert p.returncode != 0 and "rejected by sendemail-validate hook" in p.stderr, p.stdout + p.stderr
    _wrong_reported(repo, p.stdout + p.stderr)
    p = _send_email(repo, "feature~1..feature")
    assert p.returncode == 0, p.stdout + p.stderr
    # The hook ran (its summary line) and nothing was sent.
    assert "No problems found in 1 patch." in p.stdout + p.stderr, p.stdout + p.stderr
    assert re.search(r"Dry-(OK|Sent)", p.stdout)


# -- b4 -----------------------------------------------------------------------

@pytest.mark.parametrize("doc,name", [(README, "readme-b4"), (DOC, "b4-config")])
def test_b4_prep_check(repo: QemuRepo, doc: Path, name: str) -> None:
    _need("b4", repo)
    p = _run(repo, snippet(doc, name))
    assert p.returncode == 0, p.stderr
    p = _run(repo, ["b4", "prep", "--enroll", "master"])     # offline: makes 'feature' a prep branch
    assert p.returncode == 0, p.stdout + p.stderr
    p = _run(repo, ["b4", "prep", "--check"])
    out = re.sub(r"\x1b\[[0-9;]*m", "", p.stdout + p.stderr)
    assert "Success: 1, Warning: 0, Error: 1" in out, out
    _wrong_reported(repo, out)


# -- CI recipes ---------------------------------------------------------------

@pytest.fixture(scope="module")
def ci_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment for the recipe's own 'pip install' (not the one running the tests)."""
    d = tmp_path_factory.mktemp("ci") / "venv"
    venv.EnvBuilder(with_pip=True).create(d)
    return d / "bin"


def _job_checkout(repo: QemuRepo, tmp_path: Path) -> Path:
    """What a CI runner has: a clone of the project, the merge request's head checked out detached."""
    remote = tmp_path / "project.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(remote)], check=True, env=repo.env())
    job = tmp_path / "job"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(remote), str(job)], check=True, env=repo.env())
    subprocess.run(["git", "checkout", "-q", "--detach", repo.clean], cwd=job, check=True, env=repo.env())
    (job / "VERSION").write_text("1.0.0\n", encoding="utf-8")          # a dirty tree changes nothing
    return job


def _ci_step(repo: QemuRepo, job: Path, script: str, ci_venv: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{ci_venv}{os.pathsep}{os.environ.get('PATH', '')}"
    p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=job,
                       env=dict(repo.env(**env), PATH=path, VIRTUAL_ENV=str(ci_venv.parent)),
                       capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL, check=False)
    if "pip install" in script and p.returncode != 0 and _no_index(p.stdout + p.stderr):
        pytest.skip("the recipe could not install qapilint's dependencies (no package index): "
                    + (p.stdout + p.stderr).strip().splitlines()[-1])
    assert "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr
    return p


def _qapilint_git() -> str:
    if subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, check=False).returncode:
        pytest.skip("this checkout of qapilint is not a git repository")
    return f"file://{REPO}"


@pytest.mark.parametrize("doc,name", [(README, "readme-gitlab"), (DOC, "gitlab-ci")])
def test_gitlab_recipe(repo: QemuRepo, tmp_path: Path, ci_venv: Path, doc: Path, name: str) -> None:
    yaml = pytest.importorskip("yaml")
    job_def = yaml.safe_load(snippet(doc, name))["qapilint"]
    assert str(job_def["variables"]["GIT_DEPTH"]) == "0"
    job = _job_checkout(repo, tmp_path)
    env = {"QAPILINT_GIT": _qapilint_git(), "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "master",
           "CI_PIPELINE_SOURCE": "merge_request_event"}
    *setup, last = job_def["script"]
    for line in setup:
        p = _ci_step(repo, job, line, ci_venv, **env)
        assert p.returncode == 0, (line, p.stdout + p.stderr)
    p = _ci_step(repo, job, last, ci_venv, **env)
    assert p.returncode == 1, p.stdout + p.stderr
    report_name = job_def["artifacts"]["reports"]["codequality"]
    issues = json.loads((job / report_name).read_text(encoding="utf-8"))
    where = [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues]
    assert ("since-mismatch", "qapi/widgets.json", repo.wrong_line) in where, where
    assert all(w[0] != "name-redefined" for w in where)


@pytest.mark.parametrize("doc,name", [(README, "readme-github"), (DOC, "github-actions")])
def test_github_recipe(repo: QemuRepo, tmp_path: Path, ci_venv: Path, doc: Path, name: str) -> None:
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(snippet(doc, name))
    steps = data if isinstance(data, list) else data["jobs"]["qapilint"]["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    job = _job_checkout(repo, tmp_path)
    # What the runner substitutes before the shell sees the text.
    subst = {"${{ vars.QAPILINT_GIT }}": _qapilint_git(), "${{ github.base_ref }}": "master"}
    last = None
    for step in steps:
        if "run" not in step:
            continue
        script = step["run"]
        for k, v in subst.items():
            script = script.replace(k, v)
        last = _ci_step(repo, job, script, ci_venv, RUNNER_TEMP=str(tmp_path), GITHUB_ACTIONS="true")
        if "--format github" not in script:
            assert last.returncode == 0, (script, last.stdout + last.stderr)
    sarif = json.loads((job / "qapilint.sarif").read_text(encoding="utf-8"))
    results = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in sarif["runs"][0]["results"]]
    assert ("since-mismatch", "qapi/widgets.json", repo.wrong_line) in results, results
    assert all(r[0] != "name-redefined" for r in results)
    if last is not None and "--format github" in last.args[-1]:
        assert last.returncode == 1
        assert f"::error file=qapi/widgets.json,line={repo.wrong_line}" in last.stdout, last.stdout
