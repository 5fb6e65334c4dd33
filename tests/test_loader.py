"""Bad content gets a clear `file:line:col` message, every problem in one run, exit 1."""
from __future__ import annotations

import pytest

from conftest import MINIMAL, run, write_project

ACT = "campaigns/demo/activities/2013-08.yml"


def errors(project_root, *args):
    status, out, err = run(project_root, "check", *args)
    return status, [line for line in err.splitlines() if line.startswith("campaigns/") or line.startswith("content/")], err


def test_valid_project_checks(project):
    status, out, err = run(project(), "check")
    assert status == 0, err
    assert "1 campaign(s), 1 activities" in out


def test_duplicate_key_is_reported_at_its_line(project):
    root = project({ACT: """\
        - title: Street survey
          date: 2013-08-15
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
          title: Again
        """})
    status, lines, _ = errors(root)
    assert status == 1
    assert lines == [f"{ACT}:6:3: duplicate key 'title' (first given on line 1): keep one of them"]


def test_anchors_aliases_and_tags_are_refused(project):
    root = project({ACT: """\
        - &first
          title: One
          date: 2013-08-15
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
        - *first
        - title: !!python/object:os.system two
          date: 2013-08-15
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
        """})
    status, lines, _ = errors(root)
    assert status == 1
    assert any(l.startswith(f"{ACT}:1:3: YAML anchors (&first) are not allowed") for l in lines), lines
    assert any(l.startswith(f"{ACT}:7:3: YAML aliases (*first) are not allowed") for l in lines), lines
    assert any(l.startswith(f"{ACT}:8:10: YAML tags") for l in lines), lines


def test_an_anchor_that_nothing_refers_to_is_refused_too(project):
    """An anchor leaves no trace in what YAML reads unless an alias uses it: the build looks for
    it in the text, and says where it is, even in an entry that is otherwise right."""
    root = project({ACT: """\
        - title: Fish & chips supper
          date: 2013-08-15
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
          summary: &note Talked to 12 people & their families
        """})
    status, lines, _ = errors(root)
    assert status == 1
    assert lines == [f"{ACT}:6:12: YAML anchors (&note) are not allowed: write each value out in full"], lines


def test_values_are_not_guessed(project):
    """`NO` is the text NO (not false), 0800 is not an octal number."""
    from sentinel.content.load import load_project
    root = project({ACT: """\
        - title: NO
          date: 2013-08-15
          unit: 0800
          strands: [abuse]
          type: Victim
          partners: [yes, null, 1e3]
        """})
    activity = load_project(root).campaigns[0].activities[0]
    assert activity.title == "NO"
    assert activity.unit == "0800"
    assert activity.partners == ("yes", "null", "1e3")


def test_unknown_key_suggests_the_right_one(project):
    root = project({ACT: """\
        - title: Street survey
          date: 2013-08-15
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
          visibilty: public
        """})
    status, lines, _ = errors(root)
    assert status == 1
    assert lines == [f"{ACT}:6:3: unknown key 'visibilty' (did you mean 'visibility'?)"]


@pytest.mark.parametrize("key", ['"2013\\x1f09"', "2013|09", '"2013\\ufffd09"'])
def test_a_key_spelt_with_any_character_is_reported_at_its_line(project, key):
    """A mapping key may spell any character, some only with an escape ("\\x1f"), even one the
    loader uses to keep places apart: the problem is still named at the key's own line, not at
    the top of the file."""
    campaign = MINIMAL["campaigns/demo/campaign.yml"].replace(
        "  2013-08: abuse", f'  2013-08: abuse\n          {key}: abuse')
    root = project({"campaigns/demo/campaign.yml": campaign})
    status, lines, _ = errors(root)
    assert status == 1
    assert [line.split(": ")[0] for line in lines] == ["campaigns/demo/campaign.yml:12:3"], lines
    assert "schedule months are written YYYY-MM" in lines[0]


def test_what_the_loader_works_out_is_not_a_key_of_an_entry(project):
    """An entry's month, duplicate key and link anchor are worked out from its date, unit and
    title (and kept in the cache with it): written in the file, they are unknown keys."""
    root = project({ACT: """\
        - title: Street survey
          date: 2013-08-15
          month: 2013-08
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
          key: survey
        """})
    status, lines, _ = errors(root)
    assert status == 1
    assert [line.split(": unknown key ")[1].split(";")[0] for line in lines] == ["'month'", "'key'"], lines
    assert [line.split(": ")[0] for line in lines] == [f"{ACT}:3:3", f"{ACT}:7:3"]


