"""A small query language for lists (after Kanboard's filters), and its meaning for cases.

Syntax (generic, reused by the board for tasks)::

    stage:planning need:housing_repair org:"七尾市社会福祉協議会" sector:community
    area:御祓 priority:urgent overdue consent:no 山田 -stage:closed opened:<2024-02-01

- ``field:value`` — a filter; ``field:"quoted value"`` keeps spaces; ``a,b`` means a OR b.
- ``field:<value``, ``field:<=value``, ``field:>value``, ``field:>=value`` — comparisons
  (dates as YYYY-MM-DD, or numbers).
- ``-field:value`` — negation (``-"words"`` and ``-word`` negate free text).
- bare words and ``"quoted phrases"`` — free text; every word must match.
- field names are case-insensitive; a full-width colon ``：`` and full-width spaces work too.

:func:`parse_query` knows no field meanings: it returns :class:`Term` objects and, given
the list of known field names, raises :class:`QueryError` naming the bad token.

Case fields (:data:`CASE_FIELDS`), values accepted as code, English or Japanese label:

=============  =====================================================================
``stage``      the case's stage (``planning``, ``Planning``, ``ケース会議・支援計画``)
``priority``   the case's priority
``need``       has an open (unmet or in progress) need of that category
``org``        an organisation taking part (name, part of a name, or acronym)
``sector``     an organisation of that sector takes part (state, market, community…)
``area``       district, municipality or 6-digit municipality code contains the text
``damage``     damage level; ``support``: support class
``consent``    ``yes`` / ``no``: consent to share has been given
``opened``     opening date, e.g. ``opened:>=2024-03-01``
``assignee``   has an open task assigned to that person (``assignee:me``: to me)
``vulnerable`` a coded vulnerability (``vulnerable:elderly_alone``, 独居高齢者)
``overdue``    (bare word, or ``is:overdue``) has an open task past its due date
``unmet``      (bare word, or ``is:unmet``) has at least one unmet need
``untaken``    (or ``is:untaken``) has an open need no organisation has taken: no open
               task for that need with a lead organisation (resource mapping's "taker")
=============  =====================================================================

Free text matches the reference, address, contact name and phone number.
``org:my-org`` means the organisations the signed-in person acts for, ``assignee:me``
that person (services/identity.py); without a signed-in person they are an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from recovery_desk.domain.errors import ValidationError
from recovery_desk.domain.vocabulary import (
    CLOSED_TASK_STATUSES,
    DAMAGE_LEVEL,
    NEED_CATEGORY,
    PRIORITY,
    SECTOR,
    STAGE,
    SUPPORT_CLASS,
    Vocabulary,
)
from recovery_desk.i18n import tr

COMPARISONS = ("<=", ">=", "<", ">", "=")


class QueryError(ValidationError):
    """A query that cannot be understood; ``token`` is the offending piece of text."""

    def __init__(self, message: str, /, token: str = "", position: int = 0, **params: object):
        super().__init__(message, field="query", token=token, **params)
        self.token = token
        self.position = position


@dataclass(frozen=True)
class Term:
    """One piece of a query. ``field`` is None for free text."""

    field: str | None
    value: str
    op: str = ":"  # ":" (equals / contains) or one of COMPARISONS
    negated: bool = False
    quoted: bool = False
    position: int = 0
    token: str = ""

    @property
    def values(self) -> list[str]:
        """The comma-separated alternatives of an unquoted value (``stage:intake,planning``)."""
        if self.quoted:
            return [self.value]
        return [v for v in (p.strip() for p in self.value.split(",")) if v]


@dataclass
class Query:
    terms: list[Term] = field(default_factory=list)

    @property
    def filters(self) -> list[Term]:
        return [t for t in self.terms if t.field is not None]

    @property
    def words(self) -> list[Term]:
        return [t for t in self.terms if t.field is None]

    def __bool__(self) -> bool:
        return bool(self.terms)

    def get(self, name: str) -> list[Term]:
        return [t for t in self.terms if t.field == name]


_SPACE = "\\s\u3000"
_TOKEN = re.compile(
    rf"""
    (?P<neg>-)?
    (?:
        (?P<field>[A-Za-z_][A-Za-z0-9_]*)[:：](?P<op><=|>=|<|>|=)?
        (?:"(?P<fquoted>[^"]*)"|“(?P<fquoted2>[^”]*)”|(?P<fbare>[^{_SPACE}]*))
      | "(?P<quoted>[^"]*)"
      | “(?P<quoted2>[^”]*)”
      | (?P<bare>[^{_SPACE}]+)
    )
    """,
    re.VERBOSE,
)


def parse_query(text: str, fields: Iterable[str] | None = None, flags: Iterable[str] = ()) -> Query:
    """Split ``text`` into terms. With ``fields``, an unknown field name is an error.

    ``flags`` are bare words that are filters (``overdue``): they become ``Term("is", word)``.
    """
    known = {f.casefold() for f in fields} if fields is not None else None
    flag_set = {f.casefold() for f in flags}
    terms: list[Term] = []
    pos = 0
    text = text or ""
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        if text[pos] in "\"“":
            closing = "\"" if text[pos] == "\"" else "”"
            if closing not in text[pos + 1:]:
                raise QueryError("a quote is not closed in {token}", token=text[pos:], position=pos)
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:  # pragma: no cover - the bare branch always matches
            raise QueryError("cannot read the query at {token}", token=text[pos:], position=pos)
        token = match.group(0)
        negated = bool(match.group("neg"))
        if match.group("field") is not None:
            name = match.group("field").casefold()
            value = match.group("fquoted")
            if value is None:
                value = match.group("fquoted2")
            quoted = value is not None
            if value is None:
                value = match.group("fbare") or ""
                if value.startswith(("\"", "“")):
                    raise QueryError("a quote is not closed in {token}", token=text[pos:], position=pos)
            if known is not None and name not in known and name != "is":
                raise QueryError("unknown field {name} in {token}; use one of: {known}", token=token,
                                 position=pos, name=name, known=", ".join(sorted(known)))
            if not value:
                raise QueryError("{token} needs a value after the colon", token=token, position=pos)
            op = match.group("op") or ":"
            if name == "is":
                if flag_set and value.casefold() not in flag_set:
                    raise QueryError("unknown flag {token}; use one of: {known}", token=token, position=pos,
                                     known=", ".join(sorted(flag_set)))
                value = value.casefold()
            terms.append(Term(name, value, op, negated, quoted, pos, token))
        else:
            value = match.group("quoted")
            if value is None:
                value = match.group("quoted2")
            quoted = value is not None
            if value is None:
                value = match.group("bare")
            if not quoted and value.casefold() in flag_set:
                terms.append(Term("is", value.casefold(), ":", negated, False, pos, token))
            elif value.strip():
                terms.append(Term(None, value, ":", negated, quoted, pos, token))
        pos = match.end()
    return Query(terms)


def resolve_vocab(vocab: Vocabulary, term: Term) -> list[str]:
    """The codes a term names (code, English or Japanese label), or a QueryError."""
    codes = []
    for value in term.values:
        code = vocab.lookup(value)
        if code is None:
            raise QueryError("{value} is not a known {name} in {token}; use one of: {known}",
                             token=term.token, position=term.position, value=value, name=term.field,
                             known=", ".join(vocab.codes))
        codes.append(code)
    return codes


def parse_date_value(term: Term) -> date:
    try:
        return date.fromisoformat(term.value)
    except ValueError:
        raise QueryError("{token}: the date must be written YYYY-MM-DD", token=term.token,
                         position=term.position) from None


def unquote_if_needed(value: str) -> str:
    """Quote a value for a query when it contains spaces (for building queries in the UI)."""
    return f'"{value}"' if re.search(rf"[{_SPACE},]", value) or not value else value


# -- cases -----------------------------------------------------------------------------------
CASE_VOCAB_FIELDS: dict[str, Vocabulary] = {
    "stage": STAGE, "priority": PRIORITY, "damage": DAMAGE_LEVEL, "support": SUPPORT_CLASS,
    "need": NEED_CATEGORY, "sector": SECTOR,
}
CASE_FIELDS: tuple[str, ...] = ("stage", "priority", "need", "org", "sector", "area", "damage", "support",
                                "consent", "opened", "assignee", "vulnerable", "is")
ME, MY_ORG = "me", "my-org"
CASE_FLAGS: tuple[str, ...] = ("overdue", "unmet", "untaken")
YES = {"yes", "y", "true", "1", "はい", "あり", "有"}
NO = {"no", "n", "false", "0", "いいえ", "なし", "無"}


def parse_case_query(text: str) -> Query:
    return parse_query(text, CASE_FIELDS, CASE_FLAGS)


def my_organisations(term: Term, me: Any) -> list[str]:
    """The organisation ids ``my-org`` stands for (the signed-in person's), or a QueryError."""
    if me is None or not me.organisation_ids:
        raise QueryError("{token}: nobody is signed in as a member of an organisation", token=term.token,
                         position=term.position)
    return list(me.organisation_ids)


def my_person_id(term: Term, me: Any) -> str:
    if me is None or not me.person_id:
        raise QueryError("{token}: nobody is signed in as a person of this workspace", token=term.token,
                         position=term.position)
    return me.person_id


def organisation_matches(term: Term, me: Any) -> Any:
    """SQL condition on Organisation for an ``org:`` term (names, acronyms, ``my-org``)."""
    from sqlalchemy import false, or_

    from recovery_desk.storage.models import Organisation

    alternatives = [false()]
    for value in term.values:
        if value.casefold() == MY_ORG:
            alternatives.append(Organisation.id.in_(my_organisations(term, me)))
            continue
        like = f"%{escape_like(value)}%"
        alternatives += [Organisation.name.ilike(like, escape="\\"), Organisation.acronym.ilike(value)]
    return or_(*alternatives)


def person_matches(term: Term, me: Any) -> Any:
    """SQL condition on Person for an ``assignee:`` term (part of a name, or ``me``)."""
    from sqlalchemy import false, or_

    from recovery_desk.storage.models import Person

    alternatives = [false()]
    for value in term.values:
        if value.casefold() == ME:
            alternatives.append(Person.id == my_person_id(term, me))
        else:
            alternatives.append(Person.name.ilike(f"%{escape_like(value)}%", escape="\\"))
    return or_(*alternatives)


def case_conditions(query: Query | str, today: date | None = None, me: Any = None, *,
                    include_deleted: bool = False) -> list[Any]:
    """SQLAlchemy conditions selecting the live cases (deleted ones too with
    ``include_deleted``) that match ``query`` (AND of terms). ``me`` (an identity) gives
    ``org:my-org`` and ``assignee:me`` their meaning."""
    from sqlalchemy import and_, not_, or_, select

    from recovery_desk.storage.models import (
        Area,
        Case,
        Consent,
        Need,
        Organisation,
        Participation,
        Person,
        Task,
    )

    if isinstance(query, str):
        query = parse_case_query(query)
    today = today or date.today()
    conditions: list[Any] = [] if include_deleted else [Case.deleted_at.is_(None)]

    def participates(*where: Any) -> Any:
        # Non-correlated IN (one pass over the subquery), not EXISTS: SQLite would pick the
        # category/sector index for a correlated subquery and scan it once per case.
        orgs = select(Organisation.id).where(Organisation.deleted_at.is_(None), *where)
        return Case.id.in_(select(Participation.case_id).where(
            Participation.deleted_at.is_(None), Participation.organisation_id.in_(orgs)))

    for term in query.terms:
        cond: Any
        name = term.field
        if name is None:
            like = f"%{escape_like(term.value)}%"
            cond = or_(*(col.ilike(like, escape="\\") for col in
                         (Case.reference, Case.address, Case.contact_name, Case.contact_phone)))
        elif name in ("stage", "priority", "damage", "support"):
            column = {"stage": Case.stage, "priority": Case.priority, "damage": Case.damage_level,
                      "support": Case.support_class}[name]
            cond = column.in_(resolve_vocab(CASE_VOCAB_FIELDS[name], term))
        elif name == "need":
            cond = Case.id.in_(select(Need.case_id).where(
                Need.deleted_at.is_(None), Need.state.in_(("unmet", "in_progress")),
                Need.category.in_(resolve_vocab(NEED_CATEGORY, term))))
        elif name == "sector":
            cond = participates(Organisation.sector.in_(resolve_vocab(SECTOR, term)))
        elif name == "org":
            cond = participates(organisation_matches(term, me))
        elif name == "assignee":
            cond = Case.id.in_(select(Task.case_id).where(
                Task.deleted_at.is_(None), Task.archived_at.is_(None), Task.status.not_in(CLOSED_TASK_STATUSES),
                Task.assignee_id.in_(select(Person.id).where(Person.deleted_at.is_(None), person_matches(term, me)))))
        elif name == "vulnerable":
            from recovery_desk.domain.vocabulary import VULNERABILITY

            cond = or_(*(Case.vulnerable_categories.like(f"%{code}%")
                         for code in resolve_vocab(VULNERABILITY, term)))
        elif name == "area":
            alternatives = []
            for value in term.values:
                like = f"%{escape_like(value)}%"
                alternatives += [Area.district.ilike(like, escape="\\"), Area.municipality.ilike(like, escape="\\"),
                                 Area.municipality_code == value]
            cond = Case.area_id.in_(select(Area.id).where(Area.deleted_at.is_(None), or_(*alternatives)))
        elif name == "consent":
            answer = term.value.casefold()
            if answer not in YES | NO:
                raise QueryError("{token}: answer yes or no", token=term.token, position=term.position)
            given = Case.id.in_(select(Consent.case_id).where(Consent.deleted_at.is_(None),
                                                              Consent.given.is_(True)))
            cond = given if answer in YES else not_(given)
        elif name == "opened":
            day = parse_date_value(term)
            cond = {":": Case.opened_on == day, "=": Case.opened_on == day, "<": Case.opened_on < day,
                    "<=": Case.opened_on <= day, ">": Case.opened_on > day, ">=": Case.opened_on >= day}[term.op]
        elif name == "is" and term.value == "overdue":
            cond = Case.id.in_(select(Task.case_id).where(
                Task.deleted_at.is_(None), Task.status.not_in(CLOSED_TASK_STATUSES),
                Task.due_date.is_not(None), Task.due_date < today))
        elif name == "is" and term.value == "unmet":
            cond = Case.id.in_(select(Need.case_id).where(Need.deleted_at.is_(None), Need.state == "unmet"))
        elif name == "is" and term.value == "untaken":
            cond = Case.id.in_(select(Need.case_id).where(
                Need.deleted_at.is_(None), Need.state.in_(("unmet", "in_progress")),
                not_(has_taker(Need.case_id, Need.category))))
        else:  # pragma: no cover - parse_case_query rejects unknown fields and flags
            raise QueryError("unknown field {name} in {token}; use one of: {known}", token=term.token,
                             name=name, known=", ".join(CASE_FIELDS))
        conditions.append(not_(cond) if term.negated else cond)
    return [and_(*conditions)] if conditions else []


def has_taker(case_id: Any, category: Any) -> Any:
    """SQL: an organisation leads an open, live, unarchived task of ``category`` on ``case_id``
    (the tasks that hold a need in services/matching.py)."""
    from sqlalchemy import exists, select

    from recovery_desk.storage.models import Task

    taker = Task.__table__.alias("taker")
    return exists(select(taker.c.id).where(
        taker.c.case_id == case_id, taker.c.need_category == category, taker.c.lead_org_id.is_not(None),
        taker.c.deleted_at.is_(None), taker.c.archived_at.is_(None), taker.c.status.not_in(CLOSED_TASK_STATUSES)))


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def completions(fields: Sequence[str], vocabularies: dict[str, Vocabulary], lang: str = "en",
                flags: Sequence[str] = ()) -> list[str]:
    """Strings offered while typing: ``field:``, ``field:value`` (codes) and flags."""
    out = [f"{f}:" for f in fields if f != "is"]
    for name, vocab in vocabularies.items():
        out += [f"{name}:{code}" for code in vocab.codes]
        if lang == "ja":
            out += [f"{name}:{unquote_if_needed(t.ja)}" for t in vocab]
    out += list(flags)
    return out


def case_completions(lang: str = "en") -> list[str]:
    return completions(CASE_FIELDS, CASE_VOCAB_FIELDS, lang, CASE_FLAGS) + ["consent:yes", "consent:no"]


def describe_fields(lang: str | None = None) -> str:
    """One line per case field, for the query bar's tooltip."""
    lines = [
        tr("stage:planning — stage (code, English or Japanese label)", lang),
        tr("priority:urgent — priority", lang),
        tr("need:housing_repair — has an open need of that category", lang),
        tr('org:"name" — an organisation taking part (name or acronym)', lang),
        tr("sector:community — an organisation of that sector takes part", lang),
        tr("area:text — district, municipality or municipality code", lang),
        tr("damage:hankai, support:both — damage level, support class", lang),
        tr("consent:yes / consent:no — consent to share given", lang),
        tr("opened:<2024-02-01 — opening date (<, <=, >, >=)", lang),
        tr("org:my-org, assignee:me — my organisations' cases / cases with a task assigned to me", lang),
        tr("vulnerable:elderly_alone — a coded vulnerability (要配慮者)", lang),
        tr("overdue, unmet — has an overdue task / an unmet need", lang),
        tr("untaken — has a need no organisation has taken (on the board: the cards of such needs)", lang),
        tr("-stage:closed — a minus sign negates a term; a,b means a or b", lang),
        tr("other words — reference, address, contact name or phone", lang),
    ]
    return "\n".join(lines)
