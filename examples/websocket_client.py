"""A WebSocket client: send messages, print what comes back, close cleanly.

    python examples/websocket_client.py ws://127.0.0.1:8080/ws hello world
    echo hello | python examples/websocket_client.py wss://example.com/ws

Written against aiohttp's API; ``import cyhttp as aiohttp`` is the only change.  The
messages are the arguments after the URL, or the lines of standard input when there are
none.  One task receives (``async for msg in ws``) while the other sends, so replies
are printed as they arrive, whatever the server's pace.  After the last message the
client waits up to ``--wait`` seconds for the replies (it stops early once there is one
per message sent, as with an echo server), then closes with code 1000.  Pings from the
server are answered automatically; ``--heartbeat`` makes the client ping too.

Prints ``> text`` for each message sent, ``< text`` (or ``< N bytes``) for each message
received, and a last line ``closed (code N)``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import cyhttp as aiohttp


async def read_messages(messages: list[str]) -> list[str]:
    if messages:
        return messages
    loop = asyncio.get_running_loop()
    lines = await loop.run_in_executor(None, sys.stdin.readlines)  # stdin is blocking I/O
    return [line.rstrip("\r\n") for line in lines if line.strip()]


class Conversation:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.sent = 0
        self.received = 0
        self.finished_sending = False
        self.all_replied = asyncio.Event()

    def _check(self) -> None:
        if self.finished_sending and self.received >= self.sent:
            self.all_replied.set()

    async def receive_loop(self) -> None:
        async for msg in self.ws:  # ends at the server's CLOSE (answered automatically)
            if msg.type is aiohttp.WSMsgType.TEXT:
                print(f"< {msg.data}", flush=True)
            elif msg.type is aiohttp.WSMsgType.BINARY:
                print(f"< {len(msg.data)} bytes", flush=True)
            elif msg.type is aiohttp.WSMsgType.ERROR:
                print(f"! {self.ws.exception()!r}", flush=True)
                break
            self.received += 1
            self._check()
        self.all_replied.set()  # the server is gone: nothing more will come

    async def send_all(self, messages: list[str]) -> None:
        for text in messages:
            await self.ws.send_str(text)
            self.sent += 1
            print(f"> {text}", flush=True)
        self.finished_sending = True
        self._check()


async def talk(url: str, messages: list[str], wait: float, heartbeat: float | None) -> int:
    timeout = aiohttp.ClientWSTimeout(ws_close=5.0)
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url, heartbeat=heartbeat, timeout=timeout) as ws:
            talk = Conversation(ws)
            receiver = asyncio.create_task(talk.receive_loop())
            try:
                await talk.send_all(await read_messages(messages))
                try:
                    await asyncio.wait_for(talk.all_replied.wait(), wait)
                except asyncio.TimeoutError:
                    print(f"({talk.sent - talk.received} replies still missing after {wait} s)", flush=True)
                await ws.close()  # sends CLOSE and waits for the server's (bounded by ws_close)
            finally:
                receiver.cancel()
                await asyncio.gather(receiver, return_exceptions=True)
            print(f"closed (code {ws.close_code})", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Send messages over a WebSocket and print the replies.")
    parser.add_argument("url", help="ws:// or wss:// URL")
    parser.add_argument("messages", nargs="*", help="text messages to send (default: lines of stdin)")
    parser.add_argument("--wait", type=float, default=5.0,
                        help="seconds to wait for replies after the last message (default 5)")
    parser.add_argument("--heartbeat", type=float, default=None,
                        help="ping the server every N seconds (default: never)")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(talk(args.url, args.messages, args.wait, args.heartbeat))
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        print(f"failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
