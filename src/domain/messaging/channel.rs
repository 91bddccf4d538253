//! Delivery channels. Every per-channel difference lives in a method of [`ChannelKind`], each
//! with one `match`; nowhere else matches on the channel (STYLE.md D2).

use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    Email,
    Sms,
    Voice,
    Whatsapp,
    Im,
}

/// Which user field a channel delivers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    Email,
    Phone,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 5] =
        [ChannelKind::Email, ChannelKind::Sms, ChannelKind::Voice, ChannelKind::Whatsapp, ChannelKind::Im];

    /// The outbox `channel` value and the `deliveryMethod` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Email => "email",
            ChannelKind::Sms => "sms",
            ChannelKind::Voice => "voice",
            ChannelKind::Whatsapp => "whatsapp",
            ChannelKind::Im => "im",
        }
    }

    pub fn parse(s: &str) -> Option<ChannelKind> {
        ChannelKind::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(s))
    }

    pub fn address_kind(self) -> AddressKind {
        match self {
            ChannelKind::Email => AddressKind::Email,
            ChannelKind::Sms | ChannelKind::Voice | ChannelKind::Whatsapp | ChannelKind::Im => {
                AddressKind::Phone
            }
        }
    }

    /// The `amr` value of a sign-in through this channel: Descope names it as the channel.
    pub fn amr(self) -> &'static str {
        self.as_str()
    }

    /// What a person would see: the message subject (email only) and body.
    pub fn message(self, content: &MessageContent<'_>) -> (Option<String>, String) {
        const NOT_ASKED: &str = "If you did not ask for this, ignore this message.";
        let (subject, what, closing) = match content {
            MessageContent::Code(code) => {
                ("Your verification code".to_owned(), format!("Your verification code is {code}"), NOT_ASKED)
            }
            MessageContent::Link(link) => {
                ("Your sign-in link".to_owned(), format!("Use this link to sign in: {link}"), NOT_ASKED)
            }
            MessageContent::NumberedLink(number, link) => (
                "Your sign-in link".to_owned(),
                format!("Use link number {number} to sign in: {link}"),
                NOT_ASKED,
            ),
            MessageContent::Invite { project, link } => (
                format!("You're invited to {project}"),
                match link {
                    Some(link) => {
                        format!("You have been invited to join {project}. Accept the invitation: {link}")
                    }
                    None => format!("You have been invited to join {project}"),
                },
                "If you were not expecting this invitation, ignore this message.",
            ),
        };
        match self {
            ChannelKind::Email => (Some(subject), format!("Hello,\n\n{what}\n\n{closing}")),
            ChannelKind::Voice => (None, format!("{what}. Again: {what}.")),
            ChannelKind::Sms | ChannelKind::Whatsapp | ChannelKind::Im => (None, what),
        }
    }
}

/// The outbox `kind` of invitations, whose text is [`MessageContent::Invite`].
pub const INVITE_KIND: &str = "invite";

/// What a message carries: a secret to act on, or an invitation.
pub enum MessageContent<'a> {
    Code(&'a str),
    Link(&'a str),
    /// A link with the number the app shows next to it (enchanted link `linkId`).
    NumberedLink(&'a str, &'a str),
    /// An invitation to the project named, with the link that accepts it when there is one.
    Invite {
        project: &'a str,
        link: Option<&'a str>,
    },
}

impl AddressKind {
    /// Checks the syntax of an address: an email with one `@` and a dotted domain, or a phone
    /// number of 7 to 15 digits with an optional leading `+` (E.164).
    pub fn validate(self, address: &str) -> ApiResult<()> {
        let ok = match self {
            AddressKind::Email => {
                let mut parts = address.split('@');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(local), Some(domain), None) => {
                        !local.is_empty()
                            && domain.contains('.')
                            && !domain.starts_with('.')
                            && !domain.ends_with('.')
                            && !address.chars().any(char::is_whitespace)
                    }
                    _ => false,
                }
            }
            AddressKind::Phone => {
                let digits = address.strip_prefix('+').unwrap_or(address);
                (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
            }
        };
        if ok {
            Ok(())
        } else {
            Err(ApiError::invalid(format!("Invalid {}: {address}", self.field())))
        }
    }

    /// The request and user field name.
    pub fn field(self) -> &'static str {
        match self {
            AddressKind::Email => "email",
            AddressKind::Phone => "phone",
        }
    }

    /// Masks an address as Descope does in start responses: `a***@example.com`, `+*******1234`.
    pub fn mask(self, address: &str) -> String {
        match self {
            AddressKind::Email => match address.split_once('@') {
                Some((local, domain)) => {
                    let first: String = local.chars().take(1).collect();
                    format!("{first}***@{domain}")
                }
                None => "***".to_owned(),
            },
            AddressKind::Phone => {
                let n = address.chars().count();
                let keep = n.min(4);
                let tail: String = address.chars().skip(n - keep).collect();
                let stars = "*".repeat(n.saturating_sub(keep + 1));
                format!("+{stars}{tail}")
            }
        }
    }
}

/// Marker types for the channel-generic handlers (`sign_in::<Email>`).
pub trait Channel: Send + Sync + 'static {
    const KIND: ChannelKind;
}

macro_rules! channels {
    ($($name:ident => $kind:ident),*) => {
        $(
            pub struct $name;
            impl Channel for $name {
                const KIND: ChannelKind = ChannelKind::$kind;
            }
        )*
    };
}

channels!(Email => Email, Sms => Sms, Voice => Voice, Whatsapp => Whatsapp, Im => Im);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(AddressKind::Email.mask("ann@example.com"), "a***@example.com");
        assert_eq!(AddressKind::Phone.mask("+15551234567"), "+*******4567");
    }

    #[test]
    fn validates() {
        assert!(AddressKind::Email.validate("a@b.co").is_ok());
        assert!(AddressKind::Email.validate("nope").is_err());
        assert!(AddressKind::Phone.validate("+15551234567").is_ok());
        assert!(AddressKind::Phone.validate("+1555abc").is_err());
        for c in ChannelKind::ALL {
            assert_eq!(ChannelKind::parse(c.as_str()), Some(c));
        }
    }
}
