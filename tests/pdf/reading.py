"""Reading a PDF back with pypdf: its text, pages, fonts, metadata and attachments."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
DC = "{http://purl.org/dc/elements/1.1/}"


@dataclass
class ReadPdf:
    reader: PdfReader

    @property
    def root(self) -> DictionaryObject:
        root: DictionaryObject = self.reader.trailer["/Root"].get_object()
        return root

    def text(self) -> str:
        """All pages' text, with runs of white space as one space (lines break anywhere)."""
        return " ".join(" ".join((page.extract_text() or "").split()) for page in self.reader.pages)

    def has(self, words: str) -> bool:
        """Whether `words` are in the text, wherever lines broke (in a table cell a line may
        break at any space or hyphen, so white space is left out on both sides)."""
        return "".join(words.split()) in "".join(self.text().split())

    def page_sizes(self) -> list[tuple[float, float]]:
        return [(float(p.mediabox.width), float(p.mediabox.height)) for p in self.reader.pages]

    def fonts(self) -> dict[str, dict[str, Any]]:
        """Each font used on a page: its name, whether its program is embedded, and whether it
        maps its glyphs to Unicode."""
        found: dict[str, dict[str, Any]] = {}
        for page in self.reader.pages:
            resources = page["/Resources"].get_object()
            for font in resources.get("/Font", {}).values():
                font = font.get_object()
                described = font
                if font["/Subtype"] == "/Type0":
                    described = font["/DescendantFonts"][0].get_object()
                descriptor = described.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[str(font["/BaseFont"])] = {
                    "embedded": embedded,
                    "unicode": "/ToUnicode" in font,
                }
        return found

    def xmp(self) -> ET.Element:
        stream = self.root["/Metadata"].get_object()
        data = stream.get_data()
        return ET.fromstring(data[data.index(b"<x:xmpmeta") : data.rindex(b"</x:xmpmeta>") + 12])

    def pdfa_id(self) -> tuple[str | None, str | None]:
        """(part, conformance) of the XMP's PDF/A identification."""
        part = conformance = None
        for description in self.xmp().iter(f"{RDF}Description"):
            part = description.get(f"{PDFAID}part", part)
            conformance = description.get(f"{PDFAID}conformance", conformance)
        return part, conformance

    def xmp_title(self) -> str | None:
        for title in self.xmp().iter(f"{DC}title"):
            return "".join(title.itertext()).strip()
        return None

    def attachments(self) -> dict[str, bytes]:
        return {name: data[0] for name, data in self.reader.attachments.items()}


def read_pdf(data: bytes) -> ReadPdf:
    assert data.startswith(b"%PDF-"), data[:40]
    return ReadPdf(PdfReader(io.BytesIO(data)))
