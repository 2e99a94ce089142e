//! The `Condition` element: every operator AWS documents, with `...IfExists` and the
//! `ForAllValues:` / `ForAnyValue:` set qualifiers, evaluated three-valued.
//!
//! Semantics follow the IAM User Guide pages "IAM JSON policy elements: Condition operators"
//! and "Multivalued context keys": keys AND, values OR, negated operators need every value to
//! miss; a missing key makes a condition false except for negated operators, `...IfExists`,
//! `Null` and `ForAllValues`.

use smol_str::SmolStr;
use std::net::IpAddr;
use std::sync::Arc;

use crate::policy::keys::{MULTIVALUED_KEYS_PAGE, is_multivalued};
use crate::policy::request::FoldedKey;
use crate::policy::vars::{Resolved, VarText};
use crate::policy::{Context, KeyState};
use crate::text::intern::Interner;
use crate::text::json::{Kind, Reader, Span, SyntaxError};
use crate::text::pattern::{ArnGlob, ArnGlobRef, Glob, GlobRef, Template, Tri};
use crate::text::words;

pub use super::operators::{BaseOp, Operator, SetOp};

/// One operator + key + values test.
#[derive(Clone, Debug)]
pub struct Condition {
    /// The key as written: in place when short (23 bytes or fewer, as nearly every key
    /// is), else shared (a clone is a count, whatever its length).
    pub key: SmolStr,
    /// The values as written (numbers and booleans as their text): one kept in place, as
    /// nearly every condition has.
    pub values: Values,
    /// What few conditions need: none for an ASCII key whose values are read in place
    /// under a documented operator.
    extra: Option<Box<Extra>>,
    /// Where the key is in the source (the byte offset of its opening quote; see
    /// [`at`](Self::at)).
    at: u32,
    /// The operator (see [`operator`](Self::operator)).
    op: Op,
}

/// A condition's operator in three bytes: a documented one whole; an unknown one's name is
/// kept in [`Extra`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Known {
        set: Option<SetOp>,
        base: BaseOp,
        if_exists: bool,
    },
    Unknown,
}

/// What a condition stores besides its key and values, when it needs to.
#[derive(Clone, Debug, Default)]
struct Extra {
    /// The name of an operator that is not documented, as written.
    unknown_operator: Option<Arc<str>>,
    /// The key lower-cased, when it is not ASCII (an ASCII key is folded as it is compared,
    /// see [`FoldedKey`]).
    key_lower: Option<Box<str>>,
    /// How each value is compiled for the operator; empty when every value is read in place
    /// from its text or is not compiled at all.
    compiled: Box<[Compiled]>,
}

/// A condition's values: one kept in place (nearly always), or several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Values {
    /// One value.
    One(VarText),
    /// Several.
    Several(Box<[VarText]>),
}

impl std::ops::Deref for Values {
    type Target = [VarText];

    fn deref(&self) -> &[VarText] {
        match self {
            Self::One(v) => std::slice::from_ref(v),
            Self::Several(v) => v,
        }
    }
}

impl<'a> IntoIterator for &'a Values {
    type Item = &'a VarText;
    type IntoIter = std::slice::Iter<'a, VarText>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl From<Vec<VarText>> for Values {
    fn from(mut values: Vec<VarText>) -> Self {
        if values.len() == 1
            && let Some(one) = values.pop()
        {
            return Self::One(one);
        }
        Self::Several(values.into_boxed_slice())
    }
}

/// How a condition value is compiled for its operator.
#[derive(Clone, Debug)]
enum Compiled {
    /// Its text is the pattern as it is, read in place (see [`read_in_place`]).
    View,
    /// A string pattern compiled apart from its text (literal for the `...Equals`
    /// operators): escapes, non-ASCII text, runs of stars, a literal `*` or `?`.
    Glob(Glob),
    /// An ARN pattern compiled apart from its text, matched part by part.
    Arn(ArnGlob),
    /// Not compiled: the value holds a policy variable, or the operator does not compare
    /// strings.
    Not,
}

/// A condition value's matcher, borrowed from its text or from what was compiled.
#[derive(Clone, Copy)]
enum Matcher<'a> {
    Glob(GlobRef<'a>),
    Arn(ArnGlobRef<'a>),
}

/// How `base` compares strings: (wildcards, fold case, as ARNs); `None` when it does not
/// compare strings as patterns.
fn string_match(base: BaseOp) -> Option<(bool, bool, bool)> {
    use BaseOp as B;
    Some(match base {
        B::StringEquals | B::StringNotEquals => (false, false, false),
        B::StringEqualsIgnoreCase | B::StringNotEqualsIgnoreCase | B::Bool => (false, true, false),
        B::StringLike | B::StringNotLike => (true, false, false),
        B::ArnEquals | B::ArnLike | B::ArnNotEquals | B::ArnNotLike => (true, false, true),
        _ => return None,
    })
}

/// `value`'s text itself read as its pattern for `base`, with no copy: a plain text (no
/// variable or escape), ASCII with no run of stars. It is the pattern compiling would give
/// except, for the literal operators, when the text has a `*` or `?` (which they take
/// literally): [`Compiled::of`] checks that once, at parse time.
fn read_in_place(base: BaseOp, value: &VarText) -> Option<Matcher<'_>> {
    let (_, fold_case, arn) = string_match(base)?;
    if !value.is_plain() {
        return None;
    }
    if arn {
        ArnGlobRef::of_text(&value.text).map(Matcher::Arn)
    } else {
        GlobRef::of_text(&value.text, fold_case).map(Matcher::Glob)
    }
}

impl Compiled {
    /// The value compiled for `base`.
    fn of(base: BaseOp, value: &VarText) -> Self {
        let Some((wildcards, fold_case, arn)) = string_match(base) else {
            return Self::Not;
        };
        if value.has_variables() {
            return Self::Not;
        }
        let literal_wildcard = !wildcards && value.text.contains(['*', '?']);
        if !literal_wildcard && read_in_place(base, value).is_some() {
            return Self::View;
        }
        match value.resolve(&Context::default(), wildcards, fold_case) {
            Resolved::Known(g) if arn => Self::Arn(ArnGlob::from_glob(g)),
            Resolved::Known(g) => Self::Glob(g),
            Resolved::Unknown(..) | Resolved::Unresolvable(_) => Self::Not,
        }
    }

