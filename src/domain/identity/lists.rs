//! Project lists: named lists of texts, of IPs (addresses or CIDR ranges) or a JSON object,
//! managed through `/v1/mgmt/list/*`.
//!
//! A list is `{id, name, description, type, data}`; `type` is `texts`, `ips` or `json` and
//! `data` an array of strings for the first two, an object for `json`. Names are unique in a
//! project. Adding items skips those already there and appends the rest; removing ignores
//! missing ones; the item operations require a list of their type.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto;
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::Scope;
use crate::store::{self, lists::ListRow, Conn, Db};

/// The most texts one `text/check` may ask about (python-sdk `check_texts`).
pub const MAX_CHECK_TEXTS: usize = 100;

/// A list as the API shows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct List {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: Value,
}

/// The item type of the `ip/*` and `text/*` operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Items {
    Ips,
    Texts,
}

impl Items {
    fn kind(self) -> &'static str {
        match self {
            Items::Ips => "ips",
            Items::Texts => "texts",
        }
    }
}

impl List {
    fn from_row(r: ListRow) -> Self {
        let data = serde_json::from_str(&r.data).unwrap_or(Value::Null);
        List { id: r.id, name: r.name, description: r.description, kind: r.kind, data }
    }

    fn to_row(&self, created_ms: i64) -> ApiResult<ListRow> {
        Ok(ListRow {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            kind: self.kind.clone(),
            data: store::json_text(&self.data)?,
            created_ms,
        })
    }

    /// The strings of a `texts` or `ips` list.
    fn items(&self) -> Vec<String> {
        match &self.data {
            Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        }
    }
}

/// A new list ID (`LI` and 26 letters and digits; unconfirmed format).
fn new_list_id() -> String {
    format!("LI{}", crypto::random_alnum(26))
}

/// An IP address, or a CIDR range `address/prefix`.
fn parse_ip_or_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let ip: IpAddr = addr.trim().parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max)?,
        None => max,
    };
    Some((ip, prefix))
}

/// Whether `ip` is the address or inside the range `(net, prefix)`.
fn contains(net: IpAddr, prefix: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) };
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(prefix)) };
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

/// Checks a list's strings: each a non-empty string, an IP or CIDR range for `ips`.
fn check_items(kind: &str, items: &[String]) -> ApiResult<()> {
    for s in items {
        if s.trim().is_empty() {
            return Err(ApiError::invalid("List items must be non-empty strings"));
        }
        if kind == "ips" && parse_ip_or_cidr(s).is_none() {
            return Err(ApiError::invalid(format!("{s} is not an IP address or a CIDR range")));
        }
    }
    Ok(())
}

/// The strings of `data` for a `texts`/`ips` list, without duplicates, in order.
fn strings_of(kind: &str, data: Value) -> ApiResult<Vec<String>> {
    let items: Vec<String> = match data {
        Value::Null => Vec::new(),
        Value::Array(a) => a
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(ApiError::invalid(format!("The data of a {kind} list must be an array of strings"))),
            })
            .collect::<ApiResult<_>>()?,
        _ => return Err(ApiError::invalid(format!("The data of a {kind} list must be an array of strings"))),
    };
    check_items(kind, &items)?;
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for s in items {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

/// Checks a list as given to create, update or import and normalises its data.
fn validated(mut l: List) -> ApiResult<List> {
    l.name = l.name.trim().to_owned();
    if l.name.is_empty() {
        return Err(ApiError::missing("name"));
    }
    l.data = match l.kind.as_str() {
        "texts" | "ips" => Value::from(strings_of(&l.kind, std::mem::take(&mut l.data))?),
        "json" => match std::mem::take(&mut l.data) {
            Value::Null => Value::Object(Map::new()),
            v @ Value::Object(_) => v,
            _ => return Err(ApiError::invalid("The data of a json list must be an object")),
        },
        "" => return Err(ApiError::missing("type")),
        other => return Err(ApiError::invalid(format!("Unknown list type {other} (texts, ips or json)"))),
    };
    Ok(l)
}

async fn require(conn: &mut Conn, scope: &Scope, id: &str) -> ApiResult<ListRow> {
    if id.trim().is_empty() {
        return Err(ApiError::missing("id"));
    }
    store::lists::get(conn, scope, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("List {id} not found")))
}

