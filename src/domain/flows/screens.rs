//! The screens of the built-in flows: HTML fragments of `@descope/web-components-ui`
//! elements, served as `/pages/{projectId}/v2-beta/<screenId>.html`. Inputs carry the `name`
//! the flow reads, buttons the `id` that becomes the interaction; `{{maskedAddress}}` is
//! filled in by the component from `screen.state`, and the `data-type="error-message"` text
//! shows `errorText`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Screen {
    /// Email: `sendCode`, `sendLink`, `usePasskey`, `usePassword`, `usePhone`.
    #[default]
    First,
    /// Phone: `sendCode` (by SMS), `useEmail`.
    FirstPhone,
    /// The code sent: `verifyCode`, `resend`.
    Code,
    /// An existing user's password: `signIn`.
    Password,
    /// A new user's password: `signUp`.
    NewPassword,
    /// Waiting for the magic link; polls.
    LinkSent,
}

impl Screen {
    pub const ALL: [Screen; 6] = [
        Screen::First,
        Screen::FirstPhone,
        Screen::Code,
        Screen::Password,
        Screen::NewPassword,
        Screen::LinkSent,
    ];

    /// The screen ID: the name of its HTML file and `screen.id` in responses.
    pub fn id(self) -> &'static str {
        match self {
            Screen::First => "first",
            Screen::FirstPhone => "first-phone",
            Screen::Code => "code",
            Screen::Password => "password",
            Screen::NewPassword => "new-password",
            Screen::LinkSent => "link-sent",
        }
    }

    /// A human name (`stepName`).
    pub fn name(self) -> &'static str {
        match self {
            Screen::First => "Welcome",
            Screen::FirstPhone => "Welcome (phone)",
            Screen::Code => "Enter code",
            Screen::Password => "Password",
            Screen::NewPassword => "Choose a password",
            Screen::LinkSent => "Check your inbox",
        }
    }

    pub fn by_id(id: &str) -> Option<Screen> {
        Screen::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The screen's HTML fragment.
    pub fn html(self) -> &'static str {
        match self {
            Screen::First => FIRST,
            Screen::FirstPhone => FIRST_PHONE,
            Screen::Code => CODE,
            Screen::Password => PASSWORD,
            Screen::NewPassword => NEW_PASSWORD,
            Screen::LinkSent => LINK_SENT,
        }
    }
}

macro_rules! screen {
    ($($part:expr),* $(,)?) => {
        concat!(
            r#"<descope-container id="ROOT" direction="column" space="md" horizontal-padding="lg" vertical-padding="lg" align-items="stretch">"#,
            $($part,)*
            "</descope-container>"
        )
    };
}

const FIRST: &str = screen!(
    r#"<descope-text id="title" variant="h2" mode="primary" text-align="center">Welcome</descope-text>"#,
    r#"<descope-text id="subtitle" variant="body1" mode="secondary" text-align="center">Sign in or create an account</descope-text>"#,
    r#"<descope-email-field id="email" name="email" label="Email" placeholder="you@example.com" required="true" full-width="true" size="md" bordered="true"></descope-email-field>"#,
    r#"<descope-text id="errorText" data-type="error-message" mode="error" variant="body2"></descope-text>"#,
    r#"<descope-button id="sendCode" data-type="button" variant="contained" mode="primary" size="md" full-width="true">Email me a code</descope-button>"#,
    r#"<descope-button id="sendLink" data-type="button" variant="outline" mode="primary" size="md" full-width="true">Email me a link</descope-button>"#,
    r#"<descope-button id="usePasskey" data-type="biometrics" variant="outline" mode="primary" size="md" full-width="true">Use a passkey</descope-button>"#,
    r#"<descope-button id="usePassword" data-type="button" variant="link" mode="primary" size="md" full-width="true">Use a password</descope-button>"#,
    r#"<descope-button id="usePhone" data-type="button" formnovalidate="true" variant="link" mode="secondary" size="sm" full-width="true">Use a phone number instead</descope-button>"#,
);