    /// Every value compiled for `base`; none stored when each is read in place or not
    /// compiled (the matcher is then found again from the text, see [`Condition::matcher`]).
    fn all(base: BaseOp, values: &[VarText]) -> Box<[Self]> {
        // Looked for before any is kept: a key of 100,000 values read in place (or each with
        // a variable) made a list of them all, then let go of it.
        let kept = |v: &VarText| !matches!(Self::of(base, v), Self::View | Self::Not);
        if !values.iter().any(kept) {
            return Box::default();
        }
        values.iter().map(|v| Self::of(base, v)).collect()
    }
}

/// How one condition came out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionOutcome {
    /// Holds, fails, or depends.
    pub tri: Tri,
    /// An explanation in words.
    pub note: String,
    /// The key whose unknown value made it depend, if any.
    pub depends_on: Option<String>,
}

/// Parses the `Condition` block at `block` of `text` (the statement's source, read whole
/// once before), straight from the text: a block of a hundred thousand keys builds no tree,
/// each key's values a small one. `warn` receives (offset, message) for suspicious things.
pub(crate) fn parse_condition_block(
    text: &str,
    block: Span,
    variables: bool,
    interner: &mut Interner,
    warn: &mut dyn FnMut(usize, String),
) -> Result<Vec<Condition>, (usize, String)> {
    let mut r = Reader::at(text, block.start);
    if !r.is_object() {
        return Err((
            block.start,
            format!("Condition must be an object, found {}", r.kind_name()),
        ));
    }
    // As many as there are keys, counted first when the block is large: it may hold a
    // hundred thousand, and a list that doubles would hold up to twice the room.
    let mut out = Vec::with_capacity(if block.end - block.start > 1024 {
        count_keys(text, block).map_err(syntax)?
    } else {
        1
    });
    r.enter_object().map_err(syntax)?;
    while let Some((name, name_span)) = r.next_name().map_err(syntax)? {
        let operator = read_operator(&name, name_span, warn);
        if !r.is_object() {
            return Err((
                r.pos(),
                format!(
                    "the value of condition operator \"{name}\" must be an object of keys, found {}",
                    r.kind_name()
                ),
            ));
        }
        let keys_at = r.pos();
        let before = out.len();
        let allow_vars = variables
            && match &operator {
                Operator::Known { base, .. } => base.takes_variables(),
                Operator::Unknown(_) => false,
            };
        r.enter_object().map_err(syntax)?;
        while let Some((key, key_span)) = r.next_name().map_err(syntax)? {
            // Each value read straight from the text: a key may list a hundred thousand.
            let values = condition_values(text, &mut r, &key, allow_vars)?;
            out.push(read_condition(
                &operator,
                (&key, key_span),
                values,
                interner,
                warn,
            ));
        }
        if out.len() == before {
            return Err((
                keys_at,
                format!("condition operator \"{name}\" has no keys"),
            ));
        }
    }
    Ok(out)
}

/// A syntax error as a located message (the block was read whole before, so there is none).
pub(super) fn syntax(e: SyntaxError) -> (usize, String) {
    (e.offset, e.message)
}

/// How many keys the operators of the block at `block` have, together.
fn count_keys(text: &str, block: Span) -> Result<usize, SyntaxError> {
    let mut r = Reader::at(text, block.start);
    let mut keys = 0;
    r.enter_object()?;
    while r.next_name()?.is_some() {
        if !r.is_object() {
            r.skip()?;
            continue;
        }
        r.enter_object()?;
        while r.next_name()?.is_some() {
            keys += 1;
            r.skip()?;
        }
    }
    Ok(keys)
}

/// The operator named `name`, with a warning when it is unknown or oddly cased.
fn read_operator(name: &str, at: Span, warn: &mut dyn FnMut(usize, String)) -> Operator {
    let (operator, odd_case) = Operator::parse(name);
    match &operator {
        Operator::Unknown(name) => warn(
            at.start,
            format!(
                "unknown condition operator \"{name}\": statements using it are not evaluated and show as conditional"
            ),
        ),
        Operator::Known { .. } if odd_case => warn(
            at.start,
            format!("condition operator \"{name}\" is documented as \"{operator}\""),
        ),
        Operator::Known { .. } => {}
    }
    operator
}

/// The condition of `operator` on the key and values of `k`.
fn read_condition(
    operator: &Operator,
    (key, key_span): (&str, Span),
    values: Vec<VarText>,
    interner: &mut Interner,
    warn: &mut dyn FnMut(usize, String),
) -> Condition {
    if let Operator::Known {
        set: None, base, ..
    } = operator
        && *base != BaseOp::Null
        && is_multivalued(key)
    {
        warn(
            key_span.start,
            format!(
                "multivalued key \"{key}\" used without ForAnyValue/ForAllValues: AWS does not define the result when the request carries several values ({MULTIVALUED_KEYS_PAGE})"
            ),
        );
    }
    let compiled = match operator {
        Operator::Known { base, .. } => Compiled::all(*base, &values),
        Operator::Unknown(_) => Box::default(),
    };
    let key_lower = (!key.is_ascii()).then(|| Box::from(key.to_lowercase().as_str()));
    let (op, unknown_operator) = match operator {
        Operator::Known {
            set,
            base,
            if_exists,
        } => (
            Op::Known {
                set: *set,
                base: *base,
                if_exists: *if_exists,
            },
            None,
        ),
        Operator::Unknown(name) => (Op::Unknown, Some(Arc::clone(name))),
    };
    let extra =
        (key_lower.is_some() || !compiled.is_empty() || unknown_operator.is_some()).then(|| {
            Box::new(Extra {
                unknown_operator,
                key_lower,
                compiled,
            })
        });
    // A short key is kept in place; a long one is shared with the policy's other
    // conditions on it.
    let key_at = key_span.start;
    let key = if key.len() <= INLINE_KEY {
        SmolStr::new(key)
    } else {
        SmolStr::from(interner.get(key))
    };
    Condition {
        key,
        values: Values::from(values),
        extra,
        // An offset past 4 GiB (beyond every limit on input) is kept as the last one.
        at: u32::try_from(key_at).unwrap_or(u32::MAX),
        op,
    }
}

/// The longest key a condition keeps in place (what [`SmolStr`] holds without an
/// allocation).
const INLINE_KEY: usize = 23;

