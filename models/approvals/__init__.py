"""Who may decide on an approval (согласование и подписание), checked at the moment of decision.

Regulation cl. 15: documents sent on behalf of the office are signed by the district prosecutor,
and in the prosecutor's absence by the person replacing the prosecutor. The signatory is taken
from the roster on the day of the decision, not the day of the request: a head who went on leave
meanwhile may no longer sign, the acting deputy may.

A visa (виза: an assistant's or deputy's sign-off before the signatory) is never a signature:
it is recorded as given, and the document still waits for the signatory.

One exception to cl. 15: an order releasing a person held illegally may be given by any
prosecutor present (CL-155 art. 10(2)(9): every prosecutor must release such a person at once;
CPC art. 133(1): released by order of the prosecutor; CPC art. 14(4)). A prosecutor is anyone
of the office's staff with a class rank (CL-155 art. 44(2)), so every position on the roster.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum

from models.office.roster import Roster
from models.office.urgency import authorised_at
from models.timing.calendar import WorkingCalendar


class Decision(StrEnum):
    APPROVE = "approve"  # согласовать и подписать
    REJECT = "reject"  # отказать
    RETURN = "return"  # вернуть на доработку


class Authority(StrEnum):
    """Whose decision an approval needs (stored with it, so the check at the moment of decision
    applies the same rule the request was made under)."""

    SIGNATORY = "signatory"  # the signatory of the day: the head or the person replacing them
    VISA = "visa"  # the staff member asked for a visa, or whoever replaces them that day
    ON_CALL = "on_call"  # whoever is authorised at the moment, by the hour (urgent matters)


ANY_PROSECUTOR = (
    "any prosecutor present orders the release of a person held illegally"
    " (CL-155 art. 10(2)(9); CPC arts. 14(4), 133(1))"
)


@dataclass(frozen=True, slots=True)
class Verdict:
    accepted: bool
    reason: str
    acting: bool = False  # the signer replaces the head on that day
    # refused only because the document names another signatory: the caller redrafts it in the
    # name of this decider (a letter is signed by the person it names), then asks again
    redraft_for: str | None = None


def document_hash(body: str) -> str:
    """SHA-256 of a document's exact text (UTF-8): what a signature is bound to."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def authorised_approver(
    roster: Roster,
    day: dt.date,
    visa_by: str | None = None,
    *,
    moment: dt.datetime | None = None,
    on_call: bool = False,
) -> tuple[str | None, bool, str]:
    """Who may decide on ``day``: (staff id or None for the regional office, acting, reason).

    A signature of the office belongs to the signatory of the day (cl. 15); a visa (согласование)
    requested from a named staff member belongs to them, or to whoever replaces them that day;
    an urgent matter (``on_call``) to whoever is authorised at ``moment``, by the hour.
    """
    if on_call:
        now = moment or dt.datetime.now(dt.UTC)
        who = authorised_at(roster, now, WorkingCalendar())
        return (who.staff.id if who.staff else None), who.on_duty, who.reason
    if visa_by is not None:
        target = roster.replacement_for(visa_by, day)
        return target.staff.id if target.staff else None, target.key != visa_by, target.reason
    signatory = roster.signatory_on(day)
    return (signatory.staff.id if signatory.staff else None), signatory.acting, signatory.reason


@dataclass(frozen=True, slots=True)
class Choice:
    """A person offered as signer in a decision form: the value shows who and why."""

    staff_id: str
    label: str


def signer_of(value: str) -> str:
    """The staff id in a form's signer value (``"dep-1 · Name — reason"``) or a bare id."""
    return value.strip().split(" ", 1)[0] if value.strip() else ""


def decision_choices(
    roster: Roster,
    day: dt.date,
    visa_by: str | None = None,
    *,
    moment: dt.datetime | None = None,
    on_call: bool = False,
    escalated_to: frozenset[str] = frozenset(),
    any_prosecutor: bool = False,
    first: str | None = None,
) -> list[Choice]:
    """The people authorised to decide right now, the one the rules name first; for an urgent
    matter also those it was escalated to; for a release order every prosecutor present.
    ``first``: offered first when among them (the person the document names). Empty when nobody
    in the office may decide."""
    authorised, _acting, reason = authorised_approver(
        roster, day, visa_by, moment=moment, on_call=on_call
    )
    choices = []
    if authorised is not None:
        choices.append(
            Choice(authorised, f"{authorised} · {roster.staff[authorised].name} — {reason}")
        )
    if on_call:
        for staff_id in sorted(escalated_to - {authorised}):
            if staff_id in roster.staff:
                name = roster.staff[staff_id].name
                choices.append(
                    Choice(
                        staff_id, f"{staff_id} · {name} — the urgent matter was escalated to them"
                    )
                )
    if any_prosecutor:
        offered = {c.staff_id for c in choices}
        choices += [
            Choice(s.id, f"{s.id} · {s.name} — {ANY_PROSECUTOR}")
            for s in roster.present(day)
            if s.id not in offered
        ]
    return sorted(choices, key=lambda c: c.staff_id != first) if first else choices


def check_decision(
    roster: Roster,
    *,
    signer_id: str,
    decision: Decision,
    day: dt.date,
    drafter_id: str | None,
    visa_by: str | None = None,
    four_eyes: bool = True,
    moment: dt.datetime | None = None,
    on_call: bool = False,
    escalated_to: frozenset[str] = frozenset(),
    any_prosecutor: bool = False,
) -> Verdict:
    """Whether ``signer_id`` may give ``decision`` on ``day`` on a pending approval (one decided
    already is refused before, naming who came first); the reason either way.

    ``escalated_to``: those an urgent matter was escalated to may decide as well.
    ``any_prosecutor``: a release order, which any prosecutor present may give (approve); only
    the person authorised may reject or return it, since the law empowers every prosecutor to
    release, not to keep someone held.
    """
    if signer_id not in roster.staff:
        return Verdict(False, f"{signer_id!r} is not on the office roster")
    authorised, acting, reason = authorised_approver(
        roster, day, visa_by, moment=moment, on_call=on_call
    )
    if on_call and signer_id in escalated_to and signer_id != authorised:
        return Verdict(True, f"the urgent matter was escalated to {signer_id}")
    if any_prosecutor and decision is Decision.APPROVE and signer_id != authorised:
        if roster.is_present(signer_id, day):
            return Verdict(True, ANY_PROSECUTOR)
        return Verdict(False, f"{signer_id} is absent on {day} and cannot order the release")
    if authorised is None:
        return Verdict(
            False,
            f"nobody in the office may decide on {day} ({reason}): refer to the regional office",
        )
    if authorised != signer_id:
        return Verdict(
            False, f"{signer_id} is not the authorised signatory on {day}: {authorised} ({reason})"
        )
    if four_eyes and decision is Decision.APPROVE and drafter_id == signer_id:
        # The drafter may not approve their own document, unless they sign for the office today.
        signatory = roster.signatory_on(day).staff
        if signatory is None or signatory.id != signer_id:
            return Verdict(False, f"four-eyes rule: {signer_id} drafted this document")
    return Verdict(True, reason, acting=acting)
