"""Sentinel, the campaign publisher: load -> validate -> model -> select -> render -> write.

content/  reads and checks the campaign (YAML, Markdown) into the model
visibility.py  who may see what, when: the one rule every output goes through
render/   what outputs share to turn the model into text and documents (templates, Markdown, addresses, PDF)
outputs/  one module per output kind (sites, newsletter, print, report)
build/    the pipeline that runs them, the cache that remembers work, the writer that swaps the output in
tools/    the comms team's other commands (serve, new, import, send)
"""
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
THEME = PACKAGE.parent / "theme"   # templates, components and styles shared by every output
