"""Print-shop PDFs: PDF/X-4 with a CMYK output intent, tagged PDF/UA-1 as well, exact page boxes.

A print shop's preflight asks for four things the office PDF does not have:

- an **output intent**: the printing condition the colours are meant for, as an embedded ICC
  output profile. Debian's libgs-common ships Artifex's CMYK SWOP profile (`ICC_PROFILE`); the
  Makefile installs it.
- **colours it can separate**: the design is sRGB (the strand colours are checked for contrast
  on screens), so the file declares its RGB as sRGB (`DefaultRGB`, an ICC-based colour space):
  colour-managed RGB, which PDF/X-4 allows, is converted to the shop's CMYK by its RIP through
  the output intent.
- **page boxes**: MediaBox (the sheet, with a slug for crop marks and the job line) > BleedBox
  (3 mm round the trim) > TrimBox (the finished A4). WeasyPrint puts its BleedBox up to 10 pt
  out; it is set here to exactly `BLEED_MM`.
- **identification**: `GTS_PDFXVersion` in the XMP next to PDF/UA's `pdfuaid:part`, fixed dates
  and a document id made from the title, so that the same poster is the same bytes at every build.

Everything is done in WeasyPrint's `finisher` hook, on the PDF objects before they are written.
WeasyPrint and pydyf are imported only there: a build that finds every print in the cache asks
this module for the profile's hash (part of the cache key) and never imports them.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from xml.etree.ElementTree import SubElement, fromstring, tostring

from sentinel.build.faults import BuildStopped

#: Artifex's CMYK SWOP output profile, from Debian's libgs-common (a 'prtr' class profile).
ICC_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
OUTPUT_CONDITION = "Artifex CMYK SWOP Profile"
BLEED_MM = 3
SLUG_MM = 9            # beyond the bleed: crop marks and the job line
PT_PER_MM = 72 / 25.4
PDF_VERSION = "1.6"    # PDF/X-4 is PDF 1.6


class MissingProfile(BuildStopped):
    """The machine lacks the ICC profile (Debian's libgs-common): the set-up's fault, said in one line."""


@lru_cache(maxsize=1)
def _cmyk() -> bytes:
    if not ICC_PROFILE.is_file():
        raise MissingProfile(f"the print shop's colour profile {ICC_PROFILE} is missing: install the Debian "
                             "package libgs-common (make deps does)")
    return ICC_PROFILE.read_bytes()


def profile_version() -> str:
    """What the print-shop files depend on outside the code: part of their cache key."""
    return hashlib.sha256(_cmyk()).hexdigest()[:16]


def finisher(made: date):
    """WeasyPrint's `finisher(document, pdf)`, making the PDF a PDF/X-4 dated `made`."""
    def finish(document, pdf) -> None:
        _output_intent(pdf, _cmyk())
        _default_rgb(pdf, (files("weasyprint") / "pdf" / "sRGB2014.icc").read_bytes())
        _boxes(pdf)
        _identify(document, pdf, made)
    return finish


def _stream(pdf, data: bytes, components: int):
    import pydyf
    stream = pydyf.Stream([data], pydyf.Dictionary({"N": components}), compress=True)
    pdf.add_object(stream)
    return stream


def _output_intent(pdf, cmyk: bytes) -> None:
    import pydyf
    intent = pydyf.Dictionary({
        "Type": "/OutputIntent", "S": "/GTS_PDFX",
        "OutputConditionIdentifier": pydyf.String(OUTPUT_CONDITION),
        "OutputCondition": pydyf.String(OUTPUT_CONDITION),
        "Info": pydyf.String(OUTPUT_CONDITION),
        "DestOutputProfile": _stream(pdf, cmyk, 4).reference,
    })
    pdf.catalog["OutputIntents"] = pydyf.Array([intent])


def _default_rgb(pdf, srgb: bytes) -> None:
    """DeviceRGB drawn as sRGB: WeasyPrint's one colour-space dictionary (it holds its Lab spaces)."""
    import pydyf
    spaces = [o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and "lab-d50" in o]
    reference = _stream(pdf, srgb, 3).reference
    for space in spaces:
        space["DefaultRGB"] = pydyf.Array(("/ICCBased", reference))


def _boxes(pdf) -> None:
    import pydyf
    out = BLEED_MM * PT_PER_MM
    for page in pdf.objects:
        if isinstance(page, pydyf.Dictionary) and page.get("Type") == "/Page" and "TrimBox" in page:
            left, top, right, bottom = page["TrimBox"]
            page["BleedBox"] = pydyf.Array([left - out, top - out, right + out, bottom + out])


def _identify(document, pdf, made: date) -> None:
    import pydyf
    from weasyprint.pdf.metadata import NS
    when = f"{made.isoformat()}T00:00:00+00:00"
    stamp = pydyf.String(f"D:{made:%Y%m%d}000000+00'00'")
    pdf.info["CreationDate"] = pdf.info["ModDate"] = stamp
    pdf.info["Trapped"] = "/False"
    meta = document.metadata
    rdf = fromstring(meta.generate_rdf_metadata("ua", 1, None))
    about = SubElement(rdf, f"{{{NS['rdf']}}}Description", {f"{{{NS['rdf']}}}about": ""})
    identity = uuid.uuid5(uuid.NAMESPACE_URL, f"sentinel-print:{meta.title}")
    for name, text in (("pdfxid:GTS_PDFXVersion", "PDF/X-4"), ("pdf:Trapped", "False"),
                       ("xmp:CreateDate", when), ("xmp:ModifyDate", when), ("xmp:MetadataDate", when),
                       ("xmpMM:DocumentID", f"uuid:{identity}"), ("xmpMM:InstanceID", f"uuid:{identity}"),
                       ("xmpMM:RenditionClass", "default"), ("xmpMM:VersionID", "1")):
        prefix, local = name.split(":")
        SubElement(about, f"{{{NS[prefix]}}}{local}").text = text
    packet = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
              + tostring(rdf, encoding="utf-8") + b'</x:xmpmeta>\n<?xpacket end="w"?>')
    # Uncompressed, as PDF/X asks, so that preflight tools can read it without a PDF parser.
    stream = pydyf.Stream([packet], {"Type": "/Metadata", "Subtype": "/XML"}, compress=False)
    pdf.add_object(stream)
    pdf.catalog["Metadata"] = stream.reference
