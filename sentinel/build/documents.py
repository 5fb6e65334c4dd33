"""One pool for every expensive document of a build, the most expensive first, on every core.

Posters, aide-memoires, social images, newsletter PDFs and report PDFs take Typst from a few tens
of milliseconds to a fifth of a second each (with WeasyPrint, before, up to four seconds).
Rendered output by output, one long report kept a core busy while the other idled; so before the
outputs run, each output that has such documents lists the ones the
cache does not have yet (`documents(project, as_of, stage) -> list[Document]`), and the pipeline
renders all of them at once here (`render`). Each result is kept in the cache; the outputs then
run as always and find every document there. An output run on its own (a test, a fallback when
the cache cannot be written) renders what it misses itself, through the same pool (`made`).

A document is a plain function of plain arguments (`make(*args)`, module-level, so that the
pool may be a process pool or another machine's later), an estimated cost in seconds of one
core (biggest first: a long report starts at once, posters fill the gaps), and two callbacks
that run in the build's own process: `keep` (where the result goes) and `problems` (the content
problems an error stands for, or None for an error that stops the build).
"""
from __future__ import annotations

from contextlib import closing
from functools import partial
from dataclasses import dataclass, replace
from typing import Callable

from sentinel.build import parallel
from sentinel.problems import ContentError, Problem


@dataclass(frozen=True)
class Document:
    make: Callable                  # module-level function: make(*args) -> its bytes (or parts)
    args: tuple                     # plain data (strings, paths, frozen model objects)
    cost: float                     # estimated seconds of one core: the pool starts the biggest first
    what: str                       # "the cse poster for parents", for progress lines
    keep: Callable[[object], None]  # in the build: keeps the result (in the cache)
    problems: Callable[[Exception], list[Problem] | None] = lambda err: None


def render(documents: list[Document], progress) -> list[Problem]:
    """Make every document on every core the build may use, the biggest first; keep each as it
    arrives. Returns the content problems they found; any other error is raised."""
    if not documents:
        return []
    order = sorted(range(len(documents)), key=lambda i: (-documents[i].cost, i))
    workers = min(len(documents), parallel.cores())
    progress.step(f"rendering {len(documents)} documents (PDFs and previews) on "
                  f"{workers} core{'s' if workers > 1 else ''}, the largest first")
    problems: list[Problem] = []
    every = max(1, len(documents) // 20)  # about twenty lines, however many documents
    # Never in this process, even on one core: Typst's threads would not survive the next fork
    # (a preview server builds again and again).
    with closing(parallel.unordered(lambda i: _make(documents[i]), order, isolated=True)) as finished:
        for done, (i, ok, value) in enumerate(finished, 1):
            document = documents[i]
            if ok:
                document.keep(value)
            else:
                found = document.problems(value)
                if found is None:
                    raise value
                problems += found
            if done % every == 0 or done == len(documents) or document.cost >= LONG:
                progress.step(f"documents: {document.what} done", done, len(documents))
    return problems


def made(documents: list[Document], progress) -> list:
    """Each document's result, in order, made as `render` makes them (and kept as each says): for
    an output that finds documents missing when it runs. Raises ContentError with every content
    problem found."""
    results: list = [None] * len(documents)

    def keep(i: int, value) -> None:
        documents[i].keep(value)
        results[i] = value
    problems = render([replace(d, keep=partial(keep, i)) for i, d in enumerate(documents)], progress)
    if problems:
        raise ContentError(sorted(set(problems)))
    return results


#: A document estimated to take this long (seconds) gets its own progress line.
LONG = 3.0


def _make(document: Document):
    return document.make(*document.args)
