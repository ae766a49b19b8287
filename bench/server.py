"""The benchmark's fixed-response server: a raw asyncio protocol, run in its own process.

It answers from pre-built byte strings so that the server is never what is measured:
request parsing is the least that keep-alive needs (find the blank line, honour
Content-Length for uploads).  WebSocket echo is a minimal RFC 6455 server (text and
binary; unmasking with numpy when installed, else one big-int XOR — see WsEcho).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import os
import signal
import socket
import sys

SMALL_BODY = b"Hello, World!"
BODY_64K = os.urandom(64 * 1024)
BODY_1M = os.urandom(1024 * 1024)
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _fixed(body: bytes, ctype: bytes = b"text/plain") -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nServer: bench\r\nDate: Sat, 21 Nov 2026 00:00:00 GMT\r\n"
        b"Content-Type: " + ctype + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


def _chunked(body: bytes, size: int) -> bytes:
    parts = [b"HTTP/1.1 200 OK\r\nServer: bench\r\nContent-Type: application/octet-stream\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n"]
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        parts.append(b"%x\r\n%s\r\n" % (len(piece), piece))
    parts.append(b"0\r\n\r\n")
    return b"".join(parts)


# /big: a large body for memory measurements (bench.memory sets its size; 0 = not served).
BIG_MIB = int(os.environ.get("BENCH_BIG_MIB", "0"))

ROUTES = {
    b"/small": _fixed(SMALL_BODY),
    b"/64k": _fixed(BODY_64K, b"application/octet-stream"),
    b"/1m": _fixed(BODY_1M, b"application/octet-stream"),
    b"/chunked1m": _chunked(BODY_1M, 4096),
}
if BIG_MIB:
    ROUTES[b"/big"] = _fixed(b"\x00" * (BIG_MIB << 20), b"application/octet-stream")
POST_OK = _fixed(b"ok")
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


class HttpEcho(asyncio.Protocol):
    """Keep-alive HTTP/1.1 with fixed answers; upgrades /ws to a WebSocket echo."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.body_left = 0
        self.ws: WsEcho | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family != socket.AF_UNIX:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if self.ws is not None:
            self.ws.feed(data)
            return
        buf = self.buf
        buf += data
        out = []
        while True:
            if self.body_left:
                take = min(self.body_left, len(buf))
                del buf[:take]
                self.body_left -= take
                if self.body_left:
                    break
                out.append(POST_OK)
                continue
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = bytes(buf[:end + 2])  # keep the last CRLF: every line ends in one
            del buf[:end + 4]
            line_end = head.find(b"\r\n")
            line = head[:line_end] if line_end >= 0 else head
            parts = line.split(b" ")
            path = parts[1] if len(parts) > 1 else b"/"
            lower = head.lower()
            if parts[0] == b"POST" or parts[0] == b"PUT":
                idx = lower.find(b"\r\ncontent-length:")
                length = int(head[idx + 17:head.find(b"\r\n", idx + 2)]) if idx >= 0 else 0
                if length:
                    self.body_left = length
                    continue
                out.append(POST_OK)
                continue
            if path == b"/ws":
                if out:
                    self.transport.write(b"".join(out))
                    out = []
                self._upgrade(head, lower)
                if buf:
                    self.ws.feed(bytes(buf))  # type: ignore[union-attr]
                    buf.clear()
                return
            out.append(ROUTES.get(path.split(b"?", 1)[0], NOT_FOUND))
        if out:
            self.transport.write(b"".join(out) if len(out) > 1 else out[0])

    def _upgrade(self, head: bytes, lower: bytes) -> None:
        idx = lower.find(b"\r\nsec-websocket-key:")
        key = head[idx + 20:head.find(b"\r\n", idx + 2)].strip()
        accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest())
        self.transport.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        self.ws = WsEcho(self.transport)


