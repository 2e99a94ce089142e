//! The condition operators: one table of every documented operator (its name, whether it is
//! negated, whether its values take policy variables, what it does in words), and the parser
//! of qualified names (`ForAnyValue:StringLikeIfExists`).

use std::fmt;

/// Defines [`BaseOp`] and its properties from one table, so a name is written once.
macro_rules! operators {
    ($($op:ident, negated: $negated:literal, variables: $variables:literal, $help:literal;)*) => {
        /// The base comparison of an operator.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum BaseOp {
            $($op,)*
        }

        impl BaseOp {
            /// Every documented operator.
            pub const ALL: &[BaseOp] = &[$(BaseOp::$op,)*];

            /// The name as AWS documents it.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$op => stringify!($op),)*
                }
            }

            /// What the operator does, in a sentence for learners.
            pub fn help(self) -> &'static str {
                match self {
                    $(Self::$op => $help,)*
                }
            }

            /// Negated operators hold when no policy value matches.
            pub fn negated(self) -> bool {
                match self {
                    $(Self::$op => $negated,)*
                }
            }

            /// Operators whose values may hold policy variables.
            pub(crate) fn takes_variables(self) -> bool {
                match self {
                    $(Self::$op => $variables,)*
                }
            }
        }
    };
}

operators! {
    StringEquals, negated: false, variables: true,
        "The request value must equal one of the listed strings exactly (case matters).";
    StringNotEquals, negated: true, variables: true,
        "The request value must equal none of the listed strings (case matters).";
    StringEqualsIgnoreCase, negated: false, variables: true,
        "Like StringEquals, but upper and lower case count as the same.";
    StringNotEqualsIgnoreCase, negated: true, variables: true,
        "Like StringNotEquals, but upper and lower case count as the same.";
    StringLike, negated: false, variables: true,
        "The request value must match one of the patterns; * stands for any run of characters and ? for one character.";
    StringNotLike, negated: true, variables: true,
        "The request value must match none of the patterns (* and ? are wildcards).";
    NumericEquals, negated: false, variables: false,
        "The request number must equal one of the listed numbers.";
    NumericNotEquals, negated: true, variables: false,
        "The request number must equal none of the listed numbers.";
    NumericLessThan, negated: false, variables: false,
        "The request number must be below the listed number.";
    NumericLessThanEquals, negated: false, variables: false,
        "The request number must be at most the listed number.";
    NumericGreaterThan, negated: false, variables: false,
        "The request number must be above the listed number.";
    NumericGreaterThanEquals, negated: false, variables: false,
        "The request number must be at least the listed number.";
    DateEquals, negated: false, variables: false,
        "The request date must be exactly the listed date.";
    DateNotEquals, negated: true, variables: false,
        "The request date must differ from the listed date.";
    DateLessThan, negated: false, variables: false,
        "The request date must be before the listed date.";
    DateLessThanEquals, negated: false, variables: false,
        "The request date must be at or before the listed date.";
    DateGreaterThan, negated: false, variables: false,
        "The request date must be after the listed date.";
    DateGreaterThanEquals, negated: false, variables: false,
        "The request date must be at or after the listed date.";
    Bool, negated: false, variables: true,
        "The request value must be the listed true or false, for example whether MFA was used.";
    BinaryEquals, negated: false, variables: false,
        "The request value must equal the listed base64-encoded bytes.";
    IpAddress, negated: false, variables: false,
        "The request's IP address must fall in one of the listed ranges (CIDR).";
    NotIpAddress, negated: true, variables: false,
        "The request's IP address must fall in none of the listed ranges.";
    ArnEquals, negated: false, variables: true,
        "The request ARN must match one of the listed ARNs, part by part; * and ? are wildcards within a part.";
    ArnLike, negated: false, variables: true,
        "The request ARN must match one of the listed ARNs, part by part; * and ? are wildcards within a part.";
    ArnNotEquals, negated: true, variables: true,
        "The request ARN must match none of the listed ARNs.";
    ArnNotLike, negated: true, variables: true,
        "The request ARN must match none of the listed ARNs.";
    Null, negated: false, variables: false,
        "\"true\": the key must be absent from the request; \"false\": it must be present.";
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetOp {
    /// Every request value must match; true when the key is absent or empty.
    ForAllValues,
    /// Some request value must match; false when the key is absent.
    ForAnyValue,
}

/// A parsed operator, or one the engine does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operator {
    /// A documented operator.
    Known {
        /// Set qualifier.
        set: Option<SetOp>,
        /// Base comparison.
        base: BaseOp,
        /// `...IfExists`.
        if_exists: bool,
    },
    /// Not a documented operator: a statement using it is not evaluable.
    Unknown(std::sync::Arc<str>),
}

impl Operator {
    /// Parses an operator name. The second value is true when the casing differs from the
    /// documented one (AWS matches operator names case-insensitively in practice, but only
    /// documents one spelling).
    pub fn parse(text: &str) -> (Self, bool) {
        let mut rest = text;
        let mut set = None;
        let mut odd_case = false;
        for (prefix, op) in [
            ("ForAllValues:", SetOp::ForAllValues),
            ("ForAnyValue:", SetOp::ForAnyValue),
        ] {
            // `get` and not indexing: a multi-byte character may straddle the cut.
            if let Some(head) = rest.get(..prefix.len())
                && head.eq_ignore_ascii_case(prefix)
            {
                odd_case |= head != prefix;
                set = Some(op);
                rest = &rest[prefix.len()..];
                break;
            }
        }
        let mut if_exists = false;
        if rest.len() > 8
            && rest.is_char_boundary(rest.len() - 8)
            && rest[rest.len() - 8..].eq_ignore_ascii_case("IfExists")
        {
            odd_case |= &rest[rest.len() - 8..] != "IfExists";
            if_exists = true;
            rest = &rest[..rest.len() - 8];
        }
        let Some(base) = BaseOp::ALL
            .iter()
            .copied()
            .find(|op| op.name().eq_ignore_ascii_case(rest))
        else {
            return (Self::Unknown(text.into()), false);
        };
        odd_case |= base.name() != rest;
        if base == BaseOp::Null && if_exists {
            return (Self::Unknown(text.into()), false);
        }
        (
            Self::Known {
                set,
                base,
                if_exists,
            },
            odd_case,
        )
    }
}

impl Operator {
    /// An explanation of the operator with its qualifiers, for learners.
    pub fn help(&self) -> String {
        match self {
            Self::Unknown(t) => format!(
                "\"{t}\" is not an operator AWS documents: statements using it are not evaluated, and results that depend on them show as conditional."
            ),
            Self::Known {
                set,
                base,
                if_exists,
            } => {
                let mut s = base.help().to_owned();
                match set {
                    Some(SetOp::ForAllValues) => s.push_str(" ForAllValues: every value in the request must pass (also true when the request has no values)."),
                    Some(SetOp::ForAnyValue) => s.push_str(" ForAnyValue: at least one value in the request must pass (false when the request has none)."),
                    None => {}
                }
                if *if_exists {
                    s.push_str(" IfExists: if the request does not carry the key at all, the condition holds.");
                }
                s
            }
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(t) => f.write_str(t),
            Self::Known {
                set,
                base,
                if_exists,
            } => {
                match set {
                    Some(SetOp::ForAllValues) => f.write_str("ForAllValues:")?,
                    Some(SetOp::ForAnyValue) => f.write_str("ForAnyValue:")?,
                    None => {}
                }
                f.write_str(base.name())?;
                if *if_exists {
                    f.write_str("IfExists")?;
                }
                Ok(())
            }
        }
    }
}
