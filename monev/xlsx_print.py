"""The one print setup of every workbook the application writes (E.81, Waktu SOP, the offline
sheets, the SOP monitoring and evaluation): how an office prints them on its paper."""

from django.utils.translation import gettext
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

# Paper sizes of the office setting, as the spreadsheet page-setup codes (14 = Folio 8.5 x 13
# in, the F4 sheet Indonesian offices print on).
PAPER_CODES = {"A4": 9, "F4": 14}


def print_setup(
    ws: Worksheet,
    paper_size: str,
    *,
    scale: int | None = None,
    title_rows: str = "",
    title_columns: str = "",
) -> None:
    """Landscape on the office's paper, page numbers in the footer, header rows repeated.

    With ``scale`` the sheet prints at that size over as many pages as it needs (a wide form
    shrunk to one page width printed at 4 pt); without, it fits one page wide.
    """
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = PAPER_CODES.get(paper_size, PAPER_CODES["A4"])
    ws.page_setup.pageOrder = "overThenDown"
    if scale is None:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages as the rows need
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.page_setup.scale = scale
        ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.9, bottom=0.6, header=0.3)
    if title_rows:
        ws.print_title_rows = title_rows
    if title_columns:
        ws.print_title_cols = title_columns
    ws.oddFooter.center.text = gettext("Halaman &P dari &N")
