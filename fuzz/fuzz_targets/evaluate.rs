//! Arbitrary parsed policies against arbitrary requests: never a panic, and a fully known
//! request is always decided.
#![no_main]

use asg_perms::{Context, PolicySet, Request, Status, evaluate};
use asg_perms::{Loaded, load_text};
use asg_perms::Template;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Layout: action \n resource template \n key=value;key=value \n policy JSON
    let mut parts = text.splitn(4, '\n');
    let (Some(action), Some(resource), Some(keys), Some(policy)) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let Ok(Loaded::Policy(p, _)) = load_text("fuzz", policy) else { return };
    let mut context = Context::default();
    for kv in keys.split(';') {
        match kv.split_once('=') {
            Some((k, "")) => context.set_absent(k),
            Some((k, v)) => context.set(k, v.split(',').map(str::to_owned)),
            None => {}
        }
    }
    let template = Template::parse(resource);
    let known = template.is_known();
    let req = Request {
        action: action.to_owned(),
        resources: vec![template],
        context,
    };
    let d = evaluate(&PolicySet::single(p.clone()), &req);
    // With every resource part known and no condition in the policy, nothing can be open.
    if known && p.statements.iter().all(|s| s.conditions.is_empty() && s.resources.patterns().all(|r| r.variables().is_none())) {
        assert_ne!(d.status, Status::Conditional, "{}", d.explanation);
    }
    let _ = d.explanation.len();
});