const FIRST_PHONE: &str = screen!(
    r#"<descope-text id="title" variant="h2" mode="primary" text-align="center">Welcome</descope-text>"#,
    r#"<descope-text id="subtitle" variant="body1" mode="secondary" text-align="center">Sign in or create an account with your phone</descope-text>"#,
    r#"<descope-text-field id="phone" name="phone" type="tel" label="Phone (with country code)" placeholder="+1 555 123 4567" required="true" full-width="true" size="md" bordered="true"></descope-text-field>"#,
    r#"<descope-text id="errorText" data-type="error-message" mode="error" variant="body2"></descope-text>"#,
    r#"<descope-button id="sendCode" data-type="button" variant="contained" mode="primary" size="md" full-width="true">Text me a code</descope-button>"#,
    r#"<descope-button id="useEmail" data-type="button" formnovalidate="true" variant="link" mode="secondary" size="sm" full-width="true">Use an email address instead</descope-button>"#,
);

const CODE: &str = screen!(
    r#"<descope-text id="title" variant="h2" mode="primary" text-align="center">Enter your code</descope-text>"#,
    r#"<descope-text id="subtitle" variant="body1" mode="secondary" text-align="center">We sent a code to {{maskedAddress}}</descope-text>"#,
    r#"<descope-passcode id="code" name="code" label="Code" digits="6" required="true" full-width="true" size="md" bordered="true"></descope-passcode>"#,
    r#"<descope-text id="errorText" data-type="error-message" mode="error" variant="body2"></descope-text>"#,
    r#"<descope-button id="verifyCode" data-type="button" variant="contained" mode="primary" size="md" full-width="true">Verify</descope-button>"#,
    r#"<descope-button id="resend" data-type="button" formnovalidate="true" variant="link" mode="primary" size="sm" full-width="true">Send a new code</descope-button>"#,
    r#"<descope-button id="back" data-type="button" formnovalidate="true" variant="link" mode="secondary" size="sm" full-width="true">Back</descope-button>"#,
);

const PASSWORD: &str = screen!(
    r#"<descope-text id="title" variant="h2" mode="primary" text-align="center">Enter your password</descope-text>"#,
    r#"<descope-text id="subtitle" variant="body1" mode="secondary" text-align="center">{{loginId}}</descope-text>"#,
    r#"<descope-password id="password" name="password" label="Password" required="true" full-width="true" size="md" bordered="true"></descope-password>"#,
    r#"<descope-text id="errorText" data-type="error-message" mode="error" variant="body2"></descope-text>"#,
    r#"<descope-button id="signIn" data-type="button" variant="contained" mode="primary" size="md" full-width="true">Sign in</descope-button>"#,
    r#"<descope-button id="back" data-type="button" formnovalidate="true" variant="link" mode="secondary" size="sm" full-width="true">Back</descope-button>"#,
);

const NEW_PASSWORD: &str = screen!(
    r#"<descope-text id="title" variant="h2" mode="primary" text-align="center">Choose a password</descope-text>"#,
    r#"<descope-text id="subtitle" variant="body1" mode="secondary" text-align="center">{{loginId}}</descope-text>"#,
    r#"<descope-password id="newPassword" name="newPassword" label="New password" required="true" full-width="true" size="md" bordered="true"></descope-password>"#,
    r#"<descope-text id="errorText" data-type="error-message" mode="error" variant="body2"></descope-text>"#,
    r#"<descope-button id="signUp" data-type="button" variant="contained" mode="primary" size="md" full-width="true">Sign up</descope-button>"#,
    r#"<descope-button id="back" data-type="button" formnovalidate="true" variant="link" mode="secondary" size="sm" full-width="true">Back</descope-button>"#,
);

const LINK_SENT: &str = screen!(
    r#"<descope-text id="title" variant="h2" mode="primary" text-align="center">Check your inbox</descope-text>"#,
    r#"<descope-text id="subtitle" variant="body1" mode="secondary" text-align="center">We sent a sign-in link to {{maskedAddress}}. Open it to continue; this page waits.</descope-text>"#,
    r#"<descope-loader-radial id="polling" data-type="polling" size="md" mode="primary"></descope-loader-radial>"#,
    r#"<descope-text id="errorText" data-type="error-message" mode="error" variant="body2"></descope-text>"#,
    r#"<descope-button id="back" data-type="button" formnovalidate="true" variant="link" mode="secondary" size="sm" full-width="true">Back</descope-button>"#,
);

#[cfg(test)]
mod tests {
    use super::*;

    const ERROR: &str = r#"<descope-text id="errorText" data-type="error-message" mode="error" variant="body2"></descope-text>"#;

    #[test]
    fn every_screen_has_the_error_element_and_a_unique_id() {
        for s in Screen::ALL {
            assert!(s.html().contains(ERROR), "{}", s.id());
            assert_eq!(Screen::by_id(s.id()), Some(s));
        }
    }
}
