"""Open deadlines of a case or of the whole register, in one shape for the calendar and table
exporters: each instance of a timescale whose clock runs and that is still to be done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from regflow.engine.cases.timescales import PAST_DUE, SOON_DAYS, STRENGTH_WORDS


@dataclass(frozen=True)
class Deadline:
    case_id: int
    case_title: str
    spec_id: str
    timescale: str
    occurrence: int
    label: str
    due: date
    status: str  # as stored: pending, breached, departed, late, not achieved
    standing: str  # today: overdue / later than normal / behind target / due soon / ""
    strength: str
    citation: str
    responsible: str
    rule: str = ""
    approximate: bool = False

    @property
    def binding(self) -> str:
        """How binding, in the words the register uses (limit, normally, target, ...)."""
        return STRENGTH_WORDS.get(self.strength, self.strength)


def _standing(due: date, strength: str, today: date) -> str:
    if due < today:
        return PAST_DUE.get(strength, "overdue")
    return "due soon" if (due - today).days <= SOON_DAYS else ""


def case_deadlines(view, today: date) -> list[Deadline]:
    """The open deadlines of a stored case (a :class:`CaseView`) as of ``today``."""
    case, spec = view.case, view.spec
    out = []
    for row in case.timescales(today):
        if not row.open or row.due is None or case.finished_on is not None:
            continue
        role = spec.role_label(row.responsible) if row.responsible else ""
        out.append(Deadline(view.id, view.title, spec.process.id, row.id, row.occurrence,
                            row.label, row.due, row.status, _standing(row.due, row.strength, today),
                            row.strength, row.citation, role, spec.rule_words(spec.timescale(row.id)),
                            row.approximate))
    return sorted(out, key=lambda d: (d.due, d.timescale, d.occurrence))


#: far enough ahead to list every open deadline of the register
_EVERYTHING = 365 * 200


def register_deadlines(register) -> list[Deadline]:
    """Every open deadline in the register, earliest first (from the stored projections, as
    ``regflow due`` lists them)."""
    out, roles = [], register.role_words()
    for row in register.due(within=_EVERYTHING, overdue=True):
        role = row["responsible"] or ""
        out.append(Deadline(row["case_id"], row["title"], row["spec_id"], row["timescale"],
                            row["occurrence"], row["label"], row["due"], row["status"],
                            _standing(row["due"], row["strength"], register.today),
                            row["strength"], row["citation"],
                            roles.get((row["spec_id"], role), role),
                            approximate=bool(row["approximate"])))
    return out
