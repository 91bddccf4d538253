"""64 parallel suites, one project each, in one emulator: a realistic flow and isolation.

Every suite creates its project through `/emulator/v1/projects`, signs up two users by email OTP
through the outbox (one of them, `shared@example.com`, in every project), refreshes, creates
users and a tenant with its management key, and searches. Then, with all projects populated,
each suite checks that it sees only its own users, tenants and outbox messages and that its
neighbour's credentials (management key, session and refresh JWT) are refused in its project.
Then half of the suites reset their project: those become empty, the others stay intact;
then the other half reset theirs.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from harness import Client, Emulator, Project, create_project, note, otp_sign_up, q

SUITES = 64
SHARED = "shared@example.com"


@dataclass
class Suite:
    n: int
    project: Project | None = None
    logins: set[str] = field(default_factory=set)
    tenant_id: str = ""
    shared_user_id: str = ""
    session: str = ""
    refresh: str = ""


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    emu = Emulator("parallel").start()
    yield emu
    emu.stop()


def users_of(c: Client, p: Project) -> set[str]:
    users = c.json("POST", "/v1/mgmt/user/search", {"limit": 100}, auth=p.mgmt)["users"]
    return {login for u in users for login in u["loginIds"]}


def tenants_of(c: Client, p: Project) -> set[str]:
    return {t["id"] for t in c.json("GET", "/v1/mgmt/tenant/all", auth=p.mgmt)["tenants"]}


def outbox_of(c: Client, p: Project) -> list[dict]:
    return c.json("GET", f"/emulator/v1/projects/{p.project_id}/outbox")["messages"]


def flow(s: Suite, c: Client) -> None:
    """Phase 1: the suite's own flow."""
    p = s.project = create_project(c, name=f"suite {s.n}")
    shared = otp_sign_up(c, p, SHARED, name=f"Shared of {s.n}")
    own = otp_sign_up(c, p, f"own-{s.n}@example.com")
    s.session, s.refresh = own["sessionJwt"], own["refreshJwt"]
    s.shared_user_id = shared["user"]["userId"]
    refreshed = c.json("POST", "/v1/auth/refresh", {}, auth=p.token(s.refresh))
    c.json("POST", "/v1/auth/validate", {}, auth=p.token(refreshed["sessionJwt"]))
    s.logins = {SHARED, f"own-{s.n}@example.com"}
    for k in range(3):
        login = f"u{s.n}-{k}@example.com"
        c.json("POST", "/v1/mgmt/user/create", {"loginId": login, "email": login, "name": f"U {s.n} {k}"}, auth=p.mgmt)
        s.logins.add(login)
    s.tenant_id = c.json("POST", "/v1/mgmt/tenant/create", {"name": f"tenant of suite {s.n}"}, auth=p.mgmt)["id"]


def own_view(s: Suite, c: Client) -> list[str]:
    """What the suite must see of its project: exactly its own things."""
    p = s.project
    problems = []
    if (got := users_of(c, p)) != s.logins:
        problems.append(f"users {sorted(got)} != {sorted(s.logins)}")
    if (got := tenants_of(c, p)) != {s.tenant_id}:
        problems.append(f"tenants {sorted(got)} != {[s.tenant_id]}")
    messages = outbox_of(c, p)
    foreign = [m for m in messages if m.get("projectId") != p.project_id or m.get("loginId") not in s.logins]
    if foreign or len(messages) != 2:
        problems.append(f"outbox has {len(messages)} messages, foreign: {foreign[:3]}")
    r = c.call("POST", "/v1/auth/refresh", {}, auth=p.token(s.refresh))
    if r.status != 200:
        problems.append(f"own refresh token refused: {r.status} {r.text[:200]}")
    return problems


