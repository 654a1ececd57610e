"""Wrapping a batch of any size into a folder of certificate files, or into one JSON Lines file, without
holding the batch in memory.

A certificate's signature needs the whole batch's Merkle tree, so files are written in two passes:
1. each record is checked, turned into document data, wrapped, and its file written up to (not including)
   its signature; only its targetHash and file name are kept (about 150 bytes a certificate);
2. once every targetHash is known the tree is built, saved where the workers can map it, and each file gets
   its signature (targetHash, proof, merkleRoot) appended.
For a huge batch one file per certificate costs more in the file system than in wrapping, so the batch can
instead be written as JSON Lines (`write_lines`): in pass 1 each worker appends its chunks of unsigned
documents to a spool file of its own and says where, and in pass 2 each worker reads a chunk back,
completes each line with its signature and writes the chunk into its place in the final file, worked out
beforehand from the tree's shape. The lines never travel between processes.
Every document of a batch has its template's shape, so the workers wrap them from their values alone
(DocumentWrapper, gzchain.domain.oa.shape) rather than walking each document's data.
Both passes run in worker processes for large batches, in chunks with a bounded number in flight, so memory
stays flat from a thousand certificates to a million. A bad record stops the wrapping; every record is
still checked so that the error lists the first problems, as for a batch checked in memory. The caller owns
the folder and removes it when anything fails.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Final

from gzchain.domain.certificates.records import Problem, Record, count_csv, iter_csv, parse_json, rejection
from gzchain.domain.certificates.templates import DocumentWrapper, Template
from gzchain.domain.errors import InvalidInput
from gzchain.domain.merkle import HASH_SIZE, build_tree
from gzchain.domain.oa import JsonObject
from gzchain.domain.oa.document import SIGNATURE_TYPE

PARALLEL_FROM: Final = 5_000  # below this, starting worker processes costs more than it saves
CHUNK: Final = 1_000  # records per task: large enough to amortise a task, small enough to stream
IN_FLIGHT_PER_WORKER: Final = 3  # tasks queued per worker: keeps it busy without buffering the batch

_FILE_FLAGS: Final = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
LINES_FILE: Final = "certificates.jsonl"  # the one file of a batch written as JSON Lines
_SPOOL_FILE: Final = ".unsigned-{}.jsonl"  # pass 1's output in a JSON Lines batch, one per process


@dataclass(frozen=True)
class BatchSpec:
    """What every certificate of the batch shares, sent once to each worker."""

    template: Template
    issuer: JsonObject
    chain_id: int
    folder: Path
    reserved_names: frozenset[str] = frozenset()  # file names the batch folder keeps for itself


@dataclass(frozen=True)
class WrittenBatch:
    root: bytes
    count: int
    seconds: dict[str, float] = field(default_factory=dict)


class RecordFile:
    """The records of a CSV or JSON file, read again on each pass (a CSV one row at a time)."""

    def __init__(self, path: Path) -> None:
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".json"):
            raise InvalidInput("records must be a .csv or .json file", field=str(path))
        self.path = path
        self._records = None if suffix == ".csv" else parse_json(self._read(lambda handle: handle.read()))
        # Reading every row once up front finds a malformed file before anything touches the chain.
        self.count = len(self._records) if self._records is not None else self._read(count_csv)

    def __iter__(self) -> Iterator[Record]:
        if self._records is not None:
            return iter(self._records)
        return self._read_rows()

    def _read_rows(self) -> Iterator[Record]:
        with self.path.open(encoding="utf-8", newline="") as handle:
            yield from _utf8(iter_csv(handle), self.path)

    def _read(self, reader: Callable[[Any], Any]) -> Any:
        try:
            with self.path.open(encoding="utf-8", newline="") as handle:
                return reader(handle)
        except OSError as exc:
            raise InvalidInput(f"cannot read records: {exc.strerror}", field=str(self.path)) from None
        except UnicodeDecodeError:
            raise InvalidInput("records must be UTF-8 text", field=str(self.path)) from None


def _utf8(records: Iterator[Record], path: Path) -> Iterator[Record]:
    try:
        yield from records
    except UnicodeDecodeError:
        raise InvalidInput("records must be UTF-8 text", field=str(path)) from None


class _Stage:
    """Reports to a Progress (see issuance), when there is one."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress

    def start(self, name: str, total: int) -> None:
        if self.progress is not None:
            self.progress.stage(name, total)

    def advance(self, steps: int) -> None:
        if self.progress is not None:
            self.progress.advance(steps)


