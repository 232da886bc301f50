"""One student's statement on A4 pages: a header on every page, the table of entries (as many pages as it
takes), then the closing balance (main + pockets = total, where the student has pockets), each pocket and the
open loan, counters, study programme and the verification code with its QR code. Every page's footer repeats
the code, so a loose page still names its statement."""

from __future__ import annotations

from campbank.core.money import format_amount
from campbank.formats.statements.canvas import BOLD, REGULAR, StatementCanvas
from campbank.ledger.views.statements import Statement, StatementLine
from campbank.rules.study_fine import Progress

LEFT, RIGHT = 36.0, 559.0
TOP = 806.0
ROW = 10.4
ROW_SIZE = 7.5
FIRST_ROW = 746.0
BOTTOM = 52.0
SUMMARY_HEIGHT = 200.0  # what the closing block needs, without pockets or a loan
SECTION_LINE = 10.5
SECTION_GAP = 16.0
# column: (x, width, align); amounts are right-aligned at x + width
COLUMNS = {"day": (LEFT, 50.0, "left"), "type": (88.0, 76.0, "left"), "description": (166.0, 188.0, "left"),
           "other": (356.0, 108.0, "left"), "amount": (466.0, 44.0, "right"), "balance": (512.0, 47.0, "right")}
COUNTERS = (("seminar_attend", "seminars attended"), ("fac_attend", "facultatives attended"),
            ("seminar_pass", "seminars given"), ("lab_pass", "labs passed"), ("fac_pass", "facultatives passed"),
            ("lecture_attend", "lectures attended"), ("lecture_miss", "lectures missed"), ("workout", "workouts"),
            ("class_attend", "classes attended"))


def rows_per_page() -> int:
    return int((FIRST_ROW - BOTTOM) / ROW) + 1


def page_count(statement: Statement) -> int:
    per_page = rows_per_page()
    rows = len(statement.lines)
    full, last = divmod(rows, per_page)
    pages = max(1, full + (1 if last else 0))
    used = last if last else (per_page if rows else 0)
    if FIRST_ROW - used * ROW - _summary_height(statement) < BOTTOM - ROW:
        pages += 1  # the closing block goes on a page of its own
    return pages


def draw(pdf: StatementCanvas, st: Statement, camp: str) -> int:
    """Draw the statement; returns how many pages it took."""
    pages = page_count(st)
    per_page = rows_per_page()
    sign = st.currency_sign
    lines = st.lines
    page = 1
    _header(pdf, st, camp, page, pages)
    y = FIRST_ROW
    for index, line in enumerate(lines):
        if index and index % per_page == 0:
            _footer(pdf, st)
            pdf.show_page()
            page += 1
            _header(pdf, st, camp, page, pages)
            y = FIRST_ROW
        _row(pdf, y, line)
        y -= ROW
    if not lines:
        pdf.text(LEFT, y, "No entries in this period.", grey=True)
        y -= ROW
    if y - _summary_height(st) < BOTTOM - ROW:
        _footer(pdf, st)
        pdf.show_page()
        page += 1
        _header(pdf, st, camp, page, pages, table=False)
        y = FIRST_ROW + 14
    _summary(pdf, st, y - 6, sign)
    _footer(pdf, st)
    pdf.show_page()
    return page


def _header(pdf: StatementCanvas, st: Statement, camp: str, page: int, pages: int, *, table: bool = True) -> None:
    sign = st.currency_sign
    pdf.text(LEFT, TOP, "CampBank — account statement", font_name=BOLD, size=12)
    pdf.text(RIGHT, TOP, f"page {page} of {pages}", size=7.5, align="right", grey=True)
    who = [st.username, st.squad or "no squad"] + ([f"grade {st.grade}"] if st.grade is not None else [])
    pdf.text(LEFT, 790, pdf.fit(st.full_name or st.username, 260, font_name=BOLD, size=10), font_name=BOLD,
             size=10)
    pdf.text(300, 790, pdf.fit(" · ".join(who), RIGHT - 300, size=8), size=8)
    pdf.text(LEFT, 776, pdf.fit(f"Period {st.first_day} to {st.last_day} · {camp}", 330, size=8), size=8, grey=True)
    pdf.text(RIGHT, 776, f"Opening balance {format_amount(st.opening, sign)}", font_name=BOLD, size=8.5, align="right")
    if table:
        pdf.band(LEFT - 2, 756, RIGHT - LEFT + 4, 12)
        for key, title in (("day", "Date"), ("type", "Type"), ("description", "Description"),
                           ("other", "Other party"), ("amount", f"Amount {sign}"), ("balance", f"Balance {sign}")):
            x, width, align = COLUMNS[key]
            pdf.text(x + width if align == "right" else x, 759.5, title, font_name=BOLD, size=7.5, align=align)


