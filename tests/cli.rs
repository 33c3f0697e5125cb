//! Tests of the `symgrad` binary: arguments, input sources, streams and exit codes.
//!
//! They assert what stays true whatever the interpreter prints: exit codes,
//! which stream text goes to, and that statements after an error do not run.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A statement that fails when it runs (division by zero).
const BAD: &str = "1/0";

fn symgrad() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_symgrad"));
    command
        .env_remove("NO_COLOR")
        .env("SYMGRAD_HISTORY", "/dev/null");
    command
}

/// Runs `symgrad args…` with `stdin` piped in.
#[track_caller]
fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = symgrad()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the symgrad binary starts");
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin.as_bytes())
            .expect("stdin accepts the input");
    }
    child.wait_with_output().expect("symgrad finishes")
}

#[track_caller]
fn run(args: &[&str]) -> Output {
    run_with_stdin(args, "")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A script file in the temporary directory, removed on drop.
struct Script(PathBuf);

impl Script {
    fn new(contents: &str) -> Script {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("symgrad-cli-test-{}-{n}.sg", std::process::id()));
        std::fs::write(&path, contents).expect("temporary script is written");
        Script(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("temporary paths are UTF-8")
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[track_caller]
fn assert_success(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    assert_eq!(stderr(output), "");
}

/// Exit 1, results before the error on stdout, the error on stderr without
/// colour (stderr is not a terminal), nothing after the error run.
#[track_caller]
fn assert_stopped_at_error(output: &Output) {
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(output).contains("777"), "stdout: {}", stdout(output));
    assert!(
        !stdout(output).contains("12345"),
        "ran past the error: {}",
        stdout(output)
    );
    assert!(
        !stdout(output).contains("error"),
        "error went to stdout: {}",
        stdout(output)
    );
    assert!(
        stderr(output).contains("error"),
        "stderr: {}",
        stderr(output)
    );
    assert!(
        !stderr(output).contains('\x1b'),
        "colour on a pipe: {}",
        stderr(output)
    );
}

fn script_with_error() -> String {
    format!("777 + 0\n{BAD}\n12345 + 0\n")
}

#[test]
fn script_file_runs_and_prints_results() {
    let script = Script::new("x + 1\n777 + 0\n");
    let output = run(&[script.path()]);
    assert_success(&output);
    assert!(stdout(&output).contains("777"));
}

#[test]
fn script_file_stops_at_the_first_error() {
    let script = Script::new(&script_with_error());
    assert_stopped_at_error(&run(&[script.path()]));
}

#[test]
fn a_syntax_error_stops_a_script_before_it_runs() {
    let script = Script::new("777 + 0\n1 + * 2\n");
    let output = run(&[script.path()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(String::from_utf8_lossy(&output.stderr).contains(":2:5"));
}

#[test]
fn eval_runs_statements() {
    let output = run(&["-e", "x + 1; 777 + 0"]);
    assert_success(&output);
    assert!(stdout(&output).contains("777"));
}

#[test]
fn eval_stops_at_the_first_error() {
    assert_stopped_at_error(&run(&["-e", &script_with_error()]));
}

#[test]
fn repeated_eval_stops_at_the_first_error() {
    assert_stopped_at_error(&run(&["-e", "777 + 0", "-e", BAD, "-e", "12345 + 0"]));
}

#[test]
fn piped_stdin_runs_as_a_script() {
    let output = run_with_stdin(&[], "x + 1\n777 + 0\n");
    assert_success(&output);
    assert!(stdout(&output).contains("777"));
}

#[test]
fn piped_stdin_stops_at_the_first_error() {
    assert_stopped_at_error(&run_with_stdin(&[], &script_with_error()));
}

#[test]
fn dash_reads_the_script_from_stdin() {
    let output = run_with_stdin(&["-"], "777 + 0\n");
    assert_success(&output);
    assert!(stdout(&output).contains("777"));
}

#[test]
fn empty_input_succeeds_silently() {
    let output = run_with_stdin(&[], "");
    assert_success(&output);
    assert_eq!(stdout(&output), "");
}

#[test]
fn quit_ends_a_script_successfully() {
    let output = run(&["-e", &format!("777 + 0\n:quit\n{BAD}")]);
    assert_success(&output);
    assert!(stdout(&output).contains("777"));
}

#[test]
fn width_output_and_digits_are_accepted() {
    for args in [
        &["--width", "40"][..],
        &["--width=200"],
        &["-w", "60"],
        &["--output", "text"],
        &["--output=latex"],
        &["-o", "pretty"],
        &["--digits", "5"],
    ] {
        let mut all = args.to_vec();
        all.extend(["-e", "x + 1"]);
        assert_success(&run(&all));
    }
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    for (args, mentions) in [
        (&["--bogus"][..], "--bogus"),
        (&["--width", "wide"], "wide"),
        (&["--width", "0"], "--width"),
        (&["--width"], "--width"),
        (&["--output", "html"], "html"),
        (&["-e"], "-e"),
        (&["a.sg", "b.sg"], "b.sg"),
        (&["-e", "1", "a.sg"], "cannot be used with"),
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(mentions),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{args:?}");
    }
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let output = run(&["no/such/file.sg"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no/such/file.sg"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn a_directory_is_not_a_script() {
    let dir = std::env::temp_dir();
    let dir = dir.to_str().expect("temporary paths are UTF-8");
    let output = run(&[dir]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains(dir), "{}", stderr(&output));
}

#[test]
fn help_and_version_print_to_stdout() {
    let help = run(&["--help"]);
    assert_success(&help);
    assert!(stdout(&help).contains("Usage: symgrad"));
    let version = run(&["--version"]);
    assert_success(&version);
    assert_eq!(
        stdout(&version).trim(),
        format!("symgrad {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn training_progress_prints_in_order_with_the_results() {
    // lr 1/4 halves w + 2 at each step: w = 2, 0, −1.
    let want = "777\nstep 0: loss 19.0, |grad| 8.0\nstep 1: loss 7.0, |grad| 4.0\nstep 2: loss 4.0, |grad| 2.0\n-1.0\n";
    let descend = "descend((w + 2)^2 + 3, w, 1/4, 2, 2)";
    let output = run(&["-e", "777 + 0", "-e", descend]);
    assert_success(&output);
    assert_eq!(stdout(&output), want);
    // Piped in, and after :reset (which keeps the printing of progress).
    let output = run_with_stdin(&[], &format!("777 + 0\n:reset\n{descend}\n"));
    assert_success(&output);
    assert_eq!(stdout(&output), want);
}
