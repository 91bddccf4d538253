//! The table of Descope error codes the emulator answers with.
//!
//! Codes come from `SDK_CONTRACT.md` section 7 and the official SDK sources. Rows marked
//! `unconfirmed` are codes whose exact value or status no SDK or Descope document pins down;
//! no SDK branches on them.
//!
//! A row may also name its OAuth `error` code (RFC 6749 section 5.2, RFC 6750 section 3.1) and
//! its SCIM `scimType` (RFC 7644 section 3.12), for the routes that answer in those formats
//! ([`super::ErrorSurface`]); rows without them take the defaults by status of
//! [`ErrorKind::oauth_error`] and [`ErrorKind::scim_type`]. So the whole mapping is this table.

use axum::http::StatusCode;

macro_rules! descope_errors {
    (@opt) => { None };
    (@opt $value:literal) => { Some($value) };
    ($( $(#[$meta:meta])* $variant:ident => (
        $status:ident, $code:literal, $desc:literal
        $(, oauth = $oauth:literal)? $(, scim = $scim:literal)? $(,)?
    ), )*) => {
        /// Every error the emulator can answer with, one row per Descope error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorKind { $( $(#[$meta])* $variant, )* }

        impl ErrorKind {
            /// Every kind, for tests and docs.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant,)*];

            pub fn status(self) -> StatusCode {
                match self { $(ErrorKind::$variant => StatusCode::$status,)* }
            }

            pub fn code(self) -> &'static str {
                match self { $(ErrorKind::$variant => $code,)* }
            }

            pub fn description(self) -> &'static str {
                match self { $(ErrorKind::$variant => $desc,)* }
            }

            fn explicit_oauth_error(self) -> Option<&'static str> {
                match self { $(ErrorKind::$variant => descope_errors!(@opt $($oauth)?),)* }
            }

            fn explicit_scim_type(self) -> Option<&'static str> {
                match self { $(ErrorKind::$variant => descope_errors!(@opt $($scim)?),)* }
            }
        }
    };
}

impl ErrorKind {
    /// The OAuth `error` code: the row's, else by status (401 `invalid_client`, 403
    /// `access_denied`, 5xx `server_error`, any other `invalid_request`).
    pub fn oauth_error(self) -> &'static str {
        self.explicit_oauth_error().unwrap_or(match self.status() {
            StatusCode::UNAUTHORIZED => "invalid_client",
            StatusCode::FORBIDDEN => "access_denied",
            s if s.is_server_error() => "server_error",
            _ => "invalid_request",
        })
    }

    /// The SCIM `scimType`: the row's, else `uniqueness` for a 409 (RFC 7644 table 9), else
    /// none, because RFC 7644 names a keyword only for those errors.
    pub fn scim_type(self) -> Option<&'static str> {
        self.explicit_scim_type().or(match self.status() {
            StatusCode::CONFLICT => Some("uniqueness"),
            _ => None,
        })
    }
}

