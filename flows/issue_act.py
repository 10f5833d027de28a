"""An act of the prosecutor's office (CL-155 art. 32), one flow for every act of the catalogue
(``models.procedures.acts.CATALOGUE``): draft (kk/ru) → signature → delivery → the addressee's
term and the notice of the hearing → the answer as an event → on refusal or silence of an act
of supervision, the application to court, which the law makes mandatory (art. 39(2)) → closing
with the outcome.

Started on its own from the UI, or by an inspection's decision (event
``prosecutor.response.decided``). What follows a refusal or silence is the catalogue's word
(``ActSpec.follow_up``): the flow has no branch of its own per act.

The flow's parameters: ``addressee`` as the address block shows it (ru dative «Акиму
Бостандыкского района», kk dative «Бостандық ауданының әкіміне»). ``act_title``, ``act_number``,
``act_date``, ``act_issuer``: the act, decision or action a protest or decree is brought against
(CL-155 arts. 33(1), 37(1)); the title in the nominative («решение акима района «О закрытии
сквера»»), the issuer in the nominative («аким Бостандыкского района»). ``act_name``: its full
description in one line, accepted instead of the typed fields (an inspection's decision sends
it). ``offence``: the decree opening an administrative-offence case: the person's identity data,
the place, time and essence of the offence and its CoAO article (CoAO arts. 805(3), 803(2)).
``court_name``: the court of an application under CL-155 art. 39(2), as its address line shows
it; by default the specialised inter-district administrative court (APPC art. 31(5)).
``term_days``: another term set by the prosecutor where the law allows it (a protest: at least
3 working days, art. 33(3); a submission: shorter where irreversible harm may follow, art.
36(2); a decree: the term it sets, art. 37(2); a short suspension: at most 3 working days, art.
37(1)(9)). ``suspend_contested_act``: the district prosecutor suspends the protested act until
the decision (art. 33(5)).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from prefect import flow
from pydantic import BaseModel, ConfigDict

from models.approvals import Decision
from models.procedures.acts import (
    Act,
    ActOutcome,
    ActSpec,
    AdminOffence,
    Answer,
    ContestedAct,
    FollowUp,
    OnRefusal,
    SetTerm,
    addressee_due,
    check_issue,
    next_step,
    spec,
)
from models.timing.calendar import WorkingCalendar, today
from models.timing.deadlines import TermUnit
from models.vocabulary import LetterStep, Step, numbered
from tasks.acts import (
    ActCase,
    OffenceDetails,
    close_act,
    escalate_refusal,
    issued_reference,
    open_consideration,
    open_follow_up,
    record_hearing_notice,
    record_suspension,
    register_act,
)
from tasks.answers import AnswerInput, await_answer
from tasks.documents import approval_due, dispatch_document
from tasks.procedure_page import finished
from tasks.signing import signed_document
from tasks.waiting import wait_for


class ActResult(BaseModel):
    """How the act ended: its outcome, whether the head was told of a refusal and what the
    office does next (the catalogue's ``on_refusal``), and whether an application to court was
    filed (CL-155 art. 39(2))."""

    model_config = ConfigDict(frozen=True)

    registration_number: str
    act: Act
    outcome: ActOutcome
    followed_by: OnRefusal | None = None
    head_notified: bool = False
    court_application: bool = False


# Acts brought against an act, decision or action: the document names it (CL-155 arts. 33(1),
# 37(1)(5), (7), (9)).
_COURT = {  # the court of an application under CL-155 art. 39(2) and APPC art. 31(5)
    "ru": "Специализированный межрайонный административный суд",
    "kk": "Мамандандырылған ауданаралық әкімшілік сот",
}


class ActRequest(BaseModel):
    """What the prosecutor decided to issue."""

    act: Act
    reference: str
    addressee: str
    contested: ContestedAct | None
    offence: AdminOffence | None
    court_name: str | None
    violation: str
    demands: str
    language: Literal["ru", "kk"]
    responsible: str | None
    set_term: SetTerm | None
    urgent_reason: str | None
    suspend_contested_act: bool

    def check(self) -> ActSpec:
        if spec(self.act).contests_an_act and self.contested is None:
            raise ValueError(
                f"{spec(self.act).name_ru}: name the act, decision or action it is brought against"
                " (its name, number, date and issuing body; CL-155 arts. 33(1), 37(1))"
            )
        return check_issue(
            self.act,
            today(),
            WorkingCalendar(),
            set_term=self.set_term,
            urgent_reason=self.urgent_reason,
            suspend_contested_act=self.suspend_contested_act,
        )


def _fields(request: ActRequest, entry: ActSpec, due: dt.date | None) -> dict[str, object]:
    contested = request.contested.fields() if request.contested else ContestedAct.empty()
    return {
        "addressee_name": request.addressee,
        "addressee_address": None,
        **contested,
        "offence": request.offence.fields(request.language) if request.offence else None,
        "violation": request.violation,
        "demands": request.demands,
        "due": f"{due:%d.%m.%Y}" if due else None,
        "suspended": request.suspend_contested_act,
        "urgent_reason": request.urgent_reason,
        "legal_source": entry.source,
    }


def _issue(case: ActCase, request: ActRequest, entry: ActSpec) -> tuple[int, str | None]:
    """Draft and sign the act; None as the signer when it was not signed."""
    due = (
        addressee_due(request.act, today(), WorkingCalendar(), request.set_term)
        if entry.awaits_answer
        else None
    )
    document_id, signed = signed_document(
        case.procedure_id,
        kind=entry.template,
        language=request.language,
        title=f"{entry.name_ru} / {entry.name_kk}",
        step=request.act.value,
        due_date=approval_due(due),
        drafted_by=case.responsible or None,
        fields=_fields(request, entry, due),
    )
    if signed.decision != Decision.APPROVE:
        close_act(case, f"not signed: {signed.decision}", signed.signer_id)
        return document_id, None
    dispatch_document(document_id, actor=signed.signer_id, channel="addressee")
    if request.suspend_contested_act:
        record_suspension(case, signed.signer_id)
    return document_id, signed.signer_id


def _answer(case: ActCase, request: ActRequest) -> tuple[int, AnswerInput]:
    """The addressee's answer; a notice of the hearing's time and place is recorded and the
    run waits on for the result (CL-155 arts. 33(3), 36(2))."""
    duty_id = open_consideration(case, request.set_term)
    answer = await_answer(
        duty_id,
        f"## {case.registration_number}\n\n"
        "The addressee's answer, the time and place of the hearing, or *silence* when the term"
        " passed.",
        page=(case.procedure_id, "awaiting the addressee's answer"),
    )
    notices = 0
    while answer.hearing_date and answer.outcome is None:
        notices += 1
        due, _late = record_hearing_notice(
            case, answer.hearing_date, answer.hearing_place, answer.notified_on or today()
        )
        duty_id = open_consideration(case, None, numbered(Step.HEARING, notices), due)
        answer = await_answer(
            duty_id,
            f"## {case.registration_number}\n\nThe result of the hearing of"
            f" {answer.hearing_date:%d.%m.%Y}.",
            page=(case.procedure_id, f"awaiting the hearing of {answer.hearing_date:%d.%m.%Y}"),
        )
    return duty_id, answer


def _respondent(request: ActRequest) -> str:
    """The body whose act or inaction is contested, nominative after «Ответчик:»."""
    if request.contested and request.contested.issuer:
        return request.contested.issuer
    return request.addressee


def _apply_to_court(
    case: ActCase, request: ActRequest, entry: ActSpec, outcome: Answer, issued_id: int
) -> str:
    """CL-155 art. 39(2): an act of supervision rejected or left unconsidered is taken to court
    by the prosecutor. Mandatory: the application is drafted and signed, a return only sends it
    back for rework."""
    court = spec(Act.COURT_APPLICATION)
    rounds = 0
    while True:
        rounds += 1
        document_id, signed = signed_document(
            case.procedure_id,
            kind=court.template,
            language=request.language,
            title=f"{court.name_ru} / {court.name_kk}",
            step=numbered(LetterStep.COURT_APPLICATION, rounds),
            due_date=approval_due(None),
            drafted_by=case.responsible or None,
            fields={
                **_fields(request, entry, None),
                "addressee_name": request.court_name or _COURT[request.language],
                "respondent": _respondent(request),
                "act_kind": entry.act.value,
                "act_reference": issued_reference(case, issued_id),
                "outcome": outcome.value,
                "legal_source": court.source,
            },
        )
        if signed.decision == Decision.APPROVE:
            dispatch_document(document_id, actor=signed.signer_id, channel="court")
            return signed.signer_id


def _with_offence(case: ActCase, request: ActRequest, entry: ActSpec) -> ActRequest:
    """A decree stating an offence decided on by an inspection arrives without the person's
    identity data: the run asks for them before drafting (CoAO arts. 805(3), 803(2))."""
    if not entry.states_an_offence or request.offence is not None:
        return request
    given = wait_for(
        OffenceDetails,
        f"## {case.registration_number}\n\nThe decree opening an administrative-offence case"
        " needs the person's identity data, the place, time and essence of the offence and its"
        " CoAO article (CoAO arts. 805(3), 803(2)).",
        "offence",
        page=(case.procedure_id, "the details of the administrative offence"),
    )
    return request.model_copy(update={"offence": given.offence})


def _contested(
    act_name: str,
    title: str | None,
    number: str | None,
    date: dt.date | None,
    issuer: str | None,
) -> ContestedAct | None:
    """The typed act, or the one-line description an inspection sends as ``act_name``."""
    if title or act_name.strip():
        return ContestedAct(
            title=title or act_name.strip(), number=number, date=date, issuer=issuer
        )
    return None


def _register(request: ActRequest, entry: ActSpec) -> ActCase:
    """The act's procedure with what the document is about: the contested act, the offence,
    the violation and the article that gives the act."""
    return register_act(
        request.act,
        request.reference,
        request.addressee,
        request.responsible,
        {
            "contested": request.contested.model_dump(mode="json") if request.contested else None,
            "offence": request.offence.model_dump(mode="json") if request.offence else None,
            "violation": request.violation,
            "source": entry.source,
        },
    )


def _done(
    case: ActCase,
    outcome: ActOutcome,
    followed_by: OnRefusal | None = None,
    head_notified: bool = False,
    court_application: bool = False,
) -> ActResult:
    """The flow's result; the run is named by the outcome (and the court application, if any)."""
    shown = outcome.value.replace("_", " ")
    return finished(
        case.procedure_id,
        f"{shown}, applied to court" if court_application else shown,
        ActResult(
            registration_number=case.registration_number,
            act=case.act,
            outcome=outcome,
            followed_by=followed_by,
            head_notified=head_notified,
            court_application=court_application,
        ),
    )


def _follow_refusal(
    case: ActCase,
    request: ActRequest,
    entry: ActSpec,
    issued: tuple[int, str],
    duty_id: int,
    answer: AnswerInput,
) -> ActResult:
    """The addressee's answer decides the end: an accepted act closes the matter; on a refusal
    or silence the office does what the catalogue says of the act (``ActSpec.follow_up``): for
    an act of supervision the head is told at once and the application to court is drafted
    (CL-155 art. 39(2)); for a decree opening an administrative-offence case the body's decision
    is challenged under the CoAO, a duty of the responsible prosecutor."""
    document_id, signer = issued
    outcome = answer.outcome or Answer.SILENCE
    follow: FollowUp | None = entry.follow_up if next_step(request.act, outcome) else None
    if follow is None:
        close_act(case, outcome.value, answer.decided_by or case.responsible or signer)
        return _done(case, ActOutcome(outcome.value))
    if follow.notify_head:
        escalate_refusal(case, duty_id, outcome.value)
    open_follow_up(case, follow)
    court = entry.on_refusal is OnRefusal.APPLY_TO_COURT
    if court:
        filed_by = _apply_to_court(case, request, entry, outcome, document_id)
        close_act(case, f"{outcome.value}: application to court filed", filed_by)
    else:
        kept = frozenset({follow.step}) if follow.stays_open else frozenset()
        close_act(case, outcome.value, case.responsible or signer, keep_open=kept)
    return _done(
        case,
        ActOutcome(outcome.value),
        followed_by=entry.on_refusal,
        head_notified=follow.notify_head,
        court_application=court,
    )


@flow(name="issue-act", flow_run_name="{act}-{reference}")
def issue_act(
    act: Act,
    reference: str,
    addressee: str,
    violation: str,
    demands: str,
    act_name: str = "",
    act_title: str | None = None,
    act_number: str | None = None,
    act_date: dt.date | None = None,
    act_issuer: str | None = None,
    offence: AdminOffence | None = None,
    court_name: str | None = None,
    language: Literal["ru", "kk"] = "ru",
    responsible: str | None = None,
    term_days: int | None = None,
    term_unit: Literal["working_days", "calendar_days"] = "working_days",
    urgent_reason: str | None = None,
    suspend_contested_act: bool = False,
) -> ActResult:
    """Issue an act of CL-155 art. 32 and follow it to its end (the parameters: the module's
    docstring): checked, registered, signed and delivered, the addressee's answer awaited."""
    request = ActRequest(
        act=act,
        reference=reference,
        addressee=addressee,
        contested=_contested(act_name, act_title, act_number, act_date, act_issuer),
        offence=offence,
        court_name=court_name,
        violation=violation,
        demands=demands,
        language=language,
        responsible=responsible,
        set_term=SetTerm(term_days, TermUnit(term_unit)) if term_days is not None else None,
        urgent_reason=urgent_reason,
        suspend_contested_act=suspend_contested_act,
    )
    entry = request.check()  # refused before anything is registered
    case = _register(request, entry)
    request = _with_offence(case, request, entry)
    document_id, signer = _issue(case, request, entry)
    if signer is None:
        return _done(case, ActOutcome.NOT_SIGNED)
    if not entry.awaits_answer:
        close_act(case, ActOutcome.ISSUED.value, signer)
        return _done(case, ActOutcome.ISSUED)
    duty_id, answer = _answer(case, request)
    return _follow_refusal(case, request, entry, (document_id, signer), duty_id, answer)
