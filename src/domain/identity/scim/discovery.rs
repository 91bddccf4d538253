//! SCIM discovery (RFC 7644 section 4): ServiceProviderConfig, ResourceTypes and Schemas, the
//! schemas generated from the attribute tables the filters and PATCH use.

use serde_json::{json, Value};

use super::filter::{AttrDef, Kind, GROUP_ATTRS, USER_ATTRS};
use super::{Scim, GROUP_SCHEMA, LIST_SCHEMA, MAX_RESULTS, USER_SCHEMA};

const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

/// `GET /scim/v2/ServiceProviderConfig`.
pub fn service_provider_config(s: &Scim) -> Value {
    json!({
        "schemas": [SPC_SCHEMA],
        "documentationUri": "https://docs.descope.com/management/tenant-management/scim",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "`Bearer <ProjectId>:<AccessKey>` with an access key that is Tenant Admin of the tenant",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{}/scim/v2/ServiceProviderConfig", s.ctx.project.public_url)},
    })
}

/// The resource types, `User` and `Group`.
pub fn resource_types(s: &Scim) -> Vec<Value> {
    [("User", "/Users", USER_SCHEMA, "User Account"), ("Group", "/Groups", GROUP_SCHEMA, "Group")]
        .into_iter()
        .map(|(id, endpoint, schema, description)| {
            json!({
                "schemas": [RESOURCE_TYPE_SCHEMA],
                "id": id,
                "name": id,
                "description": description,
                "endpoint": endpoint,
                "schema": schema,
                "meta": {"resourceType": "ResourceType", "location": format!("{}/scim/v2/ResourceTypes/{id}", s.ctx.project.public_url)},
            })
        })
        .collect()
}

/// `GET /scim/v2/ResourceTypes`: a ListResponse that also carries the array as `values`
/// (Descope's OpenAPI names it so).
pub fn resource_types_list(s: &Scim) -> Value {
    let all = resource_types(s);
    json!({"schemas": [LIST_SCHEMA], "totalResults": all.len(), "startIndex": 1, "itemsPerPage": all.len(),
           "Resources": all, "values": all})
}

fn kind_json(kind: Kind) -> (&'static str, bool) {
    match kind {
        Kind::Str => ("string", false),
        Kind::Exact => ("string", true),
        Kind::Bool => ("boolean", false),
        Kind::Date => ("dateTime", false),
        Kind::Complex => ("complex", false),
    }
}

fn attribute(name: &str, kind: Kind, multi: bool, subs: &[(&str, Kind)]) -> Value {
    let (ty, case_exact) = kind_json(kind);
    let read_only = matches!(name, "id" | "groups" | "meta");
    let mut a = json!({
        "name": name,
        "type": ty,
        "multiValued": multi,
        "required": matches!(name, "userName" | "displayName"),
        "caseExact": case_exact,
        "mutability": if read_only { "readOnly" } else { "readWrite" },
        "returned": "default",
        "uniqueness": if matches!(name, "id" | "userName") { "server" } else { "none" },
    });
    if !subs.is_empty() {
        a["subAttributes"] = subs.iter().map(|(n, k)| attribute(n, *k, false, &[])).collect();
    }
    a
}

fn schema(s: &Scim, id: &str, name: &str, attrs: &[AttrDef]) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": id,
        "name": name,
        "description": format!("{name} resource"),
        "attributes": attrs.iter().filter(|a| a.name != "meta" && a.name != "id")
            .map(|a| attribute(a.name, a.kind, a.multi, a.subs)).collect::<Vec<_>>(),
        "meta": {"resourceType": "Schema", "location": format!("{}/scim/v2/Schemas/{id}", s.ctx.project.public_url)},
    })
}

/// The schemas of the resource types.
pub fn schemas(s: &Scim) -> Vec<Value> {
    vec![schema(s, USER_SCHEMA, "User", USER_ATTRS), schema(s, GROUP_SCHEMA, "Group", GROUP_ATTRS)]
}

/// `GET /scim/v2/Schemas`.
pub fn schemas_list(s: &Scim) -> Value {
    let all = schemas(s);
    json!({"schemas": [LIST_SCHEMA], "totalResults": all.len(), "startIndex": 1, "itemsPerPage": all.len(), "Resources": all})
}
