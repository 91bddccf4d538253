"""Schema-aware fuzzing of every operation the emulator implements.

One emulator process, one fuzzed project (with a management key, an OTP-signed-up user per
worker, a tenant, a role and an access key, so well-formed parts of a request name real things)
and a second project whose credentials serve as "another project's" tokens. Which operations are
built is probed first (an unbuilt one answers 501 `E011007`). Each worker owns one keep-alive
connection and sends, per operation, the reproducible cases of `fuzzlib` (seed
ROBUSTNESS_SEED), each followed by a cheap `GET /emulator/v1/health` on the same connection.
The emulator-only endpoints are fuzzed afterwards against a throw-away project.

The findings are split by what they break, one test each, so a known bug of the HTTP layer
(keep-alive drops) does not hide a handler's 500. All findings are also written to
LOG_DIR/fuzz-findings.json, grouped by operation, each with a reproducer.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from fuzzlib import BODYLESS, Case, CaseBuilder, Identity, Operation, descope_operations, emulator_operations
from harness import (
    EMULATOR_HEADER,
    LOG_DIR,
    Client,
    Dropped,
    Emulator,
    Project,
    Response,
    create_project,
    note,
    otp_sign_up,
    q,
    unique_email,
)

SEED = int(os.environ.get("ROBUSTNESS_SEED", "20261202"))
CASES_PER_OP = int(os.environ.get("ROBUSTNESS_CASES_PER_OP", "50"))
WORKERS = int(os.environ.get("ROBUSTNESS_WORKERS", "4"))
FOLLOW_UP = "/emulator/v1/health"
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@dataclass
class Finding:
    kind: str  # "5xx", "no-answer", "error-body", "header", "keepalive"
    op: str
    reproducer: str
    detail: str
    full: str = ""  # a longer reproducer, for the findings file

    @classmethod
    def about(cls, kind: str, case: Case, detail: str) -> Finding:
        """A finding on `case`'s operation, with its short and long reproducers."""
        return cls(kind, case.op.name, case.reproducer(), detail, case.reproducer(4000))


@dataclass
class FuzzRun:
    emulator: Emulator
    project: Project
    sentinel: dict
    sentinel_tenant: dict
    built: list[Operation]
    unbuilt: set[str]
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0
    cases: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_op: dict[int, str] = field(default_factory=dict)  # per worker thread

    def add(self, f: Finding) -> None:
        with self.lock:
            self.findings.append(f)

    def of(self, *kinds: str) -> list[Finding]:
        return [f for f in self.findings if f.kind in kinds]


def report(findings: list[Finding], limit_ops: int = 40, per_op: int = 2) -> str:
    """Failures grouped by operation, each with up to `per_op` reproducers."""
    by_op: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_op[f.op].append(f)
    lines = [f"{len(findings)} failing cases in {len(by_op)} operations (seed {SEED}):"]
    for op, fs in sorted(by_op.items(), key=lambda kv: -len(kv[1]))[:limit_ops]:
        lines.append(f"- {op}: {len(fs)} cases")
        for f in fs[:per_op]:
            lines.append(f"    {f.reproducer}\n      -> {f.detail}")
    if len(by_op) > limit_ops:
        lines.append(f"... and {len(by_op) - limit_ops} more operations (see {LOG_DIR}/fuzz-findings.json)")
    return "\n".join(lines)


def error_body_problem(surface: str, status: int, body: Any) -> str | None:
    """Why a 4xx body is not the error body of its surface, or None."""
    descope_ok = (
        isinstance(body, dict)
        and isinstance(body.get("errorCode"), str)
        and body["errorCode"].startswith("E")
        and isinstance(body.get("errorDescription"), str)
    )
    if surface == "descope":
        return None if descope_ok else "not a Descope error body {errorCode, errorDescription, ...}"
    # Routing fallbacks (no such route, wrong method) are outside every group: Descope body.
    if status in (404, 405) and descope_ok:
        return None
    if surface == "oauth":
        ok = isinstance(body, dict) and isinstance(body.get("error"), str)
        return None if ok else "not an RFC 6749 error body {error, error_description}"
    ok = isinstance(body, dict) and SCIM_ERROR in (body.get("schemas") or []) and "detail" in body
    return None if ok else "not an RFC 7644 error body {schemas, status, detail}"


