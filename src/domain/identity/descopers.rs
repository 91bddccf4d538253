//! Descopers: the console users of a company, kept per project (`/v1/mgmt/descoper*`).
//! A descoper has one login ID, display attributes and console RBAC (company admin, or
//! roles by project tag or by project ID).

use serde::{Deserialize, Serialize};

use crate::crypto;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::descopers::{self as store, DescoperRow};
use crate::store::Db;

/// The console roles a descoper can hold.
pub const ROLES: [&str; 4] = ["admin", "developer", "support", "auditor"];

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Attributes {
    pub display_name: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct TagRole {
    pub tags: Vec<String>,
    pub role: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectRole {
    pub project_ids: Vec<String>,
    pub role: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Rbac {
    pub is_company_admin: bool,
    pub tags: Vec<TagRole>,
    pub projects: Vec<ProjectRole>,
}

/// One descoper to create.
#[derive(Debug, Clone, Default)]
pub struct NewDescoper {
    pub login_id: String,
    pub attributes: Attributes,
    pub send_invite: bool,
    pub rbac: Rbac,
}

/// A stored descoper.
#[derive(Debug, Clone, PartialEq)]
pub struct Descoper {
    pub id: String,
    pub login_id: String,
    pub attributes: Attributes,
    pub rbac: Rbac,
    pub status: String,
}

impl Descoper {
    fn from_row(r: DescoperRow) -> Self {
        Descoper {
            attributes: serde_json::from_str(&r.attributes).unwrap_or_default(),
            rbac: serde_json::from_str(&r.rbac).unwrap_or_default(),
            id: r.id,
            login_id: r.login_id,
            status: r.status,
        }
    }
}

fn check_role(role: &str) -> ApiResult<()> {
    if ROLES.contains(&role) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "Invalid descoper role '{role}' (admin, developer, support or auditor)"
        )))
    }
}

fn check_rbac(rbac: &Rbac) -> ApiResult<()> {
    for t in &rbac.tags {
        check_role(&t.role)?;
    }
    for p in &rbac.projects {
        check_role(&p.role)?;
    }
    Ok(())
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(ErrorKind::NotFound, format!("Descoper {id} not found"))
}

fn require_id(id: &str) -> ApiResult<()> {
    if id.trim().is_empty() {
        return Err(ApiError::missing("id"));
    }
    Ok(())
}

/// `PUT /v1/mgmt/descoper`: creates them all or none.
pub async fn create(db: &Db, ctx: &Ctx, items: &[NewDescoper]) -> ApiResult<Vec<Descoper>> {
    if items.is_empty() {
        return Err(ApiError::missing("descopers"));
    }
    for d in items {
        if d.login_id.trim().is_empty() {
            return Err(ApiError::missing("loginId"));
        }
        check_rbac(&d.rbac)?;
    }
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(items.len());
    for (i, d) in items.iter().enumerate() {
        let login_id = d.login_id.trim();
        if items[..i].iter().any(|o| o.login_id.trim() == login_id)
            || store::login_id_taken(&mut tx, ctx.scope(), login_id).await?
        {
            return Err(ApiError::invalid(format!("A descoper with login ID {login_id} already exists")));
        }
        let row = DescoperRow {
            id: format!("D{}", crypto::random_alnum(26)),
            login_id: login_id.to_owned(),
            attributes: serde_json::to_string(&d.attributes).unwrap_or_default(),
            rbac: serde_json::to_string(&d.rbac).unwrap_or_default(),
            status: if d.send_invite { "invited" } else { "enabled" }.to_owned(),
            created_ms: ctx.now.millis(),
        };
        store::insert(&mut tx, ctx.scope(), &row).await?;
        out.push(Descoper::from_row(row));
    }
    tx.commit().await?;
    Ok(out)
}

/// `GET /v1/mgmt/descoper?id=`.
pub async fn load(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<Descoper> {
    require_id(id)?;
    let mut conn = db.acquire().await?;
    store::get(&mut conn, ctx.scope(), id).await?.map(Descoper::from_row).ok_or_else(|| not_found(id))
}

/// `PATCH /v1/mgmt/descoper`: each part given replaces the stored one.
pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    attributes: Option<Attributes>,
    rbac: Option<Rbac>,
) -> ApiResult<Descoper> {
    require_id(id)?;
    if let Some(r) = &rbac {
        check_rbac(r)?;
    }
    let mut tx = db.begin().await?;
    let mut row = store::get(&mut tx, ctx.scope(), id).await?.ok_or_else(|| not_found(id))?;
    if let Some(a) = attributes {
        row.attributes = serde_json::to_string(&a).unwrap_or_default();
    }
    if let Some(r) = rbac {
        row.rbac = serde_json::to_string(&r).unwrap_or_default();
    }
    store::update(&mut tx, ctx.scope(), &row).await?;
    tx.commit().await?;
    Ok(Descoper::from_row(row))
}

/// `DELETE /v1/mgmt/descoper?id=`.
pub async fn delete(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    require_id(id)?;
    let mut tx = db.begin().await?;
    if !store::delete(&mut tx, ctx.scope(), id).await? {
        return Err(not_found(id));
    }
    tx.commit().await?;
    Ok(())
}

/// `POST /v1/mgmt/descoper/list`: every descoper, in the order they were created.
pub async fn list(db: &Db, ctx: &Ctx) -> ApiResult<Vec<Descoper>> {
    let mut conn = db.acquire().await?;
    Ok(store::list(&mut conn, ctx.scope()).await?.into_iter().map(Descoper::from_row).collect())
}
