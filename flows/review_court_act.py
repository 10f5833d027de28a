"""Review of a court act not yet in force (Regulation cl. 7.2, 8 right 3): the assistant's
conclusion, then an апелляционное ходатайство (CL-155 art. 38; CPC art. 414(2); CivPC art.
401(3); CoAO art. 830(1)) signed and brought through the court that passed the act before the
appeal window closes. The window runs from the pronouncement (CPC art. 418(1): the delivery of
the copy to a convict in custody starts only the convict's own window), the decision in final
form (CivPC art. 403(3)) or the delivery of a court's decision on an administrative offence
(CoAO art. 832(1)), as the assistant enters it; the day the office received the act is recorded
and moves nothing. The window's end is a hard deadline: the conclusion is due a margin of
working days before it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from prefect import flow

from models.approvals import Decision
from models.procedures.acts import Act, spec
from models.procedures.court_acts import (
    CourtAct,
    ReviewOutcome,
    WindowKind,
    missing_content,
    petition_fields,
    window_closed,
)
from models.timing.calendar import today
from models.vocabulary import LetterStep, keyed
from tasks.court_acts import (
    Conclusion,
    CourtCase,
    close_court_act,
    may_conclude,
    register_court_act,
)
from tasks.documents import PROMPT_DECISION_TERM, approval_due, dispatch_document
from tasks.procedure_page import finished
from tasks.signing import signed_document
from tasks.waiting import ask

# The act the review ends in, from the catalogue of CL-155 art. 32 acts.
PETITION = spec(Act.APPELLATE_PETITION)


def _description(act: CourtAct, case: CourtCase) -> str:
    rule = act.rule
    lines = [
        f"## {rule.act_name['ru']} от {act.act_date:%d.%m.%Y} по делу № {act.case_number}",
        f"{act.court_name_ru}",
        "",
        f"The window runs from {rule.starts_with} on **{act.window_starts_on:%d.%m.%Y}** "
        f"({rule.source}; received {act.received_on:%d.%m.%Y}) and closes on "
        f"**{case.window_end:%d.%m.%Y}**. Conclusion due **{case.conclusion_due:%d.%m.%Y}**.",
    ]
    if window_closed(case.window_end, today()) and rule.restoration:
        lines.append(f"\nThe window has closed: ask the court to restore it ({rule.restoration}).")
    return "\n".join(lines)


# How the run is named in the UI at the end: ``<number> · appealed``.
SHOWN = {ReviewOutcome.APPEALED: "appealed", ReviewOutcome.NO_GROUNDS: "no grounds to appeal"}


@dataclass(frozen=True, slots=True)
class CourtActReview:
    """How the review ended, and the last day of the appeal window."""

    registration_number: str
    window_end: dt.date
    outcome: ReviewOutcome

    @property
    def appealed(self) -> bool:
        return self.outcome is ReviewOutcome.APPEALED


def refusal(case: CourtCase, conclusion: Conclusion) -> str | None:
    """Why a conclusion is not taken: its author may not conclude on the case, or the petition
    lacks what the codes require (CPC art. 423(1); CivPC art. 404(1); CoAO art. 833(1))."""
    if not may_conclude(case, conclusion.assistant):
        return f"{conclusion.assistant} may not conclude on {case.registration_number}"
    missing = missing_content(conclusion.grounds, conclusion.request) if conclusion.appeal else []
    return f"the petition lacks {', '.join(missing)}: conclude again" if missing else None


def bring_petition(
    act: CourtAct, case: CourtCase, conclusion: Conclusion, attempt: int, language: str
) -> bool:
    """The апелляционное ходатайство signed and brought through the court that passed the act
    (CPC art. 417(1); CivPC art. 403(1)); False when it was not approved."""
    document_id, signed = signed_document(
        case.procedure_id,
        kind=PETITION.template,
        language=language,
        title=f"{PETITION.name_ru} по делу № {act.case_number}"[:300],
        step=keyed(LetterStep.PETITION, attempt),
        due_date=approval_due(case.window_end, PROMPT_DECISION_TERM),
        drafted_by=conclusion.assistant,
        fields=petition_fields(
            act,
            language,
            grounds=conclusion.grounds,
            request=conclusion.request,
            scope=conclusion.scope,
            attachments=conclusion.attachments,
        ),
    )
    if signed.decision != Decision.APPROVE:
        return False
    dispatch_document(document_id, actor=signed.signer_id, channel="court")
    close_court_act(case, ReviewOutcome.APPEALED, signed.signer_id)
    return True


def conclude(act: CourtAct, case: CourtCase, language: str) -> CourtActReview:
    """The assistant's conclusion, asked until one is taken and, to appeal, its petition is
    signed; the review closed with its outcome."""
    attempt = 0
    while True:
        asked = ask(
            Conclusion,
            _description(act, case),
            "conclusion",
            after=attempt,
            refuse=lambda given, _n: refusal(case, given),
            page=(case.procedure_id, "conclusion of the assistant"),
        )
        conclusion, attempt = asked.answer, asked.attempt
        if not conclusion.appeal:
            close_court_act(case, ReviewOutcome.NO_GROUNDS, conclusion.assistant)
            outcome = ReviewOutcome.NO_GROUNDS
        elif bring_petition(act, case, conclusion, attempt, language):
            outcome = ReviewOutcome.APPEALED
        else:
            continue
        review = CourtActReview(case.registration_number, case.window_end, outcome)
        return finished(case.procedure_id, SHOWN[outcome], review)


@flow(name="review-court-act", flow_run_name="court-act-{case_number}")
def review_court_act(
    window_kind: WindowKind,
    case_number: str,
    act_date: dt.date,
    window_starts_on: dt.date,
    received_on: dt.date,
    court_name_ru: str,
    court_name_kk: str,
    appellate_court_ru: str,
    appellate_court_kk: str,
    area: str = "criminal",
    language: Literal["ru", "kk"] = "ru",
    assistant: str | None = None,
) -> CourtActReview:
    """Review a court act not yet in force and, if the assistant concludes so, bring an
    апелляционное ходатайство through the court that passed it.

    Args:
        window_kind: which window runs: a criminal verdict, a civil decision, a court's decision
            on an administrative offence.
        case_number: the case number (№ дела).
        act_date: the date of the act.
        window_starts_on: the day the window runs from: the pronouncement (CPC art. 418(1), also
            when the convict is in custody); the civil decision in final form
            (CivPC art. 403(3)); the delivery of a court's decision on an administrative offence
            (CoAO art. 832(1)).
        received_on: the day the office received the act: recorded, it does not move the window.
        court_name_ru: the court that passed the act, nominative, as it follows «через», e.g.
            «Бостандыкский районный суд города Алматы».
        court_name_kk: the same court in Kazakh, nominative, as it precedes «арқылы», e.g.
            «Алматы қаласы Бостандық аудандық соты».
        appellate_court_ru: the appellate court as it follows «В» (accusative), e.g. «судебную
            коллегию по уголовным делам Алматинского городского суда».
        appellate_court_kk: the appellate court in the dative, e.g. «Алматы қалалық сотының
            қылмыстық істер жөніндегі сот алқасына».
        area: the area of supervision whose assistant concludes.
        assistant: the prosecutor who took part in the case as state prosecutor (CPC art.
            414(2)): concludes, or whoever does their work today; else one of ``area``.
        language: the language of the petition.
    """
    act = CourtAct(
        kind=window_kind,
        case_number=case_number,
        act_date=act_date,
        window_starts_on=window_starts_on,
        received_on=received_on,
        court_name_ru=court_name_ru,
        court_name_kk=court_name_kk,
        appellate_court_ru=appellate_court_ru,
        appellate_court_kk=appellate_court_kk,
    )
    return conclude(act, register_court_act(act, area, assistant), language)
