"""Does the text fit the paper? Measured on WeasyPrint's real layout, never by counting characters.

Print templates mark what must fit with data attributes, next to the CSS that sizes it:

    data-fit="headline" data-max-lines="3"   the element lays out in at most 3 lines
    data-fit="front"    data-max-pages="1"   the element stays on one page
    data-fit="layout"   data-fit-above="id"  the element ends above the top of element #id

`misfits_in(document, pages)` reads the laid-out document (sentinel.render.pdf.layout, the same safe
fetcher as the PDF) and returns one `Misfit` per broken limit, named by its `data-fit`, for the caller to turn into a
`file:line` message about the field that is too long.
"""
from __future__ import annotations

from weasyprint.formatting_structure import boxes

from sentinel.render.fit import Misfit, runs_into, too_many_lines

PX_PER_MM = 96 / 25.4


def misfits_in(document, pages: int = 1) -> list[Misfit]:
    """Every limit the laid-out document breaks; a document of `pages` pages is expected.

    The document is the one then written to PDF (sentinel.render.pdf.layout/write): laid out once."""
    found: dict[object, list] = {}  # element -> [(page index, box)]
    for index, page in enumerate(document.pages):
        _collect(page._page_box, index, found)  # _page_box: the page's layout, as WeasyPrint's own tests read it
    problems = []
    for element, placed in found.items():
        name = element.get("data-fit")
        if element.get("data-max-lines"):
            limit = int(element.get("data-max-lines"))
            lines = sum(_lines(box) for _, box in placed)
            if lines > limit:
                problems.append(too_many_lines(name, "".join(element.itertext()).strip(), lines, limit))
        if element.get("data-max-pages"):
            limit = int(element.get("data-max-pages"))
            spread = len({index for index, _ in placed})
            if spread > limit:
                problems.append(Misfit(name, f"does not fit: it runs over {spread} pages where {limit} fit"))
        if element.get("data-fit-above"):
            below = _by_id(document, element.get("data-fit-above"))
            bottom = max(box.position_y + box.margin_height() for _, box in placed)
            spread = len({index for index, _ in placed})
            if below is not None and (spread > 1 or bottom > below.border_box_y()):
                over = (bottom - below.border_box_y()) / PX_PER_MM if spread == 1 else None
                problems.append(runs_into(name, f"{max(over, 1):.0f} mm " if over else ""))
    if len(document.pages) != pages and not problems:
        problems.append(Misfit("pages", f"does not fit: it takes {len(document.pages)} pages where "
                                        f"{pages} {'is' if pages == 1 else 'are'} expected"))
    return problems


def _collect(box, index: int, found: dict, inside=None) -> None:
    """The boxes of each element with data-fit, without their anonymous inner boxes."""
    element = box.element
    if element is not None and element is not inside and element.get("data-fit") and not _is_part(box):
        found.setdefault(element, []).append((index, box))
        inside = element
    for child in getattr(box, "children", ()):
        _collect(child, index, found, inside)


def _walk(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def _lines(box) -> int:
    return sum(1 for b in _walk(box) if isinstance(b, boxes.LineBox))


def _is_part(box) -> bool:
    """Line and text boxes carry their block's element: they are not the element's own box."""
    return isinstance(box, (boxes.LineBox, boxes.InlineBox, boxes.TextBox))


def _by_id(document, element_id: str):
    for page in document.pages:
        for box in _walk(page._page_box):
            if box.element is not None and box.element_tag and box.element.get("id") == element_id \
                    and not _is_part(box):
                return box
    return None
