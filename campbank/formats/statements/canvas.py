"""A PDF written page by page straight to the file, for statements of any number of students.

reportlab (BSD) reads the TrueType fonts, assigns each character a code in a 256-glyph subset
(`TTFont.splitString`, ASCII keeping its own codes in the first subset) and makes each subset's embedded
font (`makeSubset`) and its ToUnicode map, so text is searchable and copyable and each font is embedded once.
reportlab's canvas keeps every page in memory until it saves (a camp of ten thousand students is twenty
thousand pages), so the pages are written here instead, operator by operator, each compressed and on disk as
soon as it is finished; only the objects' offsets stay in memory. Pieces of text that repeat (dates, types,
descriptions, names) are encoded once. A QR code is drawn as filled rectangles, one per run of dark modules.
"""

from __future__ import annotations

import re
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import BinaryIO

import segno
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont, makeToUnicodeCMap

import campbank

FONT_DIRS = (Path(campbank.__file__).parent / "data" / "fonts", Path("/usr/share/fonts/truetype/dejavu"))
REGULAR, BOLD = "regular", "bold"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
WIDTH, HEIGHT = 595.2756, 841.8898  # A4 in points
CACHE_LIMIT = 100_000  # encoded pieces of text kept
PENDING_LIMIT = 16  # objects waiting for their stream's compression: bounds the memory the thread may hold
_DARK_RUNS = re.compile(b"\x01+")
_FONTS: dict[str, TTFont] = {}


def font(name: str) -> TTFont:
    """The shipped DejaVu Sans (Cyrillic and Latin) or the system's copy, read once per process."""
    if name not in _FONTS:
        for folder in FONT_DIRS:
            if (folder / FILES[name]).is_file():
                _FONTS[name] = TTFont(f"CampBank-{name}", str(folder / FILES[name]))
                break
        else:
            raise FileNotFoundError(f"the font {FILES[name]} is missing from {FONT_DIRS[0]}")
    return _FONTS[name]


class _Document:
    """What reportlab files a document's font subsets under."""


def _escape(raw: bytes) -> str:
    return (raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"\\r")
            .decode("latin-1"))