def check_records(
    template: Template,
    records: Iterable[Record],
    total: int,
    *,
    reserved_names: frozenset[str] = frozenset(),
    workers: int | None = None,
    progress: Any = None,
) -> int:
    """Check every record without wrapping any; the number of records, or InvalidInput listing problems."""
    stage = _Stage(progress)
    stage.start("checking records", total)
    spec = BatchSpec(template, {}, 0, Path(), reserved_names)  # nothing is wrapped, so no issuer yet
    with _Workers(spec, _worker_count(workers, total)) as pool:
        count, _, _ = _first_pass(pool, _wrap_rows, spec, records, stage, wrap=False)
    return count


def write_batch(
    spec: BatchSpec,
    records: Iterable[Record],
    total: int,
    *,
    workers: int | None = None,
    progress: Any = None,
) -> WrittenBatch:
    """Check, wrap and write one certificate per record into `spec.folder` (created here), under one root.

    `total` is how many records to expect (for progress only). Raises InvalidInput naming the first bad
    rows, in which case the folder holds partial files and must be removed by the caller.
    """
    stage = _Stage(progress)
    seconds: dict[str, float] = {}
    spec.folder.mkdir(parents=True)
    started = time.perf_counter()
    with _Workers(spec, _worker_count(workers, total)) as pool:
        stage.start("checking, wrapping and writing", total)
        count, names, hashes = _first_pass(pool, _wrap_rows, spec, records, stage, wrap=True)
        seconds["check, wrap and write"] = time.perf_counter() - started
        started = time.perf_counter()
        with _SavedTree(spec.folder, hashes) as (task, positions):
            del hashes
            stage.start("adding Merkle proofs", count)
            items = _chunks(zip(names, positions, strict=True), CHUNK)
            for done in pool.run(_append_signatures, lambda: task, items):
                stage.advance(done)
        seconds["proofs"] = time.perf_counter() - started
    return WrittenBatch(task.root_bytes, count, seconds)


def write_lines(
    spec: BatchSpec,
    records: Iterable[Record],
    total: int,
    *,
    workers: int | None = None,
    progress: Any = None,
) -> WrittenBatch:
    """Check and wrap every record into `spec.folder` (created here) / LINES_FILE, one document a line in
    record order, all under one root.

    Raises InvalidInput naming the first bad rows, in which case the folder holds a partial spool and must
    be removed by the caller.
    """
    stage = _Stage(progress)
    seconds: dict[str, float] = {}
    spec.folder.mkdir(parents=True)
    started = time.perf_counter()
    with _Workers(spec, _worker_count(workers, total)) as pool:
        stage.start("checking, wrapping and spooling", total)
        spool = _Spool()
        count, _, hashes = _first_pass(pool, _wrap_lines, spec, records, stage, wrap=True, sink=spool)
        seconds["check, wrap and spool"] = time.perf_counter() - started
        started = time.perf_counter()
        with _SavedTree(spec.folder, hashes) as (task, positions):
            del hashes
            stage.start("adding Merkle proofs", count)
            (spec.folder / LINES_FILE).touch(exist_ok=False)  # the workers write each chunk in its place
            for done in pool.run(_sign_lines, lambda: task, spool.signing_tasks(task, positions)):
                stage.advance(done)
        spool.remove(spec.folder)
        seconds["proofs"] = time.perf_counter() - started
    return WrittenBatch(task.root_bytes, count, seconds)


# ---- pass 1: check, wrap, write up to the signature ----