/// The list, which must be of this item type.
async fn require_of(conn: &mut Conn, scope: &Scope, id: &str, items: Items) -> ApiResult<List> {
    let l = List::from_row(require(conn, scope, id).await?);
    if l.kind != items.kind() {
        return Err(ApiError::new(
            ErrorKind::InvalidArguments,
            format!("List {id} is of type {}, not {}", l.kind, items.kind()),
        ));
    }
    Ok(l)
}

/// Fails when another list has this name.
async fn ensure_name_free(conn: &mut Conn, scope: &Scope, name: &str, id: &str) -> ApiResult<()> {
    match store::lists::get_by_name(conn, scope, name).await? {
        Some(other) if other.id != id => {
            Err(ApiError::new(ErrorKind::AlreadyExists, format!("List {name} already exists")))
        }
        _ => Ok(()),
    }
}

/// Creates a list (its ID is new).
pub async fn create(db: &Db, ctx: &Ctx, input: List) -> ApiResult<List> {
    let mut l = validated(input)?;
    l.id = new_list_id();
    let mut tx = store::begin_immediate(db).await?;
    ensure_name_free(&mut tx, ctx.scope(), &l.name, &l.id).await?;
    store::lists::upsert(&mut tx, ctx.scope(), &l.to_row(ctx.now.millis())?).await?;
    tx.commit().await?;
    Ok(l)
}

/// Replaces every field of a list but its ID.
pub async fn update(db: &Db, ctx: &Ctx, input: List) -> ApiResult<List> {
    let id = input.id.trim().to_owned();
    let mut tx = store::begin_immediate(db).await?;
    let old = require(&mut tx, ctx.scope(), &id).await?;
    let mut l = validated(input)?;
    l.id = id;
    ensure_name_free(&mut tx, ctx.scope(), &l.name, &l.id).await?;
    store::lists::upsert(&mut tx, ctx.scope(), &l.to_row(old.created_ms)?).await?;
    tx.commit().await?;
    Ok(l)
}

/// Deletes a list.
pub async fn delete(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    require(&mut tx, ctx.scope(), id).await?;
    store::lists::delete(&mut tx, ctx.scope(), id).await?;
    tx.commit().await?;
    Ok(())
}

