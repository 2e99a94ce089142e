//! A policy document inside another document: a `Document` or `PolicyDocument` value that is
//! an object, or a string holding JSON or URL-encoded JSON (as the IAM API returns it).

use crate::policy::{Policy, PolicyError, parse_document};
use crate::text::json::{self, Kind, Value};

/// A `Document` / `PolicyDocument` value: an object, or a URL-encoded string.
pub(super) fn document_value(
    origin: &str,
    name: &str,
    doc: &Value,
    source: &crate::text::SourceText,
) -> Result<(Policy, bool), PolicyError> {
    match &doc.kind {
        Kind::Object(_) => Ok((parse_document(name, source, doc)?, false)),
        Kind::String(s) => decode_embedded(origin, name, s, doc.span.start, source),
        _ => Err(PolicyError::shape(
            origin,
            source,
            doc.span.start,
            format!(
                "the policy document must be an object or a URL-encoded string, found {}",
                doc.kind_name()
            ),
        )),
    }
}

/// A document held in a string: URL-encoded (as the IAM API returns it) or plain JSON text.
pub(super) fn decode_embedded(
    origin: &str,
    name: &str,
    s: &str,
    at: usize,
    outer: &crate::text::SourceText,
) -> Result<(Policy, bool), PolicyError> {
    let decoded = if s.trim_start().starts_with('{') {
        s.to_owned()
    } else {
        percent_decode(s).map_err(|(i, msg)| {
            PolicyError::shape(
                origin,
                outer,
                at,
                format!(
                    "invalid URL encoding in the policy document at character {}: {msg}",
                    i + 1
                ),
            )
        })?
    };
    let inner = crate::text::source_text(decoded);
    let value = json::parse(&inner).map_err(|e| {
        PolicyError::shape(
            origin,
            outer,
            at,
            format!(
                "the URL-encoded document is not valid JSON (decoded line {}, column {}: {})",
                e.line, e.column, e.message
            ),
        )
    })?;
    Ok((parse_document(name, &inner, &value)?, true))
}

/// Decodes RFC 3986 percent-encoding. `+` stays a plus sign.
pub fn percent_decode(s: &str) -> Result<String, (usize, String)> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .ok_or((i, "'%' must be followed by two hex digits".to_owned()))?;
            let h = std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(v) = h else {
                return Err((i, "'%' must be followed by two hex digits".to_owned()));
            };
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return Err((i, "'%' must be followed by two hex digits".to_owned()));
            }
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| {
        (
            e.utf8_error().valid_up_to(),
            "the decoded bytes are not UTF-8".to_owned(),
        )
    })
}
