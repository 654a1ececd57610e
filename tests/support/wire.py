"""HTTP/1.1 on a bare socket, for attacks no well-behaved client sends: bodies longer than they say, bodies
streamed from a generator until the server stops them, headers that never end."""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int | None  # None: the server closed the connection without an answer
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    sent: int = 0  # bytes of the request the server took before it answered or closed

    def problem(self) -> dict:
        assert self.headers.get("content-type", "").startswith("application/problem+json"), self
        return json.loads(self.body)


def request_head(method: str, path: str, port: int, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def send(
    port: int, head: bytes, body: Iterable[bytes] = (), timeout: float = 60, source: str = "127.0.0.1"
) -> Answer:
    """Sends `head`, then `body` chunk by chunk until the server answers or closes; returns its answer.
    `source` is the client's own loopback address (any of 127.0.0.0/8), which the rate limits count by."""
    sent = 0
    with connect(port, timeout, source) as sock:
        try:
            sock.sendall(head)
            sent += len(head)
            for chunk in body:
                if _readable(sock):
                    break  # answered (or closed) before the body was all sent
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_answer(sock)
    answer.sent = sent
    return answer


def connect(port: int, timeout: float = 60, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))


def read_answer(sock: socket.socket) -> Answer:
    """What the server answers on `sock`, or Answer(None) if it closes it without a word (TimeoutError if
    it does neither in the socket's timeout)."""
    return _read_answer(sock)


def chunked(chunks: Iterable[bytes]) -> Iterable[bytes]:
    """`chunks` in chunked transfer coding: a body with no Content-Length."""
    for chunk in chunks:
        yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    yield b"0\r\n\r\n"


def _readable(sock: socket.socket) -> bool:
    return bool(select.select([sock], [], [], 0)[0])


def _read_answer(sock: socket.socket) -> Answer:
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1."):
            return Answer(None)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return Answer(int(status_line.split()[1]), headers, rest[:length])
    except ConnectionResetError:
        return Answer(None)
