"""A small SMTP server for tests, on 127.0.0.1 in a thread: it refuses the first
`refuse` connections (421, as a server that is down for maintenance), then
accepts mail and keeps each message's text; with `silent`, it accepts the
connection and never says a word (a hung server). No TLS, no auth: the bare dialogue
smtplib speaks (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)."""

import socket
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server: SMTPTestServer = self.server.owner  # type: ignore[attr-defined]
        with server.lock:
            server.connections += 1
            refuse = server.refuse > 0
            if refuse:
                server.refuse -= 1
        if refuse:
            self.reply("421 4.3.2 Service not available, try again later")
            return
        if server.silent:
            server.stopped.wait(30)
            return
        self.reply("220 test.local ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test.local")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                with server.lock:
                    server.messages.append(
                        (recipients, b"".join(data).decode("utf-8", "replace"))
                    )
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SMTPTestServer:
    def __init__(self, *, refuse: int = 0, silent: bool = False):
        self.refuse = refuse
        self.silent = silent
        self.stopped = threading.Event()
        self.connections = 0
        self.messages: list[tuple[list[str], str]] = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]

    def __enter__(self) -> "SMTPTestServer":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self._server.shutdown()
        self._server.server_close()


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on (a mail server that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
