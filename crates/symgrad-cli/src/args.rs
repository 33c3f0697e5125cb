//! Command-line arguments: a small hand-written parser.

use std::ffi::OsString;
use std::path::PathBuf;

use symgrad_lang::{MAX_WIDTH, MIN_WIDTH, OutputForm};

/// What the user asked the program to do.
#[derive(Debug, PartialEq)]
pub enum Command {
    Run(Options),
    Help,
    Version,
}

/// Where the statements come from.
#[derive(Debug, PartialEq)]
pub enum Input {
    /// No input named: the REPL on a terminal, else standard input as a script.
    Auto,
    /// `-` : standard input as a script.
    Stdin,
    /// `FILE.sg`
    File(PathBuf),
    /// One or more `-e STATEMENTS`, run in order.
    Statements(Vec<String>),
}

/// Settings taken from the command line.
#[derive(Debug, PartialEq)]
pub struct Options {
    pub input: Input,
    pub width: Option<usize>,
    pub digits: Option<usize>,
    pub output: Option<OutputForm>,
    pub threads: Option<usize>,
}

pub const USAGE: &str = "\
Usage: symgrad [OPTIONS] [FILE.sg | -]
       symgrad [OPTIONS] -e STATEMENTS

Symbolic algebra and gradients for machine-learning losses.

With no FILE, starts the REPL on a terminal, or runs standard input as a
script when it is not a terminal. `-` reads the script from standard input.

Options:
  -e, --eval STATEMENTS    run STATEMENTS (may be repeated)
  -w, --width N            line width for output, 10 to 1000 (default: terminal width, or 80)
  -o, --output FORM        output form: pretty, text or latex (default: pretty)
  -d, --digits N           significant digits for floats, 1 to 17
  -t, --threads N          threads for evaluation (default: 1)
  -h, --help               show this help and exit
  -V, --version            show the version and exit

Environment:
  NO_COLOR                 turn colour off
  SYMGRAD_HISTORY          REPL history file
                           (default: $XDG_STATE_HOME/symgrad/history)

Exit status: 0 on success, 1 after an error in the statements, 2 for bad arguments.";

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = OsString>>(args: I) -> Result<Command, String> {
    let mut args = args.into_iter();
    let mut options = Options {
        input: Input::Auto,
        width: None,
        digits: None,
        output: None,
        threads: None,
    };
    let mut statements = Vec::new();
    let mut positional = Vec::new();
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            positional.push(PathBuf::from(arg));
            continue;
        };
        if text == "--" {
            positional.extend(args.by_ref().map(PathBuf::from));
            break;
        }
        let (flag, inline) = split_flag(text);
        let mut value = |name: &str| take_value(name, inline, &mut args);
        match flag {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "-e" | "--eval" => statements.push(value(flag)?),
            "-w" | "--width" => {
                options.width = Some(within(flag, &value(flag)?, MIN_WIDTH, MAX_WIDTH)?)
            }
            "-d" | "--digits" => options.digits = Some(within(flag, &value(flag)?, 1, 17)?),
            "-t" | "--threads" => options.threads = Some(within(flag, &value(flag)?, 1, 256)?),
            "-o" | "--output" => options.output = Some(output_form(&value(flag)?)?),
            "-" => positional.push(PathBuf::from("-")),
            _ if flag.starts_with('-') => return Err(format!("unknown option '{flag}'")),
            _ => positional.push(PathBuf::from(text)),
        }
    }
    options.input = choose_input(statements, positional)?;
    Ok(Command::Run(options))
}

/// Splits `--width=80` into `("--width", Some("80"))`.
fn split_flag(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('=') {
        Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
        _ => (arg, None),
    }
}

fn take_value<I: Iterator<Item = OsString>>(
    flag: &str,
    inline: Option<&str>,
    args: &mut I,
) -> Result<String, String> {
    if let Some(value) = inline {
        return Ok(value.to_string());
    }
    match args.next() {
        None => Err(format!("option '{flag}' needs a value")),
        Some(value) => value
            .into_string()
            .map_err(|_| format!("the value of '{flag}' is not valid UTF-8")),
    }
}

/// A whole number from `lo` to `hi` (the same bounds as `:set`).
fn within(flag: &str, value: &str, lo: usize, hi: usize) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!(
            "option '{flag}' needs a whole number from {lo} to {hi}, not '{value}'"
        )),
    }
}

fn output_form(value: &str) -> Result<OutputForm, String> {
    match value {
        "pretty" => Ok(OutputForm::Pretty),
        "text" => Ok(OutputForm::Text),
        "latex" => Ok(OutputForm::Latex),
        _ => Err(format!(
            "unknown output form '{value}' (expected pretty, text or latex)"
        )),
    }
}

fn choose_input(statements: Vec<String>, mut positional: Vec<PathBuf>) -> Result<Input, String> {
    if positional.len() > 1 {
        return Err("expected at most one script file".to_string());
    }
    match (statements.is_empty(), positional.pop()) {
        (false, Some(_)) => Err("give either -e STATEMENTS or a script file, not both".to_string()),
        (false, None) => Ok(Input::Statements(statements)),
        (true, Some(path)) if path.as_os_str() == "-" => Ok(Input::Stdin),
        (true, Some(path)) => Ok(Input::File(path)),
        (true, None) => Ok(Input::Auto),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(OsString::from))
    }

    fn options(args: &[&str]) -> Options {
        match parse_strs(args) {
            Ok(Command::Run(options)) => options,
            other => panic!("expected options, got {other:?}"),
        }
    }

    #[test]
    fn no_arguments_means_auto_input() {
        assert_eq!(options(&[]).input, Input::Auto);
    }

    #[test]
    fn values_may_be_separate_or_inline() {
        let o = options(&["--width", "60", "--output=latex", "-d", "5", "script.sg"]);
        assert_eq!(o.width, Some(60));
        assert_eq!(o.output, Some(OutputForm::Latex));
        assert_eq!(o.digits, Some(5));
        assert_eq!(options(&["--threads", "2"]).threads, Some(2));
        assert_eq!(o.input, Input::File(PathBuf::from("script.sg")));
    }

    #[test]
    fn repeated_eval_keeps_order() {
        let o = options(&["-e", "a = 1", "--eval", "a + 1"]);
        assert_eq!(
            o.input,
            Input::Statements(vec!["a = 1".into(), "a + 1".into()])
        );
    }

    #[test]
    fn dash_is_stdin_and_double_dash_ends_options() {
        assert_eq!(options(&["-"]).input, Input::Stdin);
        assert_eq!(
            options(&["--", "-e"]).input,
            Input::File(PathBuf::from("-e"))
        );
    }

    #[test]
    fn help_and_version_win() {
        assert_eq!(parse_strs(&["x.sg", "--help"]), Ok(Command::Help));
        assert_eq!(parse_strs(&["-V"]), Ok(Command::Version));
    }

    #[test]
    fn bad_arguments_are_errors() {
        for args in [
            &["--bogus"][..],
            &["--width"],
            &["--width", "0"],
            &["--width", "70000"],
            &["--width", "9"],
            &["--digits", "18"],
            &["--threads", "0"],
            &["--width", "wide"],
            &["--output", "html"],
            &["a.sg", "b.sg"],
            &["-e", "1", "a.sg"],
        ] {
            assert!(parse_strs(args).is_err(), "{args:?} should be rejected");
        }
    }
}
