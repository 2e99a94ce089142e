//! Making a "conditional" exact.
//!
//! The first pass combines statements with three-valued logic, which is sound but can say
//! "conditional" when statements cover each other's gaps (an Allow for `k = a` and another
//! for `k ≠ a`). Here every unknown (a condition key, an unknown part of the resource ARN) is
//! replaced by one witness value for each case the policy's own patterns can tell apart,
//! found by exploring the product of their automata, so the enumeration is complete, not a
//! sample. Every combination is evaluated concretely; only when all are decided does the
//! result change. Anything not covered (other operators on unknown keys, set operators,
//! policy variables, several resources with unknown parts, too many cases) keeps the
//! conditional answer.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::policy::Statement;
use crate::policy::condition::{BaseOp, Operator};
use crate::policy::{Context, Request};
use crate::text::pattern::{Bits, FRESH, Glob, Piece, Template, Tok};

/// At most this many automaton states are explored for one unknown.
const MAX_STATES: usize = 4_000;
/// At most this many concrete requests are evaluated.
const MAX_CASES: usize = 2_048;

/// The concrete requests that together cover every case, or `None` when the statements use
/// something this cannot enumerate.
pub fn cases(req: &Request, statements: &[&Statement]) -> Option<Vec<Request>> {
    let keys = key_values(req, statements)?;
    let resource_parts = resource_parts(req, statements)?;
    combine(req, &keys, &resource_parts)
}

/// For each unknown condition key the statements test: one witness value per case the
/// statements' patterns can tell apart, and absent.
fn key_values(
    req: &Request,
    statements: &[&Statement],
) -> Option<Vec<(String, Vec<Option<String>>)>> {
    let mut keys: HashMap<String, (String, Vec<Glob>)> = HashMap::new();
    for st in statements {
        for c in &st.conditions {
            if req.context.get(&c.key).is_some() {
                continue;
            }
            let Operator::Known {
                set: None, base, ..
            } = &c.operator
            else {
                return None;
            };
            let entry = keys
                .entry(c.key.to_lowercase())
                .or_insert_with(|| (c.key.clone(), Vec::new()));
            for v in &c.values {
                if v.has_variables() {
                    return None;
                }
                let g = match base {
                    BaseOp::StringEquals | BaseOp::StringNotEquals => Glob::literal(&v.text, false),
                    BaseOp::StringLike | BaseOp::StringNotLike => Glob::new(&v.text, false),
                    BaseOp::Null => continue,
                    _ => return None,
                };
                entry.1.push(g);
            }
        }
    }
    let mut key_list: Vec<(String, Vec<Glob>)> = keys.into_values().collect();
    key_list.sort_by(|a, b| a.0.cmp(&b.0));
    let any = Template {
        pieces: vec![Piece::Hole("v".to_owned())],
    };
    key_list
        .into_iter()
        .map(|(key, globs)| {
            let mut values: Vec<Option<String>> =
                witnesses(&any, &globs)?.into_iter().map(Some).collect();
            values.push(None); // the key is absent
            Some((key, values))
        })
        .collect()
}

/// For a single resource with unknown parts: witnesses for each of its six ARN parts.
/// Empty when every resource is known.
fn resource_parts(req: &Request, statements: &[&Statement]) -> Option<Vec<Vec<String>>> {
    let mut resource_parts: Vec<Vec<String>> = Vec::new();
    match req.resources.as_slice() {
        [r] if !r.is_known() => {
            let parts = r.split_colons(6);
            if parts.len() != 6 {
                return None;
            }
            let mut seen: HashSet<&str> = HashSet::new();
            for (i, part) in parts.iter().enumerate() {
                for h in part.holes() {
                    if !seen.insert(h) {
                        return None; // one unknown in two parts: not independent
                    }
                }
                if part.is_known() {
                    resource_parts.push(vec![part.to_string()]);
                    continue;
                }
                let mut globs = Vec::new();
                for st in statements {
                    for compiled in &st.resources.compiled {
                        let g = compiled.as_ref()?;
                        match g.parts() {
                            Some(p) => globs.push(p[i].clone()),
                            // A whole-string pattern other than "*" spans parts.
                            None if g.glob().toks() == [Tok::Star] => {}
                            None => return None,
                        }
                    }
                }
                resource_parts.push(witnesses(part, &globs)?);
            }
        }
        rs if rs.iter().all(Template::is_known) => {}
        _ => return None,
    }
    Some(resource_parts)
}