class WsEcho:
    """Echo every data frame back unmasked; answer close with close.

    Cheap on purpose, so the clients are what is measured: a frame that arrives whole
    is parsed straight from the received bytes (no buffer churn); a large frame is
    gathered in one bytearray and unmasked there in place, 8 bytes at a time with numpy
    when it is installed (a 1 MiB big-int XOR costs ~10 ms, numpy ~0.3 ms); small
    payloads use one int XOR, which beats numpy's per-call overhead.
    """

    try:
        import numpy as _np
    except ImportError:  # pragma: no cover - numpy comes with matplotlib (bench extra)
        _np = None
    NUMPY_MIN = 256  # below this the int XOR is cheaper than building arrays

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.buf = bytearray()

    @classmethod
    def _unmask(cls, src, pos: int, length: int) -> bytes:
        """The payload at src[pos:pos + length], unmasked with the key in the 4 bytes before."""
        key = bytes(src[pos - 4:pos])
        np = cls._np
        if np is None or length < cls.NUMPY_MIN:
            stream = (key * (length // 4 + 1))[:length]
            value = int.from_bytes(src[pos:pos + length], "little") ^ int.from_bytes(stream, "little")
            return value.to_bytes(length, "little")
        if not isinstance(src, bytearray):  # received whole: numpy needs a writable copy
            src, pos = bytearray(src[pos - 4:pos + length]), 4
        words = length >> 3
        view = np.frombuffer(src, dtype=np.uint64, count=words, offset=pos)  # writable: bytearray
        view ^= np.frombuffer(key * 2, dtype=np.uint64)[0]
        del view  # release the export so the bytearray can be resized again
        for i in range(pos + (words << 3), pos + length):
            src[i] ^= key[(i - pos) & 3]
        return bytes(src[pos:pos + length])

    def feed(self, data: bytes) -> None:
        buf = self.buf
        if buf:
            buf += data
            src = buf
        else:
            src = data  # the usual case: whole frames, nothing left over before
        end = len(src)
        off = 0
        out: list[bytes] = []
        while end - off >= 2:
            b0, b1 = src[off], src[off + 1]
            length = b1 & 0x7F
            pos = off + 2
            if length == 126:
                if end - off < 4:
                    break
                length = int.from_bytes(src[pos:pos + 2], "big")
                pos += 2
            elif length == 127:
                if end - off < 10:
                    break
                length = int.from_bytes(src[pos:pos + 8], "big")
                pos += 8
            masked = b1 & 0x80
            if masked:
                pos += 4
            if end < pos + length:
                break
            if masked and length:
                payload = self._unmask(src, pos, length)
            else:
                payload = bytes(src[pos:pos + length])
            off = pos + length
            opcode = b0 & 0x0F
            if opcode == 8:
                out.append(b"\x88\x02\x03\xe8")
                self.transport.writelines(out)
                self.transport.close()
                buf.clear()
                return
            if opcode == 9:
                opcode = 10
            if length < 126:
                out.append(bytes((0x80 | opcode, length)))
            elif length < 65536:
                out.append(bytes((0x80 | opcode, 126)) + length.to_bytes(2, "big"))
            else:
                out.append(bytes((0x80 | opcode, 127)) + length.to_bytes(8, "big"))
            out.append(payload)
        if src is buf:
            del buf[:off]
        elif off < end:
            buf += src[off:]
        if out:
            self.transport.writelines(out)


async def serve(host: str, ports: list[int], ready_fd: int | None, hosts: int = 1) -> None:
    """Listen on ``ports`` (0: any free one) of ``host``; the first port also on 127.0.0.2 …
    127.0.0.<hosts> (the many-hosts pattern: the whole 127/8 is loopback)."""
    loop = asyncio.get_running_loop()
    servers = []
    bound = []
    for port in ports:
        srv = await loop.create_server(HttpEcho, host, port, backlog=4096, reuse_address=True)
        servers.append(srv)
        bound.append(srv.sockets[0].getsockname()[1])
    for i in range(2, hosts + 1):
        servers.append(await loop.create_server(HttpEcho, f"127.0.0.{i}", bound[0], backlog=4096,
                                                reuse_address=True))
    message = (" ".join(map(str, bound)) + "\n").encode()
    if ready_fd is not None:
        os.write(ready_fd, message)
        os.close(ready_fd)
    else:
        sys.stdout.write(message.decode())
        sys.stdout.flush()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    await stop
    for srv in servers:
        srv.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ports", type=int, default=1, help="how many listening ports (per-host pools)")
    parser.add_argument("--hosts", type=int, default=1, help="the first port also on 127.0.0.2 … 127.0.0.<hosts>")
    parser.add_argument("--cpu", type=int, default=None, help="pin to this core")
    parser.add_argument("--ready-fd", type=int, default=None)
    parser.add_argument("--no-uvloop", action="store_true")
    args = parser.parse_args()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    if not args.no_uvloop:
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
    asyncio.run(serve(args.host, [0] * args.ports, args.ready_fd, args.hosts))


if __name__ == "__main__":
    main()