/// The list with this ID.
pub async fn load(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<List> {
    let mut conn = db.acquire().await?;
    Ok(List::from_row(require(&mut conn, ctx.scope(), id).await?))
}

/// The list with this name.
pub async fn load_by_name(db: &Db, ctx: &Ctx, name: &str) -> ApiResult<List> {
    if name.trim().is_empty() {
        return Err(ApiError::missing("name"));
    }
    let mut conn = db.acquire().await?;
    store::lists::get_by_name(&mut conn, ctx.scope(), name)
        .await?
        .map(List::from_row)
        .ok_or_else(|| ApiError::not_found(format!("List {name} not found")))
}

/// Every list of the project, oldest first.
pub async fn load_all(db: &Db, ctx: &Ctx) -> ApiResult<Vec<List>> {
    let mut conn = db.acquire().await?;
    Ok(store::lists::list_all(&mut conn, ctx.scope()).await?.into_iter().map(List::from_row).collect())
}

/// Creates or replaces lists by ID (a list without one gets a new ID), all or none.
pub async fn import(db: &Db, ctx: &Ctx, lists: Vec<List>) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    for input in lists {
        let id = input.id.trim().to_owned();
        let mut l = validated(input)?;
        l.id = if id.is_empty() { new_list_id() } else { id };
        let created = match store::lists::get(&mut tx, ctx.scope(), &l.id).await? {
            Some(old) => old.created_ms,
            None => ctx.now.millis(),
        };
        ensure_name_free(&mut tx, ctx.scope(), &l.name, &l.id).await?;
        store::lists::upsert(&mut tx, ctx.scope(), &l.to_row(created)?).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Adds items (skipping those already there) to, or removes items from, a list of their type.
pub async fn change_items(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    items: Items,
    add: bool,
    given: Vec<String>,
) -> ApiResult<()> {
    check_items(items.kind(), &given)?;
    let mut tx = store::begin_immediate(db).await?;
    let mut l = require_of(&mut tx, ctx.scope(), id, items).await?;
    let mut have = l.items();
    if add {
        for s in given {
            if !have.contains(&s) {
                have.push(s);
            }
        }
    } else {
        have.retain(|s| !given.contains(s));
    }
    l.data = Value::from(have);
    let old = require(&mut tx, ctx.scope(), id).await?;
    store::lists::upsert(&mut tx, ctx.scope(), &l.to_row(old.created_ms)?).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether an IP list has the address, as an entry or inside one of its CIDR ranges.
pub async fn check_ip(db: &Db, ctx: &Ctx, id: &str, ip: &str) -> ApiResult<bool> {
    if ip.trim().is_empty() {
        return Err(ApiError::missing("ip"));
    }
    let addr: IpAddr =
        ip.trim().parse().map_err(|_| ApiError::invalid(format!("{ip} is not an IP address")))?;
    let mut conn = db.acquire().await?;
    let l = require_of(&mut conn, ctx.scope(), id, Items::Ips).await?;
    Ok(l.items().iter().filter_map(|s| parse_ip_or_cidr(s)).any(|(net, prefix)| contains(net, prefix, addr)))
}

/// Whether a text list has the texts: any of them, or all with `match_all`.
pub async fn check_texts(db: &Db, ctx: &Ctx, id: &str, texts: &[String], match_all: bool) -> ApiResult<bool> {
    if texts.is_empty() {
        return Err(ApiError::missing("text"));
    }
    if texts.len() > MAX_CHECK_TEXTS {
        return Err(ApiError::invalid(format!("At most {MAX_CHECK_TEXTS} texts can be checked at once")));
    }
    let mut conn = db.acquire().await?;
    let have = require_of(&mut conn, ctx.scope(), id, Items::Texts).await?.items();
    Ok(if match_all {
        texts.iter().all(|t| have.contains(t))
    } else {
        texts.iter().any(|t| have.contains(t))
    })
}

/// Empties a list: `[]`, or `{}` for a `json` list.
pub async fn clear(db: &Db, ctx: &Ctx, id: &str) -> ApiResult<()> {
    let mut tx = store::begin_immediate(db).await?;
    let old = require(&mut tx, ctx.scope(), id).await?;
    let mut l = List::from_row(old.clone());
    l.data = if l.kind == "json" { Value::Object(Map::new()) } else { Value::Array(Vec::new()) };
    store::lists::upsert(&mut tx, ctx.scope(), &l.to_row(old.created_ms)?).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_membership() {
        let (n, p) = parse_ip_or_cidr("10.0.0.0/8").unwrap();
        assert!(contains(n, p, "10.1.2.3".parse().unwrap()));
        assert!(!contains(n, p, "11.0.0.1".parse().unwrap()));
        let (n, p) = parse_ip_or_cidr("2001:db8::/32").unwrap();
        assert!(contains(n, p, "2001:db8::1".parse().unwrap()));
        assert!(!contains(n, p, "10.0.0.1".parse().unwrap()));
        assert!(parse_ip_or_cidr("10.0.0.0/33").is_none());
        assert!(parse_ip_or_cidr("nope").is_none());
        let (n, p) = parse_ip_or_cidr("0.0.0.0/0").unwrap();
        assert!(contains(n, p, "1.2.3.4".parse().unwrap()));
    }
}