def check(run: FuzzRun, case: Case, r: Response) -> None:
    excerpt = f"{r.status} {r.text[:300]!r}"
    if EMULATOR_HEADER not in r.headers:
        run.add(Finding.about("header", case, f"no {EMULATOR_HEADER} header: {excerpt}"))
    body = r.try_json()
    if r.status >= 500:
        unbuilt = (
            r.status == 501
            and isinstance(body, dict)
            and body.get("errorCode") == "E011007"
            and any(name in str(body.get("errorMessage", "")) for name in run.unbuilt)
        )
        if not unbuilt:
            run.add(Finding.about("5xx", case, excerpt))
    elif 400 <= r.status < 500 and case.method != "HEAD":
        problem = error_body_problem(case.op.surface, r.status, body)
        if problem:
            run.add(Finding.about("error-body", case, f"{problem}: {excerpt}"))


def send(run: FuzzRun, client: Client, case: Case) -> None:
    """One case and its follow-up on the same connection."""
    with run.lock:
        run.cases += 1
        run.requests += 1
    try:
        try:
            r = client.request(case.method, case.path, case.body, case.headers, chunked=case.chunked)
        except Dropped as first:
            if not first.reused:
                raise
            # A kept-alive connection died: after the previous answer (blame it) or while this
            # request was being sent; a new connection tells which.
            try:
                r = client.request(case.method, case.path, case.body, case.headers, chunked=case.chunked)
            except Dropped:
                raise first from None
            run.add(
                Finding(
                    "keepalive",
                    run.last_op.get(threading.get_ident(), "?"),
                    f"before {case.reproducer()}",
                    f"connection found closed after the follow-up's answer ({first})",
                )
            )
    except Dropped as e:
        run.add(Finding.about("keepalive", case, f"connection closed before an answer: {e}"))
        return
    except Exception as e:  # noqa: BLE001 - a time-out or any other transport failure is a finding
        run.add(Finding.about("no-answer", case, repr(e)[:300]))
        client.close()
        return
    finally:
        run.last_op[threading.get_ident()] = case.op.name
    check(run, case, r)
    if r.will_close:
        return  # announced: the client opens a new connection next time
    with run.lock:
        run.requests += 1
    try:
        follow = client.request("GET", FOLLOW_UP)
        if follow.status != 200:
            run.add(
                Finding.about(
                    "5xx" if follow.status >= 500 else "error-body",
                    case,
                    f"follow-up GET {FOLLOW_UP} -> {follow.status} {follow.text[:200]!r}",
                )
            )
    except Dropped as e:
        run.add(
            Finding.about(
                "keepalive", case, f"connection dropped after a {r.status} without `Connection: close` ({e})"
            )
        )
    except Exception as e:  # noqa: BLE001
        run.add(Finding("no-answer", case.op.name, case.reproducer(), f"follow-up: {e!r}"[:300]))
        client.close()


def probe_built(c: Client, ops: list[Operation]) -> tuple[list[Operation], set[str]]:
    """Splits operations into built ones and the names of unbuilt ones (501 `E011007` naming them)."""
    built, unbuilt = [], set()
    for op in ops:
        path = op.path
        for p in op.path_params:
            path = path.replace("{" + p + "}", "x")
        r = c.call(op.method, path, None if op.method in BODYLESS else b"{}", {"Content-Type": "application/json"})
        body = r.try_json()
        if r.status == 501 and isinstance(body, dict) and body.get("errorCode") == "E011007":
            unbuilt.add(op.name)
        else:
            built.append(op)
    return built, unbuilt


