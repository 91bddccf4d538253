//! The flows every Descope project starts with, as minimal v2 flow documents: metadata, a
//! start step and the screens with their interactions. The hosted-flows engine reads them
//! like any imported flow.

use serde_json::{json, Value};

/// One built-in flow.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinFlow {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// The authentication methods the flow offers (flow templates' `methods`).
    pub methods: &'static [&'static str],
    /// Its screens: ID and the interactions (buttons) each offers.
    pub screens: &'static [(&'static str, &'static [&'static str])],
}

/// The built-in flows, by ID.
pub const FLOWS: &[BuiltinFlow] = &[
    BuiltinFlow {
        id: "sign-in",
        name: "Sign In",
        description: "Sign in an existing user",
        methods: &["otp", "magiclink", "password", "webauthn", "oauth", "sso"],
        screens: &[("sign-in", &["submit", "oauth", "sso"]), ("verify-code", &["submit", "resend"])],
    },
    BuiltinFlow {
        id: "sign-up",
        name: "Sign Up",
        description: "Sign up a new user",
        methods: &["otp", "magiclink", "password", "webauthn", "oauth"],
        screens: &[("sign-up", &["submit", "oauth"]), ("verify-code", &["submit", "resend"])],
    },
    BuiltinFlow {
        id: "sign-up-or-in",
        name: "Sign Up or In",
        description: "Sign up a new user or sign in an existing one",
        methods: &["otp", "magiclink", "password", "webauthn", "oauth", "sso"],
        screens: &[("welcome", &["submit", "oauth", "sso"]), ("verify-code", &["submit", "resend"])],
    },
    BuiltinFlow {
        id: "step-up",
        name: "Step Up",
        description: "Verify a signed-in user again",
        methods: &["otp"],
        screens: &[("verify-code", &["submit", "resend"])],
    },
];

/// The built-in flow with this ID.
pub fn find(id: &str) -> Option<&'static BuiltinFlow> {
    FLOWS.iter().find(|f| f.id == id)
}

impl BuiltinFlow {
    fn screens_json(&self) -> Vec<Value> {
        self.screens
            .iter()
            .map(|(screen, interactions)| {
                json!({
                    "screenId": screen,
                    "interactions": interactions
                        .iter()
                        .map(|i| json!({"id": i, "type": "button", "label": i}))
                        .collect::<Vec<_>>(),
                    "contents": {},
                })
            })
            .collect()
    }

    /// The flow's v2 document.
    pub fn value(&self) -> Value {
        json!({
            "flowId": self.id,
            "metadata": {
                "name": self.name,
                "description": self.description,
                "componentsVersion": "",
                "disabled": false,
            },
            "contents": {
                "startTask": self.screens[0].0,
                "methods": self.methods,
            },
            "screens": self.screens_json(),
            "references": {},
        })
    }

    /// The flow's v2 document, as JSON text.
    pub fn document(&self) -> String {
        self.value().to_string()
    }

    /// The flow as a flow template (`flow/template/list`).
    pub fn template(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "dsl": self.value()["contents"],
            "modifiedTime": "0",
            "etag": "1",
            "tags": ["built-in"],
            "methods": self.methods,
            "screens": self.screens.iter().map(|(screen, interactions)| json!({
                "id": screen,
                "inputs": [],
                "interactions": interactions.iter().map(|i| json!({"id": i, "type": "button", "label": i})).collect::<Vec<_>>(),
                "htmlTemplate": {},
            })).collect::<Vec<_>>(),
            "keywords": self.methods,
        })
    }
}
