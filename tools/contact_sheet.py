"""A contact sheet of a workbook: every page as a thumbnail, in spreads as the open book shows
them (page 1 alone on the right, then 2-3, 4-5, ...), rendered in grey as a photocopy would.

    python tools/contact_sheet.py output/devops-engineer.pdf docs/contact-sheet.png

Needs pdftoppm (poppler-utils). The sheet is a PDF of the pages placed as form XObjects
(pikepdf), rendered once; nothing is laid out again.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pikepdf

THUMB_WIDTH = 62.0  # points: a page's thumbnail
SPREADS_PER_ROW = 6
GAP = 10.0  # between spreads and between rows
MARGIN = 12.0


def contact_sheet(source: Path, out: Path, resolution: int = 100) -> None:
    with pikepdf.open(source) as pdf, pikepdf.new() as sheet:
        pages = list(pdf.pages)
        width, height = (float(v) for v in pages[0].trimbox[2:])
        scale = THUMB_WIDTH / width
        thumb_height = height * scale
        spreads = [[None, 0]] + [[n, n + 1] for n in range(1, len(pages), 2)]
        rows = -(-len(spreads) // SPREADS_PER_ROW)
        spread_width = 2 * THUMB_WIDTH
        sheet_width = 2 * MARGIN + SPREADS_PER_ROW * spread_width + (SPREADS_PER_ROW - 1) * GAP
        sheet_height = 2 * MARGIN + rows * thumb_height + (rows - 1) * GAP
        sheet.add_blank_page(page_size=(sheet_width, sheet_height))
        target = sheet.pages[0]
        forms = pikepdf.Dictionary()
        drawing = [f"1 g 0 0 {sheet_width:.2f} {sheet_height:.2f} re f"]
        for index, spread in enumerate(spreads):
            row, col = divmod(index, SPREADS_PER_ROW)
            x = MARGIN + col * (spread_width + GAP)
            y = sheet_height - MARGIN - (row + 1) * thumb_height - row * GAP
            for side, number in enumerate(spread):
                if number is None or number >= len(pages):
                    continue
                name = pikepdf.Name(f"/P{number}")
                forms[name] = sheet.copy_foreign(pages[number].as_form_xobject())
                left = x + side * THUMB_WIDTH
                drawing.append(
                    f"q {scale:.5f} 0 0 {scale:.5f} {left:.2f} {y:.2f} cm {name} Do Q "
                    f"q 0.6 G 0.3 w {left:.2f} {y:.2f} {THUMB_WIDTH:.2f} {thumb_height:.2f} re S Q"
                )
        target.obj.Resources = pikepdf.Dictionary(XObject=forms)
        target.obj.Contents = sheet.make_stream("\n".join(drawing).encode())
        with tempfile.TemporaryDirectory() as scratch:
            sheet_pdf = Path(scratch) / "sheet.pdf"
            sheet.save(sheet_pdf)
            stem = Path(scratch) / "sheet"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-gray",
                    "-r",
                    str(resolution),
                    "-singlefile",
                    str(sheet_pdf),
                    str(stem),
                ],
                check=True,
            )
            out.write_bytes(stem.with_suffix(".png").read_bytes())


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python tools/contact_sheet.py WORKBOOK.pdf SHEET.png")
    contact_sheet(Path(sys.argv[1]), Path(sys.argv[2]))
