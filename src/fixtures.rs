//! One schema for fixture files and project snapshots (STYLE.md D9): the startup loader,
//! `GET|PUT /emulator/v1/projects/{id}/snapshot` and the tests all use these types.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;

use crate::clock::UnixTime;
use crate::crypto::{PasswordHasher, SigningKey};
use crate::domain::identity::profile::UserProfile;
use crate::domain::projects::{is_valid_project_id, ProjectSettings};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::{ProjectId, Scope, TenantId, UserId};
use crate::state::AppState;
use crate::store::{
    self, projects::ProjectRow, snapshot as snapshot_store, tenants, users::RoleGrant, users::UserRow, Conn,
};

/// A project's whole state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectSnapshot {
    /// May be left out of a `PUT /snapshot` body (the path names the project).
    pub project_id: String,
    pub name: String,
    /// The project `/.well-known/jwks.json` serves when no `projectId` is given.
    pub default: bool,
    pub settings: ProjectSettings,
    pub signing_keys: Vec<SnapshotSigningKey>,
    pub management_keys: Vec<SnapshotManagementKey>,
    pub permissions: Vec<SnapshotPermission>,
    pub roles: Vec<SnapshotRole>,
    pub tenants: Vec<SnapshotTenant>,
    pub users: Vec<SnapshotUser>,
    /// Declared user custom attributes.
    pub custom_attributes: Vec<SnapshotCustomAttribute>,
    /// Access keys, with the hash of their secret (never the cleartext).
    pub access_keys: Vec<SnapshotAccessKey>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotCustomAttribute {
    pub name: String,
    pub display_name: String,
    /// Descope's type number (1 text, 2 numeric, 3 boolean, 4 singleselect, ...).
    #[serde(rename = "type")]
    pub kind: i64,
    pub options: Value,
    pub default_value: Value,
    pub view_permissions: Vec<String>,
    pub edit_permissions: Vec<String>,
    /// Unix ms.
    pub created_ms: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotAccessKey {
    pub id: String,
    pub name: String,
    /// The stored hash of the secret; the cleartext was shown once at creation.
    pub secret_hash: String,
    pub status: String,
    /// Unix ms.
    pub created_ms: i64,
    /// Unix seconds; 0 = never.
    pub expire_time: i64,
    pub created_by: String,
    pub client_id: String,
    pub bound_user_id: String,
    pub role_names: Vec<String>,
    pub key_tenants: Value,
    pub custom_claims: Map<String, Value>,
    pub description: String,
    pub permitted_ips: Vec<String>,
    pub custom_attributes: Map<String, Value>,
}

/// Password state beside the hash: temporary/expired flags, set time, failures and locks.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotPasswordCredential {
    pub temporary: bool,
    pub expired: bool,
    pub set_ms: i64,
    pub failed_attempts: i64,
    pub locked: bool,
    pub locked_until_ms: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotHashed {
    pub hash: String,
    pub set_ms: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotRecoveryCode {
    pub code_hash: String,
    pub created_ms: i64,
    pub used_ms: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotSecurityAnswer {
    pub question_id: String,
    pub answer_hash: String,
    pub set_ms: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotPasskey {
    pub credential_id: String,
    pub rp_id: String,
    pub kind: String,
    pub display_name: String,
    pub public_key: String,
    pub aaguid: String,
    pub transports: Vec<String>,
    pub created_ms: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotSigningKey {
    /// RSA private key, PKCS#8 PEM.
    pub private_key_pem: String,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotManagementKey {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub key: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotPermission {
    /// Empty in hand-written fixtures: one is given on first use.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotRole {
    /// Empty in hand-written fixtures: one is given on first use.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub name: String,
    pub description: String,
    pub permission_names: Vec<String>,
    pub tenant_id: String,
    pub default: bool,
    pub private: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotTenant {
    pub id: String,
    pub name: String,
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    /// The tenant's settings as stored (enforceSSO, disabled, parent, default roles, session
    /// settings, domains, ...).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub settings: Map<String, Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotUserTenant {
    pub tenant_id: String,
    pub role_names: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotUser {
    pub user_id: String,
    pub login_ids: Vec<String>,
    #[serde(flatten)]
    pub profile: UserProfile,
    pub picture: String,
    pub verified_email: bool,
    pub verified_phone: bool,
    pub status: String,
    pub test: bool,
    pub custom_attributes: Map<String, Value>,
    pub sso_app_ids: Vec<String>,
    pub role_names: Vec<String>,
    pub user_tenants: Vec<SnapshotUserTenant>,
    /// A cleartext password, hashed at load (handy in hand-written fixtures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// An argon2 PHC string, as snapshots export it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    /// Unix seconds.
    pub created_time: i64,
    /// Unix ms, the exact creation time (which orders users); wins over `createdTime`.
    #[serde(skip_serializing_if = "is_zero")]
    pub created_ms: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub recovery_email: String,
    #[serde(skip_serializing_if = "is_false")]
    pub verified_recovery_email: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub recovery_phone: String,
    #[serde(skip_serializing_if = "is_false")]
    pub verified_recovery_phone: bool,
    /// Impersonation consent until (Unix seconds); 0 = none.
    #[serde(skip_serializing_if = "is_zero")]
    pub consent_expiration: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_credential: Option<SnapshotPasswordCredential>,
    /// Earlier password hashes, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub password_history: Vec<SnapshotHashed>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<SnapshotRecoveryCode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_answers: Vec<SnapshotSecurityAnswer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<SnapshotPasskey>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn yes() -> bool {
    true
}

fn pem_to_der(pem: &str) -> ApiResult<Vec<u8>> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).map(str::trim).collect();
    B64.decode(body).map_err(|e| ApiError::invalid(format!("Invalid privateKeyPem: {e}")))
}

fn der_to_pem(der: &[u8]) -> String {
    let b64 = B64.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

/// Exports a project's state.
pub async fn export(state: &AppState, project_id: &str) -> ApiResult<ProjectSnapshot> {
    // Loading the project gives it its signing key if it has none yet.
    state.projects.require(&state.db, &state.settings.public_url, project_id).await?;
    let project_id = &ProjectId::from(project_id);
    let mut conn = state.db.acquire().await?;
    let project = store::projects::get(&mut conn, project_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Project {project_id} not found")))?;
    let scope = project.scope();
    let signing_keys = store::projects::signing_keys(&mut conn, project_id)
        .await?
        .into_iter()
        .map(|k| SnapshotSigningKey { private_key_pem: der_to_pem(&k.pkcs8), active: k.active })
        .collect();
    let management_keys = store::projects::management_keys(&mut conn, project_id)
        .await?
        .into_iter()
        .map(|k| SnapshotManagementKey { id: k.id, name: k.name, key: k.secret })
        .collect();
    let permissions = tenants::list_permission_records(&mut conn, &scope)
        .await?
        .into_iter()
        .map(|p| SnapshotPermission { id: p.id, name: p.row.name, description: p.row.description })
        .collect();
    let roles = tenants::list_role_records(&mut conn, &scope)
        .await?
        .into_iter()
        .map(|r| SnapshotRole {
            id: r.id,
            permission_names: store::from_json_text(&r.row.permission_names),
            name: r.row.name,
            description: r.row.description,
            tenant_id: r.row.tenant_id,
            default: r.row.is_default,
            private: r.row.private,
        })
        .collect();
    let tenant_list = tenants::list_tenants(&mut conn, &scope)
        .await?
        .into_iter()
        .map(|t| SnapshotTenant {
            self_provisioning_domains: store::from_json_text(&t.self_provisioning_domains),
            custom_attributes: store::from_json_text(&t.custom_attributes),
            settings: store::from_json_text(&t.settings),
            id: t.id,
            name: t.name,
        })
        .collect();
    let mut users = Vec::new();
    for row in store::users::list_all(&mut conn, &scope).await? {
        let u = crate::domain::identity::users::assemble(&mut conn, &scope, row).await?;
        let uid = u.row.id.as_str();
        let password_credential = store::credentials::get_password(&mut conn, &scope, &UserId::from(uid))
            .await?
            .map(|c| SnapshotPasswordCredential {
                temporary: c.temporary,
                expired: c.expired,
                set_ms: c.set_ms,
                failed_attempts: c.failed_attempts,
                locked: c.locked,
                locked_until_ms: c.locked_until_ms,
            });
        let password_history =
            snapshot_store::password_history_of_user(&mut conn, &scope, &UserId::from(uid))
                .await?
                .into_iter()
                .map(|h| SnapshotHashed { hash: h.hash, set_ms: h.set_ms })
                .collect();
        let recovery_codes = snapshot_store::recovery_codes_of_user(&mut conn, &scope, &UserId::from(uid))
            .await?
            .into_iter()
            .map(|c| SnapshotRecoveryCode {
                code_hash: c.code_hash,
                created_ms: c.created_ms,
                used_ms: c.used_ms,
            })
            .collect();
        let security_answers =
            snapshot_store::security_answers_of_user(&mut conn, &scope, &UserId::from(uid))
                .await?
                .into_iter()
                .map(|a| SnapshotSecurityAnswer {
                    question_id: a.question_id,
                    answer_hash: a.answer_hash,
                    set_ms: a.set_ms,
                })
                .collect();
        let passkeys = store::passkeys::list_of_user(&mut conn, &scope, &UserId::from(uid))
            .await?
            .into_iter()
            .map(|k| SnapshotPasskey {
                transports: store::from_json_text(&k.transports),
                credential_id: k.credential_id,
                rp_id: k.rp_id,
                kind: k.kind,
                display_name: k.display_name,
                public_key: k.public_key,
                aaguid: k.aaguid,
                created_ms: k.created_ms,
            })
            .collect();
        users.push(SnapshotUser {
            user_id: u.row.id.clone().to_string(),
            login_ids: u.login_ids.clone(),
            profile: UserProfile {
                name: u.row.name.clone(),
                given_name: u.row.given_name.clone(),
                middle_name: u.row.middle_name.clone(),
                family_name: u.row.family_name.clone(),
                email: u.row.email.clone(),
                phone: u.row.phone.clone(),
            },
            picture: u.row.picture.clone(),
            verified_email: u.row.verified_email,
            verified_phone: u.row.verified_phone,
            status: u.row.status.clone(),
            test: u.row.test,
            custom_attributes: u.custom_attributes(),
            sso_app_ids: store::from_json_text(&u.row.sso_app_ids),
            role_names: u.roles.clone(),
            user_tenants: u
                .tenants
                .iter()
                .map(|t| SnapshotUserTenant { tenant_id: t.tenant_id.clone(), role_names: t.roles.clone() })
                .collect(),
            password: None,
            password_hash: u.row.password_hash.clone(),
            totp_secret: u.row.totp_secret.clone(),
            created_time: u.row.created_ms / 1000,
            created_ms: u.row.created_ms,
            recovery_email: u.row.recovery_email.clone(),
            verified_recovery_email: u.row.verified_recovery_email,
            recovery_phone: u.row.recovery_phone.clone(),
            verified_recovery_phone: u.row.verified_recovery_phone,
            consent_expiration: u.row.consent_expiration,
            password_credential,
            password_history,
            recovery_codes,
            security_answers,
            passkeys,
        });
    }
    let custom_attributes = store::custom_attributes::list(&mut conn, &scope)
        .await?
        .into_iter()
        .map(|a| SnapshotCustomAttribute {
            options: store::from_json_text(&a.options),
            default_value: store::from_json_text(&a.default_value),
            view_permissions: store::from_json_text(&a.view_permissions),
            edit_permissions: store::from_json_text(&a.edit_permissions),
            name: a.name,
            display_name: a.display_name,
            kind: a.r#type,
            created_ms: a.created_ms,
        })
        .collect();
    let access_keys = store::accesskeys::list_all(&mut conn, &scope)
        .await?
        .into_iter()
        .map(|k| SnapshotAccessKey {
            role_names: store::from_json_text(&k.role_names),
            key_tenants: store::from_json_text(&k.key_tenants),
            custom_claims: store::from_json_text(&k.custom_claims),
            permitted_ips: store::from_json_text(&k.permitted_ips),
            custom_attributes: store::from_json_text(&k.custom_attributes),
            id: k.id,
            name: k.name,
            secret_hash: k.secret_hash,
            status: k.status,
            created_ms: k.created_ms,
            expire_time: k.expire_secs,
            created_by: k.created_by,
            client_id: k.client_id,
            bound_user_id: k.bound_user_id,
            description: k.description,
        })
        .collect();
    Ok(ProjectSnapshot {
        project_id: project.id.into_string(),
        name: project.name,
        default: project.is_default,
        settings: store::from_json_text(&project.settings),
        signing_keys,
        management_keys,
        permissions,
        roles,
        tenants: tenant_list,
        users,
        custom_attributes,
        access_keys,
    })
}

/// How a snapshot is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// `PUT /snapshot`: the project's data becomes exactly the snapshot's (keys are replaced
    /// only when the snapshot has some).
    Replace,
    /// Fixture loading at start: create what is missing, change nothing that exists, so
    /// loading twice is loading once.
    Merge,
}

impl ProjectSnapshot {
    /// Checks what the schema cannot: valid and unique IDs and names, so that a bad snapshot
    /// is a 400 naming the problem rather than a failed constraint half-way through.
    pub fn check(&self) -> ApiResult<()> {
        if !is_valid_project_id(&self.project_id) {
            return Err(ApiError::invalid(format!("Invalid projectId {}", self.project_id)));
        }
        unique("permission name", self.permissions.iter().map(|p| p.name.as_str()))?;
        if self.roles.iter().any(|r| r.name.is_empty()) {
            return Err(ApiError::invalid("Snapshot has a role without a name"));
        }
        // Role names need only be unique within a tenant ('' is the project level).
        let roles: Vec<String> = self
            .roles
            .iter()
            .map(|r| {
                if r.tenant_id.is_empty() {
                    r.name.clone()
                } else {
                    format!("{} (tenant {})", r.name, r.tenant_id)
                }
            })
            .collect();
        unique("role", roles.iter().map(String::as_str))?;
        unique("tenant id", self.tenants.iter().map(|t| t.id.as_str()))?;
        unique("userId", self.users.iter().map(|u| u.user_id.as_str()).filter(|id| !id.is_empty()))?;
        unique("loginId", self.users.iter().flat_map(|u| u.login_ids.iter().map(String::as_str)))?;
        unique("access key id", self.access_keys.iter().map(|k| k.id.as_str()))?;
        unique("custom attribute name", self.custom_attributes.iter().map(|a| a.name.as_str()))?;
        if self.access_keys.iter().any(|k| k.secret_hash.is_empty()) {
            return Err(ApiError::invalid("Snapshot has an access key without a secretHash"));
        }
        for k in &self.management_keys {
            if k.key.is_empty() || k.key.contains(':') {
                return Err(ApiError::invalid("A management key must be non-empty and must not contain ':'"));
            }
        }
        Ok(())
    }
}

/// Every item non-empty and none twice.
fn unique<'a>(what: &str, items: impl Iterator<Item = &'a str>) -> ApiResult<()> {
    let mut seen = std::collections::HashSet::new();
    for item in items {
        if item.is_empty() {
            return Err(ApiError::invalid(format!("Snapshot has an empty {what}")));
        }
        if !seen.insert(item) {
            return Err(ApiError::invalid(format!("Snapshot has the {what} {item} twice")));
        }
    }
    Ok(())
}

/// Applies a snapshot in one transaction (nothing changes unless all of it applies);
/// creates the project if needed.
pub async fn import(state: &AppState, snap: &ProjectSnapshot, mode: Apply) -> ApiResult<()> {
    snap.check()?;
    import_checked(state, snap, mode).await.map_err(|e| {
        // A constraint the checks above missed is still bad input, not a server fault.
        if e.kind == ErrorKind::Internal && e.message.contains("constraint failed") {
            let detail = e.message.split(" (at ").next().unwrap_or_default();
            ApiError::invalid(format!("Snapshot is inconsistent: {detail}"))
        } else {
            e
        }
    })
}

async fn import_checked(state: &AppState, snap: &ProjectSnapshot, mode: Apply) -> ApiResult<()> {
    let keys: Vec<Vec<u8>> =
        snap.signing_keys.iter().map(|k| pem_to_der(&k.private_key_pem)).collect::<ApiResult<_>>()?;
    let parsed: Vec<SigningKey> = keys
        .iter()
        .map(|der| {
            SigningKey::from_pkcs8(der).map_err(|e| ApiError::invalid(format!("Invalid signing key: {e}")))
        })
        .collect::<ApiResult<_>>()?;
    let now = state.now();
    let id = &ProjectId::from(snap.project_id.as_str());
    let mut tx = store::begin_immediate(&state.db).await?;
    let existing = store::projects::get(&mut tx, id).await?;
    if existing.is_none() {
        // Without signing keys in the snapshot, the project takes one on first use.
        let row = ProjectRow {
            id: id.clone(),
            name: snap.name.clone(),
            is_default: snap.default,
            settings: store::json_text(&snap.settings)?,
            created_ms: now.millis(),
            data_scope: None,
        };
        store::projects::insert(&mut tx, &row).await?;
    }
    // The data goes into the project's scope; replacing starts a new, empty one, and the old
    // one is purged in the background once this commits.
    let mut scope = existing.as_ref().map_or_else(|| Scope::new(id.as_str()), |p| p.scope());
    let mut replaced_scope = None;
    if let (Some(project), Apply::Replace) = (&existing, mode) {
        let name = if snap.name.is_empty() { project.name.clone() } else { snap.name.clone() };
        store::projects::update(&mut tx, id, &name, snap.default, &store::json_text(&snap.settings)?).await?;
        let new_scope = crate::domain::projects::new_scope_id(id);
        store::projects::new_data_scope(&mut tx, id, &new_scope, now.millis()).await?;
        replaced_scope = Some(project.scope());
        scope = new_scope;
        if !parsed.is_empty() {
            store::projects::delete_signing_keys(&mut tx, id).await?;
        }
        if !snap.management_keys.is_empty() {
            store::projects::delete_management_keys(&mut tx, id).await?;
        }
    }
    let known_kids: Vec<String> =
        store::projects::signing_keys(&mut tx, id).await?.into_iter().map(|k| k.kid).collect();
    for (i, (der, key)) in keys.iter().zip(&parsed).enumerate() {
        if !known_kids.contains(&key.kid) {
            store::projects::insert_signing_key(
                &mut tx,
                id,
                &store::projects::SigningKeyRow {
                    kid: key.kid.clone(),
                    pkcs8: der.clone(),
                    active: snap.signing_keys[i].active,
                    created_ms: now.millis() + i as i64,
                },
            )
            .await?;
        }
    }
    let known_mgmt: Vec<String> =
        store::projects::management_keys(&mut tx, id).await?.into_iter().map(|k| k.secret).collect();
    for (i, k) in snap.management_keys.iter().enumerate() {
        if !known_mgmt.contains(&k.key) {
            store::projects::insert_management_key(
                &mut tx,
                id,
                &store::projects::ManagementKeyRow {
                    id: if k.id.is_empty() {
                        format!("MK{i}{}", crate::crypto::random_alnum(16))
                    } else {
                        k.id.clone()
                    },
                    name: k.name.clone(),
                    secret: k.key.clone(),
                    status: "active".into(),
                    created_ms: now.millis(),
                },
            )
            .await?;
        }
    }
    import_data(&mut tx, &state.hasher, &scope, snap, now, mode).await?;
    tx.commit().await?;
    state.projects.invalidate(id.as_str());
    crate::domain::projects::spawn_purge(state.db.clone(), replaced_scope.into_iter().collect());
    Ok(())
}

async fn import_data(
    conn: &mut Conn,
    hasher: &PasswordHasher,
    id: &Scope,
    snap: &ProjectSnapshot,
    now: UnixTime,
    mode: Apply,
) -> ApiResult<()> {
    let merge = mode == Apply::Merge;
    let have_perms: Vec<String> =
        tenants::list_permissions(conn, id).await?.into_iter().map(|p| p.name).collect();
    for p in &snap.permissions {
        if !(merge && have_perms.contains(&p.name)) {
            tenants::insert_permission(
                conn,
                id,
                &tenants::PermissionRow {
                    name: p.name.clone(),
                    description: p.description.clone(),
                    created_ms: now.millis(),
                },
            )
            .await?;
            if !p.id.is_empty() {
                snapshot_store::set_permission_id(conn, id, &p.name, &p.id).await?;
            }
        }
    }
    let have_roles: Vec<(String, String)> =
        tenants::list_roles(conn, id).await?.into_iter().map(|r| (r.tenant_id, r.name)).collect();
    for r in &snap.roles {
        if !(merge && have_roles.contains(&(r.tenant_id.clone(), r.name.clone()))) {
            tenants::insert_role(
                conn,
                id,
                &tenants::RoleRow {
                    tenant_id: r.tenant_id.clone(),
                    name: r.name.clone(),
                    description: r.description.clone(),
                    permission_names: store::json_text(&r.permission_names)?,
                    is_default: r.default,
                    private: r.private,
                    created_ms: now.millis(),
                },
            )
            .await?;
            if !r.id.is_empty() {
                snapshot_store::set_role_id(conn, id, &TenantId::from(r.tenant_id.as_str()), &r.name, &r.id)
                    .await?;
            }
        }
    }
    let have_tenants: Vec<String> =
        tenants::list_tenants(conn, id).await?.into_iter().map(|t| t.id).collect();
    for t in &snap.tenants {
        if !(merge && have_tenants.contains(&t.id)) {
            tenants::insert_tenant(
                conn,
                id,
                &tenants::TenantRow {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    self_provisioning_domains: store::json_text(&t.self_provisioning_domains)?,
                    custom_attributes: store::json_text(&t.custom_attributes)?,
                    settings: store::json_text(&t.settings)?,
                    created_ms: now.millis(),
                },
            )
            .await?;
        }
    }
    let tenant_ids: std::collections::HashSet<String> =
        tenants::list_tenants(conn, id).await?.into_iter().map(|t| t.id).collect();
    for u in &snap.users {
        if let Some(t) = u.user_tenants.iter().find(|t| !tenant_ids.contains(&t.tenant_id)) {
            return Err(ApiError::invalid(format!(
                "User {} is in tenant {}, which the project does not have",
                u.login_ids.first().map(String::as_str).unwrap_or(&u.user_id),
                t.tenant_id
            )));
        }
        let user_id = if u.user_id.is_empty() {
            crate::domain::identity::users::new_user_id()
        } else {
            u.user_id.clone()
        };
        if merge && store::users::get_by_id(conn, id, &UserId::from(user_id.as_str())).await?.is_some() {
            continue;
        }
        if merge && u.login_ids.iter().any(|l| !l.is_empty()) {
            let mut taken = false;
            for l in &u.login_ids {
                taken |= store::users::get_by_login_id(conn, id, l).await?.is_some();
            }
            if taken {
                continue;
            }
        }
        let password_hash = match (&u.password_hash, &u.password) {
            (Some(h), _) => Some(h.clone()),
            (None, Some(p)) => Some(hasher.hash(p)?),
            (None, None) => None,
        };
        let created_ms = if u.created_ms > 0 {
            u.created_ms
        } else if u.created_time > 0 {
            u.created_time * 1000
        } else {
            now.millis()
        };
        let row = UserRow {
            id: UserId::from(user_id.clone()),
            email: u.profile.email.clone(),
            phone: u.profile.phone.clone(),
            name: u.profile.name.clone(),
            given_name: u.profile.given_name.clone(),
            middle_name: u.profile.middle_name.clone(),
            family_name: u.profile.family_name.clone(),
            picture: u.picture.clone(),
            verified_email: u.verified_email,
            verified_phone: u.verified_phone,
            status: if u.status.is_empty() { "enabled".into() } else { u.status.clone() },
            test: u.test,
            custom_attributes: store::json_text(&u.custom_attributes)?,
            sso_app_ids: store::json_text(&u.sso_app_ids)?,
            oauth: "{}".into(),
            password_hash,
            totp_secret: u.totp_secret.clone(),
            first_seen: true,
            created_ms,
            modified_ms: created_ms,
            recovery_email: u.recovery_email.clone(),
            verified_recovery_email: u.verified_recovery_email,
            recovery_phone: u.recovery_phone.clone(),
            verified_recovery_phone: u.verified_recovery_phone,
            consent_expiration: u.consent_expiration,
            ..UserRow::default()
        };
        store::users::insert(conn, id, &row).await?;
        for (i, l) in u.login_ids.iter().enumerate() {
            store::users::insert_login_id(conn, id, &UserId::from(user_id.as_str()), l, i as i64).await?;
        }
        let tenant_ids: Vec<String> = u.user_tenants.iter().map(|t| t.tenant_id.clone()).collect();
        store::users::set_tenants(conn, id, &UserId::from(user_id.as_str()), &tenant_ids).await?;
        let mut grants: Vec<RoleGrant> = u
            .role_names
            .iter()
            .map(|r| RoleGrant { tenant_id: String::new(), role_name: r.clone() })
            .collect();
        for t in &u.user_tenants {
            grants.extend(
                t.role_names
                    .iter()
                    .map(|r| RoleGrant { tenant_id: t.tenant_id.clone(), role_name: r.clone() }),
            );
        }
        store::users::set_role_grants(conn, id, &UserId::from(user_id.as_str()), &grants).await?;
        import_credentials(conn, id, &user_id, u).await?;
    }
    let have_attrs: Vec<String> =
        store::custom_attributes::list(conn, id).await?.into_iter().map(|a| a.name).collect();
    for a in &snap.custom_attributes {
        if merge && have_attrs.contains(&a.name) {
            continue;
        }
        let row = store::custom_attributes::CustomAttributeRow {
            name: a.name.clone(),
            display_name: a.display_name.clone(),
            r#type: if a.kind == 0 { 1 } else { a.kind },
            options: array_text(&a.options)?,
            default_value: store::json_text(&a.default_value)?,
            view_permissions: store::json_text(&a.view_permissions)?,
            edit_permissions: store::json_text(&a.edit_permissions)?,
            created_ms: if a.created_ms > 0 { a.created_ms } else { now.millis() },
        };
        store::custom_attributes::upsert(conn, id, &row).await?;
    }
    for k in &snap.access_keys {
        if merge && store::accesskeys::get(conn, id, &k.id).await?.is_some() {
            continue;
        }
        let row = store::accesskeys::AccessKeyRow {
            id: k.id.clone(),
            name: k.name.clone(),
            secret_hash: k.secret_hash.clone(),
            status: if k.status.is_empty() { "active".into() } else { k.status.clone() },
            created_ms: if k.created_ms > 0 { k.created_ms } else { now.millis() },
            expire_secs: k.expire_time,
            created_by: k.created_by.clone(),
            client_id: k.client_id.clone(),
            bound_user_id: k.bound_user_id.clone(),
            role_names: store::json_text(&k.role_names)?,
            key_tenants: array_text(&k.key_tenants)?,
            custom_claims: store::json_text(&k.custom_claims)?,
            description: k.description.clone(),
            permitted_ips: store::json_text(&k.permitted_ips)?,
            custom_attributes: store::json_text(&k.custom_attributes)?,
        };
        store::accesskeys::insert(conn, id, &row).await?;
    }
    Ok(())
}

/// JSON text of a list field; absent (null) is the empty list.
fn array_text(v: &Value) -> ApiResult<String> {
    if v.is_null() {
        Ok("[]".into())
    } else {
        store::json_text(v)
    }
}

/// A new user's password state, history, recovery codes, security answers and passkeys.
async fn import_credentials(
    conn: &mut Conn,
    scope: &Scope,
    user_id: &str,
    u: &SnapshotUser,
) -> ApiResult<()> {
    if let Some(c) = &u.password_credential {
        let row = store::credentials::PasswordRow {
            user_id: user_id.to_owned(),
            temporary: c.temporary,
            expired: c.expired,
            set_ms: c.set_ms,
            failed_attempts: c.failed_attempts,
            locked: c.locked,
            locked_until_ms: c.locked_until_ms,
        };
        store::credentials::upsert_password(conn, scope, &row).await?;
    }
    for h in &u.password_history {
        let h = snapshot_store::PasswordHistoryRecord { hash: h.hash.clone(), set_ms: h.set_ms };
        snapshot_store::insert_password_history(conn, scope, &UserId::from(user_id), &h).await?;
    }
    for c in &u.recovery_codes {
        let c = snapshot_store::RecoveryCodeRecord {
            code_hash: c.code_hash.clone(),
            created_ms: c.created_ms,
            used_ms: c.used_ms,
        };
        snapshot_store::insert_recovery_code(conn, scope, &UserId::from(user_id), &c).await?;
    }
    for (i, a) in u.security_answers.iter().enumerate() {
        let a = snapshot_store::SecurityAnswerRecord {
            question_id: a.question_id.clone(),
            answer_hash: a.answer_hash.clone(),
            set_ms: a.set_ms,
        };
        snapshot_store::insert_security_answer(conn, scope, &UserId::from(user_id), i as i64, &a).await?;
    }
    for k in &u.passkeys {
        let row = store::passkeys::PasskeyRow {
            user_id: user_id.to_owned(),
            credential_id: k.credential_id.clone(),
            rp_id: k.rp_id.clone(),
            kind: if k.kind.is_empty() { "passkey".into() } else { k.kind.clone() },
            display_name: k.display_name.clone(),
            public_key: k.public_key.clone(),
            aaguid: k.aaguid.clone(),
            transports: store::json_text(&k.transports)?,
            created_ms: k.created_ms,
        };
        store::passkeys::upsert(conn, scope, &row).await?;
    }
    Ok(())
}

/// Loads a fixture file, or every `*.json` file of a folder (sorted by name).
pub async fn load_path(state: &AppState, path: &Path) -> anyhow::Result<usize> {
    let files: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    for f in &files {
        let text = std::fs::read(f)?;
        // `null` members mean "not given", as in a `PUT /snapshot` body.
        let snap: ProjectSnapshot =
            crate::json::from_slice(&text).map_err(|e| anyhow::anyhow!("fixture {}: {e}", f.display()))?;
        import(state, &snap, Apply::Merge)
            .await
            .map_err(|e| anyhow::anyhow!("fixture {}: {e}", f.display()))?;
        tracing::info!(project.id = %snap.project_id, file = %f.display(), "fixture loaded");
    }
    Ok(files.len())
}
