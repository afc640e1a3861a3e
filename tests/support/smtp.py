"""A tiny SMTP relay on a port of its own that keeps what it was given: enough of RFC 5321 for
Django's SMTP backend (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA), no TLS."""

import base64
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    logins: list[tuple[str, str]] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    # Recipient addresses the relay answers with 550 (SmtpRelay.refuse).
    refused: set[str] = field(default_factory=set)


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def ask(self) -> str:
        return self.rfile.readline().decode().rstrip("\r\n")

    def handle(self) -> None:
        received: Received = self.server.received  # type: ignore[attr-defined]
        envelope: dict = {"to": []}
        self.reply("220 test relay")
        while line := self.ask():
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-test relay")
                self.reply("250 AUTH PLAIN LOGIN")
            elif verb == "AUTH" and line.upper().startswith("AUTH PLAIN"):
                parts = line.split(" ")
                encoded = parts[2] if len(parts) > 2 else (self.reply("334 ") or self.ask())
                _, user, password = base64.b64decode(encoded).decode().split("\0")
                received.logins.append((user, password))
                self.reply("235 ok")
            elif verb == "AUTH":
                self.reply("334 VXNlcm5hbWU6")
                user = base64.b64decode(self.ask()).decode()
                self.reply("334 UGFzc3dvcmQ6")
                received.logins.append((user, base64.b64decode(self.ask()).decode()))
                self.reply("235 ok")
            elif verb == "MAIL":
                envelope = {"from": line.split(":", 1)[1].strip(" <>"), "to": []}
                self.reply("250 ok")
            elif verb == "RCPT":
                address = line.split(":", 1)[1].strip(" <>")
                if address in received.refused:
                    self.reply("550 no such mailbox")
                    continue
                envelope["to"].append(address)
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                lines = []
                while (data := self.ask()) != ".":
                    lines.append(data)
                received.messages.append({**envelope, "data": "\n".join(lines)})
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


class SmtpRelay:
    def __init__(self) -> None:
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.received = Received()  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def received(self) -> Received:
        return self.server.received  # type: ignore[attr-defined]

    def refuse(self, address: str) -> None:
        """Answer 550 to this recipient from now on."""
        self.received.refused.add(address)

    def __enter__(self) -> "SmtpRelay":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