impl Condition {
    /// The operator.
    pub fn operator(&self) -> Operator {
        match self.op {
            Op::Known {
                set,
                base,
                if_exists,
            } => Operator::Known {
                set,
                base,
                if_exists,
            },
            // The name is stored with every unknown operator (`read_condition`); an empty
            // one would still be an unknown operator, never a documented one.
            Op::Unknown => Operator::Unknown(
                self.extra
                    .as_ref()
                    .and_then(|e| e.unknown_operator.clone())
                    .unwrap_or_else(|| Arc::from("")),
            ),
        }
    }

    /// Where the key is in the source: the byte offset of its opening quote.
    pub fn at(&self) -> usize {
        self.at as usize
    }

    fn values_text(&self) -> String {
        let quoted = |text: &str| format!("\"{}\"", words::elide(text));
        if let [one] = &*self.values {
            return quoted(&one.text);
        }
        let texts = self.values.iter().map(|v| &*v.text);
        format!("[{}]", words::list_by(texts, ", ", quoted))
    }

    /// The key as words quote it (a very long one is shortened; the key itself is whole).
    fn key_words(&self) -> std::borrow::Cow<'_, str> {
        words::elide(&self.key)
    }

    /// Evaluates against what is known of the request, with a note in words.
    pub fn evaluate(&self, ctx: &Context) -> ConditionOutcome {
        self.outcome(ctx, true)
    }

    /// Like [`evaluate`](Self::evaluate) without the note (left empty): the same answer,
    /// for the many statements whose words nobody reads.
    pub fn decide(&self, ctx: &Context) -> ConditionOutcome {
        self.outcome(ctx, false)
    }

    /// Only whether the condition holds: the same answer as [`decide`](Self::decide), and
    /// nothing is allocated (the hot path of evaluation). When the key is not known the
    /// answer is [`Tri::Sometimes`] and depends on [`key`](Self::key).
    pub fn tri(&self, ctx: &Context) -> Tri {
        self.tri_and_unknown(ctx).0
    }

    /// [`tri`](Self::tri), and whether the request leaves the key unknown
    /// ([`key_unknown`](Self::key_unknown), false for an unknown operator): the key is looked
    /// up once for both.
    pub fn tri_and_unknown(&self, ctx: &Context) -> (Tri, bool) {
        let Op::Known {
            set,
            base,
            if_exists,
        } = &self.op
        else {
            return (Tri::Sometimes, false);
        };
        let tri = match ctx.get_folded(self.key_folded()) {
            None => return (Tri::Sometimes, true),
            Some(KeyState::Absent) => self.when_absent(None, *set, *base, *if_exists).tri,
            Some(KeyState::Values(values)) => {
                self.with_values(None, values, *set, *base, ctx, "").tri
            }
        };
        (tri, false)
    }

    /// Value `i` compiled as a string pattern for this operator (literal for the
    /// `...Equals` operators), when it holds no policy variable.
    pub fn value_glob(&self, i: usize) -> Option<GlobRef<'_>> {
        match self.matcher(i)? {
            Matcher::Glob(g) => Some(g),
            Matcher::Arn(_) => None,
        }
    }

    /// Value `i`'s matcher for this operator: compiled, or read in place from its text.
    /// `None` when it holds a policy variable or the operator does not compare strings.
    fn matcher(&self, i: usize) -> Option<Matcher<'_>> {
        let Op::Known { base, .. } = &self.op else {
            return None;
        };
        match self.compiled().get(i) {
            Some(Compiled::Glob(g)) => Some(Matcher::Glob(g.view())),
            Some(Compiled::Arn(a)) => Some(Matcher::Arn(a.view())),
            Some(Compiled::Not) => None,
            // Nothing stored for it: a plain value of a string operator is read in place here
            // (one that is not was compiled apart, and then `compiled` is not empty).
            Some(Compiled::View) | None => read_in_place(*base, self.values.get(i)?),
        }
    }

    /// How each value is compiled (empty when none is stored).
    fn compiled(&self) -> &[Compiled] {
        self.extra.as_ref().map_or(&[], |e| &e.compiled)
    }

    /// The key as names compare, whatever the case (no allocation).
    pub(crate) fn key_folded(&self) -> FoldedKey<'_> {
        match self.extra.as_ref().and_then(|e| e.key_lower.as_deref()) {
            Some(lower) => FoldedKey::lower(lower),
            None => FoldedKey::ascii(&self.key),
        }
    }

    /// True when the request does not say what the key holds (the answer then depends on it).
    pub fn key_unknown(&self, ctx: &Context) -> bool {
        ctx.get_folded(self.key_folded()).is_none()
    }

    fn outcome(&self, ctx: &Context, words: bool) -> ConditionOutcome {
        let head = if words {
            format!(
                "{} {} {}",
                self.operator(),
                self.key_words(),
                self.values_text()
            )
        } else {
            String::new()
        };
        let Op::Known {
            set,
            base,
            if_exists,
        } = &self.op
        else {
            return ConditionOutcome {
                tri: Tri::Sometimes,
                note: if words {
                    format!("{head}: unknown operator, so this statement cannot be evaluated")
                } else {
                    String::new()
                },
                depends_on: None,
            };
        };
        let (set, base, if_exists) = (*set, *base, *if_exists);
        let undefined = if words && set.is_none() && base != BaseOp::Null {
            multivalued_without_set_operator(&self.key)
        } else {
            String::new()
        };
        match ctx.get_folded(self.key_folded()) {
            None => ConditionOutcome {
                tri: Tri::Sometimes,
                note: if words {
                    format!(
                        "{head}: the request's value of {} is not known; the condition holds only when {}{}",
                        self.key_words(),
                        self.holds_when(set, base, if_exists),
                        if is_multivalued(&self.key) {
                            &undefined
                        } else {
                            ""
                        }
                    )
                } else {
                    String::new()
                },
                depends_on: Some(self.key.to_string()),
            },
            Some(KeyState::Absent) => {
                self.when_absent(words.then_some(&head), set, base, if_exists)
            }
            Some(KeyState::Values(values)) => {
                self.with_values(words.then_some(&head), values, set, base, ctx, &undefined)
            }
        }
    }

    /// The outcome when the request does not carry the key.
    fn when_absent(
        &self,
        head: Option<&String>,
        set: Option<SetOp>,
        base: BaseOp,
        if_exists: bool,
    ) -> ConditionOutcome {
        let holds = if base == BaseOp::Null {
            self.values
                .iter()
                .any(|v| v.text.eq_ignore_ascii_case("true"))
        } else if if_exists {
            true
        } else {
            match set {
                Some(SetOp::ForAllValues) => true,
                Some(SetOp::ForAnyValue) => false,
                None => base.negated(),
            }
        };
        ConditionOutcome {
            tri: Tri::from_bool(holds),
            note: head.map_or_else(String::new, |head| {
                format!(
                    "{head}: {} is absent from the request, so the condition {}",
                    self.key_words(),
                    if holds { "holds" } else { "fails" }
                )
            }),
            depends_on: None,
        }
    }

    /// The outcome when the request carries the key with these values.
    fn with_values(
        &self,
        head: Option<&String>,
        values: &[String],
        set: Option<SetOp>,
        base: BaseOp,
        ctx: &Context,
        undefined: &str,
    ) -> ConditionOutcome {
        let tri = if base == BaseOp::Null {
            Tri::from_bool(
                self.values
                    .iter()
                    .any(|v| v.text.eq_ignore_ascii_case("false")),
            )
        } else {
            match set {
                None if values.len() == 1 => self.one_value(base, &values[0], ctx),
                // A single-valued operator on none or several request values: AWS does not
                // define a result we can rely on; do not guess.
                None => Tri::Sometimes,
                Some(SetOp::ForAnyValue) => values
                    .iter()
                    .fold(Tri::Never, |acc, v| acc.or(self.one_value(base, v, ctx))),
                Some(SetOp::ForAllValues) => values
                    .iter()
                    .fold(Tri::Always, |acc, v| acc.and(self.one_value(base, v, ctx))),
            }
        };
        let Some(head) = head else {
            return ConditionOutcome {
                tri,
                note: String::new(),
                depends_on: None,
            };
        };
        let shown: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
        let list_undefined =
            tri == Tri::Sometimes && base != BaseOp::Null && set.is_none() && values.len() != 1;
        let why = match tri {
            Tri::Always => "holds",
            Tri::Never => "fails",
            Tri::Sometimes if list_undefined => "is not defined by AWS for a list of values",
            Tri::Sometimes => "depends on a policy variable whose value is not known",
        };
        ConditionOutcome {
            tri,
            note: format!(
                "{head}: the request has {} = {}, so the condition {why}{}",
                self.key_words(),
                words::list(shown.iter().map(AsRef::as_ref), ", "),
                if list_undefined { undefined } else { "" }
            ),
            depends_on: None,
        }
    }

    /// In words, what the request must carry for the condition to hold: the value that
    /// would flip a conditional result.
    fn holds_when(&self, set: Option<SetOp>, base: BaseOp, if_exists: bool) -> String {
        let values = self.values_text();
        let key = self.key_words();
        let core = match base {
            BaseOp::Null => {
                return if self
                    .values
                    .iter()
                    .any(|v| v.text.eq_ignore_ascii_case("true"))
                {
                    format!("{key} is absent")
                } else {
                    format!("{key} is present")
                };
            }
            BaseOp::StringLike | BaseOp::ArnLike | BaseOp::ArnEquals => format!("matches {values}"),
            BaseOp::StringNotLike | BaseOp::ArnNotLike | BaseOp::ArnNotEquals => {
                format!("matches none of {values}")
            }
            BaseOp::IpAddress => format!("is in {values}"),
            BaseOp::NotIpAddress => format!("is in none of {values}"),
            b if b.negated() => format!("is none of {values}"),
            BaseOp::NumericLessThan | BaseOp::DateLessThan => format!("is below {values}"),
            BaseOp::NumericLessThanEquals | BaseOp::DateLessThanEquals => {
                format!("is at most {values}")
            }
            BaseOp::NumericGreaterThan | BaseOp::DateGreaterThan => format!("is above {values}"),
            BaseOp::NumericGreaterThanEquals | BaseOp::DateGreaterThanEquals => {
                format!("is at least {values}")
            }
            _ => format!("is {values}"),
        };
        let subject = match set {
            Some(SetOp::ForAllValues) => format!("every value of {key}"),
            Some(SetOp::ForAnyValue) => format!("some value of {key}"),
            None => key.to_string(),
        };
        let mut s = format!("{subject} {core}");
        if base.negated() && set.is_none() && !if_exists {
            s.push_str(&format!(" (or {key} is absent)"));
        }
        if if_exists || set == Some(SetOp::ForAllValues) {
            s.push_str(&format!(" (or {key} is absent)"));
        }
        s
    }

    /// One request value against all policy values.
    fn one_value(&self, base: BaseOp, value: &str, ctx: &Context) -> Tri {
        let templated = ctx.is_template_folded(self.key_folded());
        let folded;
        let value_folded = if matches!(
            base,
            BaseOp::StringEqualsIgnoreCase | BaseOp::StringNotEqualsIgnoreCase | BaseOp::Bool
        ) {
            folded = value.to_lowercase();
            folded.as_str()
        } else {
            value
        };
        let mut any = Tri::Never;
        for (i, p) in self.values.iter().enumerate() {
            let t = if templated {
                template_match(base, p, &Template::parse(value), ctx)
            } else {
                match self.matcher(i) {
                    Some(Matcher::Glob(g)) => Tri::from_bool(g.matches(value_folded)),
                    Some(Matcher::Arn(a)) => Tri::from_bool(a.matches(value)),
                    None => positive_match(base, p, value, ctx),
                }
            };
            any = any.or(t);
            if any == Tri::Always {
                break;
            }
        }
        if base.negated() { any.negate() } else { any }
    }
}

