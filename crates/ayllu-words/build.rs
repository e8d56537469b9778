//! Embeds every catalogue file: each folder of `locales/` is a language (its name the
//! language tag), each `.ftl` file in it part of its catalogue. Adding a language is adding
//! a folder; nothing in the code names one but Spanish, the language every message has.

use std::fmt::Write;
use std::path::Path;

// Paths are given to Cargo relative to the package (and to `include_str!` through
// CARGO_MANIFEST_DIR): two checkouts sharing one target folder (a clean-clone CI run beside
// the work tree) then each watch and embed their own files, not the other's.
fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    println!("cargo:rerun-if-changed=locales");
    let mut langs: Vec<_> = std::fs::read_dir(&root)
        .expect("locales/")
        .map(|e| e.expect("locales/ entry").path())
        .filter(|p| p.is_dir())
        .collect();
    langs.sort();
    let mut out = String::from("pub(crate) static FILES: &[(&str, &str, &str)] = &[\n");
    for dir in langs {
        let tag = dir
            .file_name()
            .unwrap()
            .to_str()
            .expect("a language folder named by its tag");
        println!("cargo:rerun-if-changed=locales/{tag}");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect();
        files.sort();
        for f in files {
            let name = f.file_name().unwrap().to_str().unwrap();
            println!("cargo:rerun-if-changed=locales/{tag}/{name}");
            writeln!(
                out,
                "    ({tag:?}, {name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?}))),",
                format!("/locales/{tag}/{name}")
            )
            .unwrap();
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("files.rs");
    std::fs::write(dest, out).unwrap();
}