def make_identity(c: Client, project: Project, other: Project, other_tokens: dict, n: int) -> Identity:
    user = otp_sign_up(c, project, unique_email(f"fuzz{n}"), name=f"Fuzz Worker {n}")
    loaded = c.json("GET", f"/v1/mgmt/user?loginId={q(user['loginId'])}", auth=project.mgmt)
    tenant = c.json("POST", "/v1/mgmt/tenant/create", {"name": f"fuzz-tenant-{n}"}, auth=project.mgmt)
    role = f"fuzz-role-{n}"
    c.json("POST", "/v1/mgmt/role/create", {"name": role}, auth=project.mgmt)
    # Tenant Admin of the tenant, so that the SCIM operations get past authentication.
    key_tenants = [{"tenantId": tenant["id"], "roleNames": ["Tenant Admin"]}]
    key = c.json(
        "POST", "/v1/mgmt/accesskey/create", {"name": f"fuzz-key-{n}", "keyTenants": key_tenants}, auth=project.mgmt
    )
    return Identity(
        project_id=project.project_id,
        management_key=project.management_key,
        session_jwt=user["sessionJwt"],
        refresh_jwt=user["refreshJwt"],
        login_id=user["loginId"],
        user_id=loaded["user"]["userId"],
        tenant_id=tenant["id"],
        role=role,
        access_key=key["cleartext"],
        access_key_id=key["key"]["id"],
        other_mgmt=other.mgmt,
        other_session=other.token(other_tokens["sessionJwt"]),
        other_refresh=other.token(other_tokens["refreshJwt"]),
    )


def run_worker(run: FuzzRun, emu: Emulator, ident: Identity, ops: list[Operation]) -> None:
    client = emu.client(timeout=20.0)
    try:
        for op in ops:
            for case in CaseBuilder(op, ident, SEED).cases(CASES_PER_OP):
                send(run, client, case)
    finally:
        client.close()


@pytest.fixture(scope="module")
def fuzz() -> Any:
    emu = Emulator("fuzz").start()
    c = emu.client()
    started = time.monotonic()
    try:
        project = create_project(c, name="fuzzed")
        other = create_project(c, name="other")
        other_tokens = otp_sign_up(c, other)

        # What must survive the fuzzing untouched.
        sentinel_login = unique_email("sentinel")
        s_tenant = c.json(
            "POST",
            "/v1/mgmt/tenant/create",
            {"name": "sentinel tenant", "selfProvisioningDomains": ["sentinel.example"]},
            auth=project.mgmt,
        )
        c.json("POST", "/v1/mgmt/role/create", {"name": "sentinel-role", "description": "kept"}, auth=project.mgmt)
        c.json(
            "POST",
            "/v1/mgmt/user/create",
            {
                "loginId": sentinel_login,
                "email": sentinel_login,
                "phone": "+15550001234",
                "name": "Sentinel Person",
                "givenName": "Sentinel",
                "familyName": "Person",
                "verifiedEmail": True,
                "roleNames": ["sentinel-role"],
                "userTenants": [{"tenantId": s_tenant["id"], "roleNames": []}],
            },
            auth=project.mgmt,
        )
        sentinel = c.json("GET", f"/v1/mgmt/user?loginId={q(sentinel_login)}", auth=project.mgmt)["user"]
        sentinel_tenant = c.json("GET", f"/v1/mgmt/tenant?id={q(s_tenant['id'])}", auth=project.mgmt)

        built, unbuilt = probe_built(c, descope_operations())
        run = FuzzRun(emu, project, sentinel, sentinel_tenant, built, unbuilt)
        identities = [make_identity(c, project, other, other_tokens, n) for n in range(WORKERS)]
        expendable = create_project(c, name="expendable")
        for ident in identities:
            ident.expendable_mgmt = f"{expendable.project_id}:{expendable.management_key}"

        # Operations dealt round-robin; in each worker's list, those that may take away its user,
        # tenant or tokens go last.
        slices: list[list[Operation]] = [[] for _ in range(WORKERS)]
        for i, op in enumerate(sorted(built, key=lambda o: o.name)):
            slices[i % WORKERS].append(op)
        for s in slices:
            s.sort(key=lambda o: o.destructive)
        with ThreadPoolExecutor(WORKERS) as pool:
            for f in [pool.submit(run_worker, run, emu, ident, ops) for ident, ops in zip(identities, slices)]:
                f.result()

        # The emulator's own endpoints, against a project of their own; the clock is reset after.
        victim = create_project(c, name="victim")
        otp_sign_up(c, victim)
        ident = identities[0]
        ident.victim = victim.project_id
        emulator_ops = sorted(emulator_operations(), key=lambda o: o.destructive)
        run_worker(run, emu, ident, emulator_ops)
        c.json("POST", "/emulator/v1/clock", {"reset": True})
        run.seconds = time.monotonic() - started

        LOG_DIR.mkdir(parents=True, exist_ok=True)
        grouped: dict[str, list[dict]] = defaultdict(list)
        for f in run.findings:
            grouped[f.op].append({"kind": f.kind, "reproducer": f.full or f.reproducer, "detail": f.detail})
        (LOG_DIR / "fuzz-findings.json").write_text(json.dumps(grouped, indent=1, ensure_ascii=False))
        note(
            f"fuzz: {len(built)} built operations (+{len(emulator_ops)} emulator), {run.cases} cases, "
            f"{run.requests} requests, {len(run.findings)} findings in {run.seconds:.1f}s (seed {SEED})"
        )
        yield run
    finally:
        c.close()
        emu.stop()


