"""The printable issue (newsletter.pdf): A4, the same sections as the e-mail and the web page,
typeset by Typst from plain data (theme/newsletter/print.typ). Markdown (the editorial, the
focus strand's "about", the examples' summaries) comes as the tree of the sanitised HTML the web
shows (markup.tree), so the PDF shows what the e-mail shows and never reads content as markup;
the editorial's pictures come as their bytes, its links made absolute (a paper copy and an
attachment must say where each goes).
"""
from __future__ import annotations

from urllib.parse import urljoin

from sentinel.content import months
from sentinel.outputs import newsletter_images
from sentinel.render import component_data, markup, templating, urls


def data(issue, issue_url: str) -> dict:
    """What theme/newsletter/print.typ draws of `issue` (newsletter.Issue)."""
    c, n = issue.c, issue.n
    link = lambda path: urls.absolute(c.site_url, path)  # noqa: E731
    absolute = lambda href: href if href.startswith(("https:", "http:", "mailto:", "tel:")) else urljoin(issue_url, href)  # noqa: E731
    pictures = {f"sentinel-picture:{im.digest}": im for im in issue.images}
    editorial = newsletter_images.editorial_html(n.body, issue.images, lambda im: f"sentinel-picture:{im.digest}")
    month = months.name(n.month)
    return {
        "title": n.title, "author": c.organisation or c.name, "footer": f"{c.name} · Issue {n.issue} · page ",
        "kicker": f"{c.organisation or c.name} · Partnership newsletter · Issue {n.issue} · {month}",
        "partners_only": issue.audience.value == "partners",
        "editorial": markup.tree(editorial, href=absolute, image=lambda src: _picture(pictures.get(src))),
        "month": month,
        "focus": _focus(issue, link) if issue.focus else None,
        "routes": [component_data.route(r) for r in issue.report_routes],
        "next": {"title": issue.next_focus.title, "month": months.name(issue.next_month),
                 "badge": component_data.badge(issue.next_focus), "href": link(urls.strand(c.id, issue.next_focus.id)),
                 "summary": issue.next_focus.summary, "partners": ", ".join(issue.next_focus.partners)}
                if issue.next_focus else None,
        "examples": [component_data.card(a, c.strands, {sid: link(urls.strand(c.id, sid)) for sid in a.strands})
                     for a in issue.examples],
        "period": [months.name(m) for m in issue.period],
        "more": issue.more, "all_activity": link(urls.campaign(c.id) + "activities/"),
        "events": [_event(e) for e in issue.events],
        "aim": c.aim, "objectives": list(c.objectives),
        "helplines": [component_data.contact(h) for h in issue.helplines],
        "web": link(urls.campaign(c.id)),
    }


def _focus(issue, link) -> dict:
    s = issue.focus
    return {"title": s.title, "colour": s.colour, "badge": component_data.badge(s), "href": link(urls.strand(issue.c.id, s.id)),
            "summary": s.summary, "about": markup.tree(markup.markdown(s.about)),
            "signs": [{"text": sign.text} for sign in s.signs_for(issue.signs_audience)],
            "what_to_do": [markup.tree(markup.markdown_inline(item)) for item in s.what_to_do]}


def _event(e) -> dict:
    """An event, its day and times written as the e-mail and the web page write them (their
    `when` macro: dates and times only, nothing to escape)."""
    when = str(templating.environment(text=True).get_template("newsletter/sections.html").module.when(e))
    return {"title": e.title, "when": when, "where": e.location or "", "summary": markup.plain(e.summary) if e.summary else "",
            "url": e.url or ""}


def _picture(image) -> dict | None:
    """An editorial's picture as the template takes it: its bytes (numbers: JSON has no bytes)."""
    if image is None:
        return None
    return component_data.picture(image.data, component_data.kind_of(image.name))
