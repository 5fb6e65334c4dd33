"""Every YAML slip a person makes is told in plain words at file:line:col, with the fix: all of them in one run."""
from __future__ import annotations

import pytest

from conftest import run, write_project

S = "campaigns/demo/strands/"
A = "campaigns/demo/activities/"

# One file per mistake, so that one `check` shows that every problem of a run is reported.
MISTAKES = {
    # a colon and a space inside a title
    S + "colon.yml": "title: Launch: the campaign\nsummary: x\nabout: x\n",
    # '#' in a value silently cuts it short; an unquoted colour is the usual case
    S + "hash.yml": "title: Week #3 launch\ncolour: #8e1b1b\nsummary: x\nabout: x\n",
    # tabs, twice: both lines are named
    S + "tabs.yml": "title: Tabs\nsummary: x\nabout: x\nsigns:\n\t- text: one\n\t- text: two\n",
    # a key indented further than the one above
    A + "2013-09.yml": "- title: Launch\n  date: 2013-09-02\n   unit: Sandwell LPU\n",
    # an unclosed quote
    A + "2013-10.yml": '- title: "Launch\n  date: 2013-10-02\n',
    # an unclosed bracket
    A + "2013-11.yml": "- title: Launch\n  strands: [abuse\n  date: 2013-11-02\n",
    # a list item where 'key: value' lines are expected
    S + "listitem.yml": "title: Signs\nsummary: x\n- text: one\n",
    # no space after a colon; and, in a later entry of the same file, an unclosed bracket
    A + "2013-12.yml": "- title:Launch\n  date: 2013-12-02\n- title: Walk\n  strands: [abuse\n  date: 2013-12-03\n",
    # a new entry without its '- '
    "campaigns/demo/events.yml": "- title: Webchat\n  date: 2013-10-02\ntitle: Walk\n",
}

EXPECTED = [
    f"{A}2013-09.yml:3:4: this line is indented further than the line above (column 4, the key above starts in "
    "column 3): start the keys of one entry in the same column, with spaces",
    f'{A}2013-10.yml:1:10: this quote (") is not closed: end the value with a " on the same line, like '
    'title: "Launch"',
    f"{A}2013-11.yml:2:12: this [ is not closed: end it with ] on the same line, like strands: "
    "[domestic-abuse, cse] (a value that holds a comma, [ or ] goes in quotes)",
    f"{A}2013-12.yml:1:8: 'title:Launch' needs a space after the colon: write title: Launch",
    f"{A}2013-12.yml:4:12: this [ is not closed: end it with ] on the same line, like strands: "
    "[domestic-abuse, cse] (a value that holds a comma, [ or ] goes in quotes)",
    "campaigns/demo/events.yml:3:1: this line starts in column 1 without '- ', but the entries of this list "
    "start with '- ': begin a new entry with '- ', or indent the line to column 3 if it belongs to the entry above",
    f"{S}colon.yml:1:14: the value of 'title' holds a colon followed by a space, which YAML reads as the start "
    'of another key: put the whole value in quotes, like title: "Launch: the campaign"',
    f"{S}hash.yml:1:13: '#' here starts a note, so YAML drops '#3 launch' from the value of 'title': put the "
    'whole value in quotes, like title: "Week #3 launch"',
    f"{S}hash.yml:2:9: '#' here starts a note, so YAML drops '#8e1b1b' from the value of 'colour': put the "
    'whole value in quotes, like colour: "#8e1b1b"',
    f"{S}listitem.yml:3:1: a list item ('- ') stands where 'key: value' lines are expected: put it under the "
    "key it belongs to, on its own line ending with ':' (like signs:) with the items indented below it, or "
    "remove the '- '",
    f"{S}tabs.yml:5:1: this line is indented with a tab, and YAML allows only spaces: replace the tab with "
    "spaces (most editors can be set to insert spaces when Tab is pressed)",
    f"{S}tabs.yml:6:1: this line is indented with a tab, and YAML allows only spaces: replace the tab with "
    "spaces (most editors can be set to insert spaces when Tab is pressed)",
]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("mistakes") / "project", MISTAKES)
    return run(root, "check")


def test_every_yaml_mistake_is_said_in_plain_words_with_its_fix(checked):
    status, out, err = checked
    lines = [line for line in err.splitlines() if line.startswith("campaigns/")]
    assert status == 1
    assert lines == EXPECTED
    assert "Traceback" not in err and "mapping values" not in err and "scanning" not in err


def test_notes_after_a_value_and_hashes_in_quotes_are_fine(project):
    root = project({S + "fine.yml": 'title: Fine   # a note for the reader\ncolour: "#8e1b1b"\n'
                                    'summary: "Week #3"\nabout: |\n  Text with #tag inside\n'})
    status, _, err = run(root, "check")
    assert status == 0, err