def _first_pass(
    pool: _Workers,
    wrapper: Callable[[BatchSpec, bool, list[Record]], tuple[list[_RowResult], _Spooled | None]],
    spec: BatchSpec,
    records: Iterable[Record],
    stage: _Stage,
    *,
    wrap: bool,
    sink: _Spool | None = None,
) -> tuple[int, list[str], list[bytes]]:
    """Run `wrapper` over every record; the names and targetHashes in record order. Where it spooled
    unsigned JSON lines goes to `sink` while the batch is still good."""
    problems: list[Problem] = []
    first_row_of: dict[str, int] = {}
    names: list[str] = []
    hashes: list[bytes] = []
    count = 0
    # Once a record is bad nothing will be issued, so later chunks are only checked, not wrapped.
    wrapping = [wrap]
    for results, spooled in pool.run(wrapper, lambda: wrapping[0], _chunks(records, CHUNK)):
        for row, name, target, problem in results:
            count += 1
            if problem is None:
                assert name is not None
                earlier = first_row_of.setdefault(name.lower(), row)
                if earlier != row:
                    problem = Problem(
                        row, spec.template.file_name_field, f"duplicates row {earlier} (file {name})"
                    )
                elif name in spec.reserved_names:
                    problem = Problem(row, spec.template.file_name_field, f"the file name {name} is reserved")
            if problem is not None:
                problems.append(problem)
                wrapping[0] = False
            elif wrap and not problems:
                if sink is None:
                    names.append(name)  # type: ignore[arg-type]
                hashes.append(target)  # type: ignore[arg-type]
        if sink is not None and spooled is not None and not problems:
            sink.add(spooled, len(results))
        stage.advance(len(results))
    if count == 0:
        raise InvalidInput("there are no records to issue", field="records")
    if problems:
        raise rejection(problems, count)
    return count, names, hashes


_RowResult = tuple[int, str | None, bytes | None, Problem | None]


def _wrap_rows(spec: BatchSpec, wrap: bool, rows: list[Record]) -> tuple[list[_RowResult], None]:
    """Each row checked and, while `wrap`, written to its own file up to its signature."""
    results: list[_RowResult] = []
    wrapper = DocumentWrapper(spec.template, spec.issuer, spec.chain_id)
    for row, checked, name in _checked_rows(spec.template, rows, results):
        target = None
        if wrap and name not in spec.reserved_names:
            target = _write_unsigned(spec, name, *wrapper.wrap(checked))
        results.append((row, name, target, None))
    return results, None


def _wrap_lines(spec: BatchSpec, wrap: bool, rows: list[Record]) -> tuple[list[_RowResult], _Spooled | None]:
    """Each row checked and, while `wrap`, wrapped into a line without its signature; the lines appended
    to this process's spool file (sent back, gigabytes would go through pipes), and where they went."""
    results: list[_RowResult] = []
    lines: list[str] = []
    wrapper = DocumentWrapper(spec.template, spec.issuer, spec.chain_id)
    for row, checked, name in _checked_rows(spec.template, rows, results):
        target = None
        if wrap:
            text, target = wrapper.wrap(checked)
            lines.append(text[:-1] + ",\n")
        results.append((row, name, target, None))
    if not lines:
        return results, None
    unsigned = "".join(lines).encode("utf-8")
    spool = _SPOOL_FILE.format(os.getpid())
    with (spec.folder / spool).open("ab") as handle:
        offset = handle.tell()
        handle.write(unsigned)
    return results, (spool, offset, len(unsigned))


def _checked_rows(
    template: Template, rows: list[Record], results: list[_RowResult]
) -> Iterator[tuple[int, dict[str, str], str]]:
    """The row number, checked values and file name of each good row; bad rows' problems go to `results`."""
    for record in rows:
        try:
            checked = template.check(record.values)
        except InvalidInput as exc:
            results.append((record.row, None, None, Problem(record.row, exc.field, exc.reason)))
            continue
        yield record.row, checked, template.file_name_for(checked)


def _write_unsigned(spec: BatchSpec, name: str, text: str, target: bytes) -> bytes | None:
    """Write a document's JSON `text` up to its signature; `target`, or None if the name is taken."""
    try:
        descriptor = os.open(os.path.join(spec.folder, name), _FILE_FLAGS, 0o644)
    except FileExistsError:
        return None  # two records share a file name: the duplicate is reported in record order
    try:
        os.write(descriptor, (text[:-1] + ",").encode("utf-8"))
    finally:
        os.close(descriptor)
    return target


_Spooled = tuple[str, int, int]  # a chunk's unsigned lines: spool file name, offset, size in bytes


