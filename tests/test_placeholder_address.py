"""A site_url still on an example domain is valid but almost certainly a mistake: 200 printed
posters whose QR code leads nowhere. check and the build warn at the value, and still succeed."""
from __future__ import annotations

from conftest import ROOT, run

AS_OF = "2013-09-20"
CAMPAIGN = "campaigns/demo/campaign.yml"
MKDOCS = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
REAL_STAFF = MKDOCS.replace("https://sentinel.intranet.example/", "https://intranet.west-midlands.police.uk/sentinel/")


def position(text: str, value: str) -> str:
    line = next(i for i, line in enumerate(text.splitlines(), 1) if value in line)
    return f"{line}:{text.splitlines()[line - 1].index(value) + 1}"


def warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("WARNING")]


def campaign_with(project, site_url: str, mkdocs: str = REAL_STAFF):
    root = project({"mkdocs.yml": mkdocs})
    path = root / CAMPAIGN
    path.write_text(path.read_text().replace("https://demo.example.org/", site_url))
    return root


def test_check_and_build_warn_about_a_placeholder_site_url_and_still_succeed(project, tmp_path):
    root = campaign_with(project, "https://demo.example.org/")
    at = position((root / CAMPAIGN).read_text(), "https://demo.example.org/")
    expected = [f"WARNING: {CAMPAIGN}:{at}: site_url https://demo.example.org/ is a placeholder (example.org is "
                "reserved for examples): the posters' QR codes and the links in e-mails, feeds and PDFs will point "
                "nowhere until it is the public site's real address"]
    status, out, err = run(root, "--as-of", AS_OF, "-q", "check")
    assert status == 0, err
    assert warnings(err) == expected
    status, out, err = run(root, "--as-of", AS_OF, "-q", "--out", str(tmp_path / "out"))
    assert status == 0, err
    assert warnings(err) == expected
    assert (tmp_path / "out/public/index.html").is_file()
    # Built again with nothing changed (the build is skipped): still said.
    status, out, err = run(root, "--as-of", AS_OF, "-q", "--out", str(tmp_path / "out"))
    assert status == 0 and warnings(err) == expected


def test_every_reserved_domain_is_a_placeholder_and_a_real_one_is_not(project):
    for url in ("http://localhost:8000/", "https://sentinel.test/", "https://WWW.EXAMPLE.NET/sentinel/"):
        status, _, err = run(campaign_with(project, url), "--as-of", AS_OF, "-q", "check")
        assert status == 0 and len(warnings(err)) == 1 and f"site_url {url} is a placeholder" in err, (url, err)
    status, _, err = run(campaign_with(project, "https://www.sentinel-example.org.uk/"), "--as-of", AS_OF, "-q", "check")
    assert status == 0 and warnings(err) == [], err


def test_a_placeholder_staff_site_address_is_named_in_mkdocs_yml(project):
    root = campaign_with(project, "https://sentinel.west-midlands.police.uk/", mkdocs=MKDOCS)
    status, _, err = run(root, "--as-of", AS_OF, "-q", "check")
    assert status == 0, err
    assert warnings(err) == [
        f"WARNING: mkdocs.yml:{position(MKDOCS, 'https://sentinel.intranet.example/')}: extra.staff_site_url "
        "https://sentinel.intranet.example/ is a placeholder (.example is reserved for examples): links to the "
        "staff site in reports and e-mails will point nowhere until it is the intranet's real address"]


def test_content_errors_come_alone_and_keep_their_exit_status(project):
    """Nothing is written, so nothing points nowhere yet: the problems are the whole message."""
    root = campaign_with(project, "https://demo.example.org/")
    path = root / CAMPAIGN
    path.write_text(path.read_text().replace("ends: 2013-12-31", "ends: 2013-07-01"))
    status, _, err = run(root, "--as-of", AS_OF, "-q", "check")
    assert status == 1
    assert warnings(err) == [] and "the campaign ends (2013-07-01) before it starts" in err
    assert err.rstrip().splitlines()[-1].endswith("Nothing was written: fix them and run the command again.")
