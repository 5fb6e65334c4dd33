"""Print-shop PDFs: PDF/X-4 with a CMYK output intent, tagged PDF/UA-1 as well, exact page boxes;
and the office copy, the same page cut to its trim box.

A print (theme/print/*.typ) is typeset by Typst as a tagged PDF/UA-1 on a sheet of its trim size
plus 12 mm on every side: 3 mm of bleed and 9 mm of slug for the crop marks (theme/print/sheet.typ).
A print shop's preflight asks for four things Typst does not write; they are added here, with
pikepdf, to the PDF Typst made:

- an **output intent**: the printing condition the colours are meant for, as an embedded ICC
  output profile. Debian's libgs-common ships Artifex's CMYK SWOP profile (`ICC_PROFILE`); the
  Makefile installs it.
- **colours it can separate**: the design is sRGB (the strand colours are checked for contrast
  on screens). Typst already draws in an ICC-based sRGB space; `DefaultRGB` says the same of any
  device RGB (a picture's), so everything is colour-managed RGB, which PDF/X-4 allows and the
  shop's RIP converts to its CMYK through the output intent.
- **page boxes**: MediaBox (the sheet, with the slug) > BleedBox (3 mm round the trim) > TrimBox.
- **identification**: `GTS_PDFXVersion` in the XMP next to PDF/UA's `pdfuaid:part`, PDF 1.6,
  fixed dates and a document id made from the title, so that the same poster is the same bytes
  at every build.

The office copy (`trimmed`) has its boxes all at the trim and no output intent: what is left is
the A4 poster or the A6 card, with the same title, language, tags and fonts. pikepdf is
imported only here: a build that finds every print in the cache asks this module for the
profile's hash (part of the cache key) and never loads it.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import date
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

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


@lru_cache(maxsize=1)
def _cmyk_packed() -> bytes:
    """The profile compressed once per process, as qpdf would compress it at every save (the same
    bytes): 187 KB of it took a fifth of a poster's time, for each poster."""
    import zlib
    return zlib.compress(_cmyk())


def profile_version() -> str:
    """What the print-shop files depend on outside the code: part of their cache key."""
    return hashlib.sha256(_cmyk()).hexdigest()[:16]


def finisher(made: date):
    """`finish(document)` for typeset.pdf: Typst's PDF of a print, opened with pikepdf, as (the
    print shop's PDF/X-4, the office copy), both dated `made`. The office copy is the same
    document written again with its boxes at the trim and no output intent."""
    def finish(pdf) -> tuple[bytes, bytes]:
        return _print_shop(pdf, made), _office(pdf, made)
    return finish


def _print_shop(pdf, made: date) -> bytes:
    """The print shop's file; what only it has is taken away again, for the office copy."""
    import pikepdf
    profile = pdf.make_stream(_cmyk_packed(), N=4, Filter=pikepdf.Name.FlateDecode)
    pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=OUTPUT_CONDITION, OutputCondition=OUTPUT_CONDITION, Info=OUTPUT_CONDITION,
        DestOutputProfile=profile)])
    for page in pdf.pages:
        left, bottom, right, top = (float(v) for v in page.MediaBox)
        trim, slug = (BLEED_MM + SLUG_MM) * PT_PER_MM, SLUG_MM * PT_PER_MM  # in from the sheet's edges
        page.TrimBox = pikepdf.Array([left + trim, bottom + trim, right - trim, top - trim])
        page.BleedBox = pikepdf.Array([left + slug, bottom + slug, right - slug, top - slug])
        _default_rgb(pdf, page)
    pdf.trailer.Info.Trapped = pikepdf.Name("/False")
    shop = _save(pdf, made, pdfx=True)
    del pdf.Root.OutputIntents, pdf.trailer.Info.Trapped
    for page in pdf.pages:
        del page.Resources.ColorSpace.DefaultRGB
    return shop


def _office(pdf, made: date) -> bytes:
    import pikepdf
    out = (BLEED_MM + SLUG_MM) * PT_PER_MM
    for page in pdf.pages:
        left, bottom, right, top = (float(v) for v in page.MediaBox)
        page.MediaBox = pikepdf.Array([left + out, bottom + out, right - out, top - out])
        page.TrimBox = page.BleedBox = page.MediaBox
    return _save(pdf, made, pdfx=False)


