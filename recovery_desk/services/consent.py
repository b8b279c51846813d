"""What a household's consent lets through, in one place.

=================  =========================================================================
``none``           (also: no consent recorded, not given, or expired) personal data stays with
                   the coordinators: on screen for a coordinator only; never in reports,
                   exports or visit sheets (a visit sheet still gives the address, without
                   which nobody can visit, but not the name or phone).
``coordination``   shared among the organisations working on the case: on screen for their
                   members and the coordinators, and on visit sheets (name and phone);
                   not in reports or exports.
``reports``        as coordination, and in reports and exports that ask for personal data
                   (``--include-pii``).
=================  =========================================================================

A consent past its ``expires_on`` date acts as ``none``. The same rules hold in the app,
the CLI and the server (whose roles the server issue maps onto them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from recovery_desk.i18n import tr

LEVELS = ("none", "coordination", "reports")
PURPOSES = ("screen", "visit_sheet", "report", "export")
_NEEDS = {"screen": "coordination", "visit_sheet": "coordination", "report": "reports", "export": "reports"}


def effective_scope(consent: Any, today: date | None = None) -> str:
    """The scope that applies today: ``none`` unless given and unexpired."""
    if consent is None or getattr(consent, "deleted_at", None) is not None or not consent.given:
        return "none"
    if consent.expires_on is not None and consent.expires_on < (today or date.today()):
        return "none"
    return consent.scope if consent.scope in LEVELS else "none"


def allows(consent: Any, purpose: str, today: date | None = None) -> bool:
    """Whether the household's personal data may be used for ``purpose`` (one of PURPOSES;
    ``screen`` = shown to a person of another organisation working on the case)."""
    return LEVELS.index(effective_scope(consent, today)) >= LEVELS.index(_NEEDS[purpose])


def may_see_personal_data(consent: Any, me: Any, participating_org_ids: set[str], today: date | None = None) -> bool:
    """On screen: a coordinator (or nobody signed in: the file's owner) always; a member of an
    organisation working on the case when the consent allows sharing; anyone else never."""
    if me is None or me.coordinator:
        return True
    return allows(consent, "screen", today) and bool(set(me.organisation_ids) & participating_org_ids)


def describe(consent: Any, lang: str | None = None, today: date | None = None) -> str:
    """One sentence saying what the current consent allows (shown in the case editor)."""
    scope = effective_scope(consent, today)
    expired = consent is not None and consent.given and consent.expires_on is not None \
        and consent.expires_on < (today or date.today())
    if scope == "reports":
        return tr("Personal data may be shared with the organisations working on this case, printed on visit "
                  "sheets, and included in reports and exports that ask for it.", lang)
    if scope == "coordination":
        return tr("Personal data may be shared with the organisations working on this case and printed on "
                  "visit sheets; never in reports or exports.", lang)
    if expired:
        return tr("The consent expired on {day}: personal data stays with the coordinators (as with no consent).",
                  lang, day=consent.expires_on.isoformat())
    return tr("No consent to share: personal data stays with the coordinators; visit sheets give the address "
              "only; never in reports or exports.", lang)
