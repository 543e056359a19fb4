#!/usr/bin/env python3
"""A naive Python equivalent of `inc list --status all`, for comparison.

    python3 benches/naive_list.py REPO [--yaml-timeline] > /dev/null

Walks REPO/incidents/<year>/<id>/, loads each incident.yaml with PyYAML's C
loader (CSafeLoader), parses each timeline line (`- {json}`) with the json
module (or, with --yaml-timeline, loads the whole timeline.yaml with
CSafeLoader as any YAML reader would), sorts the events by time, folds
status, severity, commander and resolution time, and prints a table newest
first: ID, severity, status, title, commander, age or duration.

Single-threaded, no caching: what a quick script would do. Needs PyYAML built
with libyaml (`pip install pyyaml`).
"""

import datetime as dt
import json
import os
import sys

import yaml

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    sys.exit("PyYAML without libyaml: CSafeLoader is missing")


def parse_time(value):
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def load_events(path, yaml_timeline):
    with open(path, encoding="utf-8") as f:
        if yaml_timeline:
            return yaml.load(f, Loader=Loader) or []
        seen = set()
        events = []
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line in seen:
                continue
            seen.add(line)
            events.append(json.loads(line[1:].lstrip()))
        return events


def fold(events):
    state = {"status": None, "severity": None, "commander": None, "resolved_at": None}
    for e in sorted(events, key=lambda e: parse_time(e["at"])):
        kind = e.get("type")
        if kind == "opened":
            state["severity"] = e.get("severity")
            state["status"] = e.get("status")
        elif kind in ("update", "status") and e.get("status"):
            state["status"] = e["status"]
            if e["status"] == "resolved":
                state["resolved_at"] = parse_time(e["at"])
        elif kind == "ack" and state["status"] == "triage":
            state["status"] = "investigating"
        elif kind == "severity":
            state["severity"] = e.get("severity")
        elif kind == "role" and e.get("role") == "commander":
            state["commander"] = e.get("who")
    return state


def duration(delta):
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    yaml_timeline = "--yaml-timeline" in sys.argv
    root = args[0] if args else "."
    now = dt.datetime.now(dt.timezone.utc)
    rows = []
    incidents = os.path.join(root, "incidents")
    for year in sorted(os.listdir(incidents)):
        year_dir = os.path.join(incidents, year)
        if not os.path.isdir(year_dir):
            continue
        for incident_id in os.listdir(year_dir):
            folder = os.path.join(year_dir, incident_id)
            with open(os.path.join(folder, "incident.yaml"), encoding="utf-8") as f:
                header = yaml.load(f, Loader=Loader)
            events = load_events(os.path.join(folder, "timeline.yaml"), yaml_timeline)
            state = fold(events)
            opened = parse_time(header["opened_at"])
            started = parse_time(header.get("started_at") or header["opened_at"])
            if state["resolved_at"] is not None:
                age = "took " + duration(state["resolved_at"] - started)
            else:
                age = duration(now - opened) + " ago"
            rows.append(
                (opened, incident_id, state["severity"] or "", state["status"] or "",
                 header["title"], state["commander"] or "", age)
            )
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    out = [f"{'ID':<52} {'SEV':<5} {'STATUS':<14} {'TITLE':<60} {'COMMANDER':<10} AGE"]
    for _, incident_id, sev, status, title, commander, age in rows:
        out.append(f"{incident_id:<52} {sev:<5} {status:<14} {title:<60} {commander:<10} {age}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