class _Spool:
    """Where pass 1 spooled each chunk's unsigned lines, in record order, for pass 2's workers."""

    def __init__(self) -> None:
        self.chunks: list[tuple[_Spooled, int]] = []  # with how many lines each holds

    def add(self, spooled: _Spooled, count: int) -> None:
        self.chunks.append((spooled, count))

    def signing_tasks(self, task: _ProofTask, positions: tuple[int, ...]) -> Iterator[_SigningChunk]:
        """Each chunk with the leaf positions of its lines and where it goes, signed, in the final file."""
        first = placed = 0
        for (spool, offset, size), count in self.chunks:
            chunk_positions = positions[first : first + count]
            # Each line loses its newline and gains its signature, which ends with one.
            signed_size = size - count + task.signatures_size(chunk_positions)
            yield _SigningChunk(spool, offset, size, chunk_positions, placed, signed_size)
            first += count
            placed += signed_size

    def remove(self, folder: Path) -> None:
        for spool in {spool for (spool, _, _), _ in self.chunks}:
            (folder / spool).unlink()


@dataclass(frozen=True)
class _SigningChunk:
    spool: str  # the spool file holding the chunk's lines, in the batch folder
    offset: int  # where the lines start in it
    size: int
    positions: tuple[int, ...]  # each line's leaf position in the tree
    placed: int  # where the signed lines start in the final file
    signed_size: int


# ---- pass 2: append each signature, proofs read from the saved tree ----


@dataclass(frozen=True)
class _ProofTask:
    tree_file: str
    level_sizes: tuple[int, ...]
    root: str

    @property
    def root_bytes(self) -> bytes:
        return bytes.fromhex(self.root)

    def signatures_size(self, positions: tuple[int, ...]) -> int:
        """How many bytes the signatures of the leaves at `positions` take, without making them."""
        below_root = self.level_sizes[:-1]
        nodes = len(positions) * len(below_root)
        ordered = sorted(positions)
        for level, size in enumerate(below_root):
            if size % 2:
                # The last node of an odd-sized level has no partner, so neither do the leaves under it,
                # which are the last leaves from its first one.
                nodes -= len(ordered) - bisect_left(ordered, (size - 1) << level)
        # Each node is its hex digits quoted, with a comma between two; below a root every leaf has one.
        hex_digits = 2 * HASH_SIZE
        commas = nodes - (len(positions) if below_root else 0)
        unproven = len(_signature_text("0" * hex_digits, "", self.root))
        return len(positions) * unproven + (hex_digits + 2) * nodes + commas


class _SavedTree:
    """The tree over a batch's targetHashes, saved next to `folder` for the workers to map; removed after."""

    def __init__(self, folder: Path, hashes: list[bytes]) -> None:
        self.path = folder.with_name(f".{folder.name}.tree-{os.getpid()}")
        self.hashes = hashes

    def __enter__(self) -> tuple[_ProofTask, tuple[int, ...]]:
        tree = build_tree(self.hashes)
        del self.hashes
        try:
            sizes = _save_levels(tree.levels, self.path)
        except BaseException:
            self.path.unlink(missing_ok=True)
            raise
        return _ProofTask(str(self.path), sizes, tree.root.hex()), tree.positions

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


def _save_levels(levels: tuple[tuple[bytes, ...], ...], path: Path) -> tuple[int, ...]:
    """Every level of the tree, leaves first, as 32-byte nodes end to end; the size of each level."""
    with path.open("wb") as handle:
        for level in levels:
            handle.write(b"".join(level))
    return tuple(len(level) for level in levels)


def _append_signatures(spec: BatchSpec, task: _ProofTask, items: list[tuple[str, int]]) -> int:
    with _Signer(task) as signer:
        for name, position in items:
            descriptor = os.open(os.path.join(spec.folder, name), os.O_WRONLY | os.O_APPEND)
            try:
                os.write(descriptor, signer.signature(position).encode("ascii"))
            finally:
                os.close(descriptor)
    return len(items)


