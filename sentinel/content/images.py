"""Logos and poster images: files of the campaign folder, read like every other source.

`campaign.yml` names a `logo` and `partner_logos`, a poster an `image`, each by a path inside the
campaign folder (`images/logo.svg`); web addresses are refused where they are read (model.Image).
Here each file must be there and be an ordinary file of the project (sources.problem_with), and
`data` hands the print templates its bytes, so a PDF never fetches anything.
"""
from __future__ import annotations

from pathlib import Path

from sentinel.content import sources
from sentinel.content.model import Campaign, Image
from sentinel.problems import ContentError, Problems, Where


def used(c: Campaign) -> list[tuple[Image, Where]]:
    """Every image the campaign's prints show, with where it is named."""
    found = []
    if c.logo:
        found.append((c.logo, c.origin.at("logo")))
    found += [(logo, c.origin.at(f"partner_logos.{i}")) for i, logo in enumerate(c.partner_logos)]
    for s in (c.strands or {}).values():
        found += [(p.image, p.origin.at("image")) for p in s.posters if p.image]
    return found


def path_of(root: str | Path, c: Campaign, image: Image) -> Path:
    return Path(root) / "campaigns" / c.id / image.file


def check(root: Path, c: Campaign, problems: Problems) -> None:
    """A problem at the line that names an image whose file is missing or not an ordinary file."""
    for image, where in used(c):
        path = path_of(root, c, image)
        if not path.exists():
            problems.add(where, f"there is no file campaigns/{c.id}/{image.file}: save the image there, "
                                "or correct the path (it is read from the campaign folder)")
        else:
            why = sources.problem_with(Path(root), path)
            if why:
                problems.add(where, f"campaigns/{c.id}/{image.file}: {why}")


def data(root: str | Path, c: Campaign, image: Image) -> bytes:
    """The image's bytes (the file passed `check`)."""
    problems = Problems()
    found = sources.read(Path(root), path_of(root, c, image), problems)
    if found is None:  # changed since the check: said as the build's other file problems are
        raise ContentError(problems.sorted())
    return found
