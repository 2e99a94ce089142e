//! Validates the knowledge base at compile time. The data is embedded with `include_str!` in
//! `src/catalog.rs`; a broken catalog stops the build with messages naming file and entry.

#[path = "src/asg/catalog_check.rs"]
mod catalog_check;

fn main() {
    let path = "assets/catalog.json";
    println!("cargo:rerun-if-changed={path}");
    println!("cargo:rerun-if-changed=src/asg/catalog_check.rs");
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            println!("cargo::error={path}: cannot read the knowledge base: {e}");
            return;
        }
    };
    for error in catalog_check::check_catalog(path, &text) {
        println!("cargo::error={error}");
    }
}
