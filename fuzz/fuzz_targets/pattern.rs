//! Any resource pattern against any ARN template with unknown parts: never a panic, the work
//! of matching stays within its budget (counted, not timed), and a pattern is never said to
//! match every value of a template that one concrete value of it fails.
#![no_main]

use asg_perms::{Context, Loaded, PolicySet, Request, Status, Template, evaluate, load_text, pattern_work};
use libfuzzer_sys::fuzz_target;

/// The bound the reliability tests hold every hostile pattern to.
const WORK_BOUND: u64 = 20_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Layout: pattern \n template (`{name}` marks an unknown part) \n a concrete filling.
    let mut parts = text.splitn(3, '\n');
    let (Some(pattern), Some(template), filling) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    // Only what a JSON string holds without escapes, so the policy is the pattern as given.
    if pattern.chars().any(|c| c == '"' || c == '\\' || c.is_control()) {
        return;
    }
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":"{pattern}"}}]}}"#
    );
    let Ok(Loaded::Policy(p, _)) = load_text("fuzz", &policy) else { return };
    let set = PolicySet::single(p);
    let request = |t: Template| Request {
        action: "autoscaling:CreateAutoScalingGroup".to_owned(),
        resources: vec![t],
        context: Context::default(),
    };
    let before = pattern_work();
    let open = evaluate(&set, &request(Template::parse(template)));
    assert!(pattern_work() - before < WORK_BOUND, "work {}", pattern_work() - before);
    // Fill every unknown part with the same text: a value the template stands for. An
    // unknown part of an ARN holds no colon (the engine's ARN templates write their five
    // colons out), so the filling has none.
    if let Some(fill) = filling.map(|f| f.lines().next().unwrap_or_default().replace(':', "")) {
        let fill = fill.as_str();
        let mut concrete = String::new();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let Some(end) = rest[start..].find('}') else { break };
            concrete.push_str(&rest[..start]);
            concrete.push_str(fill);
            rest = &rest[start + end + 1..];
        }
        concrete.push_str(rest);
        let one = evaluate(&set, &request(Template::literal(&concrete)));
        if open.status == Status::Satisfied {
            assert_ne!(one.status, Status::Missing, "{template} satisfied but {concrete} missing");
        }
        if open.status == Status::Missing {
            assert_ne!(one.status, Status::Satisfied, "{template} missing but {concrete} satisfied");
        }
    }
});
