#!/usr/bin/env python3
"""Smoke test of a running escrow-cutover server, through its JSON API.

    SMOKE_USERNAME=... SMOKE_PASSWORD=... python scripts/smoke.py http://127.0.0.1:8000 [--expect-mongo optional]

Credentials come from the environment only (a staff account holding the API's permissions, e.g. a superuser;
never put them in the repo). Steps: health, login (a token), open a dispute (its parties taken from an existing
dispute), change its status and read it back, send a notification and mark it read, a ledger balance, close the
dispute, and log out (revoking the token). Every step prints one line; the exit status is 1 at the first
failure, 2 for a usage error. Standard library only, so it runs from any machine with Python 3.
"""

import argparse
import decimal
import json
import os
import sys
import time
import urllib.error
import urllib.request
from typing import Any


class SmokeFailure(Exception):
    pass


class Api:
    def __init__(self, base_url: str, timeout: float):
        self.base_url, self.timeout, self.token = base_url.rstrip("/"), timeout, ""

    def call(
        self, method: str, path: str, body: dict | None = None, *, expect: tuple[int, ...] = (200,), empty=False
    ) -> Any:
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Accept": "application/json", "Content-Type": "application/json"}
            | ({"Authorization": f"Token {self.token}"} if self.token else {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise SmokeFailure(f"{method} {path}: no answer ({error})") from None
        if status not in expect:
            raise SmokeFailure(f"{method} {path}: HTTP {status}, expected {expect}: {text[:500]}")
        if empty:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise SmokeFailure(f"{method} {path}: HTTP {status} but not JSON: {text[:200]}") from None


def step(name: str, check) -> Any:
    started = time.monotonic()
    try:
        result = check()
    except SmokeFailure as failure:
        print(f"FAIL {name}: {failure}")
        raise
    print(f"ok   {name} ({(time.monotonic() - started) * 1000:.0f} ms)")
    return result


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def check_health(api: Api, expect_mongo: str | None) -> dict:
    health = api.call("GET", "/api/health")
    expect(health.get("status") in ("ok", "degraded"), f"health status {health.get('status')!r}")
    if expect_mongo:
        expect(health.get("mongo") == expect_mongo, f"health says mongo: {health.get('mongo')!r}, not {expect_mongo}")
    return health


def log_in(api: Api, username: str, password: str) -> None:
    answer = api.call("POST", "/api/auth/token", {"username": username, "password": password})
    expect(bool(answer.get("token")), "no token in the login answer")
    api.token = answer["token"]


def a_template_dispute(api: Api) -> dict:
    """An existing dispute whose parties the new one reuses (their records exist in every store)."""
    for status in ("open", "under_review", "awaiting_response", "resolved_buyer", "resolved_seller", "closed"):
        found = api.call("GET", f"/api/disputes?status={status}&limit=1")["results"]
        if found:
            return found[0]
    raise SmokeFailure("no dispute to take parties from: seed data first (manage.py seed_demo)")


def open_and_review(api: Api, template: dict) -> dict:
    opened = api.call(
        "POST",
        "/api/disputes",
        {
            "purchase_request_id": template["purchase_request_id"],
            "opened_by_id": template["opened_by_id"],
            "against_user_id": template["against_user_id"],
            "reason": "other",
            "description": f"smoke test {time.strftime('%Y-%m-%d %H:%M:%S')}",
            "priority": "low",
        },
        expect=(201,),
    )
    expect(opened["status"] == "open", f"a new dispute is {opened['status']!r}, not open")
    changed = api.call(
        "POST",
        f"/api/disputes/{opened['id']}/status",
        {"to_status": "under_review", "note": "smoke"},
    )
    expect(changed["status"] == "under_review", f"status change answered {changed['status']!r}")
    return opened


def read_back(api: Api, dispute_id: str) -> None:
    stored = api.call("GET", f"/api/disputes/{dispute_id}")
    expect(stored["status"] == "under_review", f"read back status {stored['status']!r}, not under_review")
    actions = [entry["action"] for entry in stored["timeline"]]
    expect(actions[-1:] == ["status_changed"], f"timeline ends with {actions[-1:]}, not a status change")


def notification_read(api: Api, user_id: str) -> None:
    sent = api.call(
        "POST", "/api/notifications", {"user_id": user_id, "type": "smoke", "title": "Smoke test"}, expect=(201,)
    )
    read = api.call("POST", f"/api/notifications/{sent['id']}/read")
    expect(read["is_read"] is True, "mark read did not mark it read")
    listed = api.call("GET", f"/api/notifications?user_id={user_id}&limit=200")["results"]
    mine = [item for item in listed if item["id"] == sent["id"]]
    expect(bool(mine) and mine[0]["is_read"], "the notification is not listed as read")


def balance(api: Api, user_id: str) -> None:
    answer = api.call("GET", f"/api/ledger/balance?user_id={user_id}&currency=USDT")
    try:
        decimal.Decimal(answer["balance"])
    except (KeyError, TypeError, decimal.InvalidOperation):
        raise SmokeFailure(f"no balance in {answer}") from None


def close(api: Api, dispute_id: str) -> None:
    closed = api.call(
        "POST", f"/api/disputes/{dispute_id}/resolve", {"outcome": "closed", "resolution": "smoke test, nothing to do"}
    )
    expect(closed["status"] == "closed", f"resolve answered {closed['status']!r}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--expect-mongo", choices=("required", "optional", "disabled"), help="what health must say")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    options = parser.parse_args(argv)
    username, password = os.environ.get("SMOKE_USERNAME", ""), os.environ.get("SMOKE_PASSWORD", "")
    if not username or not password:
        print("set SMOKE_USERNAME and SMOKE_PASSWORD (an API account) in the environment", file=sys.stderr)
        return 2
    api = Api(options.base_url, options.timeout)
    try:
        health = step("health", lambda: check_health(api, options.expect_mongo))
        print(f"     mongo: {health.get('mongo')}, status: {health.get('status')}")
        step("login", lambda: log_in(api, username, password))
        template = step("find a dispute's parties", lambda: a_template_dispute(api))
        dispute = step("open a dispute and change its status", lambda: open_and_review(api, template))
        step("read the dispute back", lambda: read_back(api, dispute["id"]))
        step("send a notification and read it", lambda: notification_read(api, template["opened_by_id"]))
        step("ledger balance", lambda: balance(api, template["opened_by_id"]))
        step("close the dispute", lambda: close(api, dispute["id"]))
        step("log out", lambda: api.call("POST", "/api/auth/logout", expect=(204,), empty=True))
    except SmokeFailure:
        return 1
    print("smoke: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