def _pdf_text(text: str) -> str:
    """A PDF text string for the document information (UTF-16 with a byte-order mark)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class StatementCanvas:
    """Pages of text, lines, grey bands and QR codes, written to `file` as they are finished."""

    def __init__(self, file: BinaryIO, *, title: str) -> None:
        self.file = file
        self.title = title
        self.offsets: dict[int, int] = {}
        self.page_ids: list[int] = []
        self.next_id = 5  # 1 catalog, 2 page tree, 3 shared resources, 4 document information
        self.fonts = {name: font(name) for name in FILES}
        self.widths = {name: f.face.charWidths for name, f in self.fonts.items()}
        self.ascii_widths = {name: [w.get(code, 0) for code in range(128)] for name, w in self.widths.items()}
        self._key = _Document()  # reportlab keeps each document's subsets under a key (weakly) of our choosing
        self._encoded: dict[tuple[str, float, str], str] = {}
        self._fitted: dict[tuple[str, float, float, str], str] = {}
        self._cells: dict[tuple[str, str], str] = {}
        self._pieces: dict[object, str] = {}
        self._ops: list[str] = []
        self.pages = 0
        # zlib works without the interpreter lock: a page is compressed in a thread while the next is drawn,
        # and objects are written in order as their compression finishes
        self._packer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-compress")
        self._pending: deque[tuple[int, str | None, Future[bytes] | bytes]] = deque()
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    # -- text -----------------------------------------------------------------------------------------

    def width_of(self, text: str, font_name: str, size: float) -> float:
        return self.units_of(text, font_name) * size / 1000  # 1000 units to the em

    def units_of(self, text: str, font_name: str) -> float:
        """The width of `text` in the font's units, 1000 to the em."""
        if text.isascii():
            return sum(map(self.ascii_widths[font_name].__getitem__, text.encode("ascii")))
        return sum(map(self.widths[font_name].get, map(ord, text), repeat(500)))

    def encoded(self, text: str, font_name: str, size: float) -> str:
        """The text's show operators, with the font switches it needs. Printable ASCII keeps its own codes in
        the first subset; anything else is encoded once by reportlab and remembered."""
        index = 0 if font_name == REGULAR else 1
        if text.isascii() and text.isprintable():
            if "(" in text or ")" in text or "\\" in text:
                text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            return f"/F{index}S0 {size} Tf ({text}) Tj"
        key = (font_name, size, text)
        found = self._encoded.get(key)
        if found is not None:
            return found
        ops = " ".join(f"/F{index}S{subset} {size} Tf ({_escape(chunk)}) Tj"
                       for subset, chunk in self.fonts[font_name].splitString(text, self._key))
        if len(self._encoded) < CACHE_LIMIT:
            self._encoded[key] = ops
        return ops

    def fit(self, text: str, width: float, *, font_name: str = REGULAR, size: float = 8) -> str:
        """`text` cut with … to fit `width` points."""
        key = (font_name, size, width, text)
        found = self._fitted.get(key)
        if found is not None:
            return found
        fitted = text
        if self.width_of(text, font_name, size) > width:
            room = width - self.width_of("…", font_name, size)
            kept, used = [], 0.0
            widths = self.widths[font_name]
            for char in text:
                step = widths.get(ord(char), 500) * size / 1000
                if used + step > room:
                    break
                kept.append(char)
                used += step
            fitted = "".join(kept).rstrip() + "…"
        if len(self._fitted) < CACHE_LIMIT:
            self._fitted[key] = fitted
        return fitted

    def cell(self, column: str, text: str, move: float, width: float, size: float = 7.5) -> str:
        """A table cell inside a line's text object: move `move` points right of the previous cell's start,
        show `text` cut to `width`. Remembered per column and text: a line is mostly cells seen before."""
        key = (column, text)
        found = self._cells.get(key)
        if found is None:
            shown = self.fit(text, width, size=size) if width else text
            found = f" {move:.2f} 0 Td {self.encoded(shown, REGULAR, size)}"
            if len(self._cells) < CACHE_LIMIT:
                self._cells[key] = found
        return found

    def ascii_width(self, text: str, size: float) -> float:
        """The width in points of ASCII `text` (an amount) in the regular font."""
        return sum(map(self.ascii_widths[REGULAR].__getitem__, text.encode("ascii"))) * size / 1000

    def remembered(self, key: object) -> str | None:
        """A piece of operators the caller stored under `key` (`remember`), or None."""
        return self._pieces.get(key)

    def remember(self, key: object, ops: str) -> str:
        if len(self._pieces) < CACHE_LIMIT:
            self._pieces[key] = ops
        return ops

    def text(self, x: float, y: float, text: str, *, font_name: str = REGULAR, size: float = 8, align: str = "left",
             grey: bool = False) -> None:
        if not text:
            return
        if align != "left":
            width = self.width_of(text, font_name, size)
            x -= width if align == "right" else width / 2
        colour = "0.45 g " if grey else ""
        self._ops.append(f"BT {colour}1 0 0 1 {x:.2f} {y:.2f} Tm {self.encoded(text, font_name, size)} ET"
                         + (" 0 g" if grey else ""))

    def raw(self, ops: str) -> None:
        """Operators the caller built itself (the table's rows, from `encoded`)."""
        self._ops.append(ops)

    # -- shapes ---------------------------------------------------------------------------------------

    def band(self, x: float, y: float, width: float, height: float, grey: float = 0.9) -> None:
        self._ops.append(f"{grey:.2f} g {x:.2f} {y:.2f} {width:.2f} {height:.2f} re f 0 g")

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.4) -> None:
        self._ops.append(f"{width:.2f} w {x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")

    def qr(self, data: str, x: float, y_top: float, size: float) -> None:
        """A QR code of `data` (error correction M, the quickest mask), `size` points square, top left at
        (x, y_top)."""
        matrix = segno.make(data, error="m", mask=0, boost_error=False).matrix
        step = size / len(matrix)
        # in module units, rows counted down from the top: one transformation, whole numbers after it
        runs = [f"{m.start()} {r} {m.end() - m.start()} 1 re"
                for r, row in enumerate(matrix) for m in _DARK_RUNS.finditer(bytes(row))]
        self._ops.append(f"q {step:.4f} 0 0 {-step:.4f} {x:.2f} {y_top:.2f} cm\n" + "\n".join(runs) + " f Q")

    # -- the file -------------------------------------------------------------------------------------

    def show_page(self) -> None:
        """Write the finished page (its compressed operators, then the page) and start a new one."""
        content = self._new_id()
        self._stream(content, "", "\n".join(self._ops).encode("latin-1"))
        self._ops = []
        page = self._new_id()
        self._object(page, f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] /Resources 3 0 R "
                           f"/Contents {content} 0 R >>".encode())
        self.page_ids.append(page)
        self.pages += 1

    def save(self) -> None:
        """The fonts' subsets, the shared resources, the page tree, the catalog, the cross-reference table."""
        if self._ops:
            self.show_page()
        font_refs = []
        for index, name in enumerate(FILES):
            for subset_index, ref in self._write_font(index, self.fonts[name]):
                font_refs.append(f"/F{index}S{subset_index} {ref} 0 R")
        self._object(3, f"<< /Font << {' '.join(font_refs)} >> /ProcSet [/PDF /Text] >>".encode())
        kids = " ".join(f"{page} 0 R" for page in self.page_ids)
        self._object(2, f"<< /Type /Pages /Count {len(self.page_ids)} /Kids [{kids}] >>".encode())
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        stamp = datetime.now(UTC).strftime("D:%Y%m%d%H%M%SZ")
        self._object(4, f"<< /Title {_pdf_text(self.title)} /Producer (CampBank) /Creator (CampBank) "
                        f"/CreationDate ({stamp}) >>".encode())
        self._flush()
        start = self.file.tell()
        count = self.next_id
        lines = [f"xref\n0 {count}\n", "0000000000 65535 f \n"]
        lines += [f"{self.offsets[i]:010d} 00000 n \n" for i in range(1, count)]
        lines.append(f"trailer\n<< /Size {count} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{start}\n%%EOF\n")
        self._write("".join(lines).encode())

    def _write_font(self, index: int, ttf: TTFont) -> list[tuple[int, int]]:
        """Each subset of `ttf` used in the document, embedded: (subset number, font object id)."""
        state = ttf.state.get(self._key)
        subsets = state.subsets if state is not None else []
        if not subsets:  # nothing but ASCII, or nothing at all: the first subset as reportlab lays it out
            ttf.splitString(" ", self._key)
            subsets = ttf.state[self._key].subsets
        face = ttf.face
        refs = []
        for number, subset in enumerate(subsets):
            base = (SUBSETN(number) + b"+" + face.name + face.subfontNameX).decode("latin-1")
            file_id, descriptor, cmap, font_id = (self._new_id() for _ in range(4))
            data = face.makeSubset(subset)
            self._stream(file_id, f"/Length1 {len(data)}", data)
            flags = (face.flags & ~32) | 4  # symbolic, as reportlab marks its subsets
            bbox = " ".join(str(v) for v in face.bbox)
            self._object(descriptor, (
                f"<< /Type /FontDescriptor /FontName /{base} /Flags {flags} /FontBBox [{bbox}] "
                f"/ItalicAngle {face.italicAngle} /Ascent {face.ascent} /Descent {face.descent} "
                f"/CapHeight {face.capHeight} /StemV {face.stemV} /MissingWidth {face.defaultWidth} "
                f"/FontFile2 {file_id} 0 R >>").encode())
            self._stream(cmap, "", makeToUnicodeCMap(base, subset).encode("latin-1"))
            widths = " ".join(str(face.getCharWidth(code)) for code in subset)
            self._object(font_id, (
                f"<< /Type /Font /Subtype /TrueType /BaseFont /{base} /FirstChar 0 /LastChar {len(subset) - 1} "
                f"/Widths [{widths}] /FontDescriptor {descriptor} 0 R /ToUnicode {cmap} 0 R >>").encode())
            refs.append((number, font_id))
        return refs

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def _object(self, object_id: int, body: bytes) -> None:
        self._queue(object_id, None, body)

    def _stream(self, object_id: int, extra: str, data: bytes) -> None:
        # level 1: a third of level 6's time; the file is about a fifth larger
        self._queue(object_id, extra, self._packer.submit(zlib.compress, data, 1))

    def _queue(self, object_id: int, extra: str | None, body: Future[bytes] | bytes) -> None:
        pending = self._pending
        pending.append((object_id, extra, body))
        while pending and (len(pending) > PENDING_LIMIT or not isinstance(pending[0][2], Future)
                           or pending[0][2].done()):
            self._write_object(*pending.popleft())

    def _flush(self) -> None:
        while self._pending:
            self._write_object(*self._pending.popleft())
        self._packer.shutdown()

    def _write_object(self, object_id: int, extra: str | None, body: Future[bytes] | bytes) -> None:
        self.offsets[object_id] = self.file.tell()
        if isinstance(body, Future):
            packed = body.result()
            self._write(f"{object_id} 0 obj\n<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n"
                        .encode() + packed + b"\nendstream\nendobj\n")
        else:
            self._write(f"{object_id} 0 obj\n".encode() + body + b"\nendobj\n")

    def _write(self, data: bytes) -> None:
        self.file.write(data)
