"""`build.py serve`: a live preview of the site on this computer, rebuilt each time you save.

A comms officer sees the page as readers will, a moment after saving. A mistake in the content
shows at the top of the page as the list of `file:line:col` problems, over the last good build,
instead of a stack trace in a terminal nobody is looking at. The preview answers on 127.0.0.1
only: the staff site (`--intranet`) must never be reachable from the network.
"""
from __future__ import annotations

import gc
import html
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from sentinel.build.faults import BuildStopped, describe
from sentinel.build.pipeline import build
from sentinel.outputs import site_engine
from sentinel.problems import ContentError, UsageError
from sentinel.build.progress import Progress

HOST = "127.0.0.1"
WATCHED_FOLDERS = ("content", "campaigns", "theme")
WATCHED_FILES = ("mkdocs.yml",)
QUIET_FOR = 0.3  # seconds without a change before rebuilding: an editor's save is several events

RELOAD_JS = b"""\
// Sentinel preview: reload the page when the build changes (asks this server only).
(function () {
  var seen = document.currentScript.getAttribute("data-version");
  setInterval(function () {
    fetch("/__sentinel/version", {cache: "no-store"})
      .then(function (answer) { return answer.text(); })
      .then(function (version) { if (version.trim() !== seen) { location.reload(); } })
      .catch(function () {});
  }, 1000);
})();
"""


class Preview:
    """What the server shows: the last good build, the problems of the latest one, a version."""

    def __init__(self, root: Path, as_of, site: str, progress: Progress):
        self.root, self.as_of, self.progress = root, as_of, progress
        self.folder = Path(tempfile.mkdtemp(prefix="sentinel-preview-"))
        self.out = self.folder / "build"
        self.site = self.out / site
        self.version = 0
        self.problems: list[str] = []
        self.lock = threading.Lock()
        self.changed = threading.Event()
        self.stopping = threading.Event()

    @property
    def built(self) -> bool:
        return self.site.is_dir()

    def snapshot(self) -> tuple[int, list[str]]:
        with self.lock:
            return self.version, list(self.problems)

    def rebuild(self) -> None:
        started = time.perf_counter()
        try:
            build(self.root, self.out, self.as_of, self.progress)
            problems = []
        except ContentError as err:
            problems = [str(p) for p in err.problems]
        except BuildStopped as err:
            problems = [str(err)]
        except OSError as err:  # a full disk, a folder in use: the machine, not the content
            problems = [describe(err)]
        except Exception as err:  # a bug, not the content: keep serving, and say so
            if self.stopping.is_set():
                return  # the preview is closing under the build's feet
            problems = [f"the build stopped on an unexpected error ({type(err).__name__}: {err}); "
                        "the details are in the terminal for a developer"]
            traceback.print_exc()
        gc.unfreeze()  # loading froze the model (content/load.py): a preview open for hours lets old ones go
        self.progress = Progress(quiet=True)  # the first build shows its steps; rebuilds, one line
        with self.lock:
            self.problems = problems
            self.version += 1
        stamp = time.strftime("%H:%M:%S")
        if problems:
            print(f"{stamp}  {len(problems)} problem{'s' * (len(problems) != 1)}, shown at the top of the "
                  "preview. Fix them and save.", *problems, sep="\n  ", flush=True)
        else:
            again = "rebuilt" if self.version > 1 else "built"
            print(f"{stamp}  {again} in {time.perf_counter() - started:.1f} s", flush=True)

    def rebuild_on_change(self) -> None:
        """Runs in its own thread: waits for a change, lets the saving finish, rebuilds."""
        try:
            compile_templates(self.root)   # once, while the first save is awaited
        except Exception:  # noqa: BLE001 - only speed: each build compiles what it needs itself
            pass
        while not self.stopping.is_set():
            if not self.changed.wait(0.5):
                continue
            while True:
                self.changed.clear()
                time.sleep(QUIET_FOR)
                if not self.changed.is_set():
                    break
            if not self.stopping.is_set():
                self.rebuild()

    def close(self, rebuilder: threading.Thread | None = None) -> None:
        """Stop rebuilding and remove the build; a build under way gets a moment to finish."""
        self.stopping.set()
        if rebuilder is not None and rebuilder.is_alive():
            rebuilder.join(timeout=15)
        shutil.rmtree(self.folder, ignore_errors=True)


def compile_templates(root: Path) -> None:
    """Compile the theme's templates and ours in this process's memory (never on disk): the
    workers of every later build inherit them instead of compiling them again."""
    site_engine.prepare(root / "mkdocs.yml")


class _OnSave(FileSystemEventHandler):
    """Flags a change to a source file; ignores reads, hidden files and editors' backups."""

    def __init__(self, root: Path, changed: threading.Event):
        self.root, self.changed = root, changed

    def on_any_event(self, event) -> None:
        if event.event_type not in ("created", "modified", "deleted", "moved"):
            return  # our own build opening files must not trigger another build
        if event.is_directory and event.event_type == "modified":
            return
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if any(self._is_source(p) for p in paths if p):
            self.changed.set()

    def _is_source(self, path: str) -> bool:
        try:
            rel = Path(path).resolve().relative_to(self.root.resolve())
        except ValueError:
            return False
        if not rel.parts or any(part.startswith(".") for part in rel.parts) or rel.name.endswith("~"):
            return False
        return rel.parts[0] in WATCHED_FOLDERS or rel.as_posix() in WATCHED_FILES


