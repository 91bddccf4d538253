//! The emulator's fake identity providers: the page a sign-in at a social provider or an SSO
//! identity provider goes through, the identities it asserts, and the single-use code it
//! redirects back with.
//!
//! A federated sign-in has two halves joined by the pending engine:
//! 1. [`begin`] (OAuth or SSO `start`) keeps a [`Start`] under a `state` token
//!    ([`Kind::IdpState`]) and answers the URL of the provider's page on the emulator;
//! 2. [`authorize`] (that page) decides who the person is ([`Identity`]): from the page's
//!    query (`email`, `sub`, `name`, `groups`, `attr.<Name>`, ...), else the `loginHint` given
//!    at start, else an identity queued with [`enqueue`], else (in a browser) by asking the
//!    person; it then turns the state into a code ([`Kind::IdpCode`]) and redirects to the
//!    app's redirect URL with `code=`, or with `error=access_denied` when the person refuses;
//! 3. [`take_code`] (OAuth or SSO `exchange`) consumes the code once and hands the flow the
//!    [`Approved`] start and identity; the flow signs the user in.
//!
//! Nothing here is signed or sent anywhere: the provider and Descope are one process, so
//! the identity never leaves it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto;
use crate::domain::authn::passwordless::LoginOptions;
use crate::domain::pending::{self, Handles, Kind, Refusal};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::Scope;
use crate::store::{self, federation::IdentityRow, Conn, Db};

/// How long the provider's page waits for the person (seconds of emulator time).
pub const STATE_LIFETIME_SECS: i64 = 10 * 60;
/// How long the code of an approval may wait for its exchange (EMULATOR_API.md: 5 minutes).
pub const CODE_LIFETIME_SECS: i64 = 5 * 60;

/// Who a fake identity provider says the person is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Identity {
    /// The provider's stable subject; derived from the issuer and email when not given.
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
    pub name: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub picture: String,
    pub phone: String,
    /// Group names (SSO).
    pub groups: Vec<String>,
    /// Raw SAML attributes / OIDC claims besides the profile.
    pub attributes: Map<String, Value>,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            sub: String::new(),
            email: String::new(),
            email_verified: true,
            name: String::new(),
            given_name: String::new(),
            middle_name: String::new(),
            family_name: String::new(),
            picture: String::new(),
            phone: String::new(),
            groups: Vec::new(),
            attributes: Map::new(),
        }
    }
}

impl Identity {
    /// Whether it names anybody (an email or a subject).
    pub fn is_named(&self) -> bool {
        !self.email.trim().is_empty() || !self.sub.trim().is_empty()
    }

    /// Trims the fields and fills in the subject: a stable one for the issuer and email, so
    /// that the same person signs in as the same identity every time.
    pub fn complete(mut self, issuer: &str) -> Self {
        self.email = self.email.trim().to_owned();
        self.sub = self.sub.trim().to_owned();
        if self.sub.is_empty() {
            let input = format!("{issuer}:{}", self.email.to_lowercase());
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, input.as_bytes());
            self.sub = digest.as_ref()[..12].iter().map(|b| format!("{b:02x}")).collect();
        }
        self.groups.retain(|g| !g.trim().is_empty());
        self
    }

    /// Reads an identity from query parameters (the headless knobs of EMULATOR_API.md):
    /// `email`, `sub`, `name`, `givenName`, `familyName`, `middleName`, `picture`, `phone`,
    /// `emailVerified`, `groups` (comma-separated, repeatable), `attr.<Name>` (repeatable).
    /// `None` when neither `email` nor `sub` is given.
    pub fn from_params(params: &[(String, String)]) -> Option<Identity> {
        let mut id = Identity::default();
        for (k, v) in params {
            match k.as_str() {
                "email" => id.email = v.clone(),
                "sub" => id.sub = v.clone(),
                "name" => id.name = v.clone(),
                "givenName" | "given_name" => id.given_name = v.clone(),
                "middleName" | "middle_name" => id.middle_name = v.clone(),
                "familyName" | "family_name" => id.family_name = v.clone(),
                "picture" => id.picture = v.clone(),
                "phone" => id.phone = v.clone(),
                "emailVerified" | "email_verified" => {
                    id.email_verified =
                        !matches!(v.trim().to_ascii_lowercase().as_str(), "false" | "0" | "no" | "off")
                }
                "groups" => {
                    id.groups.extend(v.split(',').map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()))
                }
                _ => {
                    if let Some(name) = k.strip_prefix("attr.").filter(|n| !n.is_empty()) {
                        add_attribute(&mut id.attributes, name, v);
                    }
                }
            }
        }
        id.is_named().then_some(id)
    }
}

