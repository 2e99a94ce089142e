//! The layers of `src/` import only downward: text → policy → engine → asg → io and report →
//! cli and app. A file may use its own layer and the ones below it, never one above.

#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use std::path::Path;

/// The rank of each top-level module; a file may import ranks at or below its own.
const LAYERS: [(&str, u8); 12] = [
    ("text", 0),
    ("policy", 1),
    ("engine", 2),
    ("asg", 3),
    ("io", 4),
    ("report", 4),
    ("simulate", 4),
    ("review", 4),
    ("diagnose", 4),
    ("infer", 4),
    ("cli", 5),
    ("app", 5),
];

fn rank(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut checked = 0;
    let mut violations = Vec::new();
    for path in all {
        let rel = path.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = top.trim_end_matches(".rs");
        let Some(own) = rank(top) else { continue };
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let module: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if let Some(r) = rank(&module) {
                    checked += 1;
                    if r > own {
                        violations.push(format!("{}:{}: {line}", rel.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(checked > 50, "the scan found only {checked} imports");
    assert!(
        violations.is_empty(),
        "imports of a higher layer:\n{}",
        violations.join("\n")
    );
}
