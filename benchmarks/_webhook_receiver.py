"""The webhooks benchmark's receiver, a process of its own: an HTTP/1.1 server (keep-alive, a
thread per connection) that verifies every delivery with the ``standardwebhooks`` library
and notes when each arrived.

    python benchmarks/_webhook_receiver.py PORT SECRET

``POST /hooks``: a delivery (204 when its signature verifies, 400 when not). ``GET /take``:
what arrived since the last take, as JSON ``{"verified": [[webhook-id, unix time], ...],
"refused": n}``, and forgets it."""

import http.server
import json
import sys
import threading
import time

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


def main() -> None:
    port, secret = int(sys.argv[1]), sys.argv[2]
    webhook = Webhook(secret)
    lock = threading.Lock()
    state: dict = {"verified": [], "refused": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def do_POST(self):  # noqa: N802 - the standard library's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            arrived = time.time()
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                webhook.verify(body, headers)
                ok = True
            except WebhookVerificationError:
                ok = False
            with lock:
                if ok:
                    state["verified"].append((headers["webhook-id"], arrived))
                else:
                    state["refused"] += 1
            self.send_response(204 if ok else 400)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):  # noqa: N802
            with lock:
                body = json.dumps(state).encode()
                state["verified"], state["refused"] = [], 0
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