def test_every_problem_of_every_file_in_one_run(project):
    root = project({
        ACT: """\
            - title: Street survey
              date: 2013-08-15
              unit: Solihull LPU
              strands: [abuse, cse]
              type: Victum
              objectives: [1, 9]
              effectiveness: 7
              visibility: secret
            - date: 2013-02-30
              unit: Dudley LPU
              strands: [abuse]
              type: Victim
              sustain: maybe
            """,
        "campaigns/demo/strands/abuse.yml": """\
            title: Domestic abuse
            colour: "#ffcc00"
            summary: Abuse at home is a crime.
            about: Domestic abuse is never your fault.
            posters:
              - audience: teenagers
                headline: Abuse is a crime
                body: Call 999.
            """,
    })
    status, lines, err = errors(root)
    assert status == 1
    assert "Traceback" not in err
    assert lines == [
        f"{ACT}:4:20: unknown strand 'cse'; known: abuse",
        f"{ACT}:5:9: unknown activity type 'Victum' (did you mean 'Victim'?)",
        f"{ACT}:6:19: there is no strategic objective 9: this campaign has 1 to 3",
        f"{ACT}:7:18: 'effectiveness': effectiveness is rated from 1 (not effective) to 5 (very effective)",
        f"{ACT}:8:15: 'visibility': 'secret' is not one of public, partners, internal",
        f"{ACT}:9:3: missing required key 'title'",
        f"{ACT}:9:9: 'date': '2013-02-30' is not a real date",
        f"{ACT}:13:12: 'sustain': expected true or false, found 'maybe'",
        "campaigns/demo/strands/abuse.yml:2:9: white text on #ffcc00 has a contrast of 1.5:1, below the "
        "4.5:1 that WCAG AA requires: choose a darker colour",
        "campaigns/demo/strands/abuse.yml:6:15: unknown poster audience 'teenagers'; known: public, police",
    ]
    assert "10 problems in 2 files" in err


def test_date_outside_the_campaign_and_year_typos(project):
    root = project({ACT: """\
        - title: Street survey
          date: 2014-08-15
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
          publish_from: 3013-01-01
        """})
    status, lines, _ = errors(root)
    assert lines == [
        f"{ACT}:2:9: 2014-08-15 is outside the campaign (2013-08-01 to 2013-12-31)",
        f"{ACT}:6:17: 'publish_from': 3013-01-01 is outside 1990-2100: is the year mistyped?",
    ]


def test_schedule_must_name_strands_and_months_of_the_campaign(project):
    campaign = MINIMAL["campaigns/demo/campaign.yml"].replace("2013-08: abuse", "2013-08: abuses\n          2015-01: abuse")
    root = project({"campaigns/demo/campaign.yml": campaign})
    status, lines, _ = errors(root)
    assert lines == [
        "campaigns/demo/campaign.yml:11:3: unknown strand 'abuses' (did you mean 'abuse'?)",
        "campaigns/demo/campaign.yml:12:3: 2015-01 is outside the campaign (2013-08-01 to 2013-12-31)",
    ]


def test_broken_yaml_points_at_the_line(project):
    root = project({ACT: "- title: Street survey\n  date: [2013-08-15\n  unit: x\n"})
    status, lines, _ = errors(root)
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith(f"{ACT}:2:9: this [ is not closed: end it with ]")


def test_misspelt_folder_and_remote_image(project):
    root = project({
        "campaigns/demo/activites/2013-08.yml": "[]\n",
        "content/get-help.md": "# Get help\n\nText\n\n![logo](https://tracker.example.com/p.png)\n",
    })
    status, lines, _ = errors(root)
    assert lines == [
        "campaigns/demo/activites: unexpected 'activites' in the campaign folder (did you mean 'activities'?)",
        "content/get-help.md:5:1: images from other websites are not allowed (they would tell that site who "
        "reads the page): put the image in the project and link to it",
    ] or lines[0].startswith("campaigns/demo/activites:1:1")


def test_newsletter_front_matter_positions(project):
    root = project({"campaigns/demo/newsletters/2013-09.md": "---\ntitle: Issue\nissue: one\ndate: 2013-09-16\n---\nHello\n"})
    status, lines, _ = errors(root)
    assert lines == ["campaigns/demo/newsletters/2013-09.md:3:8: 'issue': expected a whole number, found 'one'"]


