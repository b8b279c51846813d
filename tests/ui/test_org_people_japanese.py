"""Both pages in Japanese: no English message or vocabulary label left on screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from recovery_desk.domain.vocabulary import ALL_VOCABULARIES
from recovery_desk.i18n.ja import JA
from recovery_desk.ui.pages.organisations_page import OrganisationsPage
from recovery_desk.ui.pages.people_page import PeoplePage

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support ")

# English texts that have a different Japanese form: seeing one in the Japanese UI is a bug.
ENGLISH = {en for en, ja in JA.items() if en != ja} | {
    t.en for v in ALL_VOCABULARIES for t in v if t.en != t.ja
}


def visible_texts(root: QWidget) -> list[str]:
    texts: list[str] = []
    for w in root.findChildren(QWidget):
        if isinstance(w, QLabel):
            texts.append(w.text())
        elif isinstance(w, QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        elif isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QTabWidget):
            texts += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            texts += [model.headerData(c, Qt.Orientation.Horizontal) or "" for c in range(model.columnCount())]
            for r in range(min(model.rowCount(), 30)):
                texts += [model.index(r, c).data() or "" for c in range(model.columnCount())]
        texts.append(w.toolTip())
    return [t for t in texts if t]


@pytest.mark.parametrize("page_class", [OrganisationsPage, PeoplePage])
def test_japanese_pages_show_no_english(qtbot, ctx_ja, page_class):
    page = page_class(ctx_ja)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.rows_loaded, timeout=10_000):
        page.show()
    first = page.model.rows[0].id
    with qtbot.waitSignal(page.editor.detail_loaded, timeout=10_000):
        (page.show_organisation if page_class is OrganisationsPage else page.show_person)(first)
    texts = visible_texts(page)
    assert len(texts) > 50
    leftovers = sorted({t for t in texts if t in ENGLISH})
    assert not leftovers, leftovers
    if page_class is OrganisationsPage:
        tips = page.triangle.tooltip_text(first)
        assert not any(line.split(":")[0] in ENGLISH for line in tips.splitlines()), tips
