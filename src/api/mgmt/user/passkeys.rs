//! Descope API group `userManagement`: a user's passkeys (WebAuthn credentials).
//!
//! Passkeys come from WebAuthn registration (`/v1/auth/webauthn/*`) and from
//! `/passkeys/import` (Descope's or Auth0's export); a user without any lists `[]`.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::identity::credentials::{self, ImportedPasskey, PasskeyRow};
use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/user/passkey/delete" => delete_one,
        POST "/v1/mgmt/user/passkeys/delete" => delete_all,
        POST "/v1/mgmt/user/passkeys/import" => import,
        POST "/v1/mgmt/user/passkeys/list" => list,
    }
}

/// `{loginId, credentialId}`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PasskeyRef {
    login_id: String,
    credential_id: String,
}

/// `UserPasskey`; `createdTime` in Unix seconds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UserPasskey {
    id: String,
    rp_id: String,
    kind: String,
    display_name: String,
    created_time: i64,
}

impl From<PasskeyRow> for UserPasskey {
    fn from(p: PasskeyRow) -> Self {
        UserPasskey {
            id: p.credential_id,
            rp_id: p.rp_id,
            kind: p.kind,
            display_name: p.display_name,
            created_time: p.created_ms / 1000,
        }
    }
}

/// `ListUserPasskeysResponse`
#[derive(Debug, Serialize)]
struct ListUserPasskeysResponse {
    passkeys: Vec<UserPasskey>,
}

/// POST /v1/mgmt/user/passkeys/list
/// The user's passkeys.
async fn list(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<PasskeyRef>,
) -> ApiResult<Json<ListUserPasskeysResponse>> {
    let rows = credentials::list_passkeys(&s.db, &ctx, &body.login_id).await?;
    Ok(Json(ListUserPasskeysResponse { passkeys: rows.into_iter().map(UserPasskey::from).collect() }))
}

/// POST /v1/mgmt/user/passkeys/delete
/// Removes every passkey of the user.
async fn delete_all(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<PasskeyRef>,
) -> ApiResult<Json<Empty>> {
    credentials::delete_all_passkeys(&s.db, &ctx, &body.login_id).await?;
    Ok(Json(Empty {}))
}

/// POST /v1/mgmt/user/passkey/delete
/// Removes one passkey of the user by credential ID.
async fn delete_one(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<PasskeyRef>,
) -> ApiResult<Json<Empty>> {
    credentials::delete_passkey(&s.db, &ctx, &body.login_id, &body.credential_id).await?;
    Ok(Json(Empty {}))
}

/// `WebauthnImportDescope`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct DescopeDevice {
    credential_id: String,
    rp_id: String,
    public_key: String,
    aaguid: String,
    transports: Vec<String>,
}

/// `WebauthnImportAuth0`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Auth0Device {
    key_id: String,
    rp_id: String,
    public_key: String,
    aaguid: String,
    transports: Vec<String>,
}

/// `WebauthnImportDevice`: one of the two exports.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ImportDevice {
    descope: Option<DescopeDevice>,
    auth0: Option<Auth0Device>,
}

/// `ImportUserPasskeysRequest`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ImportUserPasskeysRequest {
    login_id: String,
    devices: Vec<ImportDevice>,
}

impl ImportUserPasskeysRequest {
    fn passkeys(self) -> ApiResult<Vec<ImportedPasskey>> {
        self.devices
            .into_iter()
            .enumerate()
            .map(|(i, d)| match (d.descope, d.auth0) {
                (Some(d), _) => Ok(ImportedPasskey {
                    credential_id: d.credential_id,
                    rp_id: d.rp_id,
                    public_key: d.public_key,
                    aaguid: d.aaguid,
                    transports: d.transports,
                }),
                (None, Some(a)) => Ok(ImportedPasskey {
                    credential_id: a.key_id,
                    rp_id: a.rp_id,
                    public_key: a.public_key,
                    aaguid: a.aaguid,
                    transports: a.transports,
                }),
                (None, None) => Err(ApiError::invalid(format!("devices[{i}] has neither descope nor auth0"))),
            })
            .collect()
    }
}

/// POST /v1/mgmt/user/passkeys/import
/// Imports passkeys exported from Descope or Auth0 for the user.
async fn import(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ImportUserPasskeysRequest>,
) -> ApiResult<Json<Empty>> {
    let login_id = body.login_id.clone();
    credentials::import_passkeys(&s.db, &ctx, &login_id, body.passkeys()?).await?;
    Ok(Json(Empty {}))
}
