//! `load`: CSV and NPY files written by the tests, read back with their
//! values, shapes and orders, and every error message.

mod support;

use expect_test::{Expect, expect};
use std::path::{Path, PathBuf};
use support::error_line;
use symgrad_lang::Session;

/// A fresh directory for one test's files, under the build's `target/tmp`.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("data-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `src` with `$` standing for `dir`, in text output; the outputs (or
/// the error) with `dir` written as `$` again.
fn run(dir: &Path, src: &str) -> String {
    let d = dir.display().to_string();
    let mut session = Session::new();
    let mut out = Vec::new();
    let src = format!(":set output text\n{}", src.replace('$', &d));
    if let Err(e) = session.run(&src, "<test>", &mut |s| out.push(s.to_string())) {
        out.push(e);
    }
    out.join("\n").replace(&d, "$")
}

/// The error message as one line, though it is wrapped at the width (the
/// rest, a caret under the file name, depends on the directory's length).
fn message(dir: &Path, src: &str) -> String {
    error_line(&run(dir, src))
}

#[track_caller]
fn check(dir: &Path, src: &str, expected: Expect) {
    expected.assert_eq(&run(dir, src));
}

/// A .npy file (format 1.0) by hand: magic, version, header length, the
/// header dict padded with spaces to a multiple of 64 bytes and ended by a
/// newline, then the raw data.
fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
    let order = if fortran { "True" } else { "False" };
    // A structured dtype is a list; a plain one a quoted type string.
    let descr = if descr.starts_with('[') {
        descr.to_string()
    } else {
        format!("'{descr}'")
    };
    let mut header = format!("{{'descr': {descr}, 'fortran_order': {order}, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

fn le_f64(xs: &[f64]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn csv_files() {
    let dir = scratch("csv");
    write(&dir, "ints.csv", "x,y,label\n1, 2,3\n-4,5,6\n");
    write(&dir, "floats.csv", "0.5,2\n1e3,-0.25\n");
    write(&dir, "column.csv", "1.5\n2.5\n3.5\n");
    write(&dir, "quoted.csv", "\"1\",\"2\"\n\n3,4\n");
    // A header is skipped; integers stay exact (x/2 gives fractions).
    check(
        &dir,
        "X = load(\"$/ints.csv\")\nX\nshape(X)\nX/2",
        expect![[r#"
        [[1, 2, 3], [-4, 5, 6]]
        [[2, 3]]
        [[1/2, 1, 3/2], [-2, 5/2, 3]]"#]],
    );
    check(
        &dir,
        "load(\"$/floats.csv\")",
        expect!["[[0.5, 2.0], [1000.0, -0.25]]"],
    );
    check(
        &dir,
        "shape(load(\"$/column.csv\"))\nload(\"$/column.csv\")",
        expect![[r#"
        [[3, 1]]
        [1.5, 2.5, 3.5]"#]],
    );
    // Quotes are read as by any CSV reader; empty lines are skipped.
    check(&dir, "load(\"$/quoted.csv\")", expect!["[[1, 2], [3, 4]]"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn csv_errors() {
    let dir = scratch("csv-errors");
    write(&dir, "ragged.csv", "1,2,3\n4,5\n");
    write(&dir, "word.csv", "a,b\n1,2\n3,x\n");
    write(&dir, "hole.csv", "1,,3\n");
    write(&dir, "header.csv", "a,b\n");
    write(&dir, "mixed_header.csv", "a,1\n2,3\n");
    write(&dir, "latin1.csv", b"1,\xe9\n");
    let errors = [
        "ragged.csv",
        "word.csv",
        "hole.csv",
        "header.csv",
        "mixed_header.csv",
        "latin1.csv",
        "missing.csv",
        "data.txt",
    ]
    .map(|name| message(&dir, &format!("load(\"$/{name}\")")));
    expect![[r#"
        error: $/ragged.csv, line 2: 2 values, but line 1 has 3 values
        error: $/word.csv, line 3, column 2: 'x' is not a number
        error: $/hole.csv, line 1, column 2: an empty cell is not a number
        error: $/header.csv holds no numbers
        error: $/mixed_header.csv, line 1, column 1: 'a' is not a number
        error: $/latin1.csv, line 1: not UTF-8 text
        error: cannot read $/missing.csv: No such file or directory (os error 2)
        error: load reads .csv, .npy, .npz, .csv.gz and .npy.gz files; cannot tell what "$/data.txt" holds"#]]
    .assert_eq(&errors.join("\n"));
    expect![[r#"
        error: load takes a file name in quotes, such as "data.csv"
          --> <test>:2:6
          |
        2 | load(3)
          |      ^
    "#]]
    .assert_eq(&run(&dir, "load(3)"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn npy_files() {
    let dir = scratch("npy");
    // np.save("c.npy", np.array([[1.5, 2, 3], [4, 5, 6]]))
    write(
        &dir,
        "c.npy",
        npy(
            "<f8",
            false,
            "(2, 3)",
            &le_f64(&[1.5, 2.0, 3.0, 4.0, 5.0, 6.0]),
        ),
    );
    // The same matrix in Fortran order: stored column by column.
    write(
        &dir,
        "f.npy",
        npy(
            "<f8",
            true,
            "(2, 3)",
            &le_f64(&[1.5, 4.0, 2.0, 5.0, 3.0, 6.0]),
        ),
    );
    // 1-D: a column.
    write(
        &dir,
        "v.npy",
        npy("<f8", false, "(3,)", &le_f64(&[0.25, -1.0, 1e-300])),
    );
    let f4: Vec<u8> = [0.5f32, -2.0]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    write(&dir, "f4.npy", npy("<f4", false, "(1, 2)", &f4));
    let be: Vec<u8> = [1.25f64, 3.0]
        .iter()
        .flat_map(|x| x.to_be_bytes())
        .collect();
    write(&dir, "be.npy", npy(">f8", false, "(2,)", &be));
    let i4: Vec<u8> = [7i32, -8, 9, 10]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    write(&dir, "i4.npy", npy("<i4", true, "(2, 2)", &i4));
    write(&dir, "u1.npy", npy("|u1", false, "(3,)", &[0, 255, 3]));
    let u8max = u64::MAX.to_le_bytes();
    write(&dir, "u8.npy", npy("<u8", false, "(1,)", &u8max));
    check(
        &dir,
        "load(\"$/c.npy\")\nload(\"$/f.npy\") - load(\"$/c.npy\")",
        expect![[r#"
        [[1.5, 2.0, 3.0], [4.0, 5.0, 6.0]]
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]"#]],
    );
    check(
        &dir,
        "shape(load(\"$/v.npy\"))\nload(\"$/v.npy\")",
        expect![[r#"
        [[3, 1]]
        [0.25, -1.0, 1e-300]"#]],
    );
    check(
        &dir,
        "load(\"$/f4.npy\")\nload(\"$/be.npy\")",
        expect![[r#"
        [[0.5, -2.0]]
        [1.25, 3.0]"#]],
    );
    // Integers stay exact; Fortran order [[7, 9], [-8, 10]].
    check(
        &dir,
        "load(\"$/i4.npy\")/2\nload(\"$/u1.npy\")\nload(\"$/u8.npy\")",
        expect![[r#"
        [[7/2, 9/2], [-4, 5]]
        [0, 255, 3]
        18446744073709551615"#]],
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn large_npy_files_are_read_whole_in_both_byte_orders() {
    // 150×100 floats: 120 000 bytes, more than one piece of 64 KiB and a
    // part of another. Element (i, j) = i − j/8 (exact in binary).
    let dir = scratch("npy-large");
    let (m, n) = (150, 100);
    let xs: Vec<f64> = (0..m * n)
        .map(|k| (k / n) as f64 - (k % n) as f64 / 8.0)
        .collect();
    let be: Vec<u8> = xs.iter().flat_map(|x| x.to_be_bytes()).collect();
    write(
        &dir,
        "le.npy",
        npy("<f8", false, "(150, 100)", &le_f64(&xs)),
    );
    write(&dir, "be.npy", npy(">f8", false, "(150, 100)", &be));
    let total: f64 = xs.iter().sum();
    let last = xs[m * n - 1];
    check(
        &dir,
        "A = load(\"$/le.npy\")\nB = load(\"$/be.npy\")\n\
         [sum(A), A[149, 99], A[0, 1], sum(abs(A - B))]",
        expect![[r#"
        [1024687.5, 136.625, -0.125, 0.0]"#]],
    );
    // The expected numbers, computed here rather than by symgrad.
    assert_eq!((total, last, xs[1]), (1_024_687.5, 136.625, -0.125));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn large_npy_files_of_narrow_numbers_are_read_as_floats() {
    // Over a million integers (past the exact limit, so floats) and 20 000
    // 32-bit floats: several pieces of 64 KiB each, in both byte orders.
    let dir = scratch("npy-narrow");
    let n = 1_100_000;
    let bytes: Vec<u8> = (0..n).map(|k| (k % 251) as u8).collect();
    write(&dir, "u1.npy", npy("|u1", false, "(1100, 1000)", &bytes));
    let shorts: Vec<i16> = (0..n).map(|k| (k % 1999) as i16 - 999).collect();
    let be: Vec<u8> = shorts.iter().flat_map(|x| x.to_be_bytes()).collect();
    write(&dir, "i2.npy", npy(">i2", false, "(1100000,)", &be));
    let singles: Vec<f32> = (0..20_000).map(|k| k as f32 / 4.0 - 2000.0).collect();
    let le: Vec<u8> = singles.iter().flat_map(|x| x.to_le_bytes()).collect();
    write(&dir, "f4.npy", npy("<f4", false, "(200, 100)", &le));
    // The expected numbers, computed here rather than by symgrad.
    let u1_sum: u64 = bytes.iter().map(|&b| u64::from(b)).sum();
    let i2_sum: i64 = shorts.iter().map(|&x| i64::from(x)).sum();
    let f4_sum: f64 = singles.iter().map(|&x| f64::from(x)).sum();
    assert_eq!(
        (
            u1_sum,
            i2_sum,
            f4_sum,
            bytes[1099 * 1000 + 999],
            shorts[n - 1]
        ),
        (137_492_153, -398_475, 9_997_500.0, 117, -450)
    );
    check(
        &dir,
        "A = load(\"$/u1.npy\")\nB = load(\"$/i2.npy\")\nC = load(\"$/f4.npy\")\n\
         [sum(A), A[1099, 999], sum(B), B[1099999, 0], sum(C), C[199, 99]]",
        expect![[r#"
        [137492153.0, 117.0, -398475.0, -450.0, 9997500.0, 2999.75]"#]],
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn npy_errors() {
    let dir = scratch("npy-errors");
    write(&dir, "bool.npy", npy("|b1", false, "(2,)", &[0, 1]));
    write(&dir, "complex.npy", npy("<c16", false, "(1,)", &[0; 16]));
    write(&dir, "object.npy", npy("|O", false, "(1,)", &[0; 8]));
    write(
        &dir,
        "cube.npy",
        npy("<f8", false, "(1, 1, 2)", &le_f64(&[1.0, 2.0])),
    );
    write(&dir, "scalar.npy", npy("<f8", false, "()", &le_f64(&[1.0])));
    write(&dir, "half.npy", npy("<f2", false, "(1,)", &[0, 0]));
    write(&dir, "text.npy", npy("<U2", false, "(1,)", &[0; 8]));
    write(&dir, "empty.npy", npy("<f8", false, "(0, 3)", &[]));
    write(
        &dir,
        "short.npy",
        npy("<f8", false, "(3,)", &le_f64(&[1.0, 2.0])),
    );
    write(
        &dir,
        "records.npy",
        npy("[('a', '<f8')]", false, "(1,)", &le_f64(&[1.0])),
    );
    write(&dir, "garbage.npy", "x,y\n1,2\n");
    let errors = [
        "bool", "complex", "object", "cube", "scalar", "half", "text", "empty", "short", "records",
        "garbage",
    ]
    .map(|name| message(&dir, &format!("load(\"$/{name}.npy\")")));
    expect![[r#"
        error: $/bool.npy holds booleans; load reads numbers (save them with .astype(int))
        error: $/complex.npy holds complex numbers; load reads real numbers
        error: $/object.npy holds Python objects; load reads arrays of numbers
        error: $/cube.npy has 3 dimensions; load reads 1-D and 2-D arrays
        error: $/scalar.npy has 0 dimensions; load reads 1-D and 2-D arrays
        error: $/half.npy holds 16-bit floats; load reads 32- and 64-bit floats
        error: $/text.npy holds <U2 values, not numbers
        error: $/empty.npy holds no numbers
        error: $/short.npy ends before the 3 numbers its header announces
        error: $/records.npy holds structured records; load reads arrays of numbers
        error: $/garbage.npy is not a .npy file: magic not found for NPY file"#]]
    .assert_eq(&errors.join("\n"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn cells_and_elements_that_are_not_finite_are_errors() {
    let dir = scratch("not-finite");
    write(&dir, "nan.csv", "1,2\n3,nan\n");
    write(&dir, "inf.csv", "x,y\n1,-inf\n");
    write(&dir, "huge.csv", "1e400,2\n");
    write(
        &dir,
        "nan.npy",
        npy("<f8", false, "(2,)", &le_f64(&[1.0, f64::NAN])),
    );
    write(
        &dir,
        "inf.npy",
        npy("<f8", false, "(1, 2)", &le_f64(&[f64::INFINITY, 1.0])),
    );
    let errors = ["nan.csv", "inf.csv", "huge.csv", "nan.npy", "inf.npy"]
        .map(|name| message(&dir, &format!("load(\"$/{name}\")")));
    expect![[r#"
        error: $/nan.csv, line 2, column 2: 'nan' is NaN (not a number); load reads finite numbers
        error: $/inf.csv, line 2, column 2: '-inf' is infinite; load reads finite numbers
        error: $/huge.csv, line 1, column 1: '1e400' is beyond the floats (overflow); load reads finite numbers
        error: $/nan.npy: element [1, 0] is NaN; load reads finite numbers
        error: $/inf.npy: element [0, 0] is infinite; load reads finite numbers"#]]
    .assert_eq(&errors.join("\n"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// `log Σ exp` of a column, max-shifted: the oracle for the losses below,
/// written here apart from symgrad's own kernels.
fn log_sum_exp(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// `log(1 + eˣ)` without overflow.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

#[test]
fn losses_over_loaded_float_logits_of_a_thousand_stay_finite_and_right() {
    let dir = scratch("float-logits");
    // Logits: 2 classes × 3 samples, columns are samples; one-hot labels.
    let z = [[1000.5, -1000.25, 3.5], [-999.75, 1000.0, -2.0]];
    let y = [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]];
    let rows = |m: &[[f64; 3]; 2]| {
        m.iter()
            .map(|r| r.map(|x| format!("{x:?}")).join(","))
            .collect::<Vec<_>>()
            .join("\n")
    };
    write(&dir, "z.csv", rows(&z));
    write(&dir, "y.csv", rows(&y));
    // softmax_cce: the mean over samples of logsumexp(z) − z[label].
    let cce = (0..3)
        .map(|j| {
            let col = [z[0][j], z[1][j]];
            let label = if y[0][j] == 1.0 { 0 } else { 1 };
            log_sum_exp(&col) - col[label]
        })
        .sum::<f64>()
        / 3.0;
    // bce of σ(z) over the first row: y log σ(z) + (1 − y) log(1 − σ(z)),
    // that is −y·softplus(−z) − (1 − y)·softplus(z).
    let bce = (0..3)
        .map(|j| {
            let (t, x) = (y[0][j], z[0][j]);
            t * softplus(-x) + (1.0 - t) * softplus(x)
        })
        .sum::<f64>()
        / 3.0;
    let value = |src: &str| -> f64 {
        let out = run(&dir, &format!(":set digits 17\n{src}"));
        out.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{src}: {out}"))
    };
    let setup = "Z = load(\"$/z.csv\"); Y = load(\"$/y.csv\")";
    let got = value(&format!("{setup}; softmax_cce(Y, Z)"));
    assert!((got - cce).abs() <= 1e-12 * cce.abs(), "{got} vs {cce}");
    let got = value(&format!("{setup}; bce(Y[0, :], sigmoid(Z[0, :]))"));
    assert!((got - bce).abs() <= 1e-12 * bce.abs(), "{got} vs {bce}");
    let got = value(&format!("{setup}; eval(bce(Y[0, :], sigmoid(Z[0, :])))"));
    assert!((got - bce).abs() <= 1e-12 * bce.abs(), "{got} vs {bce}");
    std::fs::remove_dir_all(dir).unwrap();
}
