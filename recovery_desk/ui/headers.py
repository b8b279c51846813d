"""Column widths that never cut a column's title: each column as wide as its title (every
line of it) and its visible content, with a little air, content capped so one long note does
not push the others off screen. The last column keeps stretching to the view's edge."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QTreeView

PADDING = 14  # px beside the title and the content, so neighbouring titles do not touch
CONTENT_CAP = 320  # px: wider content is elided (the title never is)


def header_of(view: QAbstractItemView) -> QHeaderView:
    return view.horizontalHeader() if isinstance(view, QTableView) else view.header()  # type: ignore[attr-defined]


def title_width(view: QAbstractItemView, column: int) -> int:
    """The width a column's title needs: its widest line, the style's margins, the sort arrow."""
    header = header_of(view)
    model = view.model()
    text = str(model.headerData(column, Qt.Orientation.Horizontal) or "") if model is not None else ""
    metrics = header.fontMetrics()
    widest = max((metrics.horizontalAdvance(line) for line in text.split("\n")), default=0)
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    arrow = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header) \
        if header.isSortIndicatorShown() else 0
    return widest + 2 * margin + arrow + PADDING


def fit_columns(view: QTableView | QTreeView) -> None:
    """Size every column (but a stretching last one) to its title and content; call after a fill."""
    header = header_of(view)
    model = view.model()
    if model is None:
        return
    count = model.columnCount()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column in range(count):
        if header.isSectionHidden(column):
            continue
        title = title_width(view, column)
        content = min(view.sizeHintForColumn(column) + PADDING, CONTENT_CAP)
        header.resizeSection(column, max(title, content))
    if count and header.stretchLastSection():
        header.setMinimumSectionSize(min(header.minimumSectionSize(), title_width(view, count - 1)))


def keep_titles_whole(view: QTableView | QTreeView) -> None:
    """Widen any column narrower than its title, now and whenever the columns change (a new
    model, a restored header state): fixed default widths and saved widths were chosen for one
    language and one font ("Lead organisation" was cut). Content is left to the user."""
    header = header_of(view)

    def widen(*_args: object) -> None:
        model = view.model()
        if model is None:
            return
        for column in range(model.columnCount()):
            needed = title_width(view, column)
            if not header.isSectionHidden(column) and header.sectionSize(column) < needed:
                header.resizeSection(column, needed)

    header.sectionCountChanged.connect(widen)
    if view.model() is not None:
        view.model().headerDataChanged.connect(widen)
    widen()
