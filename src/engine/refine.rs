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
use crate::text::pattern::{Glob, Piece, Template, Tok};

/// At most this many automaton states are explored for one unknown.
const MAX_STATES: usize = 4_000;
/// At most this many concrete requests are evaluated.
const MAX_CASES: usize = 2_048;
/// A character none of the patterns name.
const FRESH: char = '\u{10FFFD}';

/// The concrete requests that together cover every case, or `None` when the statements use
/// something this cannot enumerate.
pub fn cases(req: &Request, statements: &[&Statement]) -> Option<Vec<Request>> {
    let mut dims: Vec<Dim> = Vec::new();

    // Unknown condition keys.
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
    for (key, globs) in key_list {
        let any = Template {
            pieces: vec![Piece::Hole("v".to_owned())],
        };
        let mut values: Vec<Option<String>> =
            witnesses(&any, &globs)?.into_iter().map(Some).collect();
        values.push(None); // the key is absent
        dims.push(Dim::Key(key, values));
    }

    // Unknown parts of the resource: only for a single resource, part by part.
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

    // Every combination.
    let mut total: usize = 1;
    for d in &dims {
        total = total.checked_mul(d.len())?;
    }
    for p in &resource_parts {
        total = total.checked_mul(p.len())?;
    }
    if total > MAX_CASES {
        return None;
    }
    let mut out = Vec::with_capacity(total);
    for n in 0..total {
        let mut rest = n;
        let mut context: Context = req.context.clone();
        for d in &dims {
            let Dim::Key(key, values) = d;
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
            for p in &resource_parts {
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

enum Dim {
    Key(String, Vec<Option<String>>),
}

impl Dim {
    fn len(&self) -> usize {
        match self {
            Self::Key(_, v) => v.len(),
        }
    }
}

/// A product state: the template's positions, and each pattern's positions.
type State = (Vec<bool>, Vec<Vec<bool>>);

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

    let start: State = (
        template_closure(
            template,
            vec![true]
                .into_iter()
                .chain(std::iter::repeat_n(false, template.pieces.len()))
                .collect(),
        ),
        globs.iter().map(glob_start).collect(),
    );
    let mut seen: HashSet<State> = HashSet::new();
    let mut found: HashMap<Vec<bool>, String> = HashMap::new();
    let mut queue: VecDeque<(State, String)> = VecDeque::new();
    seen.insert(start.clone());
    queue.push_back((start, String::new()));
    while let Some(((tpl, gs), s)) = queue.pop_front() {
        if tpl.last().copied().unwrap_or(false) {
            let accepts: Vec<bool> = globs
                .iter()
                .zip(&gs)
                .map(|(g, st)| st[g.toks().len()])
                .collect();
            found.entry(accepts).or_insert_with(|| s.clone());
        }
        for &c in &alphabet {
            let t2 = template_step(template, &tpl, c);
            if !t2.iter().any(|b| *b) {
                continue;
            }
            let g2: Vec<Vec<bool>> = globs
                .iter()
                .zip(&gs)
                .map(|(g, st)| glob_step(g, st, c))
                .collect();
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

fn template_closure(t: &Template, mut set: Vec<bool>) -> Vec<bool> {
    for (i, p) in t.pieces.iter().enumerate() {
        if set[i] && matches!(p, Piece::Hole(_)) {
            set[i + 1] = true;
        }
    }
    set
}

fn template_step(t: &Template, from: &[bool], c: char) -> Vec<bool> {
    let mut to = vec![false; t.pieces.len() + 1];
    for (i, p) in t.pieces.iter().enumerate() {
        if !from[i] {
            continue;
        }
        match p {
            Piece::Lit(l) if *l == c => to[i + 1] = true,
            Piece::Lit(_) => {}
            Piece::Hole(_) => to[i] = true,
        }
    }
    template_closure(t, to)
}

fn glob_start(g: &Glob) -> Vec<bool> {
    let mut s = vec![false; g.toks().len() + 1];
    s[0] = true;
    glob_closure(g, s)
}

fn glob_closure(g: &Glob, mut set: Vec<bool>) -> Vec<bool> {
    for (i, t) in g.toks().iter().enumerate() {
        if set[i] && *t == Tok::Star {
            set[i + 1] = true;
        }
    }
    set
}

fn glob_step(g: &Glob, from: &[bool], c: char) -> Vec<bool> {
    let mut to = vec![false; g.toks().len() + 1];
    for (i, t) in g.toks().iter().enumerate() {
        if !from[i] {
            continue;
        }
        match t {
            Tok::Star => to[i] = true,
            Tok::One => to[i + 1] = true,
            Tok::Lit(l) if *l == c => to[i + 1] = true,
            Tok::Lit(_) => {}
        }
    }
    glob_closure(g, to)
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
