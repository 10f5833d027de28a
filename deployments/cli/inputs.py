"""Records read from the files a user gives (appeals, protocols, complaints, cases), one at a
time and within the limits of ``models.office.schemas``, and appeals stored in chunks."""

from __future__ import annotations

import codecs
import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from deployments.cli.errors import BadInput
from models.appeals import store as appeal_store
from models.office.schemas import APPEAL_MAX_BYTES, EXCERPT_BYTES, INPUT_FILE_MAX_BYTES
from models.timing.calendar import WorkingCalendar


def input_records(path: Path) -> Iterator[tuple[str, str, str | None]]:
    """(where, text, problem) of each record (an appeal, a protocol, a complaint, ...) in a
    file, a JSON-lines file or a folder, read one record at a time. A problem found before
    parsing becomes the rejection reason, with an excerpt of the input as its text: not UTF-8
    (UTF-16 or UTF-32 named as such; decoded line by line, so one bad line spoils only itself),
    a NUL byte, a record over the limit per record or a file over the limit per file, neither of
    which is read whole (``models.office.schemas`` limits)."""
    if path.is_dir():
        for file in sorted(path.glob("*.json*")):
            yield from input_records(file)
        return
    if not path.exists():
        raise BadInput(f"{path}: no such file or folder")
    size = path.stat().st_size
    with path.open("rb") as stream:
        head = stream.read(EXCERPT_BYTES)
        wide = _wide_encoding(head)
        if wide:
            text = head.decode(wide, errors="replace")
            yield str(path), text, f"{wide.upper()} text, not UTF-8: save the file as UTF-8"
            return
        if size > INPUT_FILE_MAX_BYTES:
            problem = f"{size} bytes, over the limit of {INPUT_FILE_MAX_BYTES} bytes per file"
            yield str(path), head.decode("utf-8", errors="ignore"), f"{problem}: not read"
            return
        stream.seek(len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0)
        if path.suffix.lower() == ".jsonl":
            for number, (data, length) in enumerate(_lines(stream), start=1):
                if data.strip():
                    yield _record(f"{path}:{number}", data, length)
        else:
            data = stream.read(APPEAL_MAX_BYTES + 1)
            yield _record(str(path), data, len(data) if len(data) <= APPEAL_MAX_BYTES else size)


FIRST_CHUNK, CHUNK = 8, 500


def chunks(
    records: Iterable[tuple[str, str, str | None]], first: int = FIRST_CHUNK, most: int = CHUNK
) -> Iterator[list[tuple[str, str, str | None]]]:
    """Records in growing chunks (8, 16, ... up to ``most``): the first appeals of a file are
    committed at once, a long file in big set-based batches; a killed run loses little."""
    size, chunk = first, []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk, size = [], min(size * 2, most)
    if chunk:
        yield chunk


def submit_appeals(
    records: Iterable[tuple[str, str, str | None]], office: str, calendar: WorkingCalendar
) -> Iterator[dict[str, Any]]:
    """Each record of ``input_records`` stored as an appeal, a chunk per transaction
    (``appeal_store.submit_batch``: a chunk the database refuses is taken one by one), as the
    dict ``appeals submit`` prints, with its source."""
    for chunk in chunks(records):
        results = appeal_store.submit_batch(
            [(raw, problem) for _, raw, problem in chunk], office, calendar
        )
        for (where, _, _), result in zip(chunk, results, strict=True):
            yield {"source": where, **dataclasses.asdict(result)}


def _wide_encoding(head: bytes) -> str | None:
    """UTF-32 or UTF-16 by its byte-order mark (UTF-32 first: its mark begins like UTF-16's)."""
    for mark, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(mark):
            return name
    return None


def _lines(stream: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """Each line without its end, and its full length in bytes. Of a line over the limit per
    record only the excerpt is kept: the rest is read in pieces and dropped."""
    while line := stream.readline(APPEAL_MAX_BYTES + 1):
        length = len(line)
        if length > APPEAL_MAX_BYTES and not line.endswith(b"\n"):
            while (piece := stream.readline(1 << 20)) and not piece.endswith(b"\n"):
                length += len(piece)
            length += len(piece)
            yield line[:EXCERPT_BYTES], length
        else:
            data = line.rstrip(b"\r\n")
            yield data, len(data)


def _record(where: str, data: bytes, length: int) -> tuple[str, str, str | None]:
    if length > APPEAL_MAX_BYTES:
        problem = f"{length} bytes, over the limit of {APPEAL_MAX_BYTES} bytes per record"
        return where, data[:EXCERPT_BYTES].decode("utf-8", errors="ignore"), problem
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        kept = data.decode("utf-8", errors="backslashreplace")  # as received, nothing lost
        return where, kept, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    if "\x00" in text:
        problem = (
            f"a NUL byte at byte {data.index(0)}: not text (UTF-16 without a byte-order mark?)"
        )
        return where, text, problem
    return where, text, None