def _row(pdf: StatementCanvas, y: float, line: StatementLine) -> None:
    """One line of the table as one text object: each column moved to from the one before (`Td`). The date
    and each text column (cut to fit and encoded) repeat from line to line and are remembered (a whole line's
    text columns rarely repeat: descriptions differ); the amounts are right-aligned by the font's widths."""
    day = pdf.remembered(line.day)
    if day is None:
        day = pdf.remember(line.day, pdf.cell("day", line.day.isoformat(), 0.0, 0.0))
    middle = (pdf.cell("type", line.type, _TYPE_MOVE, 73.0)
              + pdf.cell("description", line.description, _DESCRIPTION_MOVE, 185.0)
              + pdf.cell("other", line.other_party, _OTHER_MOVE, 105.0))
    amount, balance = format_amount(line.amount, ""), format_amount(line.balance, "")
    amount_start = _AMOUNT_EDGE - pdf.ascii_width(amount, ROW_SIZE)
    balance_start = _BALANCE_EDGE - pdf.ascii_width(balance, ROW_SIZE)
    if line.reverses:
        pdf.raw(f"BT 0.45 g {LEFT:.2f} {y:.2f} Td{day}{middle} {amount_start - _OTHER_X:.2f} 0 Td /F0S0 {ROW_SIZE} Tf "
                f"({amount}) Tj 0 g {balance_start - amount_start:.2f} 0 Td /F0S0 {ROW_SIZE} Tf ({balance}) Tj ET")
    else:
        pdf.raw(f"BT {LEFT:.2f} {y:.2f} Td{day}{middle} {amount_start - _OTHER_X:.2f} 0 Td /F0S0 {ROW_SIZE} Tf "
                f"({amount}) Tj {balance_start - amount_start:.2f} 0 Td /F0S0 {ROW_SIZE} Tf ({balance}) Tj ET")


_TYPE_MOVE = COLUMNS["type"][0] - LEFT
_DESCRIPTION_MOVE = COLUMNS["description"][0] - COLUMNS["type"][0]
_OTHER_X = COLUMNS["other"][0]
_OTHER_MOVE = _OTHER_X - COLUMNS["description"][0]
_AMOUNT_EDGE = COLUMNS["amount"][0] + COLUMNS["amount"][1]
_BALANCE_EDGE = COLUMNS["balance"][0] + COLUMNS["balance"][1]


def _summary_height(st: Statement) -> float:
    extra = 0.0
    if st.pockets:
        extra += 12 + SECTION_GAP + SECTION_LINE * len(st.pockets)  # the entries' line moves down; each pocket
    if st.loan is not None:
        extra += SECTION_GAP + SECTION_LINE
    if st.pockets or st.loan is not None:
        extra += 11  # the code's longer explanation
    return SUMMARY_HEIGHT + (12 if st.equator is not None else 0) + extra


def _summary(pdf: StatementCanvas, st: Statement, y: float, sign: str) -> None:
    pdf.line(LEFT, y + 6, RIGHT, y + 6, 0.6)
    closing = f"Closing balance on {st.last_day}: {format_amount(st.closing, sign)}"
    if st.pockets:  # as the student's own screen: what they have is main + pockets
        closing = (f"Closing balance on {st.last_day}: main {format_amount(st.closing, sign)} + pockets "
                   f"{format_amount(st.saved, sign)} = {format_amount(st.total, sign)}")
    pdf.text(LEFT, y - 8, pdf.fit(closing, RIGHT - LEFT, font_name=BOLD, size=10.5), font_name=BOLD, size=10.5)
    if st.pockets:
        y -= 12
    pdf.text(RIGHT, y - 8, f"{len(st.lines)} entries · in {format_amount(st.money_in, sign)} · out "
                           f"{format_amount(st.money_out, sign)}", size=8, align="right")
    y -= 28
    if st.pockets:
        y = _pockets(pdf, st, y, sign) - SECTION_GAP
    if st.loan is not None:
        y = _loan(pdf, st, y, sign) - SECTION_GAP
    pdf.text(LEFT, y, f"Counters on {st.last_day}", font_name=BOLD, size=8.5)
    counted = [f"{label} {st.counters[name]}" for name, label in COUNTERS if st.counters.get(name)]
    if st.counters.get("book_certificate"):
        counted.append(f"book certificates {format_amount(st.counters['book_certificate'], sign)}")
    y = _wrapped(pdf, y - 11, " · ".join(counted) or "none yet", 8)
    y -= 16
    pdf.text(LEFT, y, "Study programme", font_name=BOLD, size=8.5)
    y = _wrapped(pdf, y - 11, _programme("Final", st.final, sign), 8)
    if st.equator is not None:
        y = _wrapped(pdf, y - 11, _programme("Equator", st.equator, sign), 8)
    y -= 18
    pdf.qr(st.code.replace("-", ""), LEFT, y, 78)
    x = LEFT + 90
    pdf.text(x, y - 10, "Verification code", font_name=BOLD, size=9)
    pdf.text(x, y - 26, st.code, font_name=BOLD, size=12)
    pdf.text(x, y - 40, f"Check it: campbank statement check {st.code}", size=7.5)
    holdings = bool(st.pockets) or st.loan is not None
    covers = (f"It covers every entry of {st.username}{' and of their pockets' if holdings else ''} dated "
              f"{st.first_day} to {st.last_day}, the opening and closing balances"
              f"{', the pockets and the loan' if holdings else ''}: any change to them since this statement was "
              "made makes the check fail.")
    last = _wrapped(pdf, y - 51, covers, 7.5, x=x, grey=True)
    pdf.text(x, min(y - 74, last - 13), f"Made {st.made_at:%Y-%m-%d %H:%M} UTC.", size=7.5, grey=True)


