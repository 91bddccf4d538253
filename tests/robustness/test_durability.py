"""kill -9 durability on a database file.

The emulator runs on `--database <tmp>/db.sqlite`; concurrent writers create users (each with a
tenant and a role of its own), tenants, roles and OTP sign-ups through the API and record every
write that was acknowledged (2xx). The process is killed with SIGKILL in the middle of that load,
restarted on the same file, and every acknowledged write must be there, whole (a user with its
tenant and role, a signed-up user whose refresh token still refreshes), and the server must
serve normally. Three rounds on the same file, each checking the writes of all rounds so far.
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import Client, Dropped, Emulator, Project, create_project, note, outbox_latest, q

ROUNDS = 3
WRITERS = 6
SEED = int(os.environ.get("ROBUSTNESS_SEED", "20261202"))


@dataclass
class Acked:
    """The writes the emulator acknowledged, across rounds."""

    users: dict[str, dict] = field(default_factory=dict)  # loginId -> {name, email, tenantId, role}
    tenants: dict[str, str] = field(default_factory=dict)  # id -> name
    roles: set[str] = field(default_factory=set)
    sessions: dict[str, str] = field(default_factory=dict)  # loginId -> refresh JWT
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        return len(self.users) + len(self.tenants) + len(self.roles) + len(self.sessions)


class Stop(Exception):
    pass


def ok(r) -> dict:
    if r.status != 200:
        raise AssertionError(f"{r.status} {r.text[:300]}")
    return r.json()


def writer(
    port: int, project: Project, acked: Acked, n: int, rnd: int, stop: threading.Event, errors: list[str]
) -> None:
    """Writes until the emulator goes away; records what it acknowledged."""
    c = Client(port, timeout=10)
    rng = random.Random(f"{SEED}:{rnd}:{n}")
    i = 0
    try:
        while not stop.is_set():
            i += 1
            tag = f"r{rnd}w{n}i{i}"
            kind = rng.choice(["user", "user", "tenant", "role", "otp"])
            if kind == "tenant":
                name = f"tenant {tag}"
                body = ok(c.request("POST", "/v1/mgmt/tenant/create", {"name": name}, auth=project.mgmt))
                with acked.lock:
                    acked.tenants[body["id"]] = name
            elif kind == "role":
                name = f"role-{tag}"
                ok(c.request("POST", "/v1/mgmt/role/create", {"name": name, "description": tag}, auth=project.mgmt))
                with acked.lock:
                    acked.roles.add(name)
            elif kind == "user":
                # One user with its own tenant and role: three acknowledged writes, the last
                # of which must come back whole.
                tenant = ok(c.request("POST", "/v1/mgmt/tenant/create", {"name": f"ut {tag}"}, auth=project.mgmt))
                with acked.lock:
                    acked.tenants[tenant["id"]] = f"ut {tag}"
                role = f"urole-{tag}"
                ok(c.request("POST", "/v1/mgmt/role/create", {"name": role}, auth=project.mgmt))
                with acked.lock:
                    acked.roles.add(role)
                login = f"{tag}@example.com"
                body = {
                    "loginId": login,
                    "email": login,
                    "name": f"User {tag}",
                    "roleNames": [role],
                    "userTenants": [{"tenantId": tenant["id"], "roleNames": []}],
                }
                ok(c.request("POST", "/v1/mgmt/user/create", body, auth=project.mgmt))
                with acked.lock:
                    acked.users[login] = {"name": f"User {tag}", "email": login, "tenantId": tenant["id"], "role": role}
            else:
                login = f"otp-{tag}@example.com"
                ok(
                    c.request(
                        "POST",
                        "/v1/auth/otp/signup/email",
                        {"loginId": login, "user": {"name": tag}},
                        auth=project.bearer,
                    )
                )
                code = outbox_latest(c, project, login)["code"]
                out = ok(
                    c.request(
                        "POST", "/v1/auth/otp/verify/email", {"loginId": login, "code": code}, auth=project.bearer
                    )
                )
                with acked.lock:
                    acked.sessions[login] = out["refreshJwt"]
    except (Dropped, OSError, TimeoutError, ConnectionError, AssertionError) as e:
        if not stop.is_set():
            errors.append(f"writer {n} failed before the kill: {e!r}")
    finally:
        c.close()


def verify(emu: Emulator, project: Project, acked: Acked) -> None:
    c = emu.client()
    try:
        assert c.json("GET", "/emulator/v1/health")["status"] == "ok"
        missing: list[str] = []
        for login, want in acked.users.items():
            r = c.call("GET", f"/v1/mgmt/user?loginId={q(login)}", auth=project.mgmt)
            if r.status != 200:
                missing.append(f"user {login}: {r.status} {r.text[:200]}")
                continue
            u = r.json()["user"]
            got = {
                "name": u.get("name"),
                "email": u.get("email"),
                "tenantId": [t.get("tenantId") for t in u.get("userTenants", [])],
                "role": u.get("roleNames"),
            }
            expected = {
                "name": want["name"],
                "email": want["email"],
                "tenantId": [want["tenantId"]],
                "role": [want["role"]],
            }
            if got != expected:
                missing.append(f"user {login}: {got} != {expected}")
        for tid, name in acked.tenants.items():
            r = c.call("GET", f"/v1/mgmt/tenant?id={q(tid)}", auth=project.mgmt)
            if r.status != 200 or r.json().get("name") != name:
                missing.append(f"tenant {tid} ({name}): {r.status} {r.text[:200]}")
        roles = {r["name"] for r in c.json("GET", "/v1/mgmt/role/all", auth=project.mgmt)["roles"]}
        missing += [f"role {name}" for name in sorted(acked.roles - roles)]
        for login, refresh in acked.sessions.items():
            r = c.call("GET", f"/v1/mgmt/user?loginId={q(login)}", auth=project.mgmt)
            if r.status != 200:
                missing.append(f"signed-up user {login}: {r.status} {r.text[:200]}")
                continue
            r = c.call("POST", "/v1/auth/refresh", {}, auth=project.token(refresh))
            if r.status != 200 or not r.json().get("sessionJwt"):
                missing.append(f"refresh token of {login}: {r.status} {r.text[:200]}")
        assert not missing, f"{len(missing)} of {acked.count()} acknowledged writes lost or changed:\n" + "\n".join(
            missing[:50]
        )
        assert not emu.panics(), emu.panics()
        # And it serves writes as before.
        c.json("POST", "/v1/mgmt/tenant/create", {"name": f"after restart {emu.starts}"}, auth=project.mgmt)
    finally:
        c.close()


def test_kill9_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    emu = Emulator("durability", str(db)).start()
    acked = Acked()
    rng = random.Random(SEED)
    started = time.monotonic()
    try:
        c = emu.client()
        project = create_project(c, name="durable")
        c.close()
        for rnd in range(ROUNDS):
            stop = threading.Event()
            errors: list[str] = []
            threads = [
                threading.Thread(target=writer, args=(emu.port, project, acked, n, rnd, stop, errors))
                for n in range(WRITERS)
            ]
            before = acked.count()
            for t in threads:
                t.start()
            # Kill mid-load: after some writes went through, while all writers are busy.
            deadline = time.monotonic() + 60
            target = before + rng.randint(100, 250)
            while acked.count() < target and time.monotonic() < deadline and not errors:
                time.sleep(0.02)
            assert not errors, errors
            emu.kill9()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            assert acked.count() > before, f"round {rnd}: no write acknowledged before the kill"
            emu.start()
            verify(emu, project, acked)
        note(
            f"durability: {ROUNDS} kill -9 rounds in {time.monotonic() - started:.1f}s, "
            f"{acked.count()} acknowledged writes kept ({len(acked.users)} users, {len(acked.tenants)} tenants, "
            f"{len(acked.roles)} roles, {len(acked.sessions)} sign-ups)"
        )
    finally:
        emu.stop()
