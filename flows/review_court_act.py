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
from typing import Any, Literal

from prefect import flow, get_run_logger

from models.approvals import Decision
from models.procedures.acts import Act, spec
from models.procedures.court_acts import (
    CourtAct,
    WindowKind,
    missing_content,
    petition_fields,
    window_closed,
)
from models.timing.calendar import WorkingCalendar, today
from models.timing.deadlines import TermUnit, due_date
from tasks.court_acts import (
    Conclusion,
    CourtCase,
    close_court_act,
    may_conclude,
    register_court_act,
)
from tasks.documents import dispatch_document
from tasks.procedure_page import finished
from tasks.signing import signed_document
from tasks.waiting import wait_for

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


def _result(case: CourtCase, appealed: bool) -> dict[str, Any]:
    return {
        "registration_number": case.registration_number,
        "window_end": case.window_end,
        "appealed": appealed,
    }


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
) -> dict[str, Any]:
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
    logger = get_run_logger()
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
    case = register_court_act(act, area, assistant)
    attempt = 0
    while True:
        attempt += 1
        conclusion = wait_for(
            Conclusion,
            _description(act, case),
            f"conclusion-{attempt}",
            page=(case.procedure_id, "conclusion of the assistant"),
        )
        if not may_conclude(case, conclusion.assistant):
            logger.warning(
                "%s may not conclude on %s", conclusion.assistant, case.registration_number
            )
            continue
        if not conclusion.appeal:
            close_court_act(case, "no grounds to appeal", conclusion.assistant)
            return finished(case.procedure_id, "no grounds to appeal", _result(case, False))
        missing = missing_content(conclusion.grounds, conclusion.request)
        if missing:
            logger.warning("the petition lacks %s: conclude again", ", ".join(missing))
            continue
        document_id, signed = signed_document(
            case.procedure_id,
            kind=PETITION.template,
            language=language,
            title=f"{PETITION.name_ru} по делу № {act.case_number}"[:300],
            step=f"petition-{attempt}",
            due_date=min(
                case.window_end, due_date(today(), 1, TermUnit.WORKING_DAYS, WorkingCalendar())
            ),
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
        if signed.decision == Decision.APPROVE:
            # Brought through the court of first instance (CPC art. 417(1); CivPC art. 403(1)).
            dispatch_document(document_id, actor=signed.signer_id, channel="court")
            close_court_act(case, "appellate petition brought", signed.signer_id)
            return finished(case.procedure_id, "appealed", _result(case, True))
