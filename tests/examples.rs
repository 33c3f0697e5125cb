//! Every `examples/*.sg` script, run by the `symgrad` binary at width 80,
//! with its output snapshotted in `examples/NAME.out`
//! (`UPDATE_EXPECT=1 cargo test --test examples` rewrites the snapshots),
//! from the repository's root (where the scripts' data paths start).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The example scripts, in name order.
fn scripts() -> Vec<PathBuf> {
    let mut scripts: Vec<_> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "sg"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no example scripts found");
    scripts
}

/// `script` run by the binary at `width` from the root, as it succeeded,
/// with its standard output and error as text.
fn run(script: &Path, width: usize) -> (String, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_symgrad"))
        .current_dir(root())
        .args(["--width", &width.to_string()])
        .arg(script)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 errors");
    assert!(
        out.status.success(),
        "{} failed at width {width}:\n{stderr}",
        script.display()
    );
    for line in stdout.lines() {
        assert!(
            line.chars().count() <= width,
            "{} at width {width}: line of {} columns:\n{line}",
            script.display(),
            line.chars().count()
        );
    }
    (stdout, stderr)
}

#[test]
fn every_example_script_matches_its_snapshot() {
    for script in scripts() {
        let (stdout, stderr) = run(&script, 80);
        assert!(
            stderr.is_empty(),
            "{} wrote to stderr:\n{stderr}",
            script.display()
        );
        expect_test::expect_file![script.with_extension("out")].assert_eq(&stdout);
    }
}

/// Every example script at widths 40 and 120: no output line is wider.
#[test]
fn every_example_script_fits_narrow_and_wide_lines() {
    for width in [40, 120] {
        for script in scripts() {
            run(&script, width);
        }
    }
}
