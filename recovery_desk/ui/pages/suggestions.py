""""Who could take this": the ranked candidates for a case's unmet needs, with their reasons,
and one action that invites the chosen organisation onto the case with a role and creates
the task for the need (services.matching.invite; one undo step).

The candidates are read on the database worker (services.matching.match_case, a few
set-based queries) and shown in a tree: a need, then its candidates in ranked order.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recovery_desk.domain.vocabulary import NEED_CATEGORY, ROLE, SECTOR
from recovery_desk.i18n import tr
from recovery_desk.services import matching
from recovery_desk.services.workspace import Workspace
from recovery_desk.ui.context import AppContext
from recovery_desk.ui.pages.entity_editing import Step, perform

SHOWN_PER_NEED = 8
CANDIDATE = Qt.ItemDataRole.UserRole


def serves_label(level: str | None, lang: str) -> str:
    return {"district": tr("district", lang), "municipality": tr("municipality", lang),
            "prefecture": tr("prefecture", lang)}.get(level or "", tr("outside its areas", lang))


class SuggestionsPanel(QWidget):
    """Candidates for the case's unmet needs (or one need); ``show_for`` loads them on the worker."""

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, name: str = "suggestions"):
        super().__init__(parent)
        self.ctx = ctx
        lang = self.lang = ctx.lang
        self.setObjectName(name)
        self.case_id: str | None = None
        self.category: str | None = None
        self.match: matching.Match | None = None
        self._pending = 0
        title = QLabel(tr("Who could take this", lang))
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.tree = QTreeWidget()
        self.tree.setObjectName(f"{name}_tree")
        # The reasons say where it serves and what capacity it has left, in the ranking's order.
        self.tree.setHeaderLabels([tr("Organisation", lang), tr("Sector", lang), tr("Why", lang)])
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.tree.itemActivated.connect(lambda *_: self.invite())
        self.role = role_combo(lang)
        self.invite_button = QPushButton(tr("Invite onto the case", lang))
        self.invite_button.setObjectName(f"{name}_invite")
        self.invite_button.setToolTip(tr("Adds the organisation with this role and a task for the need it leads", lang))
        self.invite_button.clicked.connect(self.invite)
        row = QHBoxLayout()
        row.addWidget(title)
        row.addStretch(1)
        row.addWidget(QLabel(tr("Role", lang)))
        row.addWidget(self.role)
        row.addWidget(self.invite_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.tree, 1)
        self._update_buttons()

    def show_for(self, case_id: str | None, category: str | None = None) -> None:
        self.case_id, self.category = case_id, category
        if case_id is None:
            self.tree.clear()
            self.match = None
            self._update_buttons()
            return
        self._pending += 1
        ticket = self._pending

        def query(session: Any) -> matching.Match:
            return matching.match_case(matching.dbapi(session), case_id, category)

        def done(result: matching.Match) -> None:
            if ticket == self._pending and case_id == self.case_id:
                self._fill(result)

        self.ctx.read(query, done)

    def set_match(self, case_id: str, match: matching.Match) -> None:
        """Show candidates read elsewhere (the case editor reads once for both of its panels)."""
        self.case_id, self.category = case_id, None
        self._pending += 1
        self._fill(match)

    def _fill(self, match: matching.Match) -> None:
        lang = self.lang
        self.match = match
        self.tree.clear()
        if not match.needs:
            QTreeWidgetItem(self.tree, [tr("the case has no unmet need", lang)])
        for need in match.needs:
            top = QTreeWidgetItem(self.tree, [NEED_CATEGORY.label(need.category, lang)])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setFirstColumnSpanned(True)
            if not need.candidates:
                QTreeWidgetItem(top, [tr("no organisation has this capability", lang)])
            for cand in need.candidates[:SHOWN_PER_NEED]:
                reasons = cand.reasons(lang)
                item = QTreeWidgetItem(top, [cand.name, SECTOR.label(cand.sector, lang), "; ".join(reasons[1:])])
                item.setData(0, CANDIDATE, cand)
                for column in range(3):
                    item.setToolTip(column, "\n".join(reasons))
            top.setExpanded(True)
        for column in range(2):
            self.tree.resizeColumnToContents(column)
        first = self._first_candidate()
        if first is not None:
            self.tree.setCurrentItem(first)
        self._update_buttons()
        self.loaded.emit()

    def _first_candidate(self) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, CANDIDATE) is not None:
                    return top.child(j)
        return None

    def selected(self) -> matching.Candidate | None:
        item = self.tree.currentItem()
        return item.data(0, CANDIDATE) if item is not None else None

    def _update_buttons(self) -> None:
        self.invite_button.setEnabled(self.selected() is not None)

    def invite(self) -> None:
        cand, case_id = self.selected(), self.case_id
        if cand is None or case_id is None:
            return
        role, lang = self.role.currentData(), self.lang
        holder: dict[str, matching.Invitation] = {}

        def invite(ws: Workspace) -> Any:
            holder["invitation"] = matching.invite(ws, case_id, cand.organisation_id, cand.category, role, lang=lang)
            return holder["invitation"].changes

        def job(ws: Workspace) -> Step:
            return Step(invite(ws), undo=lambda w: matching.withdraw_invitation(w, holder["invitation"]), redo=invite)

        perform(self.ctx, tr("Invite {org} for {need}", lang, org=cand.name,
                             need=NEED_CATEGORY.label(cand.category, lang)), job)


def suggestions_for(ctx: AppContext, case_id: str, *panels: SuggestionsPanel) -> None:
    """One read of a case's candidates, shown in every panel still on that case."""
    def query(session: Any) -> matching.Match:
        return matching.match_case(matching.dbapi(session), case_id)

    def done(result: matching.Match) -> None:
        for panel in panels:
            if shiboken6.isValid(panel):
                panel.set_match(case_id, result)

    for panel in panels:
        panel.case_id = case_id
    ctx.read(query, done)


def role_combo(lang: str) -> QComboBox:
    """The role an invited organisation takes on the case (implementer by default)."""
    combo = QComboBox()
    combo.setObjectName("invite_role")
    for term in ROLE:
        combo.addItem(term.label(lang), term.code)
    combo.setCurrentIndex(max(0, combo.findData("implementer")))
    return combo
