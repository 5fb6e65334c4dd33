"""`check` reports every problem the build would, in one run, and writes nothing.

Problems that only rendering finds (a poster headline that does not fit its page, an e-mail too
large for Gmail, a link to a page that does not exist) come out of `check` exactly as out of a
build: all of them together, each at its `file:line:col`, whichever outputs found them side by
side.
"""
from __future__ import annotations

import re

from conftest import MINIMAL, run

AS_OF = "2013-12-20"
LONG_HEADLINE = ("Abuse at home is a crime, whoever does it and whatever they say to you afterwards "
                 "about why it happened and whose fault it was")
FILES = {
    "campaigns/demo/strands/abuse.yml": MINIMAL["campaigns/demo/strands/abuse.yml"].replace(
        "headline: Abuse is a crime", f"headline: {LONG_HEADLINE}"),
    "campaigns/demo/newsletters/2013-08.md": "---\ntitle: Long\nissue: 1\ndate: 2013-08-20\nvisibility: partners\n---\n"
        + "\n\n".join(f"Paragraph {i}: " + "words " * 40 for i in range(500)),
    "content/about.md": "# About\n\nRead [our policy](policy.md) first.\n",
}


def _tree(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if ".sentinel-cache" not in p.parts and not p.name.startswith(".sentinel-cache"))


def test_check_reports_what_only_rendering_finds_all_in_one_run(project):
    root = project(FILES)
    before = _tree(root)
    status, out, err = run(root, "--as-of", AS_OF, "-q", "check")
    assert status == 1, out + err
    problems = [line for line in err.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]
    assert any(re.match(r"campaigns/demo/strands/abuse\.yml:9:\d+: the headline of the abuse poster "
                        r"for public is too long", p) for p in problems), err
    assert any(re.match(r"campaigns/demo/newsletters/2013-08\.md:\d+:\d+: the e-mail of this issue is "
                        r"\d+ KB of HTML", p) for p in problems), err
    assert "content/about.md:3:19: the page 'about.md' contains a link 'policy.md', but the target is not " \
           "found" in err, err
    assert "Traceback" not in err
    assert _tree(root) == before, "check wrote into the project"


def test_check_and_build_report_the_same_problems(project, tmp_path):
    root = project(FILES)
    _, _, checked = run(root, "--as-of", AS_OF, "-q", "check")
    status, _, built = run(root, "--as-of", AS_OF, "-q", "--out", str(tmp_path / "out"))
    assert status == 1 and not (tmp_path / "out").exists()
    assert checked == built


def test_check_of_good_content_says_so_and_writes_nothing(project):
    root = project({})
    before = _tree(root)
    status, out, err = run(root, "--as-of", AS_OF, "-q", "check")
    assert status == 0, err
    assert out.startswith("All content is valid: 1 campaign(s), 1 activities")
    assert _tree(root) == before
