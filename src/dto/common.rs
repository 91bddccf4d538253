//! Small shared shapes.

use serde::{Deserialize, Deserializer, Serialize};

/// `{}`: every 2xx needs a JSON body (Node parses every response).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Empty {}

/// Deserializes a string that may be `null` as empty: SDKs send `null`, `""` or nothing for
/// "not given" (SDK_CONTRACT.md 2).
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