def isolation(s: Suite, other: Suite, c: Client) -> list[str]:
    """Phase 2: the neighbour's credentials and IDs mean nothing in this project."""
    p, o = s.project, other.project
    problems = own_view(s, c)
    refusals = {
        "neighbour's management key": ("GET", "/v1/mgmt/tenant/all", None, f"Bearer {p.project_id}:{o.management_key}"),
        "neighbour's session JWT": ("POST", "/v1/auth/validate", {}, p.token(other.session)),
        "neighbour's refresh JWT": ("POST", "/v1/auth/refresh", {}, p.token(other.refresh)),
        "neighbour's refresh JWT on me": ("GET", "/v1/auth/me", None, p.token(other.refresh)),
    }
    for what, (method, path, body, auth) in refusals.items():
        r = c.call(method, path, body, auth=auth)
        if r.status != 401:
            problems.append(f"{what} not refused: {r.status} {r.text[:200]}")
    for what, path in {
        "neighbour's user by ID": f"/v1/mgmt/user?userId={q(other.shared_user_id)}",
        "neighbour's own user": f"/v1/mgmt/user?loginId={q(f'own-{other.n}@example.com')}",
        "neighbour's tenant": f"/v1/mgmt/tenant?id={q(other.tenant_id)}",
    }.items():
        r = c.call("GET", path, auth=p.mgmt)
        if r.status < 400 or r.status >= 500:
            problems.append(f"{what} visible: {r.status} {r.text[:200]}")
    if s.shared_user_id == other.shared_user_id:
        problems.append(f"{SHARED} has the same user ID in two projects")
    r = c.call("GET", f"/emulator/v1/projects/{p.project_id}/outbox/latest?loginId={q(f'own-{other.n}@example.com')}")
    if r.status != 404:
        problems.append(f"neighbour's outbox message visible: {r.status} {r.text[:200]}")
    return problems


def after_reset(s: Suite, c: Client, was_reset: bool) -> list[str]:
    """Phase 4: reset projects are empty, the others untouched."""
    p = s.project
    if not was_reset:
        return own_view(s, c)
    problems = []
    if users := users_of(c, p):
        problems.append(f"users after reset: {sorted(users)}")
    if tenants := tenants_of(c, p):
        problems.append(f"tenants after reset: {sorted(tenants)}")
    if messages := outbox_of(c, p):
        problems.append(f"outbox after reset: {len(messages)} messages")
    r = c.call("POST", "/v1/auth/refresh", {}, auth=p.token(s.refresh))
    if r.status != 401:
        problems.append(f"refresh token from before the reset not refused: {r.status} {r.text[:200]}")
    c.json("GET", "/v1/mgmt/tenant/all", auth=p.mgmt)  # the management key survives a reset
    return problems


def test_parallel_projects_are_isolated(emulator: Emulator) -> None:
    suites = [Suite(n) for n in range(SUITES)]
    barrier = threading.Barrier(SUITES, timeout=300)
    problems: dict[int, list[str]] = {}
    timings: dict[str, float] = {}
    started = time.monotonic()

    def run(s: Suite) -> None:
        c = emulator.client()
        mine: list[str] = []
        try:
            flow(s, c)
            barrier.wait()
            if s.n == 0:
                timings["flows"] = time.monotonic() - started
            mine += isolation(s, suites[(s.n + 1) % SUITES], c)
            barrier.wait()
            if s.n % 2 == 0:
                c.json("POST", f"/emulator/v1/projects/{s.project.project_id}/reset", {})
            barrier.wait()
            mine += after_reset(s, c, s.n % 2 == 0)
            barrier.wait()
            if s.n % 2 == 1:
                c.json("POST", f"/emulator/v1/projects/{s.project.project_id}/reset", {})
                mine += after_reset(s, c, True)
        except threading.BrokenBarrierError:
            mine.append("another suite failed, so this one stopped")
        except Exception as e:  # noqa: BLE001 - reported below with the suite's number
            mine.append(f"failed: {e!r}"[:500])
            barrier.abort()
        finally:
            c.close()
            problems[s.n] = mine

    with ThreadPoolExecutor(SUITES) as pool:
        list(pool.map(run, suites))
    failed = {n: p for n, p in problems.items() if p}
    note(
        f"parallel: {SUITES} suites; flows done in {timings.get('flows', 0):.1f}s, all in {time.monotonic() - started:.1f}s"
    )
    assert not failed, "\n".join(
        f"suite {n} ({suites[n].project and suites[n].project.project_id}): {p}" for n, p in sorted(failed.items())
    )
    assert emulator.alive()
    assert not emulator.panics(), emulator.panics()
