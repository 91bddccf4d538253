//! JWT templates (`/v1/mgmt/jwt/templates/*`): stored per project, checked strictly before
//! they are saved, a small built-in library to start from, and their effect on tokens: the
//! project's user template shapes every new session JWT of a user, its key template every
//! session JWT an access-key exchange issues.
//!
//! A template is a JSON object whose keys are claim names. Values are static JSON or text with
//! `{{user.email}}`-style references to the subject's data: a value that is one reference
//! alone takes the referenced value's JSON type (`"{{user.roles}}"` gives an array), a
//! reference inside other text is interpolated. Which template a project uses is marked on
//! the template (`isDefault`, one per type; an emulator extension, see COMPATIBILITY.md).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::crypto;
use crate::domain::identity::accesskeys::AccessKey;
use crate::domain::identity::users::User;
use crate::domain::sessions::tokens::RESERVED_CLAIMS;
use crate::domain::sessions::Claims;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{Scope, TenantId};
use crate::store::jwt_templates::TemplateRow;
use crate::store::{self, Conn, Db};

/// `type` of templates for users' session JWTs.
pub const TYPE_USER: &str = "user";
/// `type` of templates for access keys' session JWTs.
pub const TYPE_KEY: &str = "key";

const AUTH_SCHEMAS: &[&str] = &["default", "tenantOnly", "none"];
const ISSUER_TYPES: &[&str] = &["legacy", "inbound", "federated"];
const EMPTY_CLAIM_POLICIES: &[&str] = &["none", "nil", "delete"];
/// Descope's limits on custom claims: 60 characters a key, 100 keys a JWT.
const MAX_KEY_LEN: usize = 60;
const MAX_CLAIMS: usize = 100;

/// A JWT template as the API shows and takes it (`JWTTemplate`), plus `isDefault`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct JwtTemplate {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The claims: a JSON object (a JSON text of one is accepted too).
    pub template: Value,
    pub source: String,
    pub tags: Vec<String>,
    pub auth_schema: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub conformance_issuer: bool,
    #[serde(rename = "autoDCT")]
    pub auto_dct: bool,
    pub enforce_issuer: bool,
    pub empty_claim_policy: String,
    pub override_subject: bool,
    pub issuer_type: String,
    #[serde(rename = "omitCustomClaimsFromDSR")]
    pub omit_custom_claims_from_dsr: bool,
    pub add_jti: bool,
    pub exclude_permissions: bool,
    /// Emulator extension: this is the project's template of its type.
    pub is_default: bool,
}

/// One problem `validate` found (`JwtTemplateValidationIssue`, with the Node SDK's `path`
/// and `severity` besides the OpenAPI's `field`, `code`, `message` and `hint`).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub field: String,
    pub path: String,
    pub code: String,
    pub severity: String,
    pub message: String,
    pub hint: String,
}

impl Issue {
    fn new(field: &str, code: &str, message: impl Into<String>, hint: &str) -> Self {
        Issue {
            field: field.to_owned(),
            path: field.to_owned(),
            code: code.to_owned(),
            severity: "error".into(),
            message: message.into(),
            hint: hint.to_owned(),
        }
    }
}

/// What `validate` answers.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    pub valid: bool,
    pub issues: Vec<Issue>,
}

/// A library entry (`JWTTemplateLibraryEntry`): a template plus library-only metadata.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryEntry {
    #[serde(flatten)]
    pub template: JwtTemplate,
    pub experimental: bool,
    pub logo_light: String,
    pub logo_dark: String,
}

/// `library/apply`: an entry and what to change before it is saved.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Apply {
    pub library_entry_id: String,
    pub name_override: String,
    pub description_override: String,
    pub tags_override: Option<Vec<String>>,
    pub template_override: Option<Map<String, Value>>,
}

impl JwtTemplate {
    /// The claims object (a JSON text holding one is read), `None` when it is not one.
    fn claims(&self) -> Option<Map<String, Value>> {
        match &self.template {
            Value::Null => Some(Map::new()),
            Value::Object(m) => Some(m.clone()),
            Value::String(s) if s.trim().is_empty() => Some(Map::new()),
            Value::String(s) => serde_json::from_str::<Map<String, Value>>(s).ok(),
            _ => None,
        }
    }

