//! The Auto Scaling knowledge: the catalog of actions, features and dependencies (validated
//! at build time by `catalog_check`), the requirements a call has, and least-privilege
//! statements generated from them.

pub(crate) mod catalog;
pub(crate) mod catalog_check;
pub(crate) mod generate;
pub(crate) mod requirements;
