"""Rules of the 'input' family: what the readers noticed about the input itself.

The readers (``qapilint.sources``) record plain texts in ``Patch.notes``;
``check_input`` turns them into findings with these rule ids.
"""

from __future__ import annotations

from qapilint.checks.registry import Rule
from qapilint.contain import show
from qapilint.findings import Finding, Severity
from qapilint.input_notes import rule_of
from qapilint.patch import Patch

RULES: tuple[Rule, ...] = (
    Rule("input-whitespace-collapsed", "input", Severity.NOTE,
         "input whitespace appears collapsed (scraped from an HTML page)",
         "Every run of blanks in the diff became one space, as happens when a patch is copied "
         "from a web page.  Hunks are repaired where possible (context lines that lost their "
         "prefix), but indentation is gone, so whitespace-sensitive rules are skipped.  Fetch "
         "the patch from the patchwork API or as an mbox to check it fully."),
    Rule("input-context-repaired", "input", Severity.NOTE,
         "context lines without their leading space were read as context",
         "Some hunk lines had no ' ', '+' or '-' prefix (a mailer or a web page stripped the "
         "leading blank).  While the hunk header still expected lines, they were taken as "
         "unchanged context, as git apply does for blank lines."),
    Rule("input-hunk-mismatch", "input", Severity.WARNING,
         "hunk line counts disagree with the '@@' header",
         "A hunk has more or fewer lines than its header says; the patch was edited by hand or "
         "damaged in transit.  It was read as far as its lines go; findings near it may be off."),
    Rule("input-truncated", "input", Severity.WARNING,
         "the diff ends in the middle of a hunk",
         "The input stops before the last hunk has all the lines its header announces (a cut "
         "copy, a size limit).  The partial hunk is kept."),
    Rule("input-binary", "input", Severity.NOTE,
         "binary file change not checked",
         "A file changes as binary data (GIT binary patch / 'Binary files differ'); it cannot "
         "be a QAPI schema change and is skipped."),
    Rule("input-schema-removed", "input", Severity.NOTE,
         "a QAPI schema file is renamed or deleted",
         "Renaming or deleting a schema module moves or removes every definition in it; the "
         "include that names it must change in the same series."),
    Rule("input-not-qapi", "input", Severity.NOTE,
         "the patch touches no QAPI schema file",
         "No file of the diff is a QAPI schema (a .json file under a qapi/ directory or a "
         "qapi-schema*.json); there is nothing for the schema rules to check."),
    Rule("input-no-diff", "input", Severity.NOTE,
         "no diff found in the input",
         "The message carries no unified diff (a cover letter, a reply, a pull request "
         "summary)."),
    Rule("path-outside-tree", "input", Severity.ERROR,
         "a diff path leaves the tree, or names something in it that is not a regular file",
         "Every path of a diff is a name inside the tree: no absolute path, no NUL byte, no '..' that "
         "climbs above the tree (git apply refuses such patches too).  With a tree, a path that is a "
         "symbolic link leading out of the tree, a FIFO or a device is refused as well.  Nothing is read "
         "from a refused path, so a patch from a public list cannot make qapilint quote a file beside "
         "the tree, or tell whether one exists; the file's hunks are still reviewed on their own."),
    Rule("input-note", "input", Severity.NOTE,
         "other note about the input",
         "A remark of the input readers that has no rule of its own."),
)

_BY_ID = {r.id: r for r in RULES}


def check_input(patch: Patch) -> list[Finding]:
    """One finding per input note of ``patch`` (file/line left empty: they are about the input)."""
    out: list[Finding] = []
    for note in patch.notes:
        rule = _BY_ID[rule_of(note)]
        out.append(rule.finding(note))
    return out


def check_paths(refused: list[tuple[str, str]]) -> list[Finding]:
    """One path-outside-tree finding per refused diff path (the path, never content)."""
    rule = _BY_ID["path-outside-tree"]
    return [rule.finding(f"diff path '{show(path)}' was not read from the tree: {why}") for path, why in refused]