/// Every combination of key values and resource parts, as concrete requests.
fn combine(
    req: &Request,
    keys: &[(String, Vec<Option<String>>)],
    resource_parts: &[Vec<String>],
) -> Option<Vec<Request>> {
    let mut total: usize = 1;
    for (_, values) in keys {
        total = total.checked_mul(values.len())?;
    }
    for p in resource_parts {
        total = total.checked_mul(p.len())?;
    }
    if total > MAX_CASES {
        return None;
    }
    let mut out = Vec::with_capacity(total);
    for n in 0..total {
        let mut rest = n;
        let mut context: Context = req.context.clone();
        for (key, values) in keys {
            let v = &values[rest % values.len()];
            rest /= values.len();
            match v {
                Some(v) => context.set(key, [v.clone()]),
                None => context.set_absent(key),
            }
        }
        let resources = if resource_parts.is_empty() {
            req.resources.clone()
        } else {
            let mut chosen = Vec::with_capacity(6);
            for p in resource_parts {
                chosen.push(p[rest % p.len()].clone());
                rest /= p.len();
            }
            vec![Template::literal(&chosen.join(":"))]
        };
        out.push(Request {
            action: req.action.clone(),
            resources,
            context,
        });
    }
    Some(out)
}

/// A product state: the template's positions, and each pattern's positions.
type State = (Bits, Vec<Bits>);

/// One string of `template` for every combination of `globs` matching or not that some
/// string of the template realises. `None` if there are too many states to explore.
pub fn witnesses(template: &Template, globs: &[Glob]) -> Option<Vec<String>> {
    let mut alphabet: Vec<char> = globs
        .iter()
        .flat_map(|g| {
            g.toks()
                .iter()
                .filter_map(|t| if let Tok::Lit(c) = t { Some(*c) } else { None })
        })
        .chain(template.pieces.iter().filter_map(|p| {
            if let Piece::Lit(c) = p {
                Some(*c)
            } else {
                None
            }
        }))
        .collect();
    alphabet.sort_unstable();
    alphabet.dedup();
    alphabet.push(FRESH);

    let start: State = (template.start(), globs.iter().map(Glob::start).collect());
    let mut seen: HashSet<State> = HashSet::new();
    let mut found: HashMap<Vec<bool>, String> = HashMap::new();
    let mut queue: VecDeque<(State, String)> = VecDeque::new();
    seen.insert(start.clone());
    queue.push_back((start, String::new()));
    while let Some(((tpl, gs), s)) = queue.pop_front() {
        if template.accepts(&tpl) {
            let accepts: Vec<bool> = globs.iter().zip(&gs).map(|(g, st)| g.accepts(st)).collect();
            found.entry(accepts).or_insert_with(|| s.clone());
        }
        for &c in &alphabet {
            let t2 = template.step(&tpl, c);
            if t2.is_empty() {
                continue;
            }
            let g2: Vec<Bits> = globs.iter().zip(&gs).map(|(g, st)| g.step(st, c)).collect();
            let next = (t2, g2);
            if seen.insert(next.clone()) {
                if seen.len() > MAX_STATES {
                    return None;
                }
                let mut s2 = s.clone();
                s2.push(c);
                queue.push_back((next, s2));
            }
        }
    }
    let mut out: Vec<String> = found.into_values().collect();
    out.sort();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn witnesses_cover_every_cell() {
        let globs = [Glob::new("a*", false), Glob::new("*b", false)];
        let w = witnesses(&Template::parse("{v}"), &globs).unwrap();
        let cells: HashSet<(bool, bool)> = w
            .iter()
            .map(|s| (globs[0].matches(s), globs[1].matches(s)))
            .collect();
        assert_eq!(cells.len(), 4, "{w:?}");
    }

    #[test]
    fn witnesses_respect_the_template() {
        let w = witnesses(
            &Template::parse("role/{r}"),
            &[Glob::new("role/app-*", false)],
        )
        .unwrap();
        assert!(w.iter().all(|s| s.starts_with("role/")));
        assert_eq!(w.len(), 2, "{w:?}");
    }
}
