//! Serde helpers for lenient input: the SDKs send `null`, `""`, `[]` or nothing for "not
//! given" (SDK_CONTRACT.md 2), and all of them must mean the same.

use serde::{Deserialize, Deserializer};

/// Deserializes `null` as the type's default. Use with `#[serde(default)]` so a missing field
/// is the default too.
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
