//! Small shared shapes.

use serde::{Deserialize, Serialize};

/// `{}`: every 2xx needs a JSON body (Node parses every response).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Empty {}
