"""Text from outside (an applicant's appeal, its subject, a complaint) put into Markdown that the
Prefect UI renders, shown as the text it is: never a heading, a list, a checkbox, a table, a link
or HTML of its own.

A block goes into a fenced code block whose backtick fence is longer than any run of backticks
in the text, so no line of the text can close it (CommonMark 0.31 §4.5); a line of text goes
into a code span delimited the same way (§6.1), its line breaks made spaces, so it cannot begin
a line of its own. Inside both, Markdown and HTML are not interpreted and bare URLs are not
linked.
"""

from __future__ import annotations

import re

_BACKTICKS = re.compile(r"`+")


def _fence(text: str, shortest: int) -> str:
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    return "`" * max(shortest, longest + 1)


def literal_block(text: str, info: str = "text") -> str:
    """``text`` as a fenced code block that the text cannot close."""
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    fence = _fence(body, 3)
    return f"{fence}{info}\n{body}\n{fence}"


def literal_inline(text: str) -> str:
    """``text`` on one line as a code span that the text cannot close (empty text: nothing)."""
    line = " ".join(text.split())
    if not line:
        return ""
    fence = _fence(line, 1)
    return f"{fence} {line} {fence}"  # one space each side is stripped when rendered
