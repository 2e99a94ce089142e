//! Reading what users have: a bare policy document, AWS CLI outputs that wrap one, a
//! URL-encoded document as the raw API returns it, or a whole
//! `get-account-authorization-details` dump. The format is detected from the content.

use std::io::Read as _;
use std::path::Path;

use super::account::{Account, Builder, LISTS};
use super::document::{decode_embedded, document_value, percent_decode};
use super::error::LoadError;
use crate::policy::{
    Policy, PolicyError, StatementStream, parse_document_streamed, statement_reads,
};
use crate::text::Location;
use crate::text::json::{self, Kind, Value};
use crate::text::words::thousands;

/// The largest input read: 1 GiB. Only an authorization-details dump may be this large (an
/// organisation's accounts reach hundreds of megabytes); it is read as a stream, one
/// principal at a time.
pub const MAX_INPUT_BYTES: u64 = 1024 * 1024 * 1024;

/// The largest single policy document, or single principal of a dump, and the largest
/// request file (a template, a command, an error message): 64 MiB. AWS's own quotas keep
/// policies under a few tens of kilobytes.
pub const MAX_POLICY_BYTES: u64 = 64 * 1024 * 1024;

/// The shape the input was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum InputKind {
    /// A bare policy document.
    Document,
    /// `aws iam get-policy-version` output.
    PolicyVersion,
    /// `aws iam get-role-policy` / `get-user-policy` / `get-group-policy` output.
    InlinePolicy,
    /// A URL-encoded document (a JSON string).
    UrlEncoded,
    /// `aws iam get-account-authorization-details` output.
    AuthorizationDetails,
}

impl InputKind {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Document => "policy document",
            Self::PolicyVersion => "get-policy-version output",
            Self::InlinePolicy => "get-role/user/group-policy output",
            Self::UrlEncoded => "URL-encoded policy document",
            Self::AuthorizationDetails => "get-account-authorization-details output",
        }
    }
}

/// What a file held.
#[derive(Clone, Debug)]
pub enum Loaded {
    /// One policy document.
    Policy(Policy, InputKind),
    /// An account's authorization details.
    Account(Account),
}

impl Loaded {
    /// The recognised shape.
    pub fn kind(&self) -> InputKind {
        match self {
            Self::Policy(_, k) => *k,
            Self::Account(_) => InputKind::AuthorizationDetails,
        }
    }
}

/// Reads a file and loads it. Refuses folders, devices and pipes, huge, binary and
/// non-text files with a clear message before parsing anything.
pub fn load_file(path: &Path) -> Result<Loaded, LoadError> {
    load_owned(&path.display().to_string(), read_text_file(path)?)
}

/// Like [`load_file`], and also returns the file's text (for an editor), read once and
/// held once: for a policy document it is the loaded policy's own source.
pub fn load_file_with_text(path: &Path) -> Result<(Loaded, crate::text::SourceText), LoadError> {
    let text = crate::text::source_text(read_text_file(path)?);
    let loaded = load_shared(&path.display().to_string(), &text)?;
    Ok((loaded, text))
}

/// Reads a text file as [`load_file`] does, without parsing it: folders, devices, pipes,
/// files over the input limit, binary and non-text files are refused with a clear message;
/// the read is bounded; UTF-8 (with or without a byte-order mark) and UTF-16 are decoded.
pub fn read_text_file(path: &Path) -> Result<String, LoadError> {
    let origin = path.display().to_string();
    let read_error = |e: std::io::Error| LoadError::Read {
        at: Location::whole(&origin),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if meta.is_dir() {
        return Err(LoadError::not_a_policy(
            Location::whole(&origin),
            "this is a folder, not a policy file",
        ));
    }
    if !meta.is_file() {
        return Err(LoadError::not_a_policy(
            Location::whole(&origin),
            "this is not a regular file (a device, a pipe or a socket); save the policy to a file, or give it on standard input with -",
        ));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large(&origin, meta.len()));
    }
    // Read through a bounded reader: a file that grows while it is read cannot exhaust memory.
    // Room for the whole file and one byte more (the read must see the end): no doubling.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(read_error)?;
    // Plain UTF-8, the common case, becomes the text in its own buffer (no copy of a large
    // file); everything else goes through the checks.
    if bytes.len() as u64 <= MAX_INPUT_BYTES
        && !bytes.starts_with(b"\xEF\xBB\xBF")
        && utf16(&bytes).is_none()
        && !bytes.contains(&0)
    {
        match String::from_utf8(bytes) {
            Ok(text) => return Ok(text),
            Err(e) => bytes = e.into_bytes(),
        }
    }
    read_text_bytes(&origin, &bytes)
}

