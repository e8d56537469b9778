//! Embeds every catalogue file: each folder of `locales/` is a language (its name the
//! language tag), each `.ftl` file in it part of its catalogue. Adding a language is adding
//! a folder; nothing in the code names one but Spanish, the language every message has.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut langs: Vec<_> = std::fs::read_dir(&root)
        .expect("locales/")
        .map(|e| e.expect("locales/ entry").path())
        .filter(|p| p.is_dir())
        .collect();
    langs.sort();
    let mut out = String::from("pub(crate) static FILES: &[(&str, &str, &str)] = &[\n");
    for dir in langs {
        println!("cargo:rerun-if-changed={}", dir.display());
        let tag = dir
            .file_name()
            .unwrap()
            .to_str()
            .expect("a language folder named by its tag");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect();
        files.sort();
        for f in files {
            println!("cargo:rerun-if-changed={}", f.display());
            let name = f.file_name().unwrap().to_str().unwrap();
            writeln!(
                out,
                "    ({tag:?}, {name:?}, include_str!({:?})),",
                f.display().to_string()
            )
            .unwrap();
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("files.rs");
    std::fs::write(dest, out).unwrap();
}
