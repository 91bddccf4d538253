//! Management-issued JWTs: `jwt/update`, impersonation and its stop, the management sign-in /
//! sign-up calls and anonymous users. Also the grant and custom-claim helpers that access-key
//! exchange shares.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use crate::crypto;
use crate::domain::identity::profile::{UserProfile, UserTraits};
use crate::domain::identity::roles::IMPERSONATE;
use crate::domain::identity::users::{self, NewUser, User};
use crate::domain::sessions::{self, AuthInfo, Claims, SignInOptions, DRN_REFRESH, DRN_SESSION};
use crate::domain::{audit, Ctx};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::Db;
use crate::store::{self, Conn};

/// Claims the SDKs or the emulator give a meaning; custom claims never overwrite them.
pub const RESERVED_CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "iat",
    "exp",
    "nbf",
    "aud",
    "azp",
    "drn",
    "amr",
    "jti",
    "roles",
    "permissions",
    "tenants",
    "dct",
    "dsub",
    "nsec",
    "act",
    "danu",
    "su",
];

/// Custom claims without the reserved ones ("system claims will be filtered out").
pub fn custom_only(claims: Map<String, Value>) -> Map<String, Value> {
    claims.into_iter().filter(|(k, _)| !RESERVED_CLAIMS.contains(&k.as_str())).collect()
}

pub use crate::domain::sessions::grants;
use crate::domain::sessions::tenant_roles as user_tenants;

fn invalid_token(message: &str) -> ApiError {
    ApiError::new(ErrorKind::InvalidSessionToken, message)
}

/// A JWT of this project that has not expired by the emulator clock.
fn verify_live(ctx: &Ctx, jwt: &str) -> ApiResult<Claims> {
    if jwt.is_empty() {
        return Err(ApiError::missing("jwt"));
    }
    let claims = sessions::verify_signature(ctx, jwt)?;
    if claims.exp <= ctx.now.secs() {
        return Err(invalid_token("Token expired"));
    }
    Ok(claims)
}

/// `POST /v1/mgmt/jwt/update`: the JWT with the custom claims merged at top level and the
/// user's current grants, re-signed; same `iat`/`exp` unless a refresh duration is given.
pub async fn update_jwt(
    db: &Db,
    ctx: &Ctx,
    jwt: &str,
    custom_claims: Map<String, Value>,
    refresh_duration: i64,
) -> ApiResult<String> {
    let mut claims = verify_live(ctx, jwt)?;
    if claims.drn == DRN_SESSION {
        let mut conn = db.acquire().await?;
        if let Some(user) = users::find_by_id(&mut conn, ctx.scope(), &claims.sub).await? {
            let (permissions, tenants) =
                grants(&mut conn, ctx.scope(), &user.roles, &user_tenants(&user)).await?;
            claims.roles = Some(user.roles.clone());
            claims.permissions = Some(permissions);
            claims.tenants = Some(tenants);
        }
    }
    claims.extra.extend(custom_only(custom_claims));
    if refresh_duration > 0 {
        claims.iat = ctx.now.secs();
        claims.exp = claims.iat + refresh_duration;
    }
    sessions::sign_one(ctx, claims).await
}

/// The claims of a recorded refresh JWT for a user, carrying their grants and extra claims
/// (impersonation and its stop answer with one); signed once the transaction commits.
async fn refresh_claims_for(
    conn: &mut Conn,
    ctx: &Ctx,
    user: &User,
    dct: Option<String>,
    extra: Map<String, Value>,
    amr: Vec<String>,
    refresh_duration: i64,
) -> ApiResult<Claims> {
    let (permissions, tenants) = grants(conn, ctx.scope(), &user.roles, &user_tenants(user)).await?;
    let dct = sessions::effective_dct(user, dct.as_deref());
    let mut claims =
        sessions::refresh_claims(conn, ctx, user, &amr, dct.as_deref(), &extra, refresh_duration).await?;
    claims.roles = Some(user.roles.clone());
    claims.permissions = Some(permissions);
    claims.tenants = Some(tenants);
    Ok(claims)
}

async fn require_user(conn: &mut Conn, ctx: &Ctx, id: &str) -> ApiResult<User> {
    users::find_by_login_or_user_id(conn, ctx.scope(), id)
        .await?
        .ok_or_else(|| ApiError::mgmt_user_not_found(id))
}

fn check_tenant(user: &User, tenant: &str) -> ApiResult<Option<String>> {
    if tenant.is_empty() {
        return Ok(None);
    }
    if !user.tenants.iter().any(|t| t.tenant_id == tenant) {
        return Err(ApiError::new(
            ErrorKind::TenantNotAssociated,
            format!("User is not associated with tenant {tenant}"),
        ));
    }
    Ok(Some(tenant.to_owned()))
}

/// The body of `POST /v1/mgmt/impersonate` (and `/stepup`), read as sent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Impersonation {
    pub impersonator_id: String,
    pub login_id: String,
    pub validate_consent: bool,
    pub custom_claims: Map<String, Value>,
    pub selected_tenant: String,
    #[serde(deserialize_with = "crate::json::lenient_i64")]
    pub refresh_duration: i64,
    /// `POST /v1/mgmt/impersonate/stepup`: the token is marked as stepped up (the route
    /// decides, not the body).
    #[serde(skip)]
    pub step_up: bool,
}

