//! Typed IDs: one newtype per kind of identifier, so passing one for another is a compile
//! error (STYLE.md D8). Each is a `String` on the wire and in SQLite (`serde` and `sqlx`
//! transparent).
//!
//! The difference that matters most is [`ProjectId`] versus [`Scope`]: a project's
//! configuration (keys, settings) is stored under its ID, its data (users, tenants, codes...)
//! under its data scope, which a reset replaces.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_ids {
    ($( $(#[$meta:meta])* $name:ident; )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    )*};
}

string_ids! {
    /// A project's public ID (`P2...`): what the API shows and what its configuration is
    /// stored under.
    ProjectId;
    /// Where a project's data rows live: the project's ID until a reset moves its data to a
    /// new, empty scope.
    Scope;
    /// A user's ID (`U2...`), stable across login ID changes.
    UserId;
    /// A tenant's ID.
    TenantId;
}
