//! The documentation against the program: the reference part of
//! `docs/language.md` is the one `:help`'s tables generate, and every REPL
//! transcript in the README (lines starting `» `) reproduces when typed in
//! order into one session, output for output.
//!
//! `UPDATE_EXPECT=1` rewrites the generated part of `docs/language.md`
//! (review the diff); README transcripts are never rewritten.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use symgrad_lang::{BUILTINS, Session, help_reference};

const BEGIN: &str =
    "<!-- generated from :help by tests/docs.rs (UPDATE_EXPECT=1 rewrites it) -->\n";
const END: &str = "<!-- end of the generated reference -->";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_language_reference_is_the_one_help_generates() {
    let path = root().join("docs/language.md");
    let doc = std::fs::read_to_string(&path).expect("docs/language.md");
    let start = doc.find(BEGIN).expect("the generated-part marker") + BEGIN.len();
    let end = doc.find(END).expect("the end marker");
    let generated = help_reference();
    if doc[start..end] != generated {
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            let updated = format!("{}{generated}{}", &doc[..start], &doc[end..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!(
                "docs/language.md's reference differs from :help's tables; \
                 UPDATE_EXPECT=1 cargo test -p symgrad-lang --test docs rewrites it"
            );
        }
    }
}

#[test]
fn every_builtin_has_help_that_shows_its_usage() {
    let mut s = Session::new();
    for b in BUILTINS {
        let mut out = String::new();
        s.run(&format!(":help {}", b.name), "<test>", &mut |t| {
            out.push_str(t)
        })
        .unwrap_or_else(|e| panic!(":help {}: {e}", b.name));
        // A long usage is wrapped over lines: compare the words.
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words(&out).contains(&words(b.usage)),
            ":help {} shows {out}",
            b.name
        );
    }
}

/// One REPL statement of the README and the lines it should print.
struct Step {
    block: usize,
    /// Index in the README of the `» ` line.
    line: usize,
    input: String,
    expected: Vec<String>,
}

/// The `» ` statements of the README's code blocks, in order.
fn readme_steps(readme: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let (mut in_block, mut block) = (false, 0);
    for (at, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_block = !in_block;
            block += usize::from(in_block);
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(input) = line.strip_prefix("» ") {
            steps.push(Step {
                block,
                line: at,
                input: input.to_string(),
                expected: Vec::new(),
            });
        } else if let Some(step) = steps.last_mut().filter(|s| s.block == block) {
            step.expected.push(line.to_string());
        }
    }
    steps
}

/// True when `got` matches `expected`, where an expected line `⋮` or one
/// starting with `...` stands for any number of lines.
fn matches(expected: &[String], got: &[String]) -> bool {
    match expected.split_first() {
        None => got.is_empty(),
        Some((e, rest)) if e.trim() == "⋮" || e.trim_start().starts_with("...") => {
            (0..=got.len()).any(|k| matches(rest, &got[k..]))
        }
        Some((e, rest)) => got
            .split_first()
            .is_some_and(|(g, more)| g.trim_end() == e.trim_end() && matches(rest, more)),
    }
}

#[test]
fn the_readme_transcripts_reproduce_in_one_session() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    // The files the Data section loads, made as its comments say.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme");
    std::fs::create_dir_all(&dir).unwrap();
    let made = std::process::Command::new("python3")
        .arg("-c")
        .arg("import numpy as np; np.save('X.npy', np.arange(6.0).reshape(2, 3) / 4)")
        .current_dir(&dir)
        .status()
        .expect("python3 with numpy makes X.npy");
    assert!(made.success());
    let made = std::process::Command::new("python3")
        .arg("-c")
        .arg("import numpy as np; np.savez('arrays.npz', X=np.arange(6.0).reshape(2, 3) / 4, y=np.array([1, 0]))")
        .current_dir(&dir)
        .status()
        .expect("python3 with numpy makes arrays.npz");
    assert!(made.success());
    std::fs::write(
        dir.join("losses.csv"),
        "epoch,loss\n1,0.9\n2,0.7\n3,0.6\n4,0.5\n",
    )
    .unwrap();

    let mut s = Session::new();
    let lines = Rc::new(RefCell::new(Vec::<String>::new()));
    let (notes, progress) = (Rc::clone(&lines), Rc::clone(&lines));
    s.set_notes(Box::new(move |n| {
        notes.borrow_mut().push(format!("note: {n}"))
    }));
    s.set_progress(Box::new(move |p| progress.borrow_mut().push(p.to_string())));
    let mut failures = Vec::new();
    // With UPDATE_EXPECT=1 the expected lines that no longer match are
    // replaced by what the session printed, for review as a diff.
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut rewritten: Vec<String> = readme.lines().map(str::to_string).collect();
    let mut edits: Vec<(usize, usize, Vec<String>)> = Vec::new();
    let root_prefix = format!("{}/", root().display());
    for step in readme_steps(&readme) {
        // An expected `^C` shows a run interrupted by hand: not typed here.
        if step.expected.iter().any(|l| l.trim() == "^C") {
            continue;
        }
        // Files are read and written in the temporary directory.
        let mut input = step.input.clone();
        for file in ["X.npy", "arrays.npz", "losses.csv", "descent.svg", "W1.npy"] {
            input = input.replace(&format!("{file:?}"), &format!("{:?}", dir.join(file)));
        }
        // Files of the repository are read from its root.
        input = input.replace("\"examples/", &format!("\"{root_prefix}examples/"));
        let mut out = Vec::new();
        if let Err(e) = s.run(&input, "<input>", &mut |t| {
            lines.borrow_mut().push(t.to_string())
        }) {
            lines.borrow_mut().push(e);
        }
        out.extend(
            lines
                .borrow_mut()
                .drain(..)
                .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
                .map(|l| {
                    l.replace(&format!("{}/", dir.display()), "")
                        .replace(&root_prefix, "")
                }),
        );
        if !matches(&step.expected, &out) {
            edits.push((step.line + 1, step.expected.len(), out.clone()));
            failures.push(format!(
                "» {}\nexpected:\n{}\ngot:\n{}\n",
                step.input,
                step.expected.join("\n"),
                out.join("\n")
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if update && !edits.is_empty() {
        for (start, len, out) in edits.into_iter().rev() {
            rewritten.splice(start..start + len, out);
        }
        let mut text = rewritten.join("\n");
        text.push('\n');
        std::fs::write(root().join("README.md"), text).unwrap();
        return;
    }
    assert!(
        failures.is_empty(),
        "{} README statements print something else:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}