def _sign_lines(spec: BatchSpec, task: _ProofTask, chunk: _SigningChunk) -> int:
    """Complete a chunk of spooled lines with their signatures, in its place in the final file; how many.

    The worker reads and writes the chunk itself: sent to it and back, gigabytes would go through pipes.
    """
    with (spec.folder / chunk.spool).open("rb") as spool:
        spool.seek(chunk.offset)
        lines = spool.read(chunk.size).split(b"\n")[:-1]
    with _Signer(task) as signer:
        signed = b"".join(
            [
                line + signer.signature(position).encode("ascii")
                for line, position in zip(lines, chunk.positions, strict=True)
            ]
        )
    if len(signed) != chunk.signed_size:
        raise RuntimeError(f"signed lines take {len(signed)} bytes, not the {chunk.signed_size} set aside")
    with (spec.folder / LINES_FILE).open("r+b") as out:
        out.seek(chunk.placed)
        out.write(signed)
    return len(chunk.positions)


class _Signer:
    """The closing `"signature":{...}}` of the document at a leaf position, read from the saved tree."""

    def __init__(self, task: _ProofTask) -> None:
        self.task = task
        self.below_root = []  # (where the level starts in the file, how many nodes it has), leaves first
        start = 0
        for size in task.level_sizes[:-1]:
            self.below_root.append((start, size))
            start += size * HASH_SIZE

    def __enter__(self) -> _Signer:
        with open(self.task.tree_file, "rb") as handle:
            self._mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        # Slices of a view are not copied until joined: a fifth less time per proof than slicing the map.
        self.tree = memoryview(self._mapped)
        return self

    def __exit__(self, *exc: object) -> None:
        self.tree.release()
        self._mapped.close()

    def signature(self, position: int) -> str:
        tree = self.tree
        target = tree[position * HASH_SIZE : (position + 1) * HASH_SIZE].hex()
        nodes = []
        for offset, size in self.below_root:
            partner = position ^ 1
            if partner < size:
                start = offset + partner * HASH_SIZE
                nodes.append(tree[start : start + HASH_SIZE])
            position //= 2
        # One hex call for the whole proof, a comma between nodes, each then quoted.
        proof = '"' + b"".join(nodes).hex(",", HASH_SIZE).replace(",", '","') + '"' if nodes else ""
        return _signature_text(target, proof, self.task.root)


def _signature_text(target: str, proof: str, root: str) -> str:
    """The closing `"signature":{...}}` of a document and its line, from hex hashes and the proof's nodes
    quoted and separated by commas."""
    return (
        f'"signature":{{"type":"{SIGNATURE_TYPE}","targetHash":"{target}",'
        f'"proof":[{proof}],"merkleRoot":"{root}"}}}}\n'
    )


# ---- running tasks in order, in workers or in this process ----


def _worker_count(workers: int | None, total: int) -> int:
    chosen = workers if workers is not None else min(os.cpu_count() or 1, 8)
    return chosen if total >= PARALLEL_FROM else 1


_spec: BatchSpec | None = None  # a worker's copy of the batch's shared part, set once when it starts


def _remember(spec: BatchSpec) -> None:
    global _spec
    _spec = spec


def _in_worker(function: Callable[..., Any], argument: Any, chunk: list[Any]) -> Any:
    assert _spec is not None
    return function(_spec, argument, chunk)


class _Workers:
    """Runs a function over chunks of a stream, results in order: in worker processes, or here for one."""

    def __init__(self, spec: BatchSpec, count: int) -> None:
        self.spec = spec
        self.count = count
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Workers:
        if self.count > 1:
            # spawn, not fork: the parent may hold a chain connection and database handles a fork would share.
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(
                self.count, mp_context=context, initializer=_remember, initargs=(self.spec,)
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def run(
        self, function: Callable[..., Any], argument: Callable[[], Any], chunks: Iterable[Any]
    ) -> Iterator[Any]:
        """`function(spec, argument(), chunk)` for each chunk, in order; `argument` is read as each chunk is
        sent, so the caller can change it midway."""
        if self.pool is None:
            for chunk in chunks:
                yield function(self.spec, argument(), chunk)
            return
        pending: deque[Future[Any]] = deque()
        limit = self.count * IN_FLIGHT_PER_WORKER
        for chunk in chunks:
            pending.append(self.pool.submit(_in_worker, function, argument(), chunk))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