def _default_rgb(pdf, page) -> None:
    """Device RGB drawn as sRGB: the ICC-based sRGB space Typst already draws in."""
    import pikepdf
    spaces = page.Resources.get("/ColorSpace")
    if spaces is None:
        page.Resources.ColorSpace = spaces = pikepdf.Dictionary()
    srgb = next((s for s in spaces.values() if isinstance(s, pikepdf.Array) and s[0] == "/ICCBased"
                 and s[1].get("/N") == 3), None)
    spaces.DefaultRGB = srgb if srgb is not None else pikepdf.Array(
        [pikepdf.Name.ICCBased, pdf.make_stream(_srgb(), N=3)])


@lru_cache(maxsize=1)
def _srgb() -> bytes:
    """An sRGB profile, for a page Typst drew without one (no colour of its own, a picture only)."""
    from PIL import ImageCms
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _save(pdf, made: date, pdfx: bool) -> bytes:
    import pikepdf
    stamp = f"D:{made:%Y%m%d}000000+00'00'"
    info = pdf.trailer.Info
    info.CreationDate = info.ModDate = stamp
    pdf.Root.Metadata = pdf.make_stream(_xmp(str(info.get("/Title", "")), str(info.get("/Author", "")),
                                             str(pdf.Root.get("/Lang", "")), made, pdfx),
                                        Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    # qpdf leaves the metadata uncompressed, as PDF/X asks, so that preflight tools read it
    # without a PDF parser.
    from sentinel.render.typeset import save
    return save(pdf, force_version=PDF_VERSION if pdfx else None)


NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/",
      "xmpMM": "http://ns.adobe.com/xap/1.0/mm/", "pdf": "http://ns.adobe.com/pdf/1.3/",
      "pdfuaid": "http://www.aiim.org/pdfua/ns/id/", "pdfxid": "http://www.npes.org/pdfx/ns/id/"}
for _prefix, _uri in NS.items():
    register_namespace(_prefix, _uri)


def _xmp(title: str, author: str, lang: str, made: date, pdfx: bool) -> bytes:
    """The XMP packet: the title and author as the document info says, PDF/UA part 1 and, for the
    print shop, PDF/X-4; dates and ids fixed by `made` and the title."""
    q = lambda name: "{%s}%s" % (NS[name.split(":")[0]], name.split(":")[1])  # noqa: E731
    meta = Element(q("x:xmpmeta"))
    rdf = SubElement(meta, q("rdf:RDF"))
    about = SubElement(rdf, q("rdf:Description"), {q("rdf:about"): "", q("pdfuaid:part"): "1"})
    for name, kind, value in (("dc:title", "Alt", title), ("dc:creator", "Seq", author), ("dc:language", "Bag", lang)):
        if value:
            item = SubElement(SubElement(SubElement(about, q(name)), q(f"rdf:{kind}")), q("rdf:li"))
            if kind == "Alt":
                item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
            item.text = value
    when = f"{made.isoformat()}T00:00:00+00:00"
    identity = uuid.uuid5(uuid.NAMESPACE_URL, f"sentinel-print:{title}")
    fields = [("dc:format", "application/pdf"), ("xmp:CreatorTool", "Sentinel (Typst)"),
              ("xmp:CreateDate", when), ("xmp:ModifyDate", when), ("xmp:MetadataDate", when),
              ("xmpMM:DocumentID", f"uuid:{identity}"), ("xmpMM:InstanceID", f"uuid:{identity}"),
              ("xmpMM:RenditionClass", "default"), ("xmpMM:VersionID", "1")]
    if pdfx:
        fields += [("pdfxid:GTS_PDFXVersion", "PDF/X-4"), ("pdf:Trapped", "False")]
    for name, text in fields:
        SubElement(about, q(name)).text = text
    return (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + tostring(meta, encoding="utf-8",
            xml_declaration=False) + b'\n<?xpacket end="w"?>')