/// Loads from bytes (a dropped file, stdin).
pub fn load_bytes(origin: &str, bytes: &[u8]) -> Result<Loaded, LoadError> {
    load_text(origin, &read_text_bytes(origin, bytes)?)
}

/// The text of some bytes (standard input, a read file): over the input limit, binary or
/// non-text bytes are refused; UTF-8 and UTF-16 are decoded.
pub fn read_text_bytes(origin: &str, bytes: &[u8]) -> Result<String, LoadError> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(origin, bytes.len() as u64));
    }
    decode(origin, bytes)
}

/// "the file is 67,108,865 bytes (64 MB); the limit is 67,108,864 bytes (64 MB)".
fn too_large(origin: &str, size: u64) -> LoadError {
    LoadError::not_a_policy(
        Location::whole(origin),
        format!(
            "the input is {} bytes ({} MB); the limit is {} bytes ({} MB). Policies and authorization-details files are far smaller",
            thousands(size),
            size / (1024 * 1024),
            thousands(MAX_INPUT_BYTES),
            MAX_INPUT_BYTES / (1024 * 1024)
        ),
    )
}

/// The text of the bytes: UTF-8 (a byte-order mark is dropped, so columns are not shifted),
/// or UTF-16 with or without a byte-order mark (as some Windows editors save), decoded.
/// Anything else is refused with what it is.
fn decode(origin: &str, bytes: &[u8]) -> Result<String, LoadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(big_endian) = utf16(bytes) {
        let body = match bytes {
            [0xFF, 0xFE, rest @ ..] | [0xFE, 0xFF, rest @ ..] => rest,
            _ => bytes,
        };
        let units = body.chunks(2).map(|p| {
            let pair = [p[0], p.get(1).copied().unwrap_or(0)];
            if big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        });
        return char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| {
                LoadError::not_a_policy(
                    Location::whole(origin),
                    format!(
                        "this is UTF-16 text with an invalid character ({e}); re-save it as UTF-8"
                    ),
                )
            });
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        let text = String::from_utf8_lossy(&bytes[..pos]);
        return Err(LoadError::not_a_policy(
            Location::at(origin, &text, text.len()),
            "this is a binary file (it contains a NUL byte), not a JSON policy",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let text = String::from_utf8_lossy(good);
            Err(LoadError::not_a_policy(
                Location::at(origin, &text, text.len()),
                "the file is not UTF-8 text (JSON policies are UTF-8); re-save it as UTF-8",
            ))
        }
    }
}

/// `Some(big_endian)` when the bytes are UTF-16: a byte-order mark, or text whose every
/// other byte is zero (ASCII characters in UTF-16).
fn utf16(bytes: &[u8]) -> Option<bool> {
    match bytes {
        [0xFF, 0xFE, ..] => return Some(false),
        [0xFE, 0xFF, ..] => return Some(true),
        _ => {}
    }
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(512)];
    let zeros = |start: usize| sample.iter().skip(start).step_by(2).all(|&b| b == 0);
    let text = |start: usize| {
        sample
            .iter()
            .skip(start)
            .step_by(2)
            .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    };
    if zeros(1) && text(0) {
        Some(false)
    } else if zeros(0) && text(1) {
        Some(true)
    } else {
        None
    }
}

/// Loads from text, detecting the shape.
pub fn load_text(origin: &str, text: &str) -> Result<Loaded, LoadError> {
    load_source(origin, &crate::text::source_text(text.to_owned()))
}

/// Like [`load_text`], for text already shared: a policy document keeps `text` itself as
/// its source, with no copy.
pub fn load_shared(origin: &str, text: &crate::text::SourceText) -> Result<Loaded, LoadError> {
    load_source(origin, text)
}

/// Like [`load_text`], taking the text: it becomes the loaded policy's source as it is, not
/// copied, so a large file is never held twice.
pub fn load_owned(origin: &str, text: String) -> Result<Loaded, LoadError> {
    load_source(origin, &crate::text::source_text(text))
}

/// A bare URL-encoded document (`%7B%22Version%22...`), as the raw IAM API returns it.
fn load_url_encoded(origin: &str, text: &str) -> Result<Loaded, LoadError> {
    let trimmed = text.trim();
    let decoded = percent_decode(trimmed).map_err(|(i, msg)| {
        PolicyError::shape(
            origin,
            text,
            text.len() - text.trim_start().len() + i,
            format!("this looks URL-encoded, but the encoding is invalid: {msg}"),
        )
    })?;
    match load_text(&format!("{origin} (URL-decoded)"), &decoded)? {
        Loaded::Policy(p, _) => Ok(Loaded::Policy(p, InputKind::UrlEncoded)),
        account @ Loaded::Account(_) => Ok(account),
    }
}