def _pockets(pdf: StatementCanvas, st: Statement, y: float, sign: str) -> float:
    """A line per pocket besides main: its name (as the student typed it), kind and target, balance."""
    pdf.text(LEFT, y, f"Pockets on {st.last_day}, besides main", font_name=BOLD, size=8.5)
    for pocket in st.pockets:
        y -= SECTION_LINE
        kind = pocket.kind
        if pocket.target:
            kind += f", target {format_amount(pocket.target, sign)}"
        pdf.text(LEFT + 8, y, pdf.fit(pocket.name, 190, size=8), size=8)
        pdf.text(LEFT + 204, y, kind, size=8, grey=True)
        pdf.text(LEFT + 400, y, format_amount(pocket.balance, sign), size=8, align="right")
    return y


def _loan(pdf: StatementCanvas, st: Statement, y: float, sign: str) -> float:
    loan = st.loan
    assert loan is not None
    pdf.text(LEFT, y, f"Loan on {st.last_day}", font_name=BOLD, size=8.5)
    y -= SECTION_LINE
    left = f"{loan.instalments_left} instalment{'' if loan.instalments_left == 1 else 's'} left"
    text = (f"Loan #{loan.id} of {format_amount(loan.principal, sign)} on {loan.day}: "
            f"{format_amount(loan.total_due, sign)} due in {loan.instalments} instalments; "
            f"{format_amount(loan.outstanding, sign)} outstanding, {left}")
    pdf.text(LEFT + 8, y, pdf.fit(text, RIGHT - LEFT - 8, size=8), size=8)
    return y


def _programme(stage: str, p: Progress, sign: str) -> str:
    return (f"{stage}: seminars + facultatives {p.visits} / {p.visits_target} · labs {p.labs} / {p.labs_target} · "
            f"facultatives passed {p.fac_passes} / {p.fac_passes_target} · seminars given {p.seminars_given} / "
            f"{p.seminars_target} · study fine to expect {format_amount(p.expected_fine, sign)}")


def _wrapped(pdf: StatementCanvas, y: float, text: str, size: float, *, x: float = LEFT, grey: bool = False
             ) -> float:
    """Write `text` from `x` to the right margin over as many lines as it needs; returns the y of the last line."""
    words, line, units = text.split(" "), "", 0.0
    space = pdf.units_of(" ", REGULAR)
    for word in words:
        joined = f"{line} {word}"
        candidate = joined.strip()
        # the widths of the line so far and of the word add up (exactly: the font's widths are in 1/256 units)
        grown = (units + space + pdf.units_of(word, REGULAR) if candidate == joined
                 else pdf.units_of(candidate, REGULAR))
        if grown * size / 1000 > RIGHT - x and line:
            pdf.text(x, y, line, size=size, grey=grey)
            y -= size + 3
            line, units = word, pdf.units_of(word, REGULAR)
        else:
            line, units = candidate, grown
    pdf.text(x, y, line, size=size, grey=grey)
    return y


def _footer(pdf: StatementCanvas, st: Statement) -> None:
    pdf.line(LEFT, 40, RIGHT, 40, 0.3)
    pdf.text(LEFT, 30, f"CampBank statement of {st.username}, {st.first_day} to {st.last_day}", size=6.5, grey=True)
    pdf.text(RIGHT, 30, f"code {st.code}", size=6.5, align="right", grey=True)
