//! The table of Descope error codes the emulator answers with.
//!
//! Codes come from `SDK_CONTRACT.md` section 7 and the official SDK sources. Rows marked
//! `unconfirmed` are codes whose exact value or status no SDK or Descope document pins down;
//! no SDK branches on them.

use axum::http::StatusCode;

macro_rules! descope_errors {
    ($( $(#[$meta:meta])* $variant:ident => ($status:ident, $code:literal, $desc:literal), )*) => {
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
        }
    };
}

descope_errors! {
    // --- common request errors
    BadRequest => (BAD_REQUEST, "E011001", "Request is malformed"),
    MissingArguments => (BAD_REQUEST, "E011002", "Missing arguments"),
    InvalidRequest => (BAD_REQUEST, "E011003", "Request is invalid"),
    InvalidArguments => (BAD_REQUEST, "E011004", "Invalid arguments"),
    /// unconfirmed: Descope's code for a body over its size limit.
    PayloadTooLarge => (PAYLOAD_TOO_LARGE, "E011001", "Request is malformed"),
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
    RefreshTokenRevoked => (UNAUTHORIZED, "E064001", "Token expired by logged out"),
    /// unconfirmed code: a session or refresh JWT that fails validation.
    InvalidSessionToken => (UNAUTHORIZED, "E061005", "Invalid session token"),
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
}