PANEL_CSS = b"""\
/* Sentinel preview: the problems box. A stylesheet of this server, not inline styles, because
   each page's Content-Security-Policy allows only its own inline styles. */
.sn-preview-problems { position: relative; z-index: 1000; margin: 0; padding: 1rem 1.5rem;
  background: #fff4f4; color: #1b1b1b; border: 4px solid #b3261e; font: 16px/1.5 system-ui, sans-serif; }
.sn-preview-problems h2 { margin: 0 0 .5rem; color: #b3261e; font-size: 1.25rem; }
.sn-preview-problems p { margin: 0 0 .5rem; }
.sn-preview-problems ol { margin: 0; padding-left: 1.5rem; }
.sn-preview-problems code { white-space: pre-wrap; word-break: break-word; }
"""


def problems_panel(problems: list[str]) -> str:
    """The problems, escaped, as a box at the top of the page."""
    items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
    n = len(problems)
    return ('<link rel="stylesheet" href="/__sentinel/problems.css">'
            '<section class="sn-preview-problems" id="sentinel-problems" role="alert">'
            f'<h2>{n} problem{"s" * (n != 1)} in the content: this preview is not up to date</h2>'
            '<p>Each line says <strong>file:line:column</strong> and what is wrong. Fix them and save: '
            'this page reloads by itself. Below it is the last build that worked.</p>'
            f'<ol>{items}</ol></section>')


def inject(page: str, version: int, problems: list[str]) -> str:
    """The page with the reload script and, if there are any, the problems at the top."""
    script = f'<script src="/__sentinel/reload.js" data-version="{version}" defer></script>'
    panel = problems_panel(problems) if problems else ""
    body = re.search(r"<body[^>]*>", page, re.I)
    if body:
        page = page[:body.end()] + panel + page[body.end():]
    else:
        page = panel + page
    end = page.lower().rfind("</body>")
    return page[:end] + script + page[end:] if end >= 0 else page + script


def error_page(version: int, problems: list[str]) -> str:
    return inject('<!doctype html><html lang="en"><head><meta charset="utf-8">'
                  '<title>Sentinel preview: problems in the content</title></head><body>'
                  '<p>There is no build to show yet.</p></body></html>', version, problems)


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the last good build, with the reload script and the problems added to each page."""

    preview: Preview
    port: int

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        host = (self.headers.get("Host") or "").lower()
        if host not in (f"127.0.0.1:{self.port}", f"localhost:{self.port}"):
            # A page elsewhere pointing a host name at 127.0.0.1 (DNS rebinding) gets nothing.
            return self._send(403, "text/plain", b"This preview answers to http://127.0.0.1 only.\n", head)
        path = urlsplit(self.path).path
        version, problems = self.preview.snapshot()
        if path == "/__sentinel/version":
            return self._send(200, "text/plain", str(version).encode(), head)
        if path == "/__sentinel/reload.js":
            return self._send(200, "text/javascript", RELOAD_JS, head)
        if path == "/__sentinel/problems.css":
            return self._send(200, "text/css", PANEL_CSS, head)
        if not self.preview.built:
            return self._send(500, "text/html", error_page(version, problems).encode(), head)
        file = Path(self.translate_path(self.path))
        if file.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                return self.end_headers()
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            page = file.read_text(encoding="utf-8")
            return self._send(200, "text/html", inject(page, version, problems).encode(), head)
        return super().do_HEAD() if head else super().do_GET()

    def _send(self, status: int, kind: str, body: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # an edit must show on the next load
        super().end_headers()

    def log_message(self, format, *args) -> None:
        pass  # one line per request would bury the rebuild messages


class PreviewServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser left mid-answer (a reload, a closed tab): nothing to report
        super().handle_error(request, client_address)


def add_arguments(parser) -> None:
    parser.description = ("Preview the public site (or the staff site) on this computer; it is rebuilt "
                          "each time you save a file in content/, campaigns/ or theme/.")
    parser.add_argument("--intranet", action="store_true", help="preview the staff site instead")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")


def run(args, root: Path) -> int:
    site = "intranet" if args.intranet else "public"
    preview = Preview(root, args.as_of, site, Progress(quiet=args.quiet))
    handler = type("Handler", (PreviewHandler,), {"preview": preview, "port": args.port})
    try:
        server = PreviewServer((HOST, args.port), partial(handler, directory=str(preview.site)))
    except OSError as err:
        preview.close()
        raise UsageError(f"cannot use port {args.port} ({err.strerror}): is another preview running? "
                         f"Try --port {args.port + 1}") from None
    observer = Observer()
    watcher = _OnSave(root, preview.changed)
    observer.schedule(watcher, str(root), recursive=False)
    for name in WATCHED_FOLDERS:
        if (root / name).is_dir():
            observer.schedule(watcher, str(root / name), recursive=True)
    rebuilder = threading.Thread(target=preview.rebuild_on_change, name="rebuild", daemon=True)
    # `kill` stops it as Ctrl+C does; and Ctrl+C stops it even when started from a shell or a job
    # that left SIGINT ignored (a background job, nohup, some CI runners), where Python would not.
    before = _set_signals({signal.SIGTERM: _interrupt, signal.SIGINT: _interrupt})
    try:
        observer.start()
        preview.rebuild()
        rebuilder.start()
        print(f"Previewing the {'staff' if args.intranet else 'public'} site at http://{HOST}:{args.port}/ "
              f"as of {args.as_of}. Save a file and the page reloads. Ctrl+C stops.", flush=True)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl+C (or kill) must not cut the clean-up short and leave the build behind.
        _set_signals({signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: signal.SIG_IGN})
        server.server_close()
        observer.stop()
        observer.join(timeout=5)
        preview.close(rebuilder)
        _set_signals(before)
    print("\nThe preview has stopped.", file=sys.stderr)
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _set_signals(handlers: dict) -> dict:
    """Set signal handlers (only the main thread may); returns the ones they replace."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    return before
