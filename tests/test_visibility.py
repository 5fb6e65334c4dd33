"""The one visibility rule, for every combination of visibility, embargo and audience."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from sentinel.visibility import Audience, select, visible

AS_OF = date(2013, 10, 1)


@dataclass
class Entry:
    visibility: str
    publish_from: date | None = None


ALLOWED = {  # SPEC section 3, as a table
    ("public", Audience.PUBLIC): True, ("public", Audience.PARTNERS): True, ("public", Audience.STAFF): True,
    ("partners", Audience.PUBLIC): False, ("partners", Audience.PARTNERS): True, ("partners", Audience.STAFF): True,
    ("internal", Audience.PUBLIC): False, ("internal", Audience.PARTNERS): False, ("internal", Audience.STAFF): True,
}


@pytest.mark.parametrize("embargo,lifted", [
    (None, True),
    (date(2013, 9, 30), True),     # embargo passed
    (date(2013, 10, 1), True),     # lifted on the build day itself
    (date(2013, 10, 2), False),    # still embargoed: appears nowhere, not even to staff
])
@pytest.mark.parametrize("vis,audience", sorted(ALLOWED, key=str))
def test_visibility_and_embargo(vis, audience, embargo, lifted):
    assert visible(Entry(vis, embargo), audience, AS_OF) is (ALLOWED[(vis, audience)] and lifted)


def test_select_keeps_order_and_filters():
    entries = [Entry("internal"), Entry("public"), Entry("partners"), Entry("public", date(2099, 1, 1))]
    assert select(entries, Audience.PUBLIC, AS_OF) == [entries[1]]
    assert select(entries, Audience.PARTNERS, AS_OF) == [entries[1], entries[2]]
    assert select(entries, Audience.STAFF, AS_OF) == entries[:3]


def test_default_visibility_is_internal(project):
    from sentinel.content.load import load_project
    root = project({"campaigns/demo/activities/2013-09.yml": """\
        - title: Quiet work
          date: 2013-09-02
          unit: Dudley LPU
          strands: [abuse]
          type: Education
        """})
    quiet = [a for a in load_project(root).campaigns[0].activities if a.title == "Quiet work"][0]
    assert quiet.visibility == "internal"
    assert not visible(quiet, Audience.PARTNERS, AS_OF)
