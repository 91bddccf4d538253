//! Flows (to come): hosted flows run server-side for the web component (`/v1/flow/*`) and
//! the project configuration they belong to (flows, themes, localization). Flow executions
//! are pending secrets of [`crate::domain::pending`].
