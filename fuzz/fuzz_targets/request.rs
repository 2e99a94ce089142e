//! Any text as a request in each format the name hints at (YAML, Terraform, JSON, a shell
//! script) and with no hint: never a panic, and every place an answer or error names lies
//! inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Lines end at \n, \r\n or a lone \r, as everywhere in the project (and in YAML).
    let lone_cr = text.as_bytes().windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count()
        + usize::from(text.ends_with('\r'));
    let lines = text.matches('\n').count() + lone_cr + 1;
    for name in [Some("t.yaml"), Some("main.tf"), Some("t.json"), Some("run.sh"), None] {
        match asg_perms::infer_named(name, text) {
            Ok(requests) => {
                for r in &requests {
                    assert!(r.line >= 1 && r.line <= lines, "{name:?}: call at line {}", r.line);
                    for w in &r.why {
                        assert!(w.line >= 1 && w.line <= lines, "{name:?}: {} at line {}", w.what, w.line);
                    }
                    let _ = r.to_text();
                }
            }
            Err(e) => assert!(!e.message.is_empty()),
        }
    }
});
