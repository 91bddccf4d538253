"""Schema-aware generation of malformed and hostile requests for the fuzzing test.

The operations and their request shapes come from the vendored OpenAPI document
(descope-openapi.json, beside this file), plus the few paths the SDKs call that it lacks and the
emulator's own endpoints (hand-written shapes below). For each operation `cases()` yields a
reproducible list of requests from a seeded RNG: first a well-formed request, then one mutation
each (wrong types, nulls, huge strings, deep nesting, huge numbers, control characters, missing
and extra fields, non-JSON, wrong content types, truncated JSON, hostile path and query values,
bad credentials).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
SPEC_PATH = HERE / "descope-openapi.json"

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
BODYLESS = ("GET", "DELETE")
HUGE = 100 * 1024


@lru_cache(maxsize=1)
def spec() -> dict:
    return json.loads(SPEC_PATH.read_text())


def resolve(schema: Any, depth: int = 0) -> dict:
    """The schema with `$ref` followed and `allOf` merged (enough for generation)."""
    if not isinstance(schema, dict) or depth > 20:
        return {}
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return resolve(spec()["components"]["schemas"].get(name, {}), depth + 1)
    if "allOf" in schema:
        merged: dict = {"type": "object", "properties": {}}
        for part in schema["allOf"]:
            r = resolve(part, depth + 1)
            merged["properties"].update(r.get("properties", {}))
            for k in ("type", "items", "additionalProperties", "format"):
                if k in r and k != "type":
                    merged[k] = r[k]
            if r.get("type") and r.get("type") != "object" and not r.get("properties"):
                return r
        return merged
    return schema


@dataclass
class Operation:
    method: str
    path: str  # template, `{param}` segments
    op_id: str
    security: str  # "mgmt", "refresh", "session", "project", "accesskey", "none", "emulator"
    body: dict | None = None  # resolved request-body schema
    query: list[tuple[str, dict]] = field(default_factory=list)
    # Emulator operations fix some values (which project, which query values are safe).
    fixed_path: dict[str, str] = field(default_factory=dict)
    fixed_query: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"\{([^}]+)\}", self.path)

    @property
    def surface(self) -> str:
        if self.path.startswith("/oauth2/") or "/oauth2/v1/" in self.path:
            return "oauth"
        if self.path.startswith("/emulator/v1/idp/oidc/"):  # the emulator's own OIDC providers
            return "oauth"
        if self.path.startswith("/v1/mgmt/") and self.path.endswith("/register"):  # RFC 7591
            return "oauth"
        if self.path.startswith("/scim/"):
            return "scim"
        return "descope"

    @property
    def destructive(self) -> int:
        """How much an operation may take away what later cases of the same worker rely on
        (its user, tenant, role, key, tokens): 0 nothing, 1 some, 2 all of it. Workers run
        their operations in this order."""
        if self.method == "DELETE" or re.search(r"delete|logout|/reset|loginid", self.path):
            return 2
        return 1 if re.search(r"remove|deactivate|rotate|expire|status|/update/email", self.path) else 0


def _security(text: str) -> str:
    if "Management Key" in text:
        return "mgmt"
    if "Refresh JWT" in text:
        return "refresh"
    if "Session JWT" in text:
        return "session"
    if "Access Key" in text:
        return "accesskey"
    if "Project ID" in text:
        return "project"
    return "none"


def _ref(name: str) -> dict:
    return resolve({"$ref": f"#/components/schemas/{name}"})


def _obj(**props: Any) -> dict:
    return {"type": "object", "properties": props}


S = {"type": "string"}
B = {"type": "boolean"}
I = {"type": "integer"}
A_S = {"type": "array", "items": S}

# Paths the SDKs call that the OpenAPI lacks (SDK_CONTRACT.md 9.4), with the shape they send.
SDK_EXTRAS: list[tuple[str, str, str, Callable[[], dict | None]]] = [
    ("GET", "/v1/mgmt/license", "mgmt", lambda: None),
    ("POST", "/v1/auth/me/tenants", "refresh", lambda: _obj(dct=B, ids=A_S)),
    ("POST", "/v1/mgmt/accesskey/rotate", "mgmt", lambda: _ref("AccessKeyRequest")),
    ("PATCH", "/v1/mgmt/tenant/patch", "mgmt", lambda: _ref("UpdateTenantRequest")),
    ("POST", "/v1/auth/otp/signup/whatsapp", "project", lambda: _ref("OTPSignUpPhoneRequest")),
    ("POST", "/v1/auth/otp/signin/whatsapp", "project", lambda: _ref("OTPSignInRequest")),
    ("POST", "/v1/auth/otp/signup-in/whatsapp", "project", lambda: _ref("OTPSignInRequest")),
    ("POST", "/v1/auth/otp/verify/whatsapp", "project", lambda: _ref("OTPVerifyCodeRequest")),
    ("POST", "/v1/auth/otp/update/phone/whatsapp", "refresh", lambda: _ref("UpdateUserPhoneOTPRequest")),
    ("POST", "/v1/auth/magiclink/signup/whatsapp", "project", lambda: _ref("MagicLinkSignUpPhoneRequest")),
    ("POST", "/v1/auth/magiclink/signin/whatsapp", "project", lambda: _ref("MagicLinkSignInRequest")),
    ("POST", "/v1/auth/magiclink/signup-in/whatsapp", "project", lambda: _ref("MagicLinkSignInRequest")),
    ("POST", "/v1/auth/magiclink/update/phone/whatsapp", "refresh", lambda: _ref("UpdateUserPhoneMagicLinkRequest")),
    ("GET", "/.well-known/jwks.json", "none", lambda: None),
    ("GET", "/v1/mgmt/sso/idp/app/secret", "mgmt", lambda: None),
    ("POST", "/v1/mgmt/sso/idp/app/rotate", "mgmt", lambda: _obj(id=S)),
    ("POST", "/v1/mgmt/scopeClaimMapping/get", "mgmt", lambda: _obj()),
    ("POST", "/v1/mgmt/scopeClaimMapping/set", "mgmt", lambda: _obj(mappings=A_S)),
    ("POST", "/v1/mgmt/scopeClaimMapping/delete", "mgmt", lambda: _obj()),
]


def descope_operations() -> list[Operation]:
    """Every operation of the OpenAPI document, plus the SDK extras."""
    ops = []
    for path, item in spec()["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS or not isinstance(op, dict):
                continue
            sec = op.get("security", spec().get("security", []))
            sec_text = " ".join(k for s in sec for k in s) if sec else "none"
            body = None
            content = (op.get("requestBody") or {}).get("content") or {}
            for media in content.values():
                body = resolve(media.get("schema", {}))
                break
            query = [
                (p["name"], resolve(p.get("schema", {}))) for p in op.get("parameters", []) if p.get("in") == "query"
            ]
            ops.append(Operation(method.upper(), path, op.get("operationId", ""), _security(sec_text), body, query))
    for method, path, sec, body in SDK_EXTRAS:
        ops.append(Operation(method, path, f"sdk:{path}", sec, body()))
    return ops


# The emulator's own surface (EMULATOR_API.md). `{victim}` is a project made for this phase;
# `wait` only ever gets values that do not hold the request.
NO_WAIT = ["abc", "-1", "0", "-inf", "nan", "1e-9", "", "%00", "0x10"]
OUTBOX_Q = {"loginId": S, "to": S, "channel": S, "kind": S, "limit": I}


def emulator_operations() -> list[Operation]:
    snapshot = _obj(
        version=I,
        settings=_obj(
            sessionTokenTtlSecs=I,
            refreshTokenTtlSecs=I,
            otpTtlSecs=I,
            otpMaxAttempts=I,
            magicLinkTtlSecs=I,
            password=_obj(minLength=I, tempLock=B, tempLockAttempts=I, tempLockDuration=I, expirationWeeks=I),
        ),
        project=_obj(id=S, name=S),
        users={
            "type": "array",
            "items": _obj(
                loginIds=A_S,
                email=S,
                name=S,
                userId=S,
                status=S,
                roleNames=A_S,
                createdTime=I,
                createdMs=I,
                customAttributes={"type": "object"},
            ),
        },
        tenants={"type": "array", "items": _obj(id=S, name=S, selfProvisioningDomains=A_S)},
        roles={"type": "array", "items": _obj(name=S, permissionNames=A_S, tenantId=S)},
        permissions={"type": "array", "items": _obj(name=S, description=S)},
    )
    victim = {"projectId": "{victim}"}
    return [
        Operation("GET", "/emulator/v1/health", "emu:health", "emulator"),
        Operation("GET", "/emulator/v1/clock", "emu:clock", "emulator"),
        Operation(
            "POST", "/emulator/v1/clock", "emu:clock", "emulator", _obj(advanceSeconds=I, set=I, reset=B, frozen=B)
        ),
        Operation("POST", "/emulator/v1/projects", "emu:projects", "emulator", _obj(projectId=S, name=S, seed=I)),
        Operation("GET", "/emulator/v1/projects", "emu:projects", "emulator"),
        Operation(
            "GET",
            "/emulator/v1/projects/{projectId}/outbox",
            "emu:outbox",
            "emulator",
            None,
            list(OUTBOX_Q.items()),
            victim,
            {"wait": NO_WAIT},
        ),
        Operation(
            "GET",
            "/emulator/v1/projects/{projectId}/outbox/latest",
            "emu:outbox",
            "emulator",
            None,
            list(OUTBOX_Q.items()),
            victim,
            {"wait": NO_WAIT},
        ),
        Operation("DELETE", "/emulator/v1/projects/{projectId}/outbox", "emu:outbox", "emulator", None, [], victim),
        Operation(
            "GET",
            "/emulator/v1/projects/{projectId}/notp/approve",
            "emu:notp",
            "emulator",
            None,
            [("t", S), ("token", S), ("code", S)],
            victim,
        ),
        # The SSO setup page of tenant admin links (HTML; the token names the project).
        Operation("GET", "/sso-setup", "emu:sso-setup", "emulator", None, [("t", S)]),
        Operation(
            "POST", "/sso-setup", "emu:sso-setup", "emulator", _obj(t=S, protocol=S, idpCert=S, domains=S, scope=S)
        ),
        Operation("GET", "/emulator/v1/projects/{projectId}/snapshot", "emu:snapshot", "emulator", None, [], victim),
        Operation(
            "PUT", "/emulator/v1/projects/{projectId}/snapshot", "emu:snapshot", "emulator", snapshot, [], victim
        ),
        Operation("POST", "/emulator/v1/projects/{projectId}/reset", "emu:reset", "emulator", None, [], victim),
        Operation("DELETE", "/emulator/v1/projects/{projectId}", "emu:delete", "emulator", None, [], victim),
        # The fake identity providers (OAuth social, SSO).
        *[
            Operation(
                "GET",
                f"/emulator/v1/idp/{{projectId}}/{kind}/{{{param}}}/authorize",
                "emu:idp",
                "emulator",
                None,
                [
                    (name, S)
                    for name in ("state", "email", "sub", "name", "deny", "error", "emailVerified", "groups", "auto")
                ],
                victim,
            )
            for kind, param in (("oauth", "provider"), ("sso", "tenantId"))
        ],
        Operation(
            "POST",
            "/emulator/v1/projects/{projectId}/idp/next",
            "emu:idp",
            "emulator",
            _obj(provider=S, tenantId=S, ssoId=S, email=S, name=S, sub=S, emailVerified=B, groups=A_S),
            [],
            victim,
        ),
        Operation(
            "POST",
            "/emulator/v1/projects/{projectId}/signin/next",
            "emu:signin",
            "emulator",
            _obj(loginId=S),
            [],
            victim,
        ),
        Operation(
            "GET",
            "/emulator/v1/projects/{projectId}/device",
            "emu:signin",
            "emulator",
            None,
            [(name, S) for name in ("user_code", "login_id", "deny")],
            victim,
        ),
        Operation(
            "POST",
            "/emulator/v1/projects/{projectId}/idp/oauth/{provider}/id-token",
            "emu:idp",
            "emulator",
            _obj(email=S, name=S, sub=S, nonce=S, aud=S, ttlSeconds=I, emailVerified=B),
            [],
            victim,
        ),
        Operation(
            "GET",
            "/emulator/v1/projects/{projectId}/idp/oauth/{provider}/jwks",
            "emu:idp",
            "emulator",
            None,
            [],
            victim,
        ),
        # The project's own OIDC providers and Descope's OAuth callback.
        Operation(
            "GET",
            "/emulator/v1/idp/oidc/{projectId}/{idpId}/.well-known/openid-configuration",
            "emu:oidc",
            "emulator",
            None,
            [],
            victim,
        ),
        Operation(
            "GET",
            "/emulator/v1/idp/oidc/{projectId}/{idpId}/authorize",
            "emu:oidc",
            "emulator",
            None,
            [
                (name, S)
                for name in (
                    "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "login_hint", "email",
                    "groups", "deny",
                )
            ],
            victim,
        ),
        Operation(
            "POST",
            "/emulator/v1/idp/oidc/{projectId}/{idpId}/token",
            "emu:oidc",
            "emulator",
            None,
            [("grant_type", S), ("code", S), ("redirect_uri", S), ("client_id", S)],
            victim,
        ),
        Operation("GET", "/emulator/v1/idp/oidc/{projectId}/{idpId}/userinfo", "emu:oidc", "emulator", None, [], victim),
        Operation("GET", "/emulator/v1/idp/oidc/{projectId}/{idpId}/jwks", "emu:oidc", "emulator", None, [], victim),
        Operation("GET", "/v1/oauth/callback", "emu:oidc", "emulator", None, [("state", S), ("code", S), ("error", S)]),
        # The software authenticators.
        Operation(
            "POST",
            "/emulator/v1/projects/{projectId}/authenticators",
            "emu:authenticators",
            "emulator",
            _obj(hasResidentKey=B, isUserVerified=B, alg=I),
            [],
            victim,
        ),
        *[
            Operation(
                "POST",
                f"/emulator/v1/projects/{{projectId}}/authenticators/{{authenticatorId}}/{verb}",
                "emu:authenticators",
                "emulator",
                _obj(options=S, origin=S),
                [],
                victim,
            )
            for verb in ("create", "get")
        ],
        Operation(
            "GET",
            "/emulator/v1/projects/{projectId}/authenticators/{authenticatorId}/credentials",
            "emu:authenticators",
            "emulator",
            None,
            [],
            victim,
        ),
        Operation("GET", "/emulator/", "emu:ui", "emulator", None, [("projectId", S)]),
        Operation("GET", "/emulator/magiclink", "emu:ui", "emulator", None, [("t", S), ("projectId", S)]),
    ]


# ------------------------------------------------------------------------ values


@dataclass
class Identity:
    """The real things a worker's well-formed requests name, so mutations reach the handlers'
    deeper checks instead of stopping at "not found"."""

    project_id: str
    management_key: str
    session_jwt: str
    refresh_jwt: str
    login_id: str
    user_id: str
    tenant_id: str
    role: str
    access_key: str
    access_key_id: str
    other_mgmt: str  # "Bearer <other project>:<its key>"
    other_session: str  # "Bearer <other project>:<a session JWT of it>"
    other_refresh: str
    victim: str = ""  # project of the emulator phase
    # "<project>:<key>" of a throw-away project: the natural credentials of the operations that
    # delete the bearer's own project (SELF_DESTRUCTIVE), so the fuzzed project survives them.
    expendable_mgmt: str = ""


# Operations that delete the project their management key belongs to.
SELF_DESTRUCTIVE = {"/v1/mgmt/project/delete"}


JUNK_STRINGS = [
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\u0001\u0002\u001f\u007f",
    "\r\n\r\nHTTP/1.1 200 OK\r\n",
    "../../../../etc/passwd",
    "%00%2e%2e%2f",
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    "<script>alert(1)</script>",
    "\u202e\u200b\ufeff",
    "\U0001f600\U0001f4a9",
    "\u00e9\u00e8\u00ea" * 10,
    "\ud7ff\ue000\uffff",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "null",
    "true",
    "-1",
    "1e309",
    "NaN",
    "\\",
    "*",
    "%",
    "_",
    "@",
    "a@",
    "@b",
    "+",
    "+1",
    "T" * 300,
]

JUNK_NUMBERS: list[Any] = [
    -1,
    0,
    -(2**31),
    2**31,
    2**53 + 1,
    -(2**63),
    2**63 - 1,
    2**63,
    2**64,
    10**30,
    -(10**30),
    1.5,
    -0.5,
    1e308,
    -1e308,
    5e-324,
]

# Number literals that Python's json cannot produce but a client may send.
RAW_NUMBERS = ["1e400", "-1e400", "123456789012345678901234567890", "-0", "1E+2", "0.0000000000000000000001"]


def _seg(s: str) -> str:
    return quote(s, safe="")


class Generator:
    """Builds well-formed values and mutations of them for one operation."""

    def __init__(self, op: Operation, ident: Identity, rng: random.Random) -> None:
        self.op = op
        self.id = ident
        self.rng = rng
        self.serial = 0

    # -------------------------------------------------------------- well-formed values

    def fresh_email(self) -> str:
        self.serial += 1
        return f"fz{self.rng.randrange(10**9)}x{self.serial}@example.com"

    def value(self, name: str, schema: dict, depth: int = 0) -> Any:
        schema = resolve(schema)
        t = schema.get("type")
        lname = name.lower()
        if t == "array":
            strings = resolve(schema.get("items", {})).get("type") == "string"
            if strings and lname in ("loginids", "additionalidentifiers", "externalids"):
                return [self.id.login_id]
            if strings and lname in ("rolenames", "roles", "defaultroles"):
                return [self.id.role]
            if strings and lname in ("tenantids", "tenants", "tenant"):
                return [self.id.tenant_id]
            if strings and lname in ("userids",):
                return [self.id.user_id]
            if strings and lname in ("ids",) and "/accesskey" in self.op.path:
                return [self.id.access_key_id]
            if depth > 3:
                return []
            return [self.value(name.rstrip("s"), schema.get("items", {}), depth + 1)]
        if t == "object" or schema.get("properties"):
            if depth > 3:
                return {}
            props = schema.get("properties", {})
            if not props and schema.get("additionalProperties"):
                return {"k": "v"}
            return {k: self.value(k, v, depth + 1) for k, v in props.items()}
        if t == "boolean":
            return self.rng.random() < 0.5
        if t == "integer" or lname.endswith("time") or lname in ("from", "to"):
            if lname.endswith("time") or lname in ("from", "to"):
                return self.rng.choice([0, 1_700_000_000, 1_700_000_000_000])
            return self.rng.choice([0, 1, 5, 60])
        if t == "number":
            return 1.5
        # strings, by name
        if lname in ("loginid", "externalid", "identifier", "impersonatorid"):
            return self.id.login_id if self.rng.random() < 0.85 else self.fresh_email()
        if lname in ("email", "recoveryemail"):
            return self.fresh_email()
        if "phone" in lname:
            return "+1555" + "".join(self.rng.choice("0123456789") for _ in range(7))
        if lname in ("userid", "user"):
            return self.id.user_id
        if lname == "status":
            return self.rng.choice(["enabled", "disabled", "invited"])
        if lname == "type":
            return self.rng.choice(["info", "warn", "error"])
        if lname == "authtype":
            return self.rng.choice(["none", "saml", "oidc"])
        if lname == "jwt":
            return self.rng.choice([self.id.session_jwt, self.id.session_jwt, self.id.refresh_jwt])
        if lname in ("tenantid", "tenant", "tenantname") or lname.endswith("tenantid"):
            return self.id.tenant_id
        if lname in ("rolename", "role") or lname.endswith("rolename"):
            return self.id.role
        if lname in ("refreshtoken", "refreshjwt"):
            return self.id.refresh_jwt
        if lname in ("token", "jwt", "sessionjwt", "sessiontoken"):
            return self.rng.choice([self.id.session_jwt, self.id.refresh_jwt, "abc"])
        if lname in ("code",):
            return "123456"
        if lname in ("projectid",):
            return self.id.project_id
        if "url" in lname or "uri" in lname:
            return "http://localhost:3000/cb"
        if lname in ("provider",):
            return "google"
        if lname in ("method", "deliverymethod"):
            return "email"
        if lname in ("password", "newpassword", "oldpassword"):
            return "Sup3r-Secret-pw!" + str(self.rng.randrange(1000))
        if lname in ("id", "keyid", "accesskeyid"):
            if "/accesskey" in self.op.path:
                return self.id.access_key_id
            if "/tenant" in self.op.path:
                return self.id.tenant_id
            if "/user" in self.op.path:
                return self.id.user_id
            return "id" + str(self.rng.randrange(10**6))
        if lname in ("name", "displayname", "description"):
            return "fuzz-" + str(self.rng.randrange(10**6))
        if schema.get("format") == "date-time":
            return "2026-01-01T00:00:00Z"
        return "v" + str(self.rng.randrange(10**6))

    def base_body(self) -> dict:
        assert self.op.body is not None
        out = self.value("", self.op.body)
        return out if isinstance(out, dict) else {}

    def path_value(self, param: str) -> str:
        if param in self.op.fixed_path:
            return self.op.fixed_path[param].replace("{victim}", self.id.victim)
        lp = param.lower()
        if lp in ("projectid", "project_id"):
            return self.id.project_id
        if lp == "provider":
            return self.rng.choice(["google", "sms", "whatsapp", "email", "github"])
        if lp == "userid":
            return self.id.user_id
        return "x" + str(self.rng.randrange(1000))

    def query_value(self, name: str, schema: dict) -> str:
        if name in self.op.fixed_query:
            return self.rng.choice(self.op.fixed_query[name])
        t = resolve(schema).get("type")
        if t == "boolean":
            return self.rng.choice(["true", "false"])
        if t == "integer":
            return str(self.rng.choice([0, 1, 10]))
        v = self.value(name, schema)
        return v if isinstance(v, str) else json.dumps(v)

    # -------------------------------------------------------------- hostile values

    def junk_string(self) -> str:
        r = self.rng.random()
        if r < 0.08:
            return "A" * HUGE
        if r < 0.12:
            return "\u00e9\U0001f600" * (HUGE // 8)
        return self.rng.choice(JUNK_STRINGS)

    def wrong_type(self, schema: dict) -> Any:
        t = resolve(schema).get("type")
        choices: list[Any] = [
            "str",
            123,
            -1,
            1.5,
            True,
            False,
            [],
            ["a", 1, None],
            {},
            {"a": {"b": 1}},
            [[["deep"]]],
        ]
        if t == "string":
            choices = [c for c in choices if not isinstance(c, str)]
        elif t in ("integer", "number"):
            choices = [c for c in choices if not isinstance(c, (int, float)) or isinstance(c, bool)] + ["1", "abc"]
        elif t == "boolean":
            choices = [c for c in choices if not isinstance(c, bool)] + ["true", 1, 0]
        elif t == "array":
            choices = [c for c in choices if not isinstance(c, list)] + ["a,b"]
        elif t == "object":
            choices = [c for c in choices if not isinstance(c, dict)]
        return self.rng.choice(choices)

    def hostile_value(self, schema: dict) -> Any:
        t = resolve(schema).get("type")
        r = self.rng.random()
        if r < 0.3:
            return self.wrong_type(schema)
        if r < 0.4:
            return None
        if t in ("integer", "number") or r < 0.5:
            return self.rng.choice(JUNK_NUMBERS)
        if t == "array":
            return self.rng.choice([[None], [self.junk_string()] * 3, ["x"] * 2000, [{"a": 1}], [[]]])
        if t == "object":
            return self.rng.choice([{"": None}, {"\u0000": 1}, {"k" * 1000: "v"}, {str(i): i for i in range(500)}])
        return self.junk_string()


def nested(depth: int, leaf: Any = 1) -> str:
    """JSON text of `depth` nested arrays/objects (as text: Python's json would recurse)."""
    opener, closer = ('{"a":', "}") if depth % 2 else ("[", "]")
    return opener * depth + json.dumps(leaf) + closer * depth


@dataclass
class Case:
    op: Operation
    label: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    auth_kind: str
    chunked: bool = False

    def reproducer(self, excerpt_len: int = 300) -> str:
        body = ""
        if self.body is not None:
            excerpt = self.body[:excerpt_len].decode("utf-8", errors="backslashreplace")
            body = f" body[{len(self.body)}B]={excerpt!r}"
        hdrs = {k: (v if k.lower() != "authorization" else f"<{self.auth_kind}>") for k, v in self.headers.items()}
        return (
            f"[{self.label}] {self.method} {self.path[:300]}{' (chunked)' if self.chunked else ''} headers={hdrs}{body}"
        )


class CaseBuilder:
    """The cases of one operation."""

    def __init__(self, op: Operation, ident: Identity, seed: int) -> None:
        self.op = op
        self.id = ident
        self.rng = random.Random(f"{seed}:{op.name}")
        self.gen = Generator(op, ident, self.rng)

    # ------------------------------------------------------------ auth

    def natural_auth(self) -> tuple[str, str | None]:
        i = self.id
        sec = self.op.security
        if sec == "mgmt" and self.op.path in SELF_DESTRUCTIVE and i.expendable_mgmt:
            return "mgmt", f"Bearer {i.expendable_mgmt}"
        if sec == "mgmt":
            return "mgmt", f"Bearer {i.project_id}:{i.management_key}"
        if sec == "refresh":
            return "refresh", f"Bearer {i.project_id}:{i.refresh_jwt}"
        if sec == "session":
            return "session", f"Bearer {i.project_id}:{i.session_jwt}"
        if sec == "accesskey":
            return "accesskey", f"Bearer {i.project_id}:{i.access_key}"
        if sec == "emulator":
            return "none", None
        if sec == "none":
            return self.rng.choice([("none", None), ("project", f"Bearer {i.project_id}")])
        # Project ID only: the SDKs send the refresh JWT along on many of these.
        return self.rng.choice(
            [
                ("project", f"Bearer {i.project_id}"),
                ("project", f"Bearer {i.project_id}"),
                ("refresh", f"Bearer {i.project_id}:{i.refresh_jwt}"),
            ]
        )

    def bad_auth(self) -> tuple[str, str | None]:
        i = self.id
        p = i.project_id
        forged_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
        forged_claims = "eyJzdWIiOiJVeCIsImlzcyI6IlB4IiwiZXhwIjo5OTk5OTk5OTk5fQ"
        options: list[tuple[str, str | None]] = [
            ("none", None),
            ("empty", ""),
            ("bearer-only", "Bearer"),
            ("bearer-space", "Bearer "),
            ("garbage", "Bearer garbage"),
            ("unknown-project", "Bearer P000000000000000000000000000"),
            ("unknown-project-key", "Bearer P000000000000000000000000000:K123"),
            ("wrong-key", f"Bearer {p}:K{'x' * 40}"),
            ("empty-key", f"Bearer {p}:"),
            ("colons", f"Bearer {p}:::"),
            ("forged-jwt", f"Bearer {p}:{forged_header}.{forged_claims}."),
            ("tampered-jwt", f"Bearer {p}:{i.session_jwt[:-4]}AAAA"),
            ("truncated-jwt", f"Bearer {p}:{i.refresh_jwt[: len(i.refresh_jwt) // 2]}"),
            ("other-project-key", i.other_mgmt),
            ("other-project-session", i.other_session),
            ("other-project-refresh", i.other_refresh),
            ("key-of-other-project-with-this-id", f"Bearer {p}:{i.other_mgmt.split(':', 1)[1]}"),
            ("session-of-other-project-with-this-id", f"Bearer {p}:{i.other_session.split(':', 1)[1]}"),
            ("session-as-mgmt", f"Bearer {p}:{i.session_jwt}"),
            ("mgmt-as-session", f"Bearer {p}:{i.management_key}"),
            ("basic", "Basic " + "dXNlcjpwYXNz"),
            ("basic-garbage", "Basic %%%"),
            ("lowercase-scheme", f"bearer {p}:{i.management_key}"),
            ("scheme-only-other", "Digest x"),
            ("long", "Bearer " + p + ":" + "x" * 8000),
            ("nul-escaped", f"Bearer {p}%00:{i.management_key}"),
            ("unicode", f"Bearer {p}:\u00e9\u00e8"),
            ("double", f"Bearer {p}:{i.management_key}, Bearer {p}"),
        ]
        return self.rng.choice(options)

    # ------------------------------------------------------------ building

    def url(
        self,
        path_values: dict[str, str] | None = None,
        query: list[tuple[str, str]] | None = None,
        raw_query: str | None = None,
    ) -> str:
        path = self.op.path
        for p in self.op.path_params:
            v = (path_values or {}).get(p)
            if v is None:
                v = _seg(self.gen.path_value(p))
            path = path.replace("{" + p + "}", v)
        qs = raw_query
        if qs is None:
            params = list(query or [])
            for name, values in self.op.fixed_query.items():
                if not any(n == name for n, _ in params):
                    params.append((name, self.rng.choice(values)))
            qs = "&".join(f"{_seg(k)}={_seg(v)}" for k, v in params)
        return path + ("?" + qs if qs else "")

    def base_query(self) -> list[tuple[str, str]]:
        return [(n, self.gen.query_value(n, s)) for n, s in self.op.query if self.rng.random() < 0.7]

    def make(
        self,
        label: str,
        body: bytes | None = None,
        *,
        content_type: str | None = "application/json",
        url: str | None = None,
        auth: tuple[str, str | None] | None = None,
        extra_headers: dict[str, str] | None = None,
        chunked: bool = False,
        method: str | None = None,
    ) -> Case:
        kind, header = auth if auth is not None else self.natural_auth()
        headers: dict[str, str] = {}
        if header is not None:
            headers["Authorization"] = header
        if body is not None and content_type is not None:
            headers["Content-Type"] = content_type
        headers.update(extra_headers or {})
        if url is None:
            url = self.url(query=self.base_query())
        return Case(self.op, label, method or self.op.method, url, headers, body, kind, chunked)

    def dumps(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=self.rng.random() < 0.5).encode("utf-8", errors="surrogatepass")

    # ------------------------------------------------------------ mutations

    def body_mutations(self) -> list[Callable[[], Case]]:
        op, gen, rng = self.op, self.gen, self.rng

        def with_body(label: str, mutate: Callable[[dict], tuple[str, Any]]) -> Callable[[], Case]:
            def build() -> Case:
                base = gen.base_body() if op.body is not None else {}
                detail, value = mutate(base)
                return self.make(f"{label}:{detail}", self.dumps(value))

            return build

        def props(base: dict) -> list[str]:
            return list(base.keys()) or ["loginId"]

        def schema_of(key: str) -> dict:
            return resolve((op.body or {}).get("properties", {}).get(key, {}))

        def wrong_type(base: dict) -> tuple[str, Any]:
            k = rng.choice(props(base))
            base[k] = gen.wrong_type(schema_of(k))
            return k, base

        def hostile(base: dict) -> tuple[str, Any]:
            for k in rng.sample(props(base), min(len(props(base)), rng.choice([1, 1, 2, 3]))):
                base[k] = gen.hostile_value(schema_of(k))
            return "fields", base

        def nulls(base: dict) -> tuple[str, Any]:
            if rng.random() < 0.5:
                return "all", {k: None for k in props(base)}
            k = rng.choice(props(base))
            base[k] = None
            return k, base

        def huge_string(base: dict) -> tuple[str, Any]:
            strings = [k for k, v in base.items() if isinstance(v, str)] or props(base)
            k = rng.choice(strings)
            base[k] = rng.choice(
                ["A" * HUGE, "\u00e9" * (HUGE // 2), "\U0001f600" * (HUGE // 4), ("%s," % "x") * (HUGE // 2)]
            )
            return k, base

        def control_chars(base: dict) -> tuple[str, Any]:
            strings = [k for k, v in base.items() if isinstance(v, str)] or props(base)
            k = rng.choice(strings)
            orig = base.get(k) if isinstance(base.get(k), str) else "x"
            base[k] = rng.choice(
                [
                    orig + "\u0000",
                    "\u0000" + orig,
                    orig + "\r\n",
                    orig.upper(),
                    " " + orig + " ",
                    orig + "\u202e",
                    "\t" + orig,
                    orig + "\u00ad",
                ]
            )
            return k, base

        def deep_array(base: dict) -> Case:
            # A nested value inside a field; JSON text since Python's encoder would recurse.
            k = rng.choice(props(base))
            depth = rng.choice([64, 127, 129, 1000, 20000])
            base[k] = "@@DEEP@@"
            text = json.dumps(base).replace('"@@DEEP@@"', nested(depth))
            return self.make(f"deep-nesting:{k}:{depth}", text.encode())

        def huge_number(base: dict) -> Case:
            k = rng.choice(props(base))
            base[k] = "@@NUM@@"
            num = rng.choice(RAW_NUMBERS + [str(n) for n in JUNK_NUMBERS])
            text = json.dumps(base).replace('"@@NUM@@"', num)
            return self.make(f"huge-number:{k}:{num}", text.encode())

        def missing(base: dict) -> tuple[str, Any]:
            keys = props(base)
            drop = rng.sample(keys, rng.randint(1, len(keys)))
            return ",".join(drop)[:60], {k: v for k, v in base.items() if k not in drop}

        def extra(base: dict) -> tuple[str, Any]:
            extras = {
                "__proto__": {"admin": True},
                "constructor": None,
                "": "",
                "zzz": [1, 2],
                "loginId ": "x",
                "LOGINID": "y",
                "\u0000": 0,
                "x" * 5000: 1,
            }
            k = rng.choice(list(extras))
            base[k] = extras[k]
            return k[:20], base

        def lone_surrogate(base: dict) -> Case:
            k = rng.choice(props(base))
            base[k] = "@@S@@"
            text = json.dumps(base).replace(
                '"@@S@@"', rng.choice(['"\\ud800"', '"\\udfff\\ud800"', '"a\\u0000b"', '"\\uZZZZ"'])
            )
            return self.make(f"escapes:{k}", text.encode())

        def invalid_utf8(base: dict) -> Case:
            k = rng.choice(props(base))
            base[k] = "@@U@@"
            raw = (
                json.dumps(base)
                .encode()
                .replace(b'"@@U@@"', rng.choice([b'"\xff\xfe"', b'"\xc0\xae"', b'"\xed\xa0\x80"', b'"a\x00b"']))
            )
            return self.make(f"invalid-utf8:{k}", raw)

        def duplicate_keys(base: dict) -> Case:
            k = rng.choice(props(base))
            text = json.dumps(base)
            dup = f'"{k}": {json.dumps(gen.wrong_type(schema_of(k)))}'
            text = "{" + dup + ", " + text[1:] if text != "{}" else "{" + dup + "}"
            return self.make(f"duplicate-key:{k}", text.encode())

        def direct(f: Callable[[dict], Case]) -> Callable[[], Case]:
            return lambda: f(gen.base_body() if op.body is not None else {})

        return [
            with_body("wrong-type", wrong_type),
            with_body("wrong-type", wrong_type),
            with_body("hostile", hostile),
            with_body("hostile", hostile),
            with_body("hostile", hostile),
            with_body("null", nulls),
            with_body("huge-string", huge_string),
            with_body("control-chars", control_chars),
            with_body("missing", missing),
            with_body("extra", extra),
            direct(deep_array),
            direct(huge_number),
            direct(lone_surrogate),
            direct(invalid_utf8),
            direct(duplicate_keys),
        ]

    def raw_mutations(self) -> list[Callable[[], Case]]:
        rng, gen, op = self.rng, self.gen, self.op

        def base_text() -> bytes:
            return self.dumps(gen.base_body() if op.body is not None else {})

        def non_json() -> Case:
            body = rng.choice(
                [
                    b"hello",
                    b"<xml/>",
                    b"loginId=a%40b.c&x=1",
                    b"\x00\x01\x02\xff",
                    b"{'a': 1}",
                    b"{a:1}",
                    b"[1,2",
                    b"\xef\xbb\xbf{}",
                    b"{}{}",
                    b"{} x",
                    b"NaN",
                    b"Infinity",
                    b"-",
                    b'"',
                    b'{"a":}',
                    b"\x1f\x8b\x08\x00",
                    bytes(rng.randrange(256) for _ in range(200)),
                ]
            )
            return self.make("non-json", body, content_type=rng.choice(["application/json", None, "text/plain"]))

        def top_level() -> Case:
            body = rng.choice(
                [
                    b"[]",
                    b"[{}]",
                    b'"str"',
                    b"1",
                    b"-1.5",
                    b"true",
                    b"null",
                    b"   ",
                    b"[" * 3000 + b"]" * 3000,
                    nested(100000).encode(),
                ]
            )
            return self.make("top-level", body)

        def wrong_content_type() -> Case:
            ct = rng.choice(
                [
                    "text/plain",
                    "application/x-www-form-urlencoded",
                    "multipart/form-data; boundary=x",
                    "application/xml",
                    "application/json; charset=latin1",
                    "application/json; charset=utf-16",
                    "image/png",
                    "",
                    "application/json, text/plain",
                    "*/*",
                    "a" * 3000,
                ]
            )
            return self.make(f"content-type:{ct[:30]}", base_text(), content_type=ct)

        def form_body() -> Case:
            base = gen.base_body() if op.body is not None else {"loginId": gen.fresh_email()}
            form = "&".join(f"{_seg(k)}={_seg(str(v))}" for k, v in base.items())
            return self.make("form-body", form.encode(), content_type="application/x-www-form-urlencoded")

        def empty_body() -> Case:
            return self.make("empty-body", rng.choice([b"", None]), content_type=rng.choice(["application/json", None]))

        def truncated() -> Case:
            text = base_text()
            cut = rng.randrange(1, max(2, len(text)))
            return self.make(f"truncated:{cut}/{len(text)}", text[:cut])

        def chunked() -> Case:
            return self.make("chunked", base_text(), chunked=True)

        def content_encoding() -> Case:
            return self.make(
                "content-encoding",
                base_text(),
                extra_headers={"Content-Encoding": rng.choice(["gzip", "br", "deflate", "x"])},
            )

        def body_on_get() -> Case:
            return self.make("body-on-bodyless", base_text() if op.body else b'{"a":1}')

        def method_override() -> Case:
            m = rng.choice(["HEAD", "OPTIONS", "PUT", "PATCH", "DELETE", "POST", "GET", "TRACE"])
            body = None if m in ("GET", "HEAD", "DELETE", "OPTIONS", "TRACE") else base_text()
            headers = (
                {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"} if m == "OPTIONS" else {}
            )
            return self.make(f"method:{m}", body, method=m, extra_headers=headers)

        def weird_headers() -> Case:
            h = rng.choice(
                [
                    {"X-Descope-Sdk-Name": "\u00ff" * 10},
                    {"Accept": "application/xml"},
                    {"Accept-Encoding": "gzip, br"},
                    {"Cookie": "DSR=" + "x" * 4000},
                    {"Cookie": f"DS={self.id.session_jwt}; DSR=garbage"},
                    {"X-Forwarded-For": "::1, evil"},
                    {"Expect": "100-continue"},
                    {"Origin": "null"},
                    {"Cookie": "DSR=" + self.id.other_refresh.split(":", 1)[1]},
                ]
            )
            body = base_text() if op.method not in BODYLESS else None
            return self.make(f"headers:{list(h)[0]}", body, extra_headers=h)

        muts = [
            non_json,
            top_level,
            wrong_content_type,
            form_body,
            empty_body,
            truncated,
            chunked,
            content_encoding,
            method_override,
            weird_headers,
        ]
        if op.method in BODYLESS:
            muts.append(body_on_get)
        return muts

    def path_mutations(self) -> list[Callable[[], Case]]:
        rng, op = self.rng, self.op
        hostile = [
            "..",
            "%2e%2e",
            "..%2F..%2F",
            "%00",
            "a%00b",
            "x" * 8000,
            "%ZZ",
            "%",
            "%C0%AE%C0%AE",
            "%E2%80%AE",
            "%F0%9F%98%80",
            "%2F",
            "%5C..%5C",
            "%20",
            "%0D%0AX-Injected:%201",
            ";x=1",
            "~",
            "%FF%FE",
            "P" * 2000,
            "%25",
            "x%3Fy",
            "x%23y",
            "%7B%7D",
            "%22",
            "%27",
            "%3Cscript%3E",
        ]

        def path_param() -> Case:
            p = rng.choice(op.path_params)
            v = rng.choice(hostile)
            return self.make(f"path:{p}={v[:20]}", self._body_for_method(), url=self.url({p: v}, self.base_query()))

        return [path_param, path_param, path_param] if op.path_params else []

    def query_mutations(self) -> list[Callable[[], Case]]:
        rng, op = self.rng, self.op
        values = [
            "",
            "%00",
            "abc",
            "-1",
            "1e999",
            "99999999999999999999999",
            "1.5",
            "true",
            "%ZZ",
            "%",
            "x" * 8000,
            "%E2%80%AE",
            "a%26b%3Dc",
            "[]",
            "{}",
            "null",
            "%0D%0A",
            "+",
            "%2B",
            "%FF",
        ]

        def declared() -> Case:
            name, _ = rng.choice(op.query) if op.query else ("projectId", {})
            raw = "&".join([f"{_seg(name)}={rng.choice(values)}" for _ in range(rng.choice([1, 1, 2, 5]))])
            if op.fixed_query:
                raw += "&" + "&".join(f"{k}={rng.choice(v)}" for k, v in op.fixed_query.items())
            return self.make(f"query:{name}", self._body_for_method(), url=self.url(raw_query=raw))

        def weird() -> Case:
            raw = rng.choice(
                [
                    "&&&",
                    "=",
                    "==x",
                    "a",
                    "a[]=1&a[]=2",
                    "a=1;b=2",
                    "%=%",
                    "x=" + "%41" * 3000,
                    "&".join(f"p{i}={i}" for i in range(2000)),
                    "\u00e9=\u00e8",
                    "projectId=P000000000000000000000000000",
                    "loginId=%00",
                ]
            )
            raw = quote(raw, safe="=&%[];") if any(ord(c) > 127 for c in raw) else raw
            if op.fixed_query:
                raw += "&" + "&".join(f"{k}={rng.choice(v)}" for k, v in op.fixed_query.items())
            return self.make(f"query-raw:{raw[:20]}", self._body_for_method(), url=self.url(raw_query=raw))

        return [declared, declared, weird] if op.query else [weird]

    def auth_mutations(self) -> list[Callable[[], Case]]:
        def bad() -> Case:
            auth = self.bad_auth()
            body = self._body_for_method()
            return self.make(f"auth:{auth[0]}", body, auth=auth)

        return [bad, bad, bad, bad]

    def _body_for_method(self) -> bytes | None:
        if self.op.method in BODYLESS:
            return None
        return self.dumps(self.gen.base_body() if self.op.body is not None else {})

    def cases(self, n: int) -> Iterator[Case]:
        """`n` cases: the well-formed request first, then mutations drawn from every family."""
        yield self.make("well-formed", self._body_for_method())
        families: list[Callable[[], Case]] = []
        if self.op.method not in BODYLESS:
            families += self.body_mutations()
        families += self.raw_mutations() + self.path_mutations() + self.query_mutations() + self.auth_mutations()
        for i in range(n - 1):
            build = families[i % len(families)] if i < len(families) else self.rng.choice(families)
            case = build()
            # A third of the hostile bodies also carry bad credentials: the two checks must not interfere.
            if not case.label.startswith("auth:") and self.rng.random() < 0.2:
                kind, header = self.bad_auth()
                case.auth_kind = kind
                case.headers.pop("Authorization", None)
                if header is not None:
                    case.headers["Authorization"] = header
            yield case
