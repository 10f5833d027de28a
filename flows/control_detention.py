"""Control of a detention to the minute (задержание, CPC arts. 128-134).

The protocol is stored and numbered at intake, which already opens its duties (so the limit is
enforced even if the event never reaches Prefect); this flow registers the same terms as duties
counted in hours, idempotently, and gives them to whoever is authorised now (at night, the
prosecutor on duty), then publishes the procedure's page: the
body's written notice within 12 hours of the protocol (CPC art. 131(3)) and the limit, 48 hours
from the actual detention, 24 for a minor, 72 in the cases of CPC art. 131(4) (CPC art. 14(2)).
It does not sleep until the limit: ``check-urgent`` (every ten minutes) alerts the authorised
prosecutor before the limit and, without a sanction of the investigating judge (CPC arts. 147,
148) or a release, starts the release at the limit (CL-155 art. 10(2)(9); CPC arts. 14(4),
133(1)-(2))."""

from __future__ import annotations

from prefect import flow, get_run_logger

from models.procedures import detention
from tasks.detention import open_detention_control
from tasks.procedure_page import finished


@flow(name="control-detention", flow_run_name="detention-control")
def control_detention(detention_ref: str) -> detention.Control:
    """Register the terms of the detention ``detention_ref`` (``prosecutor.detention.<number>``
    from the trigger, or the number) and hand them to the urgent check; returns its terms."""
    number = detention.number_of(detention_ref)
    control = open_detention_control(number)
    get_run_logger().info(
        "%s: notice due %s, alert %s, limit %s (Almaty)%s",
        number,
        detention.local(control.notice_due_at),
        detention.local(control.alert_at),
        detention.local(control.limit_at),
        " — already ended" if control.ended else "",
    )
    step = "ended" if control.ended else f"under control until {detention.local(control.limit_at)}"
    return finished(control.procedure_id, step, control)
