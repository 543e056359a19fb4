#!/usr/bin/env python3
"""Relays Alertmanager webhooks to GitHub as `repository_dispatch` events.

Alertmanager can't reshape its webhook body into the shape GitHub's dispatch
API wants, so this forwards each body unchanged, wrapped as
{"event_type": "alertmanager", "client_payload": {"alert": BODY}}.

Usage:  GITHUB_TOKEN=... GITHUB_REPOSITORY=owner/incidents python3 relay.py [PORT]

GITHUB_TOKEN: a fine-grained token with "Contents: read and write" on the
incident repository (what the dispatches endpoint requires). Python's
standard library only. Alertmanager retries when this answers an error, so a
GitHub outage delays alerts instead of losing them.
"""

import json
import os
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 4 * 1024 * 1024


def dispatch(body):
    repo = os.environ["GITHUB_REPOSITORY"]
    request = urllib.request.Request(
        f"https://api.github.com/repos/{repo}/dispatches",
        data=json.dumps(
            {"event_type": "alertmanager", "client_payload": {"alert": body}}
        ).encode(),
        method="POST",
        headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {os.environ['GITHUB_TOKEN']}",
            "X-GitHub-Api-Version": "2022-11-28",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


class Relay(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self.send_error(413 if length else 400)
            return
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError:
            self.send_error(400, "not JSON")
            return
        try:
            dispatch(body)
        except Exception as e:  # noqa: BLE001 - any failure: let Alertmanager retry
            self.log_error("dispatch failed: %s", e)
            self.send_error(502, "GitHub did not take the event")
            return
        self.send_response(204)
        self.end_headers()


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9095
    ThreadingHTTPServer(("", port), Relay).serve_forever()