    /// Fills in the defaults Descope shows: `type` user, `authSchema` default,
    /// `emptyClaimPolicy` none, `issuerType` legacy, the claims as an object.
    fn normalized(mut self) -> Self {
        self.name = self.name.trim().to_owned();
        if self.kind.is_empty() {
            self.kind = TYPE_USER.into();
        }
        if self.auth_schema.is_empty() {
            self.auth_schema = "default".into();
        }
        if self.empty_claim_policy.is_empty() {
            self.empty_claim_policy = "none".into();
        }
        if self.issuer_type.is_empty() {
            self.issuer_type = "legacy".into();
        }
        if let Some(claims) = self.claims() {
            self.template = Value::Object(claims);
        }
        self
    }

    fn from_row(row: TemplateRow) -> Self {
        let mut t: JwtTemplate = store::from_json_text(&row.body);
        t.id = row.id;
        t.name = row.name;
        t.kind = row.kind;
        t.is_default = row.is_default;
        t
    }

    fn to_row(&self, created_ms: i64) -> ApiResult<TemplateRow> {
        Ok(TemplateRow {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            is_default: self.is_default,
            body: store::json_text(self)?,
            created_ms,
        })
    }
}

// --- references ------------------------------------------------------------------------------

/// User fields a template may reference as `{{user.<field>}}`.
const USER_FIELDS: &[&str] = &[
    "userId",
    "loginId",
    "loginIds",
    "email",
    "phone",
    "name",
    "givenName",
    "middleName",
    "familyName",
    "picture",
    "verifiedEmail",
    "verifiedPhone",
    "status",
    "roles",
    "createdTime",
];
/// Tenant fields as `{{tenant.<field>}}` (the session's selected tenant, `dct`).
const TENANT_FIELDS: &[&str] = &["id", "name", "domains"];
/// Access-key fields as `{{accessKey.<field>}}` (key templates).
const KEY_FIELDS: &[&str] = &["id", "name", "description", "clientId", "boundUserId", "roles"];

/// The references (`{{...}}`) in a text, or the first syntax error.
fn references(text: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if rest[..start].contains("}}") {
            return Err(format!("Unmatched '}}}}' in \"{text}\""));
        }
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| format!("Unclosed '{{{{' in \"{text}\""))?;
        let path = after[..end].trim();
        let well_formed = !path.is_empty()
            && path.split('.').all(|p| {
                !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            });
        if !well_formed {
            return Err(format!("Invalid reference '{{{{{}}}}}' in \"{text}\"", &after[..end]));
        }
        out.push(path);
        rest = &after[end + 2..];
    }
    if rest.contains("}}") {
        return Err(format!("Unmatched '}}}}' in \"{text}\""));
    }
    Ok(out)
}

/// Why a reference names nothing the template's type can use, if it does not.
fn check_reference(path: &str, kind: &str, declared: &[String]) -> Option<String> {
    let (root, field) = path.split_once('.').unwrap_or((path, ""));
    let custom = field.strip_prefix("customAttributes.");
    match (root, kind) {
        ("user", TYPE_USER) => match custom {
            Some(name) if declared.iter().any(|d| d == name) => None,
            Some(name) => Some(format!("User custom attribute {name} is not declared in the project")),
            None if USER_FIELDS.contains(&field) => None,
            None => Some(format!("Unknown user field {field}")),
        },
        ("tenant", _) => match custom {
            Some(name) if !name.is_empty() => None,
            _ if TENANT_FIELDS.contains(&field) => None,
            _ => Some(format!("Unknown tenant field {field}")),
        },
        ("accessKey", TYPE_KEY) => match custom {
            Some(name) if !name.is_empty() => None,
            _ if KEY_FIELDS.contains(&field) => None,
            _ => Some(format!("Unknown access key field {field}")),
        },
        ("user", _) | ("accessKey", _) => Some(format!("{root} cannot be referenced in a {kind} template")),
        _ => Some(format!("Unknown reference {path}")),
    }
}

/// Every string in a claim value, with its path under `field`.
fn strings<'a>(field: String, v: &'a Value, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::String(s) => out.push((field, s)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(format!("{field}[{i}]"), item, out);
            }
        }
        Value::Object(m) => {
            for (k, item) in m {
                strings(format!("{field}.{k}"), item, out);
            }
        }
        _ => {}
    }
}

