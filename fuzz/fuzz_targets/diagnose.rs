//! Any text as an error message or decoded authorization message, then as a command line or
//! request JSON: never a panic, and an answer or a clear refusal.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(mut d) = asg_perms::diagnose(text) {
            d.evaluate(&asg_perms::PolicySet::default());
            let _ = d.to_text();
        }
        let _ = asg_perms::infer(text);
    }
});
