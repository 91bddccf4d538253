//! The metadata of Descope as an identity provider for SSO apps (SAML and WS-Fed), built
//! from the project's signing key and the emulator's URLs. The key is given as the
//! self-signed X.509 certificate the IdP signs assertions with (`idpCert` of the apps), and
//! its RSA key value. With an app (`?app=`), the entity ID and SSO URL are the app's.

use base64::Engine;

use crate::error::ApiResult;

use crate::domain::projects::ProjectRuntime;

/// Escapes a value for XML text and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The project's active signing key as `<ds:KeyInfo>`.
fn key_info(project: &ProjectRuntime) -> ApiResult<String> {
    let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let b64 = base64::engine::general_purpose::STANDARD;
    let std = |v: &str| b64url.decode(v).map(|bytes| b64.encode(bytes)).unwrap_or_default();
    let jwk = &project.signing.jwk;
    Ok(format!(
        "<ds:KeyInfo><ds:KeyName>{}</ds:KeyName><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>{}</ds:Modulus>\
         <ds:Exponent>{}</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>\
         <ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>",
        esc(&jwk.kid),
        std(&jwk.n),
        std(&jwk.e),
        crate::domain::apps::saml_xml::certificate_b64(&project.signing)?
    ))
}

fn project_query(project: &ProjectRuntime, app: &str) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("projectId", project.id.as_str());
    if !app.is_empty() {
        q.append_pair("app", app);
    }
    q.finish()
}

/// The IdP's entity ID: the app's (as its load shows) or the project's issuer.
fn entity_id(project: &ProjectRuntime, family: &str, app: &str) -> String {
    if app.is_empty() {
        project.issuer.clone()
    } else {
        format!("{}/{}/{family}/{app}", project.public_url, project.id.as_str())
    }
}

/// `GET /v1/auth/saml/idp/metadata`: an `EntityDescriptor` with an `IDPSSODescriptor`.
pub fn saml(project: &ProjectRuntime, app: &str) -> ApiResult<String> {
    let sso = format!("{}/v1/auth/saml/idp/sso?{}", project.public_url, project_query(project, app));
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" \
         xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"{entity}\">\
         <md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" \
         protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\
         <md:KeyDescriptor use=\"signing\">{key}</md:KeyDescriptor>\
         <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>\
         <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>\
         <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"{sso}\"/>\
         <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"{sso}\"/>\
         </md:IDPSSODescriptor></md:EntityDescriptor>\n",
        entity = esc(&entity_id(project, "saml", app)),
        key = key_info(project)?,
        sso = esc(&sso),
    ))
}

/// `GET /v1/auth/wsfed/idp/metadata`: an `EntityDescriptor` with a security token service
/// role and its passive requestor endpoint.
pub fn wsfed(project: &ProjectRuntime, app: &str) -> ApiResult<String> {
    let sso = format!("{}/v1/auth/wsfed/idp/sso?{}", project.public_url, project_query(project, app));
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" \
         xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:fed=\"http://docs.oasis-open.org/wsfed/federation/200706\" \
         xmlns:wsa=\"http://www.w3.org/2005/08/addressing\" entityID=\"{entity}\">\
         <md:RoleDescriptor xsi:type=\"fed:SecurityTokenServiceType\" \
         protocolSupportEnumeration=\"http://docs.oasis-open.org/wsfed/federation/200706\">\
         <md:KeyDescriptor use=\"signing\">{key}</md:KeyDescriptor>\
         <fed:PassiveRequestorEndpoint><wsa:EndpointReference><wsa:Address>{sso}</wsa:Address>\
         </wsa:EndpointReference></fed:PassiveRequestorEndpoint>\
         </md:RoleDescriptor></md:EntityDescriptor>\n",
        entity = esc(&entity_id(project, "wsfed", app)),
        key = key_info(project)?,
        sso = esc(&sso),
    ))
}
