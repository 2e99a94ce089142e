//! Input and output: reading policies in every shape AWS hands them out (a document, a
//! policy version, an inline policy, URL-encoded text, account authorization details),
//! assembling the policy set of a principal, and saving files atomically.

mod account;
#[cfg(feature = "clipboard")]
pub mod clipboard;
mod document;
mod error;
pub(crate) mod load;
pub(crate) mod save;
mod set_builder;

pub use account::{Account, Principal, PrincipalKind};
pub use document::percent_decode;
pub use error::LoadError;
pub use load::{
    InputKind, Loaded, MAX_INPUT_BYTES, MAX_POLICY_BYTES, load_bytes, load_file,
    load_file_with_text, load_owned, load_shared, load_text, read_text_bytes, read_text_file,
};
pub use save::save_atomic;
pub use set_builder::PolicySetBuilder;