/// The claim the emulator marks a stepped-up impersonation with (`su: true`), besides
/// `stepup` in `amr`. Unconfirmed against Descope, which documents only "impersonate with
/// step-up claim" (OpenAPI `ImpersonateStepup`); both marks survive refresh.
pub const STEP_UP_CLAIM: &str = "su";

/// Whether an impersonator may impersonate a user: "Only users with the Impersonate
/// permission can impersonate other users"; held at project level it allows impersonating
/// any user of the project, held in a tenant only users of that tenant
/// (docs.descope.com/user-impersonation). With a selected tenant, a tenant-level permission
/// must be held in that tenant.
async fn may_impersonate(
    conn: &mut Conn,
    ctx: &Ctx,
    actor: &User,
    target: &User,
    selected: &str,
) -> ApiResult<bool> {
    let (permissions, tenants) = grants(conn, ctx.scope(), &actor.roles, &user_tenants(actor)).await?;
    if permissions.iter().any(|p| p == IMPERSONATE) {
        return Ok(true);
    }
    Ok(tenants.iter().any(|(tenant, claims)| {
        claims.permissions.iter().any(|p| p == IMPERSONATE)
            && target.tenants.iter().any(|t| &t.tenant_id == tenant)
            && (selected.is_empty() || selected == tenant)
    }))
}

/// `POST /v1/mgmt/impersonate`: a refresh JWT of the impersonated user with
/// `act: {sub: <impersonator user ID>}`. The impersonator needs the `Impersonate` permission,
/// at project level or in a tenant of the impersonated user ([`may_impersonate`]).
// descope-compat: Descope answers with a refresh JWT of the impersonated user
// (docs.descope.com/user-impersonation/impersonation-with-sdks).
pub async fn impersonate(db: &Db, ctx: &Ctx, req: Impersonation) -> ApiResult<String> {
    if req.impersonator_id.is_empty() {
        return Err(ApiError::missing("impersonatorId"));
    }
    if req.login_id.is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let actor = require_user(&mut tx, ctx, &req.impersonator_id).await?;
    let target = require_user(&mut tx, ctx, &req.login_id).await?;
    target.ensure_can_sign_in()?;
    let dct = check_tenant(&target, &req.selected_tenant)?;
    if !may_impersonate(&mut tx, ctx, &actor, &target, &req.selected_tenant).await? {
        return Err(ApiError::new(
            ErrorKind::ImpersonationNotAllowed,
            format!(
                "User {} does not have the {IMPERSONATE} permission for user {}",
                req.impersonator_id, req.login_id
            ),
        ));
    }
    let mut extra = custom_only(req.custom_claims);
    extra.insert("act".into(), json!({ "sub": actor.id() }));
    let amr = if req.step_up {
        extra.insert(STEP_UP_CLAIM.into(), Value::Bool(true));
        vec!["stepup".to_owned()]
    } else {
        Vec::new()
    };
    let claims = refresh_claims_for(&mut tx, ctx, &target, dct, extra, amr, req.refresh_duration).await?;
    let mut event = audit::Event::new("UserImpersonated", actor.id().as_str()).method("Impersonate");
    if req.step_up {
        event = event.data("stepup", true);
    }
    event.user_id = target.id().to_string();
    event.external_ids = target.login_ids.clone();
    audit::record(&mut tx, ctx, &event).await?;
    tx.commit().await?;
    sessions::sign_one(ctx, claims).await
}

/// `POST /v1/mgmt/stop/impersonation`: revokes the impersonation token and answers with a
/// refresh JWT of the impersonator (the `act.sub` of the given JWT).
pub async fn stop_impersonation(
    db: &Db,
    ctx: &Ctx,
    jwt: &str,
    custom_claims: Map<String, Value>,
    selected_tenant: &str,
    refresh_duration: i64,
) -> ApiResult<String> {
    let claims = verify_live(ctx, jwt)?;
    let actor_id = claims
        .extra
        .get("act")
        .and_then(|a| a.get("sub"))
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid("The JWT is not an impersonation token"))?
        .to_owned();
    let mut tx = store::begin_immediate(db).await?;
    let actor = users::find_by_id(&mut tx, ctx.scope(), &actor_id)
        .await?
        .ok_or_else(|| ApiError::mgmt_user_not_found(&actor_id))?;
    actor.ensure_can_sign_in()?;
    if let Some(jti) = &claims.jti {
        store::sessions::revoke(&mut tx, ctx.scope(), jti, ctx.now.millis()).await?;
    }
    let dct = check_tenant(&actor, selected_tenant)?;
    let refresh = refresh_claims_for(
        &mut tx,
        ctx,
        &actor,
        dct,
        custom_only(custom_claims),
        Vec::new(),
        refresh_duration,
    )
    .await?;
    let mut event = audit::Event::new("UserImpersonationStopped", actor.id().as_str());
    event.user_id = claims.sub.clone();
    audit::record(&mut tx, ctx, &event).await?;
    tx.commit().await?;
    sessions::sign_one(ctx, refresh).await
}

