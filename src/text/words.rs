//! Policy text quoted in explanations, kept short: a pattern of megabytes or a list of a
//! hundred thousand keys would make every explanation (and the memory that holds it, and the
//! report that copies it) as large as the input, several times over. The data (JSON lists,
//! the policy itself) stays whole; only the words are cut, and they say what was left out.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters of a quoted text shown in full; a longer one shows its start and its end.
pub const QUOTE_CHARS: usize = 160;

/// Items of a list named one by one; the rest are counted.
pub const LIST_ITEMS: usize = 20;

/// `text` as written when it is at most [`QUOTE_CHARS`] characters; otherwise its first 120
/// characters, `…`, its last 30, and how long it is.
pub fn elide(text: &str) -> Cow<'_, str> {
    if text.len() <= QUOTE_CHARS {
        return Cow::Borrowed(text);
    }
    let chars = text.chars().count();
    if chars <= QUOTE_CHARS {
        return Cow::Borrowed(text);
    }
    let head_end = text.char_indices().nth(120).map_or(text.len(), |(i, _)| i);
    let tail_start = text
        .char_indices()
        .rev()
        .nth(29)
        .map_or(head_end, |(i, _)| i.max(head_end));
    Cow::Owned(format!(
        "{}…{} ({} characters)",
        &text[..head_end],
        &text[tail_start..],
        thousands(chars as u64)
    ))
}

/// The items, each [elided](elide), joined with `sep`: at most [`LIST_ITEMS`] of them, then
/// "and N more".
pub fn list<'a>(items: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    list_by(items, sep, elide)
}

/// The items, each as `show` writes it, joined with `sep`: at most [`LIST_ITEMS`] of them,
/// then "and N more" (the rest are counted, not written).
pub fn list_by<'a, S: AsRef<str>>(
    items: impl IntoIterator<Item = &'a str>,
    sep: &str,
    show: impl Fn(&'a str) -> S,
) -> String {
    let mut out = String::new();
    let mut more = 0usize;
    for (i, item) in items.into_iter().enumerate() {
        if i >= LIST_ITEMS {
            more += 1;
            continue;
        }
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(show(item).as_ref());
    }
    if more > 0 {
        write!(out, "{sep}and {} more", thousands(more as u64)).ok();
    }
    out
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_and_lists_are_as_written() {
        assert_eq!(
            elide("arn:aws:iam::*:role/app-*"),
            "arn:aws:iam::*:role/app-*"
        );
        let exact = "é".repeat(QUOTE_CHARS);
        assert_eq!(elide(&exact), exact.as_str());
        assert_eq!(list(["a", "b"], ", "), "a, b");
        assert_eq!(list(std::iter::empty(), ", "), "");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(10_000_083), "10,000,083");
    }

    #[test]
    fn long_texts_keep_their_start_and_end_and_say_how_long() {
        let text = format!("arn:aws:s3:::{}END", "é".repeat(10_000));
        let short = elide(&text);
        assert!(short.starts_with("arn:aws:s3:::éé"), "{short}");
        assert!(short.contains('…'));
        assert!(short.ends_with("éEND (10,016 characters)"), "{short}");
        assert!(short.chars().count() < 200);
    }

    #[test]
    fn long_lists_name_the_first_items_and_count_the_rest() {
        let keys: Vec<String> = (0..100_000)
            .map(|i| format!("aws:RequestTag/k{i}"))
            .collect();
        let said = list(keys.iter().map(String::as_str), ", ");
        assert!(said.starts_with("aws:RequestTag/k0, aws:RequestTag/k1, "));
        assert!(
            said.contains("aws:RequestTag/k19, and 99,980 more"),
            "{said}"
        );
        assert!(!said.contains("k20,"));
    }
}
