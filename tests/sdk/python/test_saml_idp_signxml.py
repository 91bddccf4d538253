"""Descope as a SAML 2.0 / WS-Fed identity provider for SSO apps, checked from the service
provider's side: apps made with the Python SDK's `mgmt.sso_application`, sign-in through the
emulator's IdP endpoints, and every signed assertion verified by a third-party XML-DSig
implementation (signxml, on lxml's exclusive canonicalisation) against the app's `idpCert`."""

from __future__ import annotations

import base64
import re
import uuid
import zlib
from html import unescape

import httpx
import pytest
from conftest import EMULATOR_URL, Project
from descope import DescopeClient
from descope.management.common import (
    SAMLIDPAttributeMappingInfo,
    SAMLIDPGroupsMappingInfo,
    SAMLIDPRoleGroupMappingInfo,
)
from lxml import etree
from signxml import InvalidInput, InvalidSignature, SignatureConfiguration, SignatureMethod, XMLVerifier

ACS = "https://wiki.test/saml/acs"
NS = {
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "t": "http://schemas.xmlsoap.org/ws/2005/02/trust",
}


def uid() -> str:
    return uuid.uuid4().hex[:10]


def http() -> httpx.Client:
    return httpx.Client(base_url=EMULATOR_URL, timeout=30.0, trust_env=False)


def form_fields(html: str) -> tuple[str, dict[str, str]]:
    action = unescape(re.search(r'<form method="post" action="([^"]*)"', html).group(1))
    fields = {unescape(n): unescape(v) for n, v in re.findall(r'name="([^"]*)" value="([^"]*)"', html)}
    return action, fields


def authn_request(request_id: str, issuer: str, acs: str = ACS) -> str:
    return (
        '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="{request_id}" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" '
        f'AssertionConsumerServiceURL="{acs}"><saml:Issuer>{issuer}</saml:Issuer></samlp:AuthnRequest>'
    )


def deflate_b64(xml: str) -> str:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(c.compress(xml.encode()) + c.flush()).decode()


@pytest.fixture(scope="module")
def wiki(client: DescopeClient, project: Project) -> dict:
    """A SAML app, a role mapped to a group, and a user holding the role."""
    role = f"Admin{uid()}"
    client.mgmt.role.create(role)
    email = f"ann-{uid()}@wiki.test"
    client.mgmt.user.create(login_id=email, email=email, display_name="Ann <Wiki> & Co", role_names=[role])
    entity = f"https://wiki.test/sp/{uid()}"
    created = client.mgmt.sso_application.create_saml_application(
        name=f"Wiki {uid()}",
        login_page_url="https://wiki.test/login",
        entity_id=entity,
        acs_url=ACS,
        certificate="sp-cert",
        attribute_mapping=[
            SAMLIDPAttributeMappingInfo("mail", "string", "email"),
            SAMLIDPAttributeMappingInfo("displayName", "string", "name"),
        ],
        groups_mapping=[
            SAMLIDPGroupsMappingInfo("groups", "string", "roles", "wiki-admins", [SAMLIDPRoleGroupMappingInfo("r", role)])
        ],
        subject_name_id_type="email",
        default_signature_algorithm="sha256",
    )
    app = client.mgmt.sso_application.load(created["id"])
    return {"id": created["id"], "entity": entity, "email": email, "cert": app["samlSettings"]["idpCert"], "app": app}


def test_idp_cert_is_an_x509_certificate_in_load_and_metadata(wiki: dict, project: Project) -> None:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(wiki["cert"].encode())
    assert cert.public_key().key_size >= 2048
    settings = wiki["app"]["samlSettings"]
    assert settings["idpSsoUrl"].endswith(f"/v1/auth/saml/idp/sso?app={wiki['id']}")
    with http() as h:
        md = h.get("/v1/auth/saml/idp/metadata", params={"projectId": project.project_id, "app": wiki["id"]})
    assert md.status_code == 200 and md.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(md.content)
    certs = root.findall(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    der = base64.b64decode(certs[0].text)
    assert x509.load_der_x509_certificate(der) == cert
    assert root.get("entityID") == settings["idpEntityId"]


def test_sp_initiated_redirect_binding_verifies_with_signxml(wiki: dict, project: Project) -> None:
    with http() as h:
        r = h.get(
            "/v1/auth/saml/idp/sso",
            params={
                "app": wiki["id"],
                "SAMLRequest": deflate_b64(authn_request("_sxreq1", wiki["entity"])),
                "RelayState": "/after?x=1&y=2",
                "LoginHint": wiki["email"],
            },
        )
    assert r.status_code == 200, r.text
    action, fields = form_fields(r.text)
    assert action == ACS and fields["RelayState"] == "/after?x=1&y=2"
    xml = base64.b64decode(fields["SAMLResponse"])
    response = etree.fromstring(xml)
    assert response.get("InResponseTo") == "_sxreq1" and response.get("Destination") == ACS
    status = response.find("samlp:Status/samlp:StatusCode", NS).get("Value")
    assert status == "urn:oasis:names:tc:SAML:2.0:status:Success"

    verified = XMLVerifier().verify(xml, x509_cert=wiki["cert"])
    assertion = verified.signed_xml
    assert etree.QName(assertion).localname == "Assertion"
    assert assertion.find("saml:Subject/saml:NameID", NS).text == wiki["email"]
    assert assertion.find("saml:Conditions/saml:AudienceRestriction/saml:Audience", NS).text == wiki["entity"]
    data = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS)
    assert data.get("InResponseTo") == "_sxreq1" and data.get("Recipient") == ACS
    attrs = {
        a.get("Name"): [v.text for v in a.findall("saml:AttributeValue", NS)]
        for a in assertion.findall("saml:AttributeStatement/saml:Attribute", NS)
    }
    assert attrs["mail"] == [wiki["email"]]
    assert attrs["displayName"] == ["Ann <Wiki> & Co"]
    assert attrs["groups"] == ["wiki-admins"]

    # Any change to the signed assertion breaks the signature.
    tampered = xml.replace(wiki["email"].encode(), b"mallory@wiki.test")
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(tampered, x509_cert=wiki["cert"])


