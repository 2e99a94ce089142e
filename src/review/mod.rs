//! Review: two versions of a policy compared (`diff`), findings in a policy (`lint`), and an
//! account's principals against Auto Scaling capabilities (`audit`).

pub mod audit;
pub mod diff;
pub mod lint;