/// The values of the condition key `key`, read from `r` (in `text`, the reader then past
/// them): a value or a non-empty list of strings, numbers or booleans.
fn condition_values(
    text: &str,
    r: &mut Reader<'_>,
    key: &str,
    allow_vars: bool,
) -> Result<Vec<VarText>, (usize, String)> {
    let value_at = r.pos();
    if !r.is_array() {
        return Ok(vec![condition_value(r, key, allow_vars)?]);
    }
    // Counted first: a list that doubles would hold up to twice the room.
    let mut count = Reader::at(text, value_at);
    count.enter_array().map_err(syntax)?;
    let mut n = 0;
    while count.next_item().map_err(syntax)? {
        count.skip().map_err(syntax)?;
        n += 1;
    }
    if n == 0 {
        return Err((
            value_at,
            format!("condition key \"{key}\" has an empty list of values"),
        ));
    }
    let mut values = Vec::with_capacity(n);
    r.enter_array().map_err(syntax)?;
    while r.next_item().map_err(syntax)? {
        values.push(condition_value(r, key, allow_vars)?);
    }
    Ok(values)
}

/// The value of the condition key `key` at `r` (the reader then past it): a string, a
/// number or a boolean.
fn condition_value(
    r: &mut Reader<'_>,
    key: &str,
    allow_vars: bool,
) -> Result<VarText, (usize, String)> {
    let at = r.pos();
    let text: std::borrow::Cow<'_, str> = if r.is_string() {
        r.string().map_err(syntax)?
    } else {
        let v = r.value().map_err(syntax)?;
        match &v.kind {
            Kind::Number(n) => n.to_string().into(),
            Kind::Bool(b) => b.to_string().into(),
            _ => {
                return Err((
                    at,
                    format!(
                        "condition values must be strings, numbers or booleans; \"{key}\" has {}",
                        v.kind_name()
                    ),
                ));
            }
        }
    };
    if allow_vars {
        VarText::parse(&text, true).map_err(|m| (at, m))
    } else {
        Ok(VarText::plain(&text))
    }
}