def test_probe_finds_the_built_operations(fuzz: FuzzRun) -> None:
    names = {op.name for op in fuzz.built}
    assert len(fuzz.built) > 150, f"only {len(fuzz.built)} built operations found: {sorted(names)}"
    for expected in ("POST /v1/mgmt/user/create", "POST /v1/auth/otp/verify/email", "GET /v1/mgmt/license"):
        assert expected in names
    assert fuzz.cases >= len(fuzz.built) * CASES_PER_OP


def test_fuzz_no_server_errors(fuzz: FuzzRun) -> None:
    """No 5xx (501 `E011007` only for unbuilt operations) and an answer to every request."""
    found = fuzz.of("5xx", "no-answer")
    assert not found, report(found)


def test_fuzz_4xx_have_the_error_body_of_their_surface(fuzz: FuzzRun) -> None:
    found = fuzz.of("error-body")
    assert not found, report(found)


def test_fuzz_every_response_has_the_emulator_header(fuzz: FuzzRun) -> None:
    found = fuzz.of("header")
    assert not found, report(found)


def test_fuzz_no_dropped_keepalive_connection(fuzz: FuzzRun) -> None:
    """A response without `Connection: close` leaves the connection usable for the next request."""
    found = fuzz.of("keepalive")
    assert not found, report(found)


def test_emulator_up_and_data_intact_after_fuzzing(fuzz: FuzzRun) -> None:
    emu, p = fuzz.emulator, fuzz.project
    assert emu.alive(), f"the emulator died during fuzzing: {emu.stderr_tail()}"
    panics = emu.panics()
    assert not panics, f"{len(panics)} panics in the emulator's log, the first: {panics[0]}"
    c = emu.client()
    try:
        assert c.json("GET", "/emulator/v1/health")["status"] == "ok"
        user = c.json("GET", f"/v1/mgmt/user?loginId={q(fuzz.sentinel['loginIds'][0])}", auth=p.mgmt)["user"]
        assert user == fuzz.sentinel, "the sentinel user changed during fuzzing"
        tenant = c.json("GET", f"/v1/mgmt/tenant?id={q(fuzz.sentinel_tenant['id'])}", auth=p.mgmt)
        assert tenant == fuzz.sentinel_tenant, "the sentinel tenant changed during fuzzing"
        roles = c.json("GET", "/v1/mgmt/role/all", auth=p.mgmt)["roles"]
        assert any(r["name"] == "sentinel-role" and r.get("description") == "kept" for r in roles)
        # The project still works end to end.
        fresh = otp_sign_up(c, p)
        refreshed = c.json("POST", "/v1/auth/refresh", {}, auth=p.token(fresh["refreshJwt"]))
        assert refreshed.get("sessionJwt")
    finally:
        c.close()