descope_errors! {
    // --- common request errors
    BadRequest => (BAD_REQUEST, "E011001", "Request is malformed", scim = "invalidSyntax"),
    MissingArguments => (BAD_REQUEST, "E011002", "Missing arguments", scim = "invalidValue"),
    InvalidRequest => (BAD_REQUEST, "E011003", "Request is invalid"),
    InvalidArguments => (BAD_REQUEST, "E011004", "Invalid arguments", scim = "invalidValue"),
    /// unconfirmed: Descope's code for a body over its size limit.
    PayloadTooLarge => (PAYLOAD_TOO_LARGE, "E011001", "Request is malformed"),
    /// unconfirmed: a request target longer than the server parses (hyper's 65,534 bytes).
    UriTooLong => (URI_TOO_LONG, "E011001", "Request is malformed"),
    /// unconfirmed: request headers over the emulator's limit.
    HeadersTooLarge => (REQUEST_HEADER_FIELDS_TOO_LARGE, "E011001", "Request is malformed"),
    /// Route not found; unconfirmed code.
    RouteNotFound => (NOT_FOUND, "E011001", "Request is malformed"),
    /// Wrong HTTP method for a known path; unconfirmed code.
    MethodNotAllowed => (METHOD_NOT_ALLOWED, "E011001", "Request is malformed"),
    /// A Descope operation that the emulator routes but does not implement yet.
    NotImplemented => (NOT_IMPLEMENTED, "E011007", "Operation not implemented by descope-emulator"),
    Internal => (INTERNAL_SERVER_ERROR, "E010001", "Internal error"),

    // --- authentication of the caller (bearer header, management key); unconfirmed codes
    Unauthorized => (UNAUTHORIZED, "E011101", "Unauthorized"),
    ProjectNotFound => (UNAUTHORIZED, "E011102", "Project not found"),
    InvalidManagementKey => (UNAUTHORIZED, "E011103", "Invalid management key"),
    /// Emulator-only: a request for a `Host` the emulator does not serve, or an emulator-only
    /// endpoint called from another web origin (DNS-rebinding and cross-site protection).
    ForbiddenOrigin => (FORBIDDEN, "E011101", "Unauthorized"),

    // --- one-time codes and links
    InvalidOneTimeCode => (UNAUTHORIZED, "E061102", "Invalid one-time code"),
    TooManyOtpAttempts => (TOO_MANY_REQUESTS, "E061103", "Too many OTP attempts"),
    /// unconfirmed code: an unknown, used or expired magic link token.
    InvalidToken => (UNAUTHORIZED, "E061301", "Invalid token"),
    EnchantedLinkPending => (UNAUTHORIZED, "E062503", "Enchanted link pending"),
    /// unconfirmed status: a NOTP (WhatsApp) sign-in not approved yet (go-sdk
    /// `ErrNOTPUnauthorized`).
    NotpPending => (UNAUTHORIZED, "E066103", "NOTP pending"),

    // --- users in auth flows
    UserAlreadyExists => (BAD_REQUEST, "E062107", "User already exists"),
    UserNotFound => (BAD_REQUEST, "E062108", "User not found"),
    /// unconfirmed code: a disabled user tries to sign in or refresh.
    UserDisabled => (FORBIDDEN, "E062110", "User is disabled"),

    // --- passwords
    /// unconfirmed code and status: a wrong password (or a user without one) at sign-in or
    /// replace. E062901 as "invalid credentials" is only seen in a third-party app's mapping.
    InvalidCredentials => (UNAUTHORIZED, "E062901", "Invalid login ID or password"),
    /// unconfirmed code: a new password that breaks the project's policy (length, character
    /// classes, reuse); the message names the rule.
    PasswordPolicy => (BAD_REQUEST, "E062902", "Password does not meet the password policy"),
    /// unconfirmed code and status: sign-in refused while the password is locked after too
    /// many failed attempts.
    PasswordLocked => (FORBIDDEN, "E062904", "Password is locked after too many failed attempts"),
    /// Code from go-sdk `ErrPasswordExpired`; unconfirmed status. A temporary, expired or
    /// too old password at sign-in.
    PasswordExpired => (UNAUTHORIZED, "E062909", "Password expired"),

    // --- sessions
    /// unconfirmed status.
    /// On the OAuth surface `invalid_token` (a bearer access token); the token endpoint, where a
    /// bad refresh token is `invalid_grant` (RFC 6749 5.2), raises [`ErrorKind::InvalidGrant`].
    RefreshTokenRevoked => (UNAUTHORIZED, "E064001", "Token expired by logged out", oauth = "invalid_token"),
    /// unconfirmed code: a session or refresh JWT that fails validation. `invalid_token` on the
    /// OAuth surface, as for [`ErrorKind::RefreshTokenRevoked`].
    InvalidSessionToken => (UNAUTHORIZED, "E061005", "Invalid session token", oauth = "invalid_token"),
    /// unconfirmed code: tenant select for a tenant the user is not in.
    TenantNotAssociated => (BAD_REQUEST, "E064101", "User is not associated with the tenant"),

    // --- management
    /// unconfirmed status.
    MgmtUserNotFound => (BAD_REQUEST, "E112102", "User not found"),
    /// unconfirmed code: an emulator or management entity that does not exist. Also what
    /// `GET /v1/mgmt/user/provider/token` answers for a user without a provider token, and
    /// removing an unknown passkey or trusted device (unconfirmed code and status; no SDK
    /// pins them).
    NotFound => (NOT_FOUND, "E011008", "Not found"),
    /// unconfirmed code: creating something that already exists.
    AlreadyExists => (CONFLICT, "E011009", "Already exists"),
    /// unconfirmed code: test-user endpoints called for a user that is not a test user.
    NotTestUser => (BAD_REQUEST, "E112103", "User is not a test user"),

    // --- rate limiting and fault injection
    RateLimited => (TOO_MANY_REQUESTS, "E130429", "https://docs.descope.com/rate-limit"),

    // --- access keys, impersonation
    /// unconfirmed status: access-key exchange without a key (swift-sdk src/types/Error.swift).
    MissingAccessKey => (UNAUTHORIZED, "E062802", "Missing access key"),
    /// unconfirmed status: an unknown, deactivated, expired or IP-restricted access key
    /// (swift-sdk src/types/Error.swift).
    InvalidAccessKey => (UNAUTHORIZED, "E062803", "Invalid access key"),
    /// unconfirmed code: impersonation by a user without the `Impersonate` permission.
    ImpersonationNotAllowed => (FORBIDDEN, "E112104", "Impersonation is not allowed"),

    // --- OAuth 2.0 (RFC 6749 5.2), for the `/oauth2/v1/*` routes. unconfirmed codes: no SDK
    // or Descope document names Descope's codes for these, so each row reuses the generic code
    // and description of its status (E011003, E011101); they show only on the Descope surface.
    /// Client authentication failed: unknown client, wrong secret, malformed HTTP Basic.
    InvalidClient => (UNAUTHORIZED, "E011101", "Unauthorized", oauth = "invalid_client"),
    /// An invalid, expired or revoked authorization code, refresh token or device code, or a
    /// redirect URI that does not match.
    InvalidGrant => (BAD_REQUEST, "E011003", "Request is invalid", oauth = "invalid_grant"),
    /// The client may not use this grant type.
    UnauthorizedClient => (BAD_REQUEST, "E011003", "Request is invalid", oauth = "unauthorized_client"),
    UnsupportedGrantType => (BAD_REQUEST, "E011003", "Request is invalid", oauth = "unsupported_grant_type"),
    InvalidScope => (BAD_REQUEST, "E011003", "Request is invalid", oauth = "invalid_scope"),

    // --- SCIM 2.0 (RFC 7644 3.12 table 9), for the `/scim/v2/*` routes; unconfirmed codes as
    // for OAuth. `invalidSyntax`, `invalidValue` and `uniqueness` come from the rows above.
    ScimInvalidFilter => (BAD_REQUEST, "E011003", "Request is invalid", scim = "invalidFilter"),
    /// A PATCH path that is not valid.
    ScimInvalidPath => (BAD_REQUEST, "E011003", "Request is invalid", scim = "invalidPath"),
    /// A PATCH path that matches nothing where a match is needed.
    ScimNoTarget => (BAD_REQUEST, "E011003", "Request is invalid", scim = "noTarget"),
    /// A change to a read-only or immutable attribute.
    ScimMutability => (BAD_REQUEST, "E011003", "Request is invalid", scim = "mutability"),
    /// A filter that would return more results than the emulator returns at once.
    ScimTooMany => (BAD_REQUEST, "E011003", "Request is invalid", scim = "tooMany"),

    // --- WebAuthn (passkeys). unconfirmed codes and statuses: no SDK or Descope document
    // names them, and no SDK branches on them.
    /// An unknown, used or expired WebAuthn transaction, or one of another ceremony.
    WebAuthnTransactionInvalid => (UNAUTHORIZED, "E067001", "Invalid WebAuthn transaction"),
    /// A WebAuthn response that does not verify: client data type, challenge or origin, rpId
    /// hash, user presence or verification, signature, signature counter.
    WebAuthnVerificationFailed => (UNAUTHORIZED, "E067002", "WebAuthn verification failed"),
    /// An assertion by a credential the project (or the user signing in) does not have.
    WebAuthnCredentialNotFound => (UNAUTHORIZED, "E067003", "WebAuthn credential not found"),
    /// Registering a credential ID that is already registered in the project.
    WebAuthnCredentialExists => (BAD_REQUEST, "E067004", "WebAuthn credential already registered"),
    /// Sign-in start for a user who has no passkeys.
    WebAuthnNoCredentials => (BAD_REQUEST, "E067005", "User has no WebAuthn credentials"),

    // --- SCIM provisioning. unconfirmed code: an access key that is valid but Tenant Admin
    // of no tenant, so there is no tenant to provision into.
    ScimForbidden => (FORBIDDEN, "E011101", "Unauthorized"),
    // --- Device authorization grant (RFC 8628 3.5) polling; unconfirmed codes as for OAuth.
    /// The person has not approved the device yet.
    AuthorizationPending => (BAD_REQUEST, "E011003", "Request is invalid", oauth = "authorization_pending"),
    /// The device code expired.
    ExpiredToken => (BAD_REQUEST, "E011003", "Request is invalid", oauth = "expired_token"),
    /// The person refused the device.
    DeviceAccessDenied => (BAD_REQUEST, "E011003", "Request is invalid", oauth = "access_denied"),
    // --- CIBA (OpenID CIBA Core 13); unconfirmed code as for OAuth.
    /// `bc-authorize` names nobody the emulator can sign in (no queued identity, unknown
    /// `login_hint`).
    UnknownUserId => (BAD_REQUEST, "E011003", "Request is invalid", oauth = "unknown_user_id"),
    // --- RFC 8707 resource indicators; unconfirmed code as for OAuth.
    /// A `resource` the authorization server does not know, or one the client may not use.
    InvalidTarget => (BAD_REQUEST, "E011003", "Request is invalid", oauth = "invalid_target"),
    // --- Hosted flows (`/v1/flow/start`, `/v1/flow/next`). unconfirmed codes: the web
    // component shows any error body, and acts on four codes only (E102004 restarts the flow,
    // E103205/E103202/E108201 stop polling), so none of these may be one of those.
    /// A flow ID that is neither built in nor imported into the project.
    FlowNotFound => (BAD_REQUEST, "E102001", "Flow not found"),
    /// An execution ID the project never issued (or that expired), or a step from its future.
    FlowExecutionNotFound => (BAD_REQUEST, "E103001", "Flow execution not found"),
    /// A `next` for an execution that already completed.
    FlowExecutionFinished => (BAD_REQUEST, "E103002", "Flow execution already completed"),
    /// An interaction the current screen does not have.
    FlowInteractionInvalid => (BAD_REQUEST, "E103003", "Invalid interaction"),
    /// `flow/run` of a flow the emulator cannot run without a person or the internet.
    FlowCannotRun => (BAD_REQUEST, "E103004", "Flow cannot run"),
}
