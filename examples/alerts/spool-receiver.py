#!/usr/bin/env python3
"""An Alertmanager webhook receiver that writes each notification to a spool
folder, for inc-alert-spool.sh to feed to `inc alert --push` from cron.

Usage:  python3 spool-receiver.py SPOOL_DIR [PORT]

Each body is written to a temp file and renamed into place as
<nanoseconds>-<sequence>.json, so file names sort by arrival and the cron script
never reads a half-written file. Answers 204 only once the file is on disk,
so Alertmanager retries anything this did not store. Python's standard
library only. Point Alertmanager's webhook_configs url at it, as in
alertmanager.yml.
"""

import itertools
import json
import os
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 4 * 1024 * 1024
# Breaks ties between bodies that arrive in the same nanosecond.
SEQUENCE = itertools.count(1)


class Receiver(BaseHTTPRequestHandler):
    spool = "."

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self.send_error(413 if length else 400)
            return
        body = self.rfile.read(length)
        try:
            json.loads(body)
        except ValueError:
            self.send_error(400, "not JSON")
            return
        name = f"{time.time_ns():020d}-{next(SEQUENCE):06d}.json"
        fd, tmp = tempfile.mkstemp(dir=self.spool, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.spool, name))
        self.send_response(204)
        self.end_headers()


if __name__ == "__main__":
    Receiver.spool = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 9095
    os.makedirs(Receiver.spool, exist_ok=True)
    ThreadingHTTPServer(("", port), Receiver).serve_forever()
