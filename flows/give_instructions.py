"""Written указания to the investigating body (CPC art. 193(1)(5); CL-155 art. 35), started by
hand from the UI: drafted, signed by the head (or the deputy replacing the head), sent to the
body; each item a duty of the body due on the term set, escalated by the daily deadline check
like any duty, closed by the body's report through ``record-answer``.

The items are the run's parameters, which Prefect keeps for everyone with the UI to read: they
name people by their procedural role (подозреваемый, потерпевший), and items carrying an IIN, a
phone number or an e-mail are refused before anything is stored."""

from __future__ import annotations

from prefect import flow

from models.office.masking import mask_patterns
from tasks.instructions import InstructionsGiven
from tasks.instructions import give_instructions as give
from tasks.procedure_page import finished


def refuse_personal_data(items: list[str]) -> None:
    """ValueError naming the items (by number, never by content) that carry an identifier, a
    phone number or an e-mail (Law of the RK No. 94-V, art. 1)."""
    found = [str(i) for i, item in enumerate(items, start=1) if mask_patterns(item) != item]
    if found:
        raise ValueError(
            f"items {', '.join(found)} carry an IIN, a phone number or an e-mail: name people by"
            " their procedural role; their data stay in the case file"
        )


@flow(name="give-instructions", flow_run_name="instructions-{case_number}")
def give_instructions(
    case_number: str,
    items: list[str],
    due_days: int | None = None,
    language: str = "ru",
    body_id: str | None = None,
) -> InstructionsGiven:
    """Give written указания on a case.

    Args:
        case_number: the registration number of the supervised or finished case, or its ЕРДР
            number.
        items: the указания, one per item (investigative actions to take); people named by
            their procedural role, without identifiers or contacts.
        due_days: сутки to execute them; empty: the office's control term (the code sets none).
        language: the language of the document.
        body_id: the investigating body, when the case does not name it.
    """
    refuse_personal_data(items)
    result = give(case_number, items, body_id=body_id, due_days=due_days, language=language)
    step = f"{len(result.duty_ids)} указания to {result.body_id}"
    if not result.given:
        step = f"not signed ({result.decision})"
    return finished(result.procedure_id, step, result)