/// Adds a value to a raw attribute: a second value makes it a list.
fn add_attribute(attrs: &mut Map<String, Value>, name: &str, value: &str) {
    match attrs.get_mut(name) {
        None => {
            attrs.insert(name.to_owned(), Value::String(value.to_owned()));
        }
        Some(Value::Array(list)) => list.push(Value::String(value.to_owned())),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, Value::String(value.to_owned())]);
        }
    }
}

/// Which kind of federated sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    OAuth,
    Sso,
}

/// The provider a sign-in goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "flow", rename_all = "camelCase")]
pub enum Target {
    /// A social provider (`google`, ..., or a custom name).
    #[serde(rename = "oauth")]
    OAuth { provider: String },
    /// A tenant's SSO identity provider; `sso_id` empty for the tenant's default configuration.
    #[serde(rename = "sso", rename_all = "camelCase")]
    Sso { tenant_id: String, sso_id: String },
}

impl Default for Target {
    fn default() -> Self {
        Target::OAuth { provider: String::new() }
    }
}

impl Target {
    pub fn flow(&self) -> Flow {
        match self {
            Target::OAuth { .. } => Flow::OAuth,
            Target::Sso { .. } => Flow::Sso,
        }
    }

    /// The issuer of its identities (`user_identities.issuer`): the provider or the tenant.
    pub fn issuer(&self) -> &str {
        match self {
            Target::OAuth { provider } => provider,
            Target::Sso { tenant_id, .. } => tenant_id,
        }
    }

    /// The `kind` of its identities.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::OAuth { .. } => "oauth",
            Target::Sso { .. } => "sso",
        }
    }

    /// The queue names an identity for this target may be queued under, most specific first.
    fn queue_names(&self) -> Vec<String> {
        match self {
            Target::OAuth { provider } => vec![format!("oauth:{provider}")],
            Target::Sso { tenant_id, sso_id } if sso_id.is_empty() => vec![format!("sso:{tenant_id}:")],
            Target::Sso { tenant_id, sso_id } => {
                vec![format!("sso:{tenant_id}:{sso_id}"), format!("sso:{tenant_id}:")]
            }
        }
    }

    /// Its page's path under `/emulator/v1/idp/{projectId}/`.
    fn page_path(&self) -> String {
        let seg = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        match self {
            Target::OAuth { provider } => format!("oauth/{}", seg(provider)),
            Target::Sso { tenant_id, .. } => format!("sso/{}", seg(tenant_id)),
        }
    }

    /// A name for people: the provider, or the tenant's identity provider.
    pub fn display(&self) -> String {
        match self {
            Target::OAuth { provider } => provider.clone(),
            Target::Sso { tenant_id, sso_id } if sso_id.is_empty() => format!("SSO of tenant {tenant_id}"),
            Target::Sso { tenant_id, sso_id } => format!("SSO of tenant {tenant_id} ({sso_id})"),
        }
    }
}

/// What the sign-in is for (OAuth's start variants; SSO is always sign-up-or-in).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    #[default]
    SignUpOrIn,
    SignIn,
    SignUp,
    /// Links the provider to the signed-in user (`oauth/authorize/update`).
    Update,
}

/// The caller's session a federated sign-in adds to (step-up, MFA, update).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PriorSession {
    pub user_id: String,
    pub amr: Vec<String>,
}

/// A started federated sign-in, kept until the provider's page approves it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Start {
    pub target: Target,
    pub mode: Mode,
    /// Where the approval redirects to (`?code=`); empty: the page shows the code.
    pub redirect_url: String,
    pub login_options: LoginOptions,
    pub login_hint: String,
    pub prior: Option<PriorSession>,
    /// Flow-specific values (`initiatedEmail`, `forceAuthn`, `allowAllMerge`, `nonce`, ...).
    pub extra: Map<String, Value>,
}