def test_post_binding_and_sign_in_page_then_finish(wiki: dict) -> None:
    with http() as h:
        page = h.post(
            "/v1/auth/saml/idp/sso",
            data={"SAMLRequest": base64.b64encode(authn_request("_sxreq2", wiki["entity"]).encode()).decode()},
            params={"app": wiki["id"]},
        )
        assert page.status_code == 200 and "sso-finish" in page.text
        _, fields = form_fields(page.text)
        r = h.post("/v1/auth/saml/idp/sso-finish", data={"state_id": fields["state_id"], "login_id": wiki["email"]})
        assert r.status_code == 200, r.text
        action, fields2 = form_fields(r.text)
        assert action == ACS
        verified = XMLVerifier().verify(base64.b64decode(fields2["SAMLResponse"]), x509_cert=wiki["cert"])
        assert verified.signed_xml.find("saml:Subject/saml:NameID", NS).text == wiki["email"]
        # The state is single-use.
        again = h.post("/v1/auth/saml/idp/sso-finish", data={"state_id": fields["state_id"], "login_id": wiki["email"]})
        assert again.status_code == 400 and again.json()["errorCode"] == "E011004"
        # An ACS URL the app does not allow gets an error, not a form.
        bad = h.get(
            "/v1/auth/saml/idp/sso",
            params={"app": wiki["id"], "SAMLRequest": deflate_b64(authn_request("_x", wiki["entity"], "https://evil.test/acs"))},
        )
        assert bad.status_code == 400 and "<form" not in bad.text


def test_idp_initiated_sha1_default(client: DescopeClient, wiki: dict) -> None:
    created = client.mgmt.sso_application.create_saml_application(
        name=f"Legacy SAML {uid()}",
        login_page_url="https://old.test/login",
        entity_id=f"https://old.test/{uid()}",
        acs_url="https://old.test/acs",
        certificate="sp-cert",
        default_relay_state="/start",
    )
    with http() as h:
        r = h.get("/v1/auth/saml/idp/initiate", params={"app": created["id"], "LoginHint": wiki["email"]})
    action, fields = form_fields(r.text)
    assert action == "https://old.test/acs" and fields["RelayState"] == "/start"
    xml = base64.b64decode(fields["SAMLResponse"])
    assert b"xmldsig#rsa-sha1" in xml
    # signxml refuses SHA-1 unless told to accept it.
    with pytest.raises(InvalidInput):
        XMLVerifier().verify(xml, x509_cert=wiki["cert"])
    config = SignatureConfiguration(signature_methods=frozenset(SignatureMethod))
    verified = XMLVerifier().verify(xml, x509_cert=wiki["cert"], expect_config=config)
    assert verified.signed_xml.find("saml:Subject/saml:NameID", NS).text


def test_wsfed_wresult_verifies_with_signxml(client: DescopeClient, wiki: dict, project: Project) -> None:
    realm = f"urn:legacy:{uid()}"
    created = client.mgmt.sso_application.create_wsfed_application(
        name=f"Legacy {uid()}",
        login_page_url="https://legacy.test/login",
        realm=realm,
        reply_url="https://legacy.test/wsfed",
        attribute_mapping=[SAMLIDPAttributeMappingInfo("email", "string", "email")],
    )
    with http() as h:
        r = h.get(
            "/v1/auth/wsfed/idp/sso",
            params={"app": created["id"], "wa": "wsignin1.0", "wtrealm": realm, "wctx": "ctx-1", "LoginHint": wiki["email"]},
        )
    assert r.status_code == 200, r.text
    action, fields = form_fields(r.text)
    assert action == "https://legacy.test/wsfed" and fields["wa"] == "wsignin1.0" and fields["wctx"] == "ctx-1"
    rstr = fields["wresult"].encode()
    assert etree.fromstring(rstr).tag == "{%s}RequestSecurityTokenResponse" % NS["t"]
    verified = XMLVerifier().verify(rstr, x509_cert=wiki["cert"])
    assert verified.signed_xml.find("saml:Conditions/saml:AudienceRestriction/saml:Audience", NS).text == realm