def test_check_writes_nothing(project, tmp_path):
    root = project({ACT: "- title: x\n"})
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    status, _, _ = run(root, "check")
    assert status == 1
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_an_empty_value_is_no_value(project):
    """`effectiveness:` with nothing after it is left out, not the text "" (nor an error)."""
    from sentinel.content.load import load_project
    root = project({ACT: """\
        - title: Street survey
          date: 2013-08-15
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
          effectiveness:
          publish_from:
          summary: ""
        """})
    activity = load_project(root).campaigns[0].activities[0]
    assert activity.effectiveness is None and activity.publish_from is None and activity.summary == ""


def test_a_file_with_problems_is_never_taken_from_the_cache(project):
    root = project({ACT: MINIMAL[ACT].replace("strands: [abuse]", "strands: [cse]")})
    first, second = errors(root)[:2], errors(root)[:2]
    assert first == second == (1, [f"{ACT}:4:13: unknown strand 'cse'; known: abuse"])


def test_month_files_from_the_cache_are_still_checked(project):
    """A month file that passed before is still compared with the others (the same entry twice)
    and checked again when what it was checked against changes (fewer objectives)."""
    september = "campaigns/demo/activities/2013-09.yml"
    root = project({september: MINIMAL[ACT].replace("Street survey", "Door knocking")})
    assert run(root, "check")[0] == 0  # both month files are in the cache now
    write_project(root, {september: MINIMAL[ACT]}, base=None)
    assert errors(root)[1] == [f"{september}:1:10: this entry is recorded twice (same date, unit and title as "
                               f"{ACT}:1:3): remove one, or tell them apart in the title"]
    (root / september).unlink()
    campaign = MINIMAL["campaigns/demo/campaign.yml"].replace("          - Report more\n          - Work together\n", "")
    write_project(root, {"campaigns/demo/campaign.yml": campaign}, base=None)
    assert errors(root)[1] == [f"{ACT}:6:19: there is no strategic objective 2: this campaign has 1 to 1"]


def test_many_new_month_files_are_read_on_both_cores_with_every_problem_reported(project):
    """A first build reads its month files in two processes: the problems of all of them still
    come back, each at its own file and line, and the good files still count."""
    months = ("2013-08", "2013-09", "2013-10", "2013-11", "2013-12")
    files = {f"campaigns/demo/activities/{m}.yml": f"""\
        - title: Assembly in {m}
          date: {m}-10
          unit: Walsall LPU
          strands: [abuse]
          type: Education
          objectives: [1]
          summary: A talk.
          effectiveness: {9 if m in ("2013-09", "2013-12") else 4}
          visibility: public
        """ for m in months}
    status, lines, err = errors(project(files))
    assert status == 1 and "Traceback" not in err
    bad = [line for line in lines if "effectiveness" in line]
    assert [line.split(":")[0] for line in bad] == [f"campaigns/demo/activities/{m}.yml" for m in ("2013-09", "2013-12")]
    assert all(line.split(":")[1] == "8" for line in bad)
    # Fixed: the two files are read again, the three good ones come from the cache.
    fixed = project({rel: text.replace("effectiveness: 9", "effectiveness: 3") for rel, text in files.items()})
    status, out, err = run(fixed, "check")
    assert status == 0 and "5 activities" in out, err


def test_an_edited_month_file_keeps_every_entry_at_its_line(project):
    """After an edit, only the entries whose text changed are read again; the others come from
    the last read of the file, each moved by the lines it moved. Every position stays exact:
    an entry pushed down by a longer entry above it is named at its new line, and a new entry
    at the end is checked like any other."""
    entry = """\
        - title: {title}
          date: 2013-08-{day}
          unit: Solihull LPU
          strands: [abuse]
          type: Victim
          summary: We asked people about abuse.
          visibility: public
        """
    month = "".join(entry.format(title=t, day=d) + "\n" for t, d in (("Street survey", 15), ("Door knocking", 16),
                                                                    ("Assembly", 17)))
    root = project({ACT: month})
    assert run(root, "check")[0] == 0
    longer = month.replace("summary: We asked people about abuse.\n", "summary: We asked people about abuse.\n"
                           "          partners: [Refuge]\n", 1)
    again = entry.format(title="Assembly", day=17)
    write_project(root, {ACT: longer + again}, base=None)   # the third entry twice, one line further down
    assert errors(root)[1] == [f"{ACT}:26:10: this entry is recorded twice (same date, unit and title as "
                               f"{ACT}:18:3): remove one, or tell them apart in the title"]
    write_project(root, {ACT: longer + again.replace("Assembly", "Assembly again").replace("[abuse]", "[cse]")},
                  base=None)
    assert errors(root)[1] == [f"{ACT}:29:13: unknown strand 'cse'; known: abuse"]