/// An approved sign-in: what was started and whom the provider asserted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Approved {
    pub start: Start,
    pub identity: Identity,
}

/// Checks a redirect URL given at start: absolute (any scheme, for mobile apps' custom
/// ones), or empty.
pub fn check_redirect_url(url: &str) -> ApiResult<()> {
    if url.is_empty() || url::Url::parse(url).is_ok() {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("redirectURL {url:?} is not an absolute URL")))
    }
}

/// Keeps a started sign-in and answers the absolute URL of its provider's page.
pub async fn begin(db: &Db, ctx: &Ctx, start: Start) -> ApiResult<String> {
    check_redirect_url(&start.redirect_url)?;
    let state = pending::new_token();
    let mut tx = db.begin().await?;
    keep_state(&mut tx, ctx, &start, &state).await?;
    tx.commit().await?;
    Ok(format!(
        "{}/emulator/v1/idp/{}/{}/authorize?state={state}",
        ctx.project.public_url,
        ctx.project_id(),
        start.target.page_path()
    ))
}

/// Stores a started sign-in under `state` (also the `stateId` of native OAuth).
pub async fn keep_state(conn: &mut Conn, ctx: &Ctx, start: &Start, state: &str) -> ApiResult<()> {
    pending::create(
        conn,
        ctx.scope(),
        ctx.now,
        pending::New {
            kind: Kind::IdpState,
            channel: "",
            intent: start.target.kind(),
            subject: "",
            handles: Handles { token: Some(state.to_owned()), ..Handles::default() },
            payload: start,
            lifetime_secs: STATE_LIFETIME_SECS,
        },
    )
    .await
}

/// Consumes a kept start by its state (native OAuth's finish).
pub async fn take_state(conn: &mut Conn, ctx: &Ctx, state: &str) -> ApiResult<Start> {
    match pending::consume_token::<Start>(conn, ctx.scope(), ctx.now, Kind::IdpState, state).await? {
        Ok(entry) => Ok(entry.payload),
        Err(refusal) => Err(state_refused(refusal)),
    }
}

fn state_refused(refusal: Refusal) -> ApiError {
    refused("The sign-in state", refusal)
}

/// Why a state or code can't be used, as the 401 `E061301` every exchange answers.
fn refused(what: &str, refusal: Refusal) -> ApiError {
    let why = match refusal {
        Refusal::Expired => "has expired",
        Refusal::Used => "was used already",
        _ => "is unknown",
    };
    ApiError::new(ErrorKind::InvalidToken, format!("{what} {why}"))
}

/// Stores an approval and answers its single-use code.
pub async fn issue_code(conn: &mut Conn, ctx: &Ctx, approved: &Approved) -> ApiResult<String> {
    let code = crypto::random_alnum(40);
    pending::create(
        conn,
        ctx.scope(),
        ctx.now,
        pending::New {
            kind: Kind::IdpCode,
            channel: "",
            intent: approved.start.target.kind(),
            subject: &approved.identity.email,
            handles: Handles { token: Some(code.clone()), ..Handles::default() },
            payload: approved,
            lifetime_secs: CODE_LIFETIME_SECS,
        },
    )
    .await?;
    Ok(code)
}

/// Consumes the code of an approval of `flow` (an exchange). An unknown, used, expired code,
/// or one of the other flow, is refused alike.
pub async fn take_code(conn: &mut Conn, ctx: &Ctx, code: &str, flow: Flow) -> ApiResult<Approved> {
    if code.is_empty() {
        return Err(ApiError::missing("code"));
    }
    let entry =
        match pending::find_by_token::<Approved>(conn, ctx.scope(), ctx.now, Kind::IdpCode, code).await? {
            Ok(entry) if entry.payload.start.target.flow() == flow => entry,
            Ok(_) => return Err(code_refused(Refusal::Unknown)),
            Err(refusal) => return Err(code_refused(refusal)),
        };
    if !pending::consume(conn, ctx.scope(), ctx.now, &entry).await? {
        return Err(code_refused(Refusal::Used));
    }
    Ok(entry.payload)
}

fn code_refused(refusal: Refusal) -> ApiError {
    refused("The exchange code", refusal)
}

