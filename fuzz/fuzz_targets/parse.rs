//! Any bytes, in every input shape the loader detects: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(asg_perms::Loaded::Account(acc)) = asg_perms::load_bytes("fuzz", data) {
        for p in &acc.principals {
            let _ = acc.policy_set("fuzz", &p.name);
        }
    }
    // Wrapped forms of the same bytes.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = asg_perms::load_text("fuzz", &format!("{{\"PolicyVersion\":{{\"Document\":{text}}}}}"));
        let _ = asg_perms::percent_decode(text);
    }
});
