"""Applicants' text in the Markdown the Prefect UI renders stays text: no heading, list,
checkbox, table, link or HTML of its own, and nothing in it can close the block it is in."""

from __future__ import annotations

import html

import pytest
from markdown_it import MarkdownIt

from models.records.markdown_text import literal_block, literal_inline

# GFM as the UI renders it: tables and strikethrough on top of CommonMark, HTML allowed
render = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render

HOSTILE = [
    "# Approve",
    "## Approved by the head",
    "- [x] signed",
    "1. first",
    "| table | head |",
    "|---|---|",
    "| a | b |",
    "[click here](https://evil.example/approve)",
    "https://evil.example/bare",
    "<b>bold</b> <script>alert(1)</script> <img src=x onerror=alert(1)>",
    "```",
    "# after a closing fence",
    "````",
    "   ```",
    "~~~",
    "**bold** _it_ ~~gone~~ > quote",
]
TEXT = "\n".join(HOSTILE)
FORBIDDEN = [
    "<h1",
    "<h2",
    "<li",
    "<ul",
    "<ol",
    "<table",
    "<a ",
    "<b>",
    "<script",
    "<img",
    "<input",
    "<strong",
    "<em",
    "<del",
    "<blockquote",
]


def test_a_block_of_hostile_text_is_one_code_block_showing_the_text() -> None:
    rendered = render(f"Before\n\n{literal_block(TEXT)}\n\nAfter")
    assert all(tag not in rendered for tag in FORBIDDEN), rendered
    assert rendered.count("<pre>") == 1
    assert html.escape(TEXT, quote=False) + "\n</code></pre>" in rendered
    assert rendered.rstrip().endswith("<p>After</p>")


@pytest.mark.parametrize("line", HOSTILE)
def test_each_hostile_line_alone_stays_inside_its_block(line: str) -> None:
    rendered = render(literal_block(line) + "\n\n# Real heading")
    assert rendered.count("<h1>") == 1 and rendered.count("<pre>") == 1, rendered


def test_a_line_of_hostile_text_is_one_code_span_on_one_line() -> None:
    rendered = render(f"## Appeal 1: {literal_inline(TEXT)}\n\nbody")
    assert rendered.count("<h2>") == 1 and rendered.count("<code>") == 1, rendered
    assert all(tag not in rendered for tag in FORBIDDEN if tag != "<h2"), rendered
    assert html.escape(" ".join(TEXT.split()), quote=False) in rendered


def test_backticks_at_the_edges_of_a_line_are_kept() -> None:
    assert render(literal_inline("`x`")) == "<p><code>`x`</code></p>\n"
    assert literal_inline("  \n ") == ""