/// What the provider's page was asked.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub state: String,
    /// Every query parameter, in order (the identity knobs among them).
    pub params: Vec<(String, String)>,
    /// The person refuses (`deny=1`), or the test asks for an error redirect (`error=`).
    pub deny: Option<(String, String)>,
    /// A person's browser is asking (and `auto=1` was not given): without an identity the page
    /// asks them.
    pub interactive: bool,
}

/// What the page answers.
#[derive(Debug, Clone)]
pub enum PageOutcome {
    /// Go back to the app.
    Redirect(String),
    /// Approved, but there is nowhere to go back to: show the code.
    Code { code: String, start: Start },
    /// Refused (`error`, `error_description`), and there is nowhere to go back to.
    Refused { error: String, description: String, start: Start },
    /// Ask the person who they are.
    Ask { start: Start, known: Vec<Identity> },
}

/// The provider's page: decides the identity and approves or refuses, or asks a person.
/// `target` is the provider the page's path names; it must be the one the state was kept for.
pub async fn authorize(db: &Db, ctx: &Ctx, path_issuer: &str, req: PageRequest) -> ApiResult<PageOutcome> {
    if req.state.is_empty() {
        return Err(ApiError::missing("state"));
    }
    let mut tx = db.begin().await?;
    let entry =
        match pending::find_by_token::<Start>(&mut tx, ctx.scope(), ctx.now, Kind::IdpState, &req.state)
            .await?
        {
            Ok(entry) => entry,
            Err(refusal) => return Err(state_refused(refusal)),
        };
    let start = entry.payload.clone();
    if start.target.issuer() != path_issuer {
        return Err(ApiError::invalid(format!(
            "This sign-in was started for {}, not {path_issuer}",
            start.target.display()
        )));
    }
    if let Some((error, description)) = req.deny {
        if !pending::consume(&mut tx, ctx.scope(), ctx.now, &entry).await? {
            return Err(state_refused(Refusal::Used));
        }
        tx.commit().await?;
        let url =
            append_query(&start.redirect_url, &[("error", &error), ("error_description", &description)]);
        return Ok(if start.redirect_url.is_empty() {
            PageOutcome::Refused { error, description, start }
        } else {
            PageOutcome::Redirect(url)
        });
    }
    let identity = match Identity::from_params(&req.params) {
        Some(identity) => Some(identity),
        None if start.login_hint.contains('@') => {
            Some(Identity { email: start.login_hint.clone(), ..Identity::default() })
        }
        None => dequeue(&mut tx, ctx.scope(), &start.target).await?,
    };
    let Some(identity) = identity else {
        if req.interactive {
            let known = known_identities(&mut tx, ctx.scope(), &start.target).await?;
            return Ok(PageOutcome::Ask { start, known });
        }
        return Err(ApiError::new(
            ErrorKind::MissingArguments,
            format!(
                "The fake identity provider needs an identity: add email=... to the page URL, give a loginHint at \
                 start, or queue one with POST /emulator/v1/projects/{}/idp/next",
                ctx.project_id()
            ),
        ));
    };
    let identity = identity.complete(start.target.issuer());
    if !pending::consume(&mut tx, ctx.scope(), ctx.now, &entry).await? {
        return Err(state_refused(Refusal::Used));
    }
    let approved = Approved { start, identity };
    let code = issue_code(&mut tx, ctx, &approved).await?;
    tx.commit().await?;
    let start = approved.start;
    Ok(if start.redirect_url.is_empty() {
        PageOutcome::Code { code, start }
    } else {
        PageOutcome::Redirect(append_query(&start.redirect_url, &[("code", &code)]))
    })
}

