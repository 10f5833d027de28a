"""Procedure states and registration numbers."""

from __future__ import annotations

import pytest

from models.procedures import (
    OPEN_STATUSES,
    TRANSITIONS,
    ProcedureKind,
    ProcedureStatus,
    TransitionError,
    check_transition,
    registration_number,
)


def test_closed_redirected_and_rejected_are_final() -> None:
    for final in (ProcedureStatus.CLOSED, ProcedureStatus.REDIRECTED, ProcedureStatus.REJECTED):
        assert not TRANSITIONS[final] and final not in OPEN_STATUSES
        with pytest.raises(TransitionError):
            check_transition(final, ProcedureStatus.IN_PROGRESS)


def test_every_open_state_can_be_closed() -> None:
    for status in OPEN_STATUSES:
        check_transition(status, ProcedureStatus.CLOSED)


def test_registration_numbers_distinguish_office_kind_and_year() -> None:
    numbers = {
        registration_number("ALM-BST", ProcedureKind.APPEAL, 2026, 42),
        registration_number("ALM-BST", ProcedureKind.APPEAL, 2027, 42),
        registration_number("ALM-BST", ProcedureKind.PROTEST, 2026, 42),
        registration_number("ALM-MED", ProcedureKind.APPEAL, 2026, 42),
    }
    assert len(numbers) == 4
    assert (
        registration_number("ALM-BST", ProcedureKind.APPEAL, 2026, 42) == "ALM-BST-APL-2026-000042"
    )
    with pytest.raises(ValueError):
        registration_number("ALM-BST", ProcedureKind.APPEAL, 2026, 0)
