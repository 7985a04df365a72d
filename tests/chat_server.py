"""An OpenAI-compatible chat-completions server on loopback, started by a test (tests only)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatServer:
    """Answers every POST with a completion whose content is ``answer``, or with the JSON body
    ``reply`` when given. ``statuses`` are the HTTP statuses of successive requests (the last one
    repeats; default ``[status]``). Records each request's JSON body and headers; ``url`` is
    the base URL (``.../v1``). Call :meth:`close` when done."""

    def __init__(
        self,
        answer: str = "",
        *,
        reply: object | None = None,
        status: int = 200,
        statuses: list[int] | None = None,
    ) -> None:
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.statuses = list(statuses or [status])
        body = (
            reply
            if reply is not None
            else {"choices": [{"message": {"role": "assistant", "content": answer}}]}
        )
        data = json.dumps(body).encode()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                outer.requests.append(json.loads(self.rfile.read(length)))
                outer.headers.append(dict(self.headers))
                turn = min(len(outer.requests), len(outer.statuses)) - 1
                self.send_response(outer.statuses[turn])
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.timeout = 5
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