/// Adds query parameters to a URL, keeping its own query and fragment.
pub fn append_query(base: &str, pairs: &[(&str, &str)]) -> String {
    if let Ok(mut url) = url::Url::parse(base) {
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in pairs {
                q.append_pair(k, v);
            }
        }
        return url.to_string();
    }
    let (head, fragment) = match base.split_once('#') {
        Some((h, f)) => (h, Some(f)),
        None => (base, None),
    };
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            format!("{k}={}", percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC))
        })
        .collect();
    let sep = if head.contains('?') { '&' } else { '?' };
    let mut out = format!("{head}{sep}{}", encoded.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// The identities that signed in at this provider before, for a person to pick from.
async fn known_identities(conn: &mut Conn, scope: &Scope, target: &Target) -> ApiResult<Vec<Identity>> {
    let sso_id = match target {
        Target::Sso { sso_id, .. } => Some(sso_id.as_str()),
        Target::OAuth { .. } => None,
    };
    let rows =
        store::federation::identities_of_issuer(conn, scope, target.kind(), target.issuer(), sso_id).await?;
    Ok(rows.into_iter().take(20).map(|r| identity_of_row(&r)).collect())
}

/// The identity a stored link was made from.
pub fn identity_of_row(r: &IdentityRow) -> Identity {
    let mut identity: Identity = store::from_json_text(&r.raw);
    identity.sub = r.subject.clone();
    if identity.email.is_empty() {
        identity.email = r.email.clone();
    }
    identity.groups = store::from_json_text(&r.groups);
    identity
}

/// Queues an identity for the next sign-in at a provider (`POST …/idp/next`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Queued {
    pub provider: String,
    pub tenant_id: String,
    pub sso_id: String,
    /// One of the project's own OIDC providers (`/emulator/v1/idp/oidc/{p}/{idp}`).
    pub idp: String,
    #[serde(flatten)]
    pub identity: Identity,
}

pub async fn enqueue(db: &Db, ctx: &Ctx, q: Queued) -> ApiResult<()> {
    let target = match (q.provider.trim(), q.tenant_id.trim(), q.idp.trim()) {
        ("", "", "") => return Err(ApiError::missing("provider, tenantId or idp")),
        (p, "", "") => format!("oauth:{p}"),
        ("", t, "") => format!("sso:{t}:{}", q.sso_id.trim()),
        ("", "", i) => format!("oidc:{i}"),
        _ => return Err(ApiError::invalid("Give one of provider, tenantId and idp")),
    };
    if !q.identity.is_named() {
        return Err(ApiError::missing("email"));
    }
    let identity = store::json_text(&q.identity)?;
    let mut tx = db.begin().await?;
    store::federation::enqueue(&mut tx, ctx.scope(), &target, &identity, ctx.now.millis()).await?;
    tx.commit().await?;
    Ok(())
}

async fn dequeue(conn: &mut Conn, scope: &Scope, target: &Target) -> ApiResult<Option<Identity>> {
    let taken = store::federation::dequeue(conn, scope, &target.queue_names()).await?;
    Ok(taken.map(|json| store::from_json_text(&json)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn identity_from_params_reads_every_knob() {
        let id = Identity::from_params(&params(&[
            ("email", "ann@corp.test"),
            ("name", "Ann"),
            ("emailVerified", "false"),
            ("groups", "eng, admins"),
            ("groups", "ops"),
            ("attr.dept", "R&D"),
            ("attr.dept", "Ops"),
            ("attr.level", "3"),
        ]))
        .expect("named");
        assert_eq!(id.email, "ann@corp.test");
        assert!(!id.email_verified);
        assert_eq!(id.groups, ["eng", "admins", "ops"]);
        assert_eq!(id.attributes["dept"], serde_json::json!(["R&D", "Ops"]));
        assert_eq!(id.attributes["level"], "3");
        assert!(Identity::from_params(&params(&[("name", "nobody")])).is_none());
    }

    #[test]
    fn subject_is_stable_per_issuer_and_email() {
        let a = Identity { email: "Ann@x.test".into(), ..Identity::default() }.complete("google");
        let b = Identity { email: "ann@x.test".into(), ..Identity::default() }.complete("google");
        let c = Identity { email: "ann@x.test".into(), ..Identity::default() }.complete("github");
        assert_eq!(a.sub, b.sub);
        assert_ne!(a.sub, c.sub);
        assert_eq!(a.sub.len(), 24);
    }

    #[test]
    fn append_query_keeps_query_and_fragment() {
        assert_eq!(append_query("http://app.test/cb", &[("code", "x")]), "http://app.test/cb?code=x");
        assert_eq!(
            append_query("http://app.test/cb?a=1#f", &[("code", "x")]),
            "http://app.test/cb?a=1&code=x#f"
        );
        assert_eq!(append_query("myapp://cb", &[("code", "x y")]), "myapp://cb?code=x+y");
    }
}