/// The names of the project's declared user custom attributes.
async fn declared_attributes(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<String>> {
    Ok(store::custom_attributes::list(conn, scope).await?.into_iter().map(|a| a.name).collect())
}

/// Every problem of a template (normalized): settings, claim keys, reference syntax and
/// referenced attributes, and a name another template of the project has.
async fn issues_of(conn: &mut Conn, scope: &Scope, t: &JwtTemplate) -> ApiResult<Vec<Issue>> {
    let mut issues = Vec::new();
    if t.name.is_empty() {
        issues.push(Issue::new("name", "NAME_MISSING", "The template needs a name", "Set name"));
    } else if let Some(other) = store::jwt_templates::list_all(conn, scope)
        .await?
        .into_iter()
        .find(|r| r.name == t.name && r.id != t.id)
    {
        issues.push(Issue::new(
            "name",
            "NAME_TAKEN",
            format!("Template {} already has the name {}", other.id, t.name),
            "Choose another name",
        ));
    }
    let choice = |field: &str, code: &str, value: &str, allowed: &[&str], issues: &mut Vec<Issue>| {
        if !allowed.contains(&value) {
            issues.push(Issue::new(
                field,
                code,
                format!("{field} must be one of {}, not \"{value}\"", allowed.join(", ")),
                "",
            ));
        }
    };
    choice("type", "INVALID_TYPE", &t.kind, &[TYPE_USER, TYPE_KEY], &mut issues);
    choice("authSchema", "INVALID_AUTH_SCHEMA", &t.auth_schema, AUTH_SCHEMAS, &mut issues);
    choice("issuerType", "INVALID_ISSUER_TYPE", &t.issuer_type, ISSUER_TYPES, &mut issues);
    choice(
        "emptyClaimPolicy",
        "INVALID_EMPTY_CLAIM_POLICY",
        &t.empty_claim_policy,
        EMPTY_CLAIM_POLICIES,
        &mut issues,
    );
    let Some(claims) = t.claims() else {
        issues.push(Issue::new(
            "template",
            "TEMPLATE_NOT_OBJECT",
            "template must be a JSON object whose keys are claim names",
            "",
        ));
        return Ok(issues);
    };
    if claims.len() > MAX_CLAIMS {
        issues.push(Issue::new(
            "template",
            "TOO_MANY_CLAIMS",
            format!("A template may have at most {MAX_CLAIMS} claims"),
            "",
        ));
    }
    let declared = declared_attributes(conn, scope).await?;
    for (key, value) in &claims {
        let field = format!("template.{key}");
        if key.trim().is_empty() || key.chars().count() > MAX_KEY_LEN {
            issues.push(Issue::new(
                &field,
                "INVALID_CLAIM_KEY",
                format!("Claim names must have 1 to {MAX_KEY_LEN} characters"),
                "",
            ));
        }
        let subject_override = key == "sub" && t.override_subject;
        if RESERVED_CLAIMS.contains(&key.as_str()) && !subject_override {
            issues.push(Issue::new(
                &field,
                "RESERVED_CLAIM_KEY",
                format!("{key} is a reserved claim and cannot be set by a template"),
                "Rename the claim",
            ));
        }
        let mut texts = Vec::new();
        strings(field, value, &mut texts);
        for (path, text) in texts {
            match references(text) {
                Err(message) => {
                    issues.push(Issue::new(&path, "INVALID_SYNTAX", message, "Write {{user.<field>}}"))
                }
                Ok(refs) => {
                    for r in refs {
                        if let Some(message) = check_reference(r, &t.kind, &declared) {
                            issues.push(Issue::new(&path, "UNKNOWN_ATTRIBUTE", message, ""));
                        }
                    }
                }
            }
        }
    }
    Ok(issues)
}

fn refuse(issues: &[Issue]) -> ApiError {
    let list: Vec<String> =
        issues.iter().map(|i| format!("{} ({}): {}", i.code, i.field, i.message)).collect();
    ApiError::invalid(format!("Invalid JWT template: {}", list.join("; ")))
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(ErrorKind::NotFound, format!("JWT template {id} not found"))
}

// --- management ------------------------------------------------------------------------------

/// Every template of the project, oldest first.
pub async fn list(db: &Db, ctx: &Ctx) -> ApiResult<Vec<JwtTemplate>> {
    let mut conn = db.acquire().await?;
    list_all(&mut conn, ctx.scope()).await
}

/// Every template of a scope, oldest first (snapshots, configuration export).
pub async fn list_all(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<JwtTemplate>> {
    Ok(store::jwt_templates::list_all(conn, scope).await?.into_iter().map(JwtTemplate::from_row).collect())
}

/// The template with this ID in a scope, if there is one (configuration export).
pub async fn get(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<Option<JwtTemplate>> {
    Ok(store::jwt_templates::get(conn, scope, id).await?.map(JwtTemplate::from_row))
}

/// The template with this ID.
pub async fn load(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<JwtTemplate> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    let mut conn = db.acquire().await?;
    get(&mut conn, ctx.scope(), id).await?.ok_or_else(|| not_found(id))
}

/// Checks a template and saves it (new, or replacing the one with its ID), all in the
/// caller's transaction. Nothing is written when it has issues.
pub async fn save(conn: &mut Conn, scope: &Scope, t: JwtTemplate, created_ms: i64) -> ApiResult<JwtTemplate> {
    let t = t.normalized();
    let issues = issues_of(conn, scope, &t).await?;
    if !issues.is_empty() {
        return Err(refuse(&issues));
    }
    store::jwt_templates::upsert(conn, scope, &t.to_row(created_ms)?).await?;
    Ok(t)
}

/// `create`: a new template; an ID may be given (it must be new), else one is made.
pub async fn create(db: &Db, ctx: &Ctx, mut t: JwtTemplate) -> ApiResult<JwtTemplate> {
    let mut tx = store::begin_immediate(db).await?;
    if t.id.is_empty() {
        t.id = format!("JT{}", crypto::random_alnum(26));
    } else if store::jwt_templates::get(&mut tx, ctx.scope(), &t.id).await?.is_some() {
        return Err(ApiError::new(ErrorKind::AlreadyExists, format!("JWT template {} already exists", t.id)));
    }
    let saved = save(&mut tx, ctx.scope(), t, ctx.now.millis()).await?;
    tx.commit().await?;
    Ok(saved)
}

/// `update`: replaces the template with the given ID.
pub async fn update(db: &Db, ctx: &Ctx, t: JwtTemplate) -> ApiResult<JwtTemplate> {
    if t.id.is_empty() {
        return Err(ApiError::missing("template.id"));
    }
    let mut tx = store::begin_immediate(db).await?;
    let existing =
        store::jwt_templates::get(&mut tx, ctx.scope(), &t.id).await?.ok_or_else(|| not_found(&t.id))?;
    let saved = save(&mut tx, ctx.scope(), t, existing.created_ms).await?;
    tx.commit().await?;
    Ok(saved)
}

/// `delete`: the project falls back to Descope's default claims where it used this one.
pub async fn delete(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    let mut tx = store::begin_immediate(db).await?;
    if !store::jwt_templates::delete(&mut tx, ctx.scope(), id).await? {
        return Err(not_found(id));
    }
    tx.commit().await
}

/// `validate`: the given template (checked as an update of `id` when both are given), else
/// the stored one with this ID.
pub async fn validate(db: &Db, ctx: &Ctx, id: &str, template: Option<JwtTemplate>) -> ApiResult<Validation> {
    let mut conn = db.acquire().await?;
    let t = match template {
        Some(mut t) => {
            if t.id.is_empty() {
                t.id = id.to_owned();
            }
            t
        }
        None if id.is_empty() => return Err(ApiError::missing("template")),
        None => store::jwt_templates::get(&mut conn, ctx.scope(), id)
            .await?
            .map(JwtTemplate::from_row)
            .ok_or_else(|| not_found(id))?,
    };
    let issues = issues_of(&mut conn, ctx.scope(), &t.normalized()).await?;
    Ok(Validation { valid: issues.is_empty(), issues })
}

// --- library ---------------------------------------------------------------------------------

fn entry(id: &str, name: &str, description: &str, kind: &str, template: Value) -> LibraryEntry {
    LibraryEntry {
        template: JwtTemplate {
            id: id.into(),
            name: name.into(),
            description: description.into(),
            template,
            kind: kind.into(),
            tags: vec![kind.into()],
            ..JwtTemplate::default()
        }
        .normalized(),
        experimental: false,
        logo_light: String::new(),
        logo_dark: String::new(),
    }
}

/// The built-in library (guessed entries: Descope's own list is not documented in full).
pub fn library() -> Vec<LibraryEntry> {
    let mut aws = entry(
        "aws-api-gateway",
        "AWS API Gateway",
        "Issuer as a full URL, as AWS API Gateway JWT authorizers expect",
        TYPE_USER,
        json!({"email": "{{user.email}}"}),
    );
    aws.template.conformance_issuer = true;
    aws.template.issuer_type = "legacy".into();
    aws.template.empty_claim_policy = "delete".into();
    let mut oidc = entry(
        "oidc-compatible",
        "Okta / Auth0 compatible",
        "Standard OpenID Connect profile claims",
        TYPE_USER,
        json!({
            "email": "{{user.email}}",
            "email_verified": "{{user.verifiedEmail}}",
            "name": "{{user.name}}",
            "given_name": "{{user.givenName}}",
            "family_name": "{{user.familyName}}",
            "picture": "{{user.picture}}",
            "phone_number": "{{user.phone}}",
        }),
    );
    oidc.template.empty_claim_policy = "delete".into();
    let mut hasura = entry(
        "hasura",
        "Hasura",
        "Hasura's claims namespace with the user ID and roles",
        TYPE_USER,
        json!({"https://hasura.io/jwt/claims": {
            "x-hasura-user-id": "{{user.userId}}",
            "x-hasura-default-role": "user",
            "x-hasura-allowed-roles": "{{user.roles}}",
        }}),
    );
    hasura.template.auth_schema = "none".into();
    let mut supabase = entry(
        "supabase",
        "Supabase",
        "The role and email claims Supabase row-level security reads",
        TYPE_USER,
        json!({"role": "authenticated", "email": "{{user.email}}"}),
    );
    supabase.experimental = true;
    vec![
        entry(
            "default-user",
            "Default User JWT",
            "Descope's claims, with custom claims to add",
            TYPE_USER,
            json!({}),
        ),
        entry(
            "default-access-key",
            "Default Access Key JWT",
            "Descope's claims for access keys, with custom claims to add",
            TYPE_KEY,
            json!({}),
        ),
        oidc,
        hasura,
        aws,
        supabase,
    ]
}

/// The library entry with this ID.
pub fn library_entry(id: &str) -> ApiResult<LibraryEntry> {
    if id.is_empty() {
        return Err(ApiError::missing("id"));
    }
    library().into_iter().find(|e| e.template.id == id).ok_or_else(|| {
        ApiError::new(ErrorKind::NotFound, format!("JWT template library entry {id} not found"))
    })
}

/// `library/apply`: a new template from a library entry with the overrides (claims of
/// `templateOverride` replace the entry's claims of the same name; a null removes one).
pub async fn apply(db: &Db, ctx: &Ctx, req: Apply) -> ApiResult<JwtTemplate> {
    if req.library_entry_id.is_empty() {
        return Err(ApiError::missing("libraryEntryId"));
    }
    let mut t = library_entry(&req.library_entry_id)?.template;
    t.source = std::mem::take(&mut t.id);
    if !req.name_override.trim().is_empty() {
        t.name = req.name_override;
    }
    if !req.description_override.is_empty() {
        t.description = req.description_override;
    }
    if let Some(tags) = req.tags_override {
        t.tags = tags;
    }
    if let Some(overrides) = req.template_override {
        let mut claims = t.claims().unwrap_or_default();
        for (k, v) in overrides {
            if v.is_null() {
                claims.remove(&k);
            } else {
                claims.insert(k, v);
            }
        }
        t.template = Value::Object(claims);
    }
    create(db, ctx, t).await
}

// --- effect on tokens ------------------------------------------------------------------------

/// What a template's references read.
struct Subject<'a> {
    user: Option<&'a User>,
    key: Option<&'a AccessKey>,
    tenant: Option<crate::domain::identity::tenants::Tenant>,
}

impl Subject<'_> {
    fn lookup(&self, path: &str) -> Value {
        let (root, field) = path.split_once('.').unwrap_or((path, ""));
        match root {
            "user" => self.user.map_or(Value::Null, |u| user_field(u, field)),
            "accessKey" => self.key.map_or(Value::Null, |k| key_field(k, field)),
            "tenant" => self.tenant.as_ref().map_or(Value::Null, |t| match field {
                "id" => json!(t.id),
                "name" => json!(t.name),
                "domains" => json!(t.self_provisioning_domains),
                f => f
                    .strip_prefix("customAttributes.")
                    .and_then(|n| t.custom_attributes.get(n).cloned())
                    .unwrap_or(Value::Null),
            }),
            _ => Value::Null,
        }
    }
}

fn user_field(u: &User, field: &str) -> Value {
    let r = &u.row;
    match field {
        "userId" => json!(r.id.as_str()),
        "loginId" => json!(u.login_ids.first().cloned().unwrap_or_default()),
        "loginIds" => json!(u.login_ids),
        "email" => json!(r.email),
        "phone" => json!(r.phone),
        "name" => json!(r.name),
        "givenName" => json!(r.given_name),
        "middleName" => json!(r.middle_name),
        "familyName" => json!(r.family_name),
        "picture" => json!(r.picture),
        "verifiedEmail" => json!(r.verified_email),
        "verifiedPhone" => json!(r.verified_phone),
        "status" => json!(r.status),
        "roles" => json!(u.roles),
        "createdTime" => json!(r.created_ms / 1000),
        f => f
            .strip_prefix("customAttributes.")
            .and_then(|n| u.custom_attributes().get(n).cloned())
            .unwrap_or(Value::Null),
    }
}

fn key_field(k: &AccessKey, field: &str) -> Value {
    match field {
        "id" => json!(k.id),
        "name" => json!(k.name),
        "description" => json!(k.description),
        "clientId" => json!(k.client_id),
        "boundUserId" => json!(k.bound_user_id),
        "roles" => json!(k.role_names),
        f => f
            .strip_prefix("customAttributes.")
            .and_then(|n| k.custom_attributes.get(n).cloned())
            .unwrap_or(Value::Null),
    }
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// A claim value with its references filled in; `None` when the empty-claim policy drops it.
fn render(v: &Value, subject: &Subject<'_>, policy: &str) -> Option<Value> {
    let out = match v {
        Value::String(s) => {
            let Ok(refs) = references(s) else { return Some(v.clone()) };
            if refs.is_empty() {
                return Some(v.clone());
            }
            let whole = s.trim();
            if refs.len() == 1
                && whole.starts_with("{{")
                && whole.ends_with("}}")
                && whole.matches("{{").count() == 1
            {
                subject.lookup(refs[0])
            } else {
                let mut text = s.clone();
                for r in refs {
                    let value = match subject.lookup(r) {
                        Value::Null => String::new(),
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    text = replace_reference(&text, r, &value);
                }
                json!(text)
            }
        }
        Value::Array(items) => {
            Value::Array(items.iter().filter_map(|i| render(i, subject, policy)).collect())
        }
        Value::Object(m) => Value::Object(
            m.iter().filter_map(|(k, i)| render(i, subject, policy).map(|r| (k.clone(), r))).collect(),
        ),
        other => other.clone(),
    };
    if !is_empty_value(&out) {
        return Some(out);
    }
    match policy {
        "delete" => None,
        "nil" => Some(Value::Null),
        _ => Some(if out.is_null() { json!("") } else { out }),
    }
}

/// Replaces the first `{{ path }}` (any spacing) in a text.
fn replace_reference(text: &str, path: &str, value: &str) -> String {
    let mut from = 0;
    while let Some(start) = text[from..].find("{{").map(|i| i + from) {
        let Some(end) = text[start + 2..].find("}}").map(|i| i + start + 2) else { break };
        if text[start + 2..end].trim() == path {
            return format!("{}{}{}", &text[..start], value, &text[end + 2..]);
        }
        from = end + 2;
    }
    text.to_owned()
}

/// The project's template of a type, if it marked one.
async fn active(conn: &mut Conn, scope: &Scope, kind: &str) -> ApiResult<Option<JwtTemplate>> {
    Ok(store::jwt_templates::get_default(conn, scope, kind)
        .await?
        .map(|r| JwtTemplate::from_row(r).normalized()))
}

/// Applies a template to session claims: its custom claims (under the sign-in's own custom
/// claims, which win), the subject override, the authorization-claims format, permissions
/// left out and a `jti`.
async fn shape(
    conn: &mut Conn,
    ctx: &Ctx,
    t: &JwtTemplate,
    mut subject: Subject<'_>,
    claims: &mut Claims,
) -> ApiResult<()> {
    if let Some(dct) = &claims.dct {
        subject.tenant = store::tenants::get_tenant(conn, ctx.scope(), &TenantId::from(dct.as_str()))
            .await?
            .map(crate::domain::identity::tenants::Tenant::from_row);
    }
    for (key, value) in t.claims().unwrap_or_default() {
        let Some(rendered) = render(&value, &subject, &t.empty_claim_policy) else { continue };
        if key == "sub" {
            if t.override_subject {
                if let Some(sub) = rendered.as_str().filter(|s| !s.is_empty()) {
                    claims.sub = sub.to_owned();
                }
            }
            continue;
        }
        if RESERVED_CLAIMS.contains(&key.as_str()) {
            continue;
        }
        claims.extra.entry(key).or_insert(rendered);
    }
    match t.auth_schema.as_str() {
        "tenantOnly" => {
            let tenants = claims.tenants.take().unwrap_or_default();
            if let Some(current) = claims.dct.as_ref().and_then(|d| tenants.get(d)) {
                claims.roles = Some(current.roles.clone());
                claims.permissions = Some(current.permissions.clone());
            }
        }
        "none" => {
            claims.roles = None;
            claims.permissions = None;
            claims.tenants = None;
        }
        _ => {}
    }
    if t.exclude_permissions {
        claims.permissions = None;
        if let Some(tenants) = claims.tenants.as_mut() {
            for c in tenants.values_mut() {
                c.permissions.clear();
            }
        }
    }
    if t.add_jti && claims.jti.is_none() {
        claims.jti = Some(crypto::random_alnum(24));
    }
    Ok(())
}

/// Shapes a user's session claims with the project's user template, if it has one.
pub async fn shape_user_session(
    conn: &mut Conn,
    ctx: &Ctx,
    user: &User,
    claims: &mut Claims,
) -> ApiResult<()> {
    let Some(t) = active(conn, ctx.scope(), TYPE_USER).await? else { return Ok(()) };
    shape(conn, ctx, &t, Subject { user: Some(user), key: None, tenant: None }, claims).await
}

/// Shapes an access key's session claims with the project's key template, if it has one.
pub async fn shape_key_session(
    conn: &mut Conn,
    ctx: &Ctx,
    key: &AccessKey,
    claims: &mut Claims,
) -> ApiResult<()> {
    let Some(t) = active(conn, ctx.scope(), TYPE_KEY).await? else { return Ok(()) };
    shape(conn, ctx, &t, Subject { user: None, key: Some(key), tenant: None }, claims).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_and_bad_syntax_refused() {
        assert_eq!(references("{{user.email}}").unwrap(), vec!["user.email"]);
        assert_eq!(references("a {{ user.name }} b {{tenant.id}}").unwrap(), vec!["user.name", "tenant.id"]);
        assert!(references("plain").unwrap().is_empty());
        assert!(references("{{user.email").is_err());
        assert!(references("{{}}").is_err());
        assert!(references("{{user..x}}").is_err());
        assert!(references("x }}").is_err());
        assert!(references("x }} {{user.email}}").is_err());
    }

    #[test]
    fn references_are_checked_against_the_type() {
        let declared = vec!["plan".to_owned()];
        assert_eq!(check_reference("user.email", TYPE_USER, &declared), None);
        assert_eq!(check_reference("user.customAttributes.plan", TYPE_USER, &declared), None);
        assert!(check_reference("user.customAttributes.nope", TYPE_USER, &declared).is_some());
        assert!(check_reference("user.nope", TYPE_USER, &declared).is_some());
        assert_eq!(check_reference("tenant.customAttributes.anything", TYPE_USER, &declared), None);
        assert!(check_reference("accessKey.name", TYPE_USER, &declared).is_some());
        assert_eq!(check_reference("accessKey.name", TYPE_KEY, &declared), None);
        assert!(check_reference("user.email", TYPE_KEY, &declared).is_some());
        assert!(check_reference("org.name", TYPE_USER, &declared).is_some());
    }

    #[test]
    fn interpolation_replaces_each_reference() {
        assert_eq!(replace_reference("a {{ x.y }} b", "x.y", "1"), "a 1 b");
        assert_eq!(replace_reference("{{a.b}}-{{c.d}}", "c.d", "2"), "{{a.b}}-2");
    }

    #[test]
    fn empty_claim_policies() {
        let subject = Subject { user: None, key: None, tenant: None };
        let v = json!("{{tenant.name}}");
        assert_eq!(render(&v, &subject, "none"), Some(json!("")));
        assert_eq!(render(&v, &subject, "nil"), Some(Value::Null));
        assert_eq!(render(&v, &subject, "delete"), None);
        assert_eq!(render(&json!({"a": "{{tenant.id}}", "b": 1}), &subject, "delete"), Some(json!({"b": 1})));
        assert_eq!(render(&json!("static"), &subject, "delete"), Some(json!("static")));
    }
}