/// Why a condition on a multivalued key without a set operator stays open, with the page.
fn multivalued_without_set_operator(key: &str) -> String {
    format!(
        ". {key} can carry several values, and this condition has no ForAnyValue or ForAllValues: AWS's page on single- and multivalued context keys says such keys need a set operator and does not say what happens without one, so a request with none or several values stays conditional ({MULTIVALUED_KEYS_PAGE})"
    )
}

/// Like [`positive_match`], for a request value with unknown parts: string and ARN
/// comparisons are exact over every filling; anything else depends on the filling.
fn template_match(base: BaseOp, p: &VarText, v: &Template, ctx: &Context) -> Tri {
    use BaseOp as B;
    let (wildcards, arn) = match base {
        B::StringEquals | B::StringNotEquals => (false, false),
        B::StringLike | B::StringNotLike => (true, false),
        B::ArnEquals | B::ArnLike | B::ArnNotEquals | B::ArnNotLike => (true, true),
        _ => return Tri::Sometimes,
    };
    match p.resolve(ctx, wildcards, false) {
        Resolved::Known(g) if arn => ArnGlob::from_glob(g).match_template(v),
        Resolved::Known(g) => g.match_template(v),
        Resolved::Unknown(..) => Tri::Sometimes,
        Resolved::Unresolvable(_) => Tri::Never,
    }
}

/// Does policy value `p` match request value `v` under the positive form of `base`?
fn positive_match(base: BaseOp, p: &VarText, v: &str, ctx: &Context) -> Tri {
    use BaseOp as B;
    match base {
        B::StringEquals | B::StringNotEquals => glob_match(p, v, ctx, false, false),
        B::StringEqualsIgnoreCase | B::StringNotEqualsIgnoreCase => {
            glob_match(p, v, ctx, false, true)
        }
        B::StringLike | B::StringNotLike => glob_match(p, v, ctx, true, false),
        B::Bool => glob_match(p, &v.to_ascii_lowercase(), ctx, false, true),
        B::BinaryEquals => Tri::from_bool(*p.text == *v),
        B::ArnEquals | B::ArnLike | B::ArnNotEquals | B::ArnNotLike => {
            match p.resolve(ctx, true, false) {
                Resolved::Known(g) => ArnGlob::from_glob(g).match_template(&Template::literal(v)),
                Resolved::Unknown(g) => {
                    match ArnGlob::from_glob(g).match_template(&Template::literal(v)) {
                        Tri::Never => Tri::Never,
                        _ => Tri::Sometimes,
                    }
                }
                Resolved::Unresolvable(_) => Tri::Never,
            }
        }
        B::NumericEquals
        | B::NumericNotEquals
        | B::NumericLessThan
        | B::NumericLessThanEquals
        | B::NumericGreaterThan
        | B::NumericGreaterThanEquals => {
            let (Ok(pv), Ok(rv)) = (p.text.trim().parse::<f64>(), v.trim().parse::<f64>()) else {
                return if p.text.trim().parse::<f64>().is_err() {
                    Tri::Sometimes
                } else {
                    Tri::Never
                };
            };
            Tri::from_bool(compare(base, rv.partial_cmp(&pv)))
        }
        B::DateEquals
        | B::DateNotEquals
        | B::DateLessThan
        | B::DateLessThanEquals
        | B::DateGreaterThan
        | B::DateGreaterThanEquals => {
            let (Some(pv), Some(rv)) = (parse_date(&p.text), parse_date(v)) else {
                return if parse_date(&p.text).is_none() {
                    Tri::Sometimes
                } else {
                    Tri::Never
                };
            };
            Tri::from_bool(compare(base, rv.partial_cmp(&pv)))
        }
        B::IpAddress | B::NotIpAddress => {
            let Some(net) = parse_cidr(&p.text) else {
                return Tri::Sometimes;
            };
            let Ok(ip) = v.trim().parse::<IpAddr>() else {
                return Tri::Never;
            };
            Tri::from_bool(net.contains(ip))
        }
        B::Null => Tri::Sometimes,
    }
}

fn compare(base: BaseOp, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let Some(ord) = ord else { return false };
    match base {
        BaseOp::NumericEquals
        | BaseOp::NumericNotEquals
        | BaseOp::DateEquals
        | BaseOp::DateNotEquals => ord == Equal,
        BaseOp::NumericLessThan | BaseOp::DateLessThan => ord == Less,
        BaseOp::NumericLessThanEquals | BaseOp::DateLessThanEquals => ord != Greater,
        BaseOp::NumericGreaterThan | BaseOp::DateGreaterThan => ord == Greater,
        BaseOp::NumericGreaterThanEquals | BaseOp::DateGreaterThanEquals => ord != Less,
        _ => false,
    }
}

fn glob_match(p: &VarText, v: &str, ctx: &Context, wildcards: bool, fold_case: bool) -> Tri {
    let value = if fold_case {
        v.to_lowercase()
    } else {
        v.to_owned()
    };
    match p.resolve(ctx, wildcards, fold_case) {
        Resolved::Known(g) => Tri::from_bool(g.matches(&value)),
        // The pattern stands in for every value the unknown variable may take.
        Resolved::Unknown(g) if g.matches(&value) => Tri::Sometimes,
        Resolved::Unknown(..) | Resolved::Unresolvable(_) => Tri::Never,
    }
}

