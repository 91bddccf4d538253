//! Declared user custom attributes (`/v1/mgmt/user/customattribute/*`) and the check of user
//! custom attribute values against them.
//!
//! descope-compat: Descope refuses values for undeclared attributes and values of the wrong
//! type. A project that declared no attribute at all accepts any value, so the emulator works
//! without setting up a schema first.

use serde_json::{Map, Value};

use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::ids::Scope;
use crate::store::Db;
use crate::store::{self, custom_attributes::CustomAttributeRow, Conn};

/// Descope's numeric attribute types (unconfirmed numbering: Go and Node send the number,
/// Python a name, see [`AttributeType::from_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeType {
    Text = 1,
    Number = 2,
    Boolean = 3,
    SingleSelect = 4,
    MultiSelect = 5,
    Date = 6,
}

impl AttributeType {
    /// The type of a stored or sent number; 0 (Go's unset) is text.
    pub fn from_number(n: i64) -> ApiResult<Self> {
        Ok(match n {
            0 | 1 => Self::Text,
            2 => Self::Number,
            3 => Self::Boolean,
            4 => Self::SingleSelect,
            5 => Self::MultiSelect,
            6 => Self::Date,
            n => return Err(ApiError::invalid(format!("Invalid custom attribute type: {n}"))),
        })
    }

    /// The names Python sends (`"string"`, `"number"`, `"boolean"`, ...).
    pub fn from_name(name: &str) -> ApiResult<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "" | "string" | "text" => Self::Text,
            "number" | "numeric" | "int" | "integer" | "float" => Self::Number,
            "boolean" | "bool" => Self::Boolean,
            "singleselect" | "select" => Self::SingleSelect,
            "multiselect" | "array" => Self::MultiSelect,
            "date" => Self::Date,
            n => return Err(ApiError::invalid(format!("Invalid custom attribute type: {n}"))),
        })
    }

    fn accepts(self, value: &Value, options: &[AttributeOption]) -> bool {
        let allowed = |s: &str| options.is_empty() || options.iter().any(|o| o.value == s);
        match (self, value) {
            (_, Value::Null) => true,
            (Self::Text, Value::String(_)) => true,
            (Self::Number | Self::Date, Value::Number(_)) => true,
            (Self::Boolean, Value::Bool(_)) => true,
            (Self::SingleSelect, Value::String(s)) => allowed(s),
            (Self::MultiSelect, Value::Array(items)) => items.iter().all(|i| i.as_str().is_some_and(allowed)),
            _ => false,
        }
    }
}

/// One selectable value of a select attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttributeOption {
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub label: String,
}

/// A declared custom attribute.
#[derive(Debug, Clone)]
pub struct CustomAttribute {
    pub name: String,
    pub display_name: String,
    pub kind: AttributeType,
    pub options: Vec<AttributeOption>,
    pub default_value: Value,
    pub view_permissions: Vec<String>,
    pub edit_permissions: Vec<String>,
}

impl CustomAttribute {
    fn from_row(r: CustomAttributeRow) -> Self {
        CustomAttribute {
            kind: AttributeType::from_number(r.r#type).unwrap_or(AttributeType::Text),
            options: store::from_json_text(&r.options),
            default_value: store::from_json_text(&r.default_value),
            view_permissions: store::from_json_text(&r.view_permissions),
            edit_permissions: store::from_json_text(&r.edit_permissions),
            display_name: r.display_name,
            name: r.name,
        }
    }
}

async fn list_in(conn: &mut Conn, scope: &Scope) -> ApiResult<Vec<CustomAttribute>> {
    Ok(store::custom_attributes::list(conn, scope)
        .await?
        .into_iter()
        .map(CustomAttribute::from_row)
        .collect())
}

/// `GET /v1/mgmt/user/customattributes`: every declared attribute.
pub async fn list(db: &Db, ctx: &Ctx) -> ApiResult<Vec<CustomAttribute>> {
    let mut conn = db.acquire().await?;
    list_in(&mut conn, ctx.scope()).await
}

/// `POST /v1/mgmt/user/customattribute/create`: declares (or redeclares) attributes, giving
/// the full list afterwards.
pub async fn create(db: &Db, ctx: &Ctx, attrs: Vec<CustomAttribute>) -> ApiResult<Vec<CustomAttribute>> {
    if attrs.is_empty() {
        return Err(ApiError::missing("attributes"));
    }
    let mut tx = store::begin_immediate(db).await?;
    for a in &attrs {
        if a.name.trim().is_empty() {
            return Err(ApiError::missing("attributes.name"));
        }
        let row = CustomAttributeRow {
            name: a.name.trim().to_owned(),
            display_name: if a.display_name.is_empty() { a.name.clone() } else { a.display_name.clone() },
            r#type: a.kind as i64,
            options: store::json_text(&a.options)?,
            default_value: store::json_text(&a.default_value)?,
            view_permissions: store::json_text(&a.view_permissions)?,
            edit_permissions: store::json_text(&a.edit_permissions)?,
            created_ms: ctx.now.millis(),
        };
        store::custom_attributes::upsert(&mut tx, ctx.scope(), &row).await?;
    }
    let all = list_in(&mut tx, ctx.scope()).await?;
    tx.commit().await?;
    Ok(all)
}

/// `POST /v1/mgmt/user/customattribute/delete`: removes declarations (unknown names are
/// ignored), giving the remaining list. Users keep their stored values.
pub async fn delete(db: &Db, ctx: &Ctx, names: &[String]) -> ApiResult<Vec<CustomAttribute>> {
    let mut tx = store::begin_immediate(db).await?;
    for n in names {
        store::custom_attributes::delete(&mut tx, ctx.scope(), n).await?;
    }
    let all = list_in(&mut tx, ctx.scope()).await?;
    tx.commit().await?;
    Ok(all)
}

/// Checks user custom attribute values against the declarations, when there are any.
pub async fn validate_values(conn: &mut Conn, scope: &Scope, values: &Map<String, Value>) -> ApiResult<()> {
    if values.is_empty() {
        return Ok(());
    }
    let declared = list_in(conn, scope).await?;
    if declared.is_empty() {
        return Ok(());
    }
    for (key, value) in values {
        let attr = declared
            .iter()
            .find(|a| &a.name == key)
            .ok_or_else(|| ApiError::invalid(format!("Custom attribute {key} is not declared")))?;
        if !attr.kind.accepts(value, &attr.options) {
            return Err(ApiError::invalid(format!(
                "Custom attribute {key} does not accept the value {value} (type {:?})",
                attr.kind
            )));
        }
    }
    Ok(())
}