/// Which of the management sign-in calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MgmtSignIn {
    SignIn,
    SignUp,
    SignUpOrIn,
}

/// The body of `/v1/mgmt/auth/{signin,signup,signup-in}`, decoded.
#[derive(Debug, Clone, Default)]
pub struct MgmtSignInRequest {
    pub login_id: String,
    /// `SignUpUser`: used only when the call creates the user.
    pub user: UserProfile,
    pub email_verified: bool,
    pub phone_verified: bool,
    pub tenants: Vec<(String, Vec<String>)>,
    pub custom_claims: Map<String, Value>,
    pub selected_tenant: String,
    pub revoke_other_sessions: bool,
}

/// `/v1/mgmt/auth/{signin,signup,signup-in}`: signs a user in as a flow would; sign-up
/// creates the user (an existing one is an error), sign-in needs one, sign-up-in either.
pub async fn mgmt_sign_in(
    db: &Db,
    ctx: &Ctx,
    mode: MgmtSignIn,
    req: MgmtSignInRequest,
) -> ApiResult<AuthInfo> {
    let login_id = req.login_id.trim().to_owned();
    if login_id.is_empty() {
        return Err(ApiError::missing("loginId"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let existing = users::find_by_login_id(&mut tx, ctx.scope(), &login_id).await?;
    let user = match (existing, mode) {
        (Some(_), MgmtSignIn::SignUp) => {
            return Err(ApiError::new(
                ErrorKind::UserAlreadyExists,
                format!("User {login_id} already exists"),
            ))
        }
        (Some(u), _) => u,
        (None, MgmtSignIn::SignIn) => return Err(ApiError::user_not_found(&login_id)),
        (None, _) => {
            let profile = req.user;
            let email_login = login_id.contains('@');
            let email =
                if profile.email.is_empty() && email_login { login_id.clone() } else { profile.email };
            let phone = if profile.phone.is_empty() && login_id.starts_with('+') {
                login_id.clone()
            } else {
                profile.phone
            };
            users::create(
                &mut tx,
                ctx.scope(),
                ctx.now,
                NewUser {
                    login_ids: vec![login_id.clone()],
                    profile: UserProfile { email, phone, ..profile },
                    traits: UserTraits {
                        verified_email: req.email_verified,
                        verified_phone: req.phone_verified,
                        ..UserTraits::default()
                    },
                    tenants: req.tenants,
                    method: "mgmt".into(),
                    ..NewUser::default()
                },
            )
            .await?
        }
    };
    let dct = check_tenant(&user, &req.selected_tenant)?;
    let info = sessions::sign_in(
        &mut tx,
        ctx,
        user,
        SignInOptions {
            amr: Vec::new(),
            dct,
            custom_claims: custom_only(req.custom_claims),
            method: "mgmt".into(),
            revoke_other_sessions: req.revoke_other_sessions,
        },
    )
    .await?;
    tx.commit().await?;
    info.sign(ctx).await
}

/// What `/v1/mgmt/auth/anonymous` issues.
#[derive(Debug, Clone)]
pub struct AnonymousTokens {
    pub session_jwt: String,
    pub session_exp: i64,
    pub refresh_jwt: String,
    pub refresh_exp: i64,
}

/// `/v1/mgmt/auth/anonymous`: session and refresh JWTs for a new anonymous subject, marked
/// `danu: true` as Descope marks anonymous users. No user is stored.
pub async fn anonymous(
    ctx: &Ctx,
    custom_claims: Map<String, Value>,
    selected_tenant: &str,
    refresh_duration: i64,
) -> ApiResult<AnonymousTokens> {
    let sub = users::new_user_id();
    let iat = ctx.now.secs();
    let session_exp = iat + ctx.project.settings.session_token_ttl_secs;
    let refresh_exp = iat
        + if refresh_duration > 0 { refresh_duration } else { ctx.project.settings.refresh_token_ttl_secs };
    let mut extra = custom_only(custom_claims);
    extra.insert("danu".into(), Value::Bool(true));
    let dct = Some(selected_tenant.to_owned()).filter(|t| !t.is_empty());
    let session = Claims {
        sub,
        iss: ctx.project.issuer.clone(),
        iat,
        exp: session_exp,
        drn: DRN_SESSION.into(),
        amr: Vec::new(),
        jti: None,
        roles: Some(Vec::new()),
        permissions: Some(Vec::new()),
        tenants: Some(BTreeMap::new()),
        dct,
        extra,
    };
    let refresh = Claims {
        exp: refresh_exp,
        drn: DRN_REFRESH.into(),
        jti: Some(crypto::random_alnum(24)),
        ..session.clone()
    };
    let [session_jwt, refresh_jwt]: [String; 2] = sessions::sign_all(ctx, vec![session, refresh])
        .await?
        .try_into()
        .map_err(|_| ApiError::internal("a token was not signed"))?;
    Ok(AnonymousTokens { session_jwt, session_exp, refresh_jwt, refresh_exp })
}
