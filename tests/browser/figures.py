"""Prints the start page's figures: first-visit transfer size (HTML, CSS, script, icon) and server
time (the service's own `elapsed_ms` log field) over many requests. A script, not a test:

    CARGO_TARGET_DIR=… target/browser-venv/bin/python tests/browser/figures.py [REQUESTS]
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from conftest import TARGET, free_port, wait_until_up


def fetch(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request) as response:
        body = response.read()
        head = sum(len(k) + len(v) + 4 for k, v in response.getheaders())
        return body, head, response.headers.get_all("Set-Cookie") or []


def main():
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    binary = Path(os.environ.get("XIAOBAO_BIN", TARGET / "debug" / "xiaobao"))
    with tempfile.TemporaryDirectory() as work:
        port = free_port()
        env = dict(os.environ, PORT=str(port), XIAOBAO_HOST="127.0.0.1", XIAOBAO_WORKERS="false",
                   DATABASE_URL=f"sqlite://{work}/figures.db?mode=rwc", RUST_LOG="info",
                   XIAOBAO_LOG_FORMAT="json")
        log_path = Path(work) / "server.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen([str(binary), "serve"], env=env, stdout=log, stderr=log)
            base = f"http://127.0.0.1:{port}"
            try:
                wait_until_up(base + "/readyz", server, "xiaobao", 60)
                html, head, cookies = fetch(base + "/")
                sizes = {"/": len(html) + head}
                for url in sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html.decode()))):
                    body, head, _ = fetch(base + url)
                    sizes[url] = len(body) + head
                cookie = cookies[0].split(";")[0]
                for i in range(requests):
                    # Half as a first visit (a new session), half as a returning one.
                    fetch(base + "/", cookie if i % 2 else None)
            finally:
                server.terminate()
                server.wait(timeout=15)
        times = []
        for line in log_path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            fields = entry.get("fields", {})
            span = entry.get("span", {})
            if fields.get("message") == "handled" and span.get("path") == "/":
                times.append(float(fields["elapsed_ms"]))
    times.sort()
    print("first visit of /, bytes (headers and body):")
    for url, size in sizes.items():
        print(f"  {url:40} {size:7}")
    print(f"  {'total':40} {sum(sizes.values()):7}  (goal < 102400)")
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"server time of GET / over {len(times)} requests: p50 {statistics.median(times):.2f} ms, "
          f"p99 {p99:.2f} ms, max {times[-1]:.2f} ms")


if __name__ == "__main__":
    main()