/// A CIDR block.
struct Cidr {
    net: IpAddr,
    bits: u32,
}

impl Cidr {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.bits)
                };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.bits)
                };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

fn parse_cidr(text: &str) -> Option<Cidr> {
    let (addr, bits) = match text.trim().split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u32>().ok()?)),
        None => (text.trim(), None),
    };
    let net: IpAddr = addr.parse().ok()?;
    let max = if net.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some(Cidr { net, bits })
}

/// Seconds since the epoch for an ISO 8601 date or date-time, or a number of epoch seconds.
pub fn parse_date(text: &str) -> Option<f64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<f64>() {
        return Some(n);
    }
    let b = t.as_bytes();
    let num = |s: &str| s.parse::<i64>().ok();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(t.get(0..4)?)?, num(t.get(5..7)?)?, num(t.get(8..10)?)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    let mut secs = days as f64 * 86_400.0;
    let rest = &t[10..];
    if rest.is_empty() {
        return Some(secs);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (time, offset) = if let Some(stripped) = rest.strip_suffix(['Z', 'z']) {
        (stripped, 0.0)
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let (tm, off) = rest.split_at(pos);
        let sign = if off.starts_with('-') { -1.0 } else { 1.0 };
        let off = &off[1..];
        let (oh, om) = off
            .split_once(':')
            .unwrap_or((off.get(0..2)?, off.get(2..).unwrap_or("0")));
        let om = if om.is_empty() { "0" } else { om };
        (
            tm,
            sign * (oh.parse::<f64>().ok()? * 3600.0 + om.parse::<f64>().ok()? * 60.0),
        )
    } else {
        (rest, 0.0)
    };
    let mut parts = time.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let mi: f64 = parts.next().unwrap_or("0").parse().ok()?;
    let s: f64 = parts.next().unwrap_or("0").parse().ok()?;
    if parts.next().is_some() || h >= 24.0 || mi >= 60.0 || s >= 61.0 {
        return None;
    }
    secs += h * 3600.0 + mi * 60.0 + s - offset;
    Some(secs)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::json;

    fn conds(text: &str) -> Vec<Condition> {
        let v = json::parse(text).unwrap();
        parse_condition_block(text, v.span, true, &mut Interner::default(), &mut |_, _| {}).unwrap()
    }

    fn eval1(text: &str, ctx: &Context) -> Tri {
        let c = conds(text);
        assert_eq!(c.len(), 1);
        c[0].evaluate(ctx).tri
    }

    fn ctx(pairs: &[(&str, &[&str])]) -> Context {
        let mut c = Context::default();
        for (k, v) in pairs {
            c.set(k, v.iter().copied());
        }
        c
    }

    /// A statement may hold a hundred thousand conditions: each stays within 80 bytes, its
    /// one value and a short text of it in place (it was 112, then 96).
    #[test]
    fn a_condition_is_small() {
        assert!(std::mem::size_of::<Condition>() <= 72);
        assert!(std::mem::size_of::<Values>() <= 32);
        assert!(std::mem::size_of::<Op>() <= 4);
    }

    /// A short key is kept in place (no allocation); a long one is shared by the policy's
    /// conditions on it. An unknown operator keeps its name.
    #[test]
    fn short_keys_are_in_place_and_long_ones_shared() {
        let long = "aws:RequestTag/a-tag-name-longer-than-23";
        let text = format!(
            r#"{{"StringEquals":{{"aws:RequestTag/team":"a","{long}":"b"}},"StringLike":{{"{long}":"c*"}},"NoSuchOperator":{{"k":"v"}}}}"#
        );
        let conditions = conds(&text);
        let [short, a, b, unknown] = &conditions[..] else {
            panic!("four conditions: {conditions:?}")
        };
        assert!(!short.key.is_heap_allocated());
        assert_eq!((&*a.key, &*b.key), (long, long));
        assert!(a.key.is_heap_allocated() && a.key.as_ptr() == b.key.as_ptr());
        assert_eq!(
            unknown.operator(),
            Operator::Unknown("NoSuchOperator".into())
        );
        assert_eq!(unknown.operator().to_string(), "NoSuchOperator");
        assert_eq!(&text[unknown.at()..unknown.at() + 3], "\"k\"");
        assert!(matches!(
            b.operator(),
            Operator::Known {
                set: None,
                base: BaseOp::StringLike,
                if_exists: false
            }
        ));
    }

    /// A condition's key is found in the request whatever its case, with nothing stored
    /// lower-cased for an ASCII key; a key that is not ASCII compares as its Unicode
    /// lower-casing does (the Kelvin sign lower-cases to an ASCII `k`).
    #[test]
    fn keys_are_found_whatever_their_case() {
        let c = ctx(&[
            ("aws:RequestTag/Team", &["a"]),
            ("aws:RequestTag/\u{c4}rea", &["b"]),
            ("aws:RequestTag/k", &["c"]),
        ]);
        for (key, value) in [
            ("aws:requesttag/TEAM", "a"),
            ("AWS:REQUESTTAG/team", "a"),
            ("aws:requesttag/\u{e4}REA", "b"),
            ("aws:RequestTag/\u{c4}rea", "b"),
            ("aws:RequestTag/\u{212a}", "c"),
            ("aws:RequestTag/K", "c"),
        ] {
            let text = serde_json::json!({ "StringEquals": { key: value } }).to_string();
            assert_eq!(eval1(&text, &c), Tri::Always, "{key}");
            let other = serde_json::json!({ "StringEquals": { key: "z" } }).to_string();
            assert_eq!(eval1(&other, &c), Tri::Never, "{key}");
        }
        let unknown = r#"{"StringEquals":{"aws:RequestTag/Teams":"a"}}"#;
        assert_eq!(eval1(unknown, &c), Tri::Sometimes);
        // Names compare as their lower-cased texts would, in order too.
        let mut keys = ["b", "A", "a", "\u{e4}", "\u{c4}x", "[", "_", "Z"];
        keys.sort_by(|a, b| {
            let fold = |k: &'static str| {
                if k.is_ascii() {
                    FoldedKey::ascii(k)
                } else {
                    FoldedKey::lower(Box::leak(k.to_lowercase().into_boxed_str()))
                }
            };
            fold(a).cmp(&fold(b))
        });
        let lowered: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
        let mut sorted = lowered.clone();
        sorted.sort();
        assert_eq!(lowered, sorted);
    }

    #[test]
    fn string_operators() {
        let c = ctx(&[("iam:PassedToService", &["ec2.amazonaws.com"])]);
        assert_eq!(
            eval1(
                r#"{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}"#,
                &c
            ),
            Tri::Always
        );
        assert_eq!(
            eval1(
                r#"{"StringEquals":{"iam:passedtoservice":["x","ec2.amazonaws.com"]}}"#,
                &c
            ),
            Tri::Always
        );
        assert_eq!(
            eval1(
                r#"{"StringEquals":{"iam:PassedToService":"EC2.amazonaws.com"}}"#,
                &c
            ),
            Tri::Never
        );
        assert_eq!(
            eval1(
                r#"{"StringEqualsIgnoreCase":{"iam:PassedToService":"EC2.amazonaws.com"}}"#,
                &c
            ),
            Tri::Always
        );
        assert_eq!(
            eval1(
                r#"{"StringLike":{"iam:PassedToService":"ec2.amazonaws.com*"}}"#,
                &c
            ),
            Tri::Always
        );
        assert_eq!(
            eval1(
                r#"{"StringNotEquals":{"iam:PassedToService":["a","ec2.amazonaws.com"]}}"#,
                &c
            ),
            Tri::Never
        );
        assert_eq!(
            eval1(
                r#"{"StringNotLike":{"iam:PassedToService":["a*","b*"]}}"#,
                &c
            ),
            Tri::Always
        );
        // StringEquals treats * literally.
        assert_eq!(
            eval1(r#"{"StringEquals":{"iam:PassedToService":"ec2.*"}}"#, &c),
            Tri::Never
        );
    }

    #[test]
    fn unknown_and_absent_keys() {
        let c = Context::default();
        let out = conds(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#)[0].evaluate(&c);
        assert_eq!(out.tri, Tri::Sometimes);
        assert_eq!(out.depends_on.as_deref(), Some("aws:SourceVpc"));

        let mut a = Context::default();
        a.set_absent("aws:SourceVpc");
        assert_eq!(
            eval1(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#, &a),
            Tri::Never
        );
        assert_eq!(
            eval1(r#"{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}"#, &a),
            Tri::Always
        );
        assert_eq!(
            eval1(r#"{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}"#, &a),
            Tri::Always
        );
        assert_eq!(
            eval1(r#"{"Null":{"aws:SourceVpc":"true"}}"#, &a),
            Tri::Always
        );
        assert_eq!(
            eval1(r#"{"Null":{"aws:SourceVpc":"false"}}"#, &a),
            Tri::Never
        );
        assert_eq!(
            eval1(
                r#"{"ForAllValues:StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
                &a
            ),
            Tri::Always
        );
        assert_eq!(
            eval1(
                r#"{"ForAnyValue:StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
                &a
            ),
            Tri::Never
        );
    }

    #[test]
    fn unknown_keys_say_what_would_flip_the_result() {
        let c = Context::default();
        let note = |t: &str| conds(t)[0].evaluate(&c).note;
        assert!(
            note(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#)
                .ends_with("holds only when aws:SourceVpc is \"vpc-1\"")
        );
        assert!(note(r#"{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}"#)
            .ends_with("holds only when aws:RequestedRegion is none of [\"eu-west-1\", \"us-east-1\"] (or aws:RequestedRegion is absent)"));
        assert!(
            note(r#"{"Null":{"aws:TokenIssueTime":"true"}}"#)
                .ends_with("holds only when aws:TokenIssueTime is absent")
        );
        assert!(
            note(r#"{"NumericLessThanIfExists":{"autoscaling:MaxSize":"10"}}"#).ends_with(
                "autoscaling:MaxSize is below \"10\" (or autoscaling:MaxSize is absent)"
            )
        );
        assert!(
            note(r#"{"ForAnyValue:StringLike":{"aws:TagKeys":"team*"}}"#)
                .ends_with("some value of aws:TagKeys matches \"team*\"")
        );
    }

    #[test]
    fn set_operators() {
        let c = ctx(&[("aws:TagKeys", &["env", "team"])]);
        assert_eq!(
            eval1(
                r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team","x"]}}"#,
                &c
            ),
            Tri::Always
        );
        assert_eq!(
            eval1(
                r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}"#,
                &c
            ),
            Tri::Never
        );
        assert_eq!(
            eval1(
                r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}"#,
                &c
            ),
            Tri::Always
        );
        // A single-valued operator on a multivalued value is not guessed.
        assert_eq!(
            eval1(r#"{"StringEquals":{"aws:TagKeys":"env"}}"#, &c),
            Tri::Sometimes
        );
        let empty = ctx(&[("aws:TagKeys", &[])]);
        assert_eq!(
            eval1(
                r#"{"ForAllValues:StringEquals":{"aws:TagKeys":"env"}}"#,
                &empty
            ),
            Tri::Always
        );
    }

    #[test]
    fn numeric_date_bool_ip_arn_binary() {
        let c = ctx(&[
            ("autoscaling:MaxSize", &["10"]),
            ("aws:CurrentTime", &["2026-06-01T12:00:00Z"]),
            ("aws:SecureTransport", &["true"]),
            ("aws:SourceIp", &["10.1.2.3"]),
            (
                "aws:SourceArn",
                &["arn:aws:autoscaling:us-east-1:1:autoScalingGroup:u:autoScalingGroupName/a"],
            ),
            ("k:bin", &["QmluYXJ5"]),
        ]);
        assert_eq!(
            eval1(
                r#"{"NumericLessThanEquals":{"autoscaling:MaxSize":10}}"#,
                &c
            ),
            Tri::Always
        );
        assert_eq!(
            eval1(r#"{"NumericLessThan":{"autoscaling:MaxSize":"10"}}"#, &c),
            Tri::Never
        );
        assert_eq!(
            eval1(
                r#"{"NumericGreaterThan":{"autoscaling:MaxSize":"9.5"}}"#,
                &c
            ),
            Tri::Always
        );
        assert_eq!(
            eval1(r#"{"DateLessThan":{"aws:CurrentTime":"2027-01-01"}}"#, &c),
            Tri::Always
        );
        assert_eq!(
            eval1(
                r#"{"DateGreaterThan":{"aws:CurrentTime":"2026-06-01T13:00:00+02:00"}}"#,
                &c
            ),
            Tri::Always
        );
        assert_eq!(
            eval1(r#"{"Bool":{"aws:SecureTransport":true}}"#, &c),
            Tri::Always
        );
        assert_eq!(
            eval1(r#"{"Bool":{"aws:SecureTransport":"false"}}"#, &c),
            Tri::Never
        );
        assert_eq!(
            eval1(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#, &c),
            Tri::Always
        );
        assert_eq!(
            eval1(r#"{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8"]}}"#, &c),
            Tri::Never
        );
        assert_eq!(
            eval1(r#"{"IpAddress":{"aws:SourceIp":"10.1.2.3"}}"#, &c),
            Tri::Always
        );
        assert_eq!(
            eval1(
                r#"{"ArnLike":{"aws:SourceArn":"arn:aws:autoscaling:*:1:autoScalingGroup:*"}}"#,
                &c
            ),
            Tri::Always
        );
        assert_eq!(
            eval1(
                r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:autoscaling:*:2:*"}}"#,
                &c
            ),
            Tri::Never
        );
        assert_eq!(
            eval1(r#"{"BinaryEquals":{"k:bin":"QmluYXJ5"}}"#, &c),
            Tri::Always
        );
    }

    #[test]
    fn operator_parsing() {
        assert!(matches!(
            Operator::parse("StringLikeIfExists").0,
            Operator::Known {
                if_exists: true,
                base: BaseOp::StringLike,
                ..
            }
        ));
        assert!(matches!(
            Operator::parse("ForAnyValue:StringLike").0,
            Operator::Known {
                set: Some(SetOp::ForAnyValue),
                ..
            }
        ));
        assert!(Operator::parse("stringequals").1);
        assert!(matches!(
            Operator::parse("StringSortOf").0,
            Operator::Unknown(_)
        ));
        assert!(matches!(
            Operator::parse("NullIfExists").0,
            Operator::Unknown(_)
        ));
        let c = conds(r#"{"StringSortOf":{"a:b":"c"}}"#);
        assert_eq!(c[0].evaluate(&Context::default()).tri, Tri::Sometimes);
    }

    #[test]
    fn every_operator_has_help() {
        for op in BaseOp::ALL.iter().copied() {
            assert!(op.help().len() > 20, "{}", op.name());
        }
        let (o, _) = Operator::parse("ForAnyValue:StringLikeIfExists");
        let h = o.help();
        assert!(
            h.contains("ForAnyValue") && h.contains("IfExists") && h.contains("patterns"),
            "{h}"
        );
    }

    #[test]
    fn operator_names_with_multibyte_characters_do_not_panic() {
        // "ForAllValues" is 12 bytes and "ForAnyValue" 11: an é there straddles the prefix cut.
        for name in [
            "ForAllValues\u{e9}StringEquals",
            "ForAnyValue\u{e9}StringLike",
            "StringEquals\u{e9}fExists",
            "\u{1F600}IfExists",
            "é",
        ] {
            assert!(
                matches!(Operator::parse(name).0, Operator::Unknown(_)),
                "{name}"
            );
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-02"), Some(86_400.0));
        assert_eq!(parse_date("1970-01-01T01:00:00Z"), Some(3600.0));
        assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some(0.0));
        assert_eq!(parse_date("86400"), Some(86_400.0));
        assert_eq!(parse_date("yesterday"), None);
    }

    /// A value compiled apart from its text, as every value was before values were read in
    /// place: the reference the in-place reading must agree with.
    fn compiled_apart(base: BaseOp, value: &VarText) -> Compiled {
        let Some((wildcards, fold_case, arn)) = string_match(base) else {
            return Compiled::Not;
        };
        match value.resolve(&Context::default(), wildcards, fold_case) {
            _ if value.has_variables() => Compiled::Not,
            Resolved::Known(g) if arn => Compiled::Arn(ArnGlob::from_glob(g)),
            Resolved::Known(g) => Compiled::Glob(g),
            Resolved::Unknown(..) | Resolved::Unresolvable(_) => Compiled::Not,
        }
    }

    /// Every operator that compares strings (and a variant with each modifier).
    const OPS: [&str; 13] = [
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Bool",
        "StringLikeIfExists",
        "ForAnyValue:StringEquals",
    ];

    proptest::proptest! {
        /// A condition whose values are read in place from their text answers exactly as the
        /// same condition with every value compiled apart, for every string operator (and
        /// its negation and `IfExists`), whatever the values hold: wildcards, upper case,
        /// non-ASCII letters, runs of stars, escapes, colons.
        #[test]
        fn condition_values_read_in_place_agree_with_compiled_values(
            op in 0usize..13,
            values in proptest::collection::vec("([aAé:*?]|\\$\\{\\*\\}){0,6}", 1..3),
            request in "[aAé:*?]{0,6}",
            pick in 0usize..4,
        ) {
            // The request's value: random, or one of the values as written, upper-cased
            // or lower-cased (so literal, case-folded and wildcard matches all happen).
            let first = values[0].clone();
            let request = match pick {
                0 => first,
                1 => first.to_uppercase(),
                2 => first.to_lowercase(),
                _ => request,
            };
            let text = serde_json::json!({ OPS[op]: { "aws:RequestTag/k": values } }).to_string();
            let read = conds(&text);
            let mut apart = read.clone();
            for c in &mut apart {
                let Operator::Known { base, .. } = c.operator() else { continue };
                c.extra.get_or_insert_with(Box::default).compiled =
                    c.values.iter().map(|v| compiled_apart(base, v)).collect();
            }
            let c = ctx(&[("aws:RequestTag/k", &[request.as_str()])]);
            proptest::prop_assert_eq!(read[0].evaluate(&c).tri, apart[0].evaluate(&c).tri, "{}", text);
            proptest::prop_assert_eq!(read[0].tri(&c), apart[0].tri(&c), "{}", text);
            for i in 0..read[0].values.len() {
                proptest::prop_assert_eq!(
                    read[0].value_glob(i).map(|g| g.to_string()),
                    apart[0].value_glob(i).map(|g| g.to_string()),
                    "{}", text
                );
            }
        }
    }
}
