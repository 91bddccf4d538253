//! The pending-secret engine: single-use, expiring secrets bound to a project and a purpose.
