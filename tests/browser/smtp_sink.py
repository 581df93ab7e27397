"""A tiny SMTP server that keeps every message it is sent, for mail assertions (standard library
only: smtpd left Python in 3.12). Plain SMTP, no TLS, no AUTH, as to a local relay."""

import email
import email.policy
import socketserver
import threading
import time


class SmtpSink:
    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write((line + "\r\n").encode())

            def handle(self):
                self.reply("220 sink ESMTP")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line.decode("utf-8", "replace").strip().split(" ")[0].upper()
                    if verb == "EHLO":
                        self.reply("250-sink")
                        self.reply("250 8BITMIME")
                    elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        lines = []
                        while True:
                            data = self.rfile.readline()
                            if data in (b".\r\n", b".\n", b""):
                                break
                            # Undo the dot-stuffing; keep lines as Python's email reads them.
                            data = data[1:] if data.startswith(b"..") else data
                            lines.append(data.replace(b"\r\n", b"\n"))
                        message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                        with sink._lock:
                            sink.messages.append(message)
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 not implemented")

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout=15.0):
        """The first message for which predicate(message) is true; fails after timeout seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.messages:
                    if predicate(message):
                        return message
            time.sleep(0.1)
        raise AssertionError(f"no matching mail within {timeout} s; got {len(self.messages)} others")

    def close(self):
        self._server.shutdown()
        self._server.server_close()
