//! Build script: rebuild when any file of the embedded default theme is
//! added, removed or changed (the `include_dir!` macro only tracks the files
//! that existed when it last ran).

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
}