/// Reads the JSON of `source`. The lists of an authorization-details dump are read item by
/// item into `builder`; a policy's own top-level Statement array into `statements`, each
/// statement built as it is read and its tree dropped; anything else is one tree of at
/// most [`MAX_POLICY_BYTES`].
fn read_root(
    origin: &str,
    source: &crate::text::SourceText,
    builder: &mut Builder<'_>,
    statements: &mut StatementStream<'_>,
) -> Result<Value, LoadError> {
    let text: &str = source;
    let max_policy = usize::try_from(MAX_POLICY_BYTES).unwrap_or(usize::MAX);
    let mut keys: Vec<&str> = LISTS.to_vec();
    keys.push("Statement");
    // A statement's members that its reader ignores or refuses by name build no tree.
    let keep = |list: &str, name: &str| list != "Statement" || statement_reads(name);
    let parsed = json::parse_streaming(text, &keys, max_policy, &keep, &mut |list, item| {
        if list != "Statement" {
            return builder.item(list, &item);
        }
        // A policy document holds nothing but its Version, Id and statements: one in a file
        // over the policy limit is refused at its first statement, before any is built.
        if text.len() > max_policy {
            builder.error = Some(
                PolicyError::shape(
                    origin,
                    text,
                    item.span.start,
                    format!(
                        "this policy is {} bytes; one policy may take at most {} bytes ({} MiB)",
                        thousands(text.len() as u64),
                        thousands(MAX_POLICY_BYTES),
                        MAX_POLICY_BYTES >> 20
                    ),
                )
                .into(),
            );
            return Err(());
        }
        statements.push(&item);
        Ok(())
    });
    match parsed {
        Ok(root) => Ok(root),
        Err(e) if e.message.is_empty() => Err(builder.error.take().unwrap_or_else(|| {
            LoadError::account(origin, text, e.offset, "this file could not be read")
        })),
        Err(e) => Err(PolicyError::Syntax {
            at: Location::at(origin, text, e.offset),
            message: e.message,
        }
        .into()),
    }
}

fn load_source(origin: &str, source: &crate::text::SourceText) -> Result<Loaded, LoadError> {
    let text: &str = source;
    if text.trim().starts_with('%') {
        return load_url_encoded(origin, text);
    }
    let mut builder = Builder::new(origin, source);
    let mut statements = StatementStream::new(origin, source);
    let root = read_root(origin, source, &mut builder, &mut statements)?;
    match &root.kind {
        Kind::String(s) => {
            let (policy, _) = decode_embedded(origin, origin, s, root.span.start, source)?;
            Ok(Loaded::Policy(policy, InputKind::UrlEncoded))
        }
        Kind::Object(_) => {
            if root.get("Statement").is_some() {
                return Ok(Loaded::Policy(
                    parse_document_streamed(origin, source, &root, Some(statements))?,
                    InputKind::Document,
                ));
            }
            if let Some(pv) = root.get("PolicyVersion") {
                let Some(doc) = pv.get("Document") else {
                    return Err(PolicyError::shape(
                        origin,
                        text,
                        pv.span.start,
                        "PolicyVersion has no Document",
                    )
                    .into());
                };
                let (policy, _) = document_value(origin, origin, doc, source)?;
                return Ok(Loaded::Policy(policy, InputKind::PolicyVersion));
            }
            if let Some(doc) = root.get("Document") {
                // The PolicyVersion object itself (as saved by many tools and by
                // `--query PolicyVersion`).
                let name = root
                    .get("PolicyName")
                    .and_then(Value::as_str)
                    .unwrap_or(origin)
                    .to_owned();
                let (policy, _) = document_value(origin, &name, doc, source)?;
                return Ok(Loaded::Policy(policy, InputKind::PolicyVersion));
            }
            if let Some(doc) = root.get("PolicyDocument") {
                let name = root
                    .get("PolicyName")
                    .and_then(Value::as_str)
                    .map_or_else(|| origin.to_owned(), |n| format!("{origin} ({n})"));
                let (policy, _) = document_value(origin, &name, doc, source)?;
                return Ok(Loaded::Policy(policy, InputKind::InlinePolicy));
            }
            if [
                "RoleDetailList",
                "UserDetailList",
                "GroupDetailList",
                "Policies",
            ]
            .iter()
            .any(|k| root.get(k).is_some())
                || builder.seen
            {
                return Ok(Loaded::Account(builder.finish(&root)?));
            }
            Err(PolicyError::shape(
                origin,
                text,
                root.span.start,
                "this JSON object is not a policy: expected a Statement, a PolicyVersion or PolicyDocument wrapper, or get-account-authorization-details output",
            ).into())
        }
        _ => Err(PolicyError::shape(
            origin,
            text,
            root.span.start,
            format!(
                "a policy must be a JSON object, found {} at the top level",
                root.kind_name()
            ),
        )
        .into()),
    }
}
