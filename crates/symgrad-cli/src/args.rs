//! Command-line arguments, parsed by clap.

use std::path::PathBuf;

use clap::Parser;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use symgrad_lang::{MAX_WIDTH, MIN_WIDTH, OutputForm};

const AFTER_HELP: &str = "\
Environment:
  NO_COLOR         turn colour off
  SYMGRAD_HISTORY  REPL history file (default: $XDG_STATE_HOME/symgrad/history)

Exit status: 0 on success, 1 after an error in the statements,
2 for bad arguments.";

/// Symbolic algebra and gradients for machine-learning losses.
#[derive(Debug, Parser)]
#[command(
    name = "symgrad",
    version,
    long_about = None,
    override_usage = "symgrad [OPTIONS] [FILE.sg | -]\n       symgrad [OPTIONS] -e STATEMENTS",
    after_help = AFTER_HELP,
    max_term_width = 80
)]
pub struct Options {
    /// The script to run (`-`: standard input). With neither FILE nor -e, the
    /// REPL starts on a terminal, else standard input runs as a script
    #[arg(value_name = "FILE.sg", conflicts_with = "eval")]
    file: Option<PathBuf>,
    /// Run STATEMENTS (may be repeated)
    #[arg(short, long = "eval", value_name = "STATEMENTS")]
    eval: Vec<String>,
    /// Line width for output, 10 to 1000 (default: the terminal's width, or 80)
    #[arg(short, long, value_name = "N", value_parser = whole_number::<MIN_WIDTH, MAX_WIDTH>)]
    pub width: Option<usize>,
    /// Output form
    #[arg(
        short, long, value_name = "FORM",
        value_parser = PossibleValuesParser::new(OutputForm::NAMES)
            .try_map(|form: String| OutputForm::from_name(&form).ok_or("not an output form")),
    )]
    pub output: Option<OutputForm>,
    /// Significant digits for floats, 1 to 17
    #[arg(short, long, value_name = "N", value_parser = whole_number::<1, 17>)]
    pub digits: Option<usize>,
    /// Threads for evaluation, 1 to 256 (default: 1)
    #[arg(short, long, value_name = "N", value_parser = whole_number::<1, 256>)]
    pub threads: Option<usize>,
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

impl Options {
    /// Where the statements come from (clap has checked that the file and
    /// `-e` are not both given).
    pub fn input(&self) -> Input {
        match (&self.file, self.eval.is_empty()) {
            (Some(path), _) if path.as_os_str() == "-" => Input::Stdin,
            (Some(path), _) => Input::File(path.clone()),
            (None, false) => Input::Statements(self.eval.clone()),
            (None, true) => Input::Auto,
        }
    }
}

/// A whole number from `LO` to `HI` (the same bounds as `:set`).
fn whole_number<const LO: usize, const HI: usize>(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if (LO..=HI).contains(&n) => Ok(n),
        _ => Err(format!("needs a whole number from {LO} to {HI}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(args: &[&str]) -> Options {
        let all = std::iter::once("symgrad").chain(args.iter().copied());
        Options::try_parse_from(all).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    fn rejected(args: &[&str]) -> bool {
        Options::try_parse_from(std::iter::once("symgrad").chain(args.iter().copied())).is_err()
    }

    #[test]
    fn the_definition_is_consistent() {
        use clap::CommandFactory;
        Options::command().debug_assert();
    }

    #[test]
    fn no_arguments_means_auto_input() {
        assert_eq!(options(&[]).input(), Input::Auto);
    }

    #[test]
    fn values_may_be_separate_or_inline() {
        let o = options(&["--width", "60", "--output=latex", "-d", "5", "script.sg"]);
        assert_eq!(o.width, Some(60));
        assert_eq!(o.output, Some(OutputForm::Latex));
        assert_eq!(o.digits, Some(5));
        assert_eq!(options(&["--threads", "2"]).threads, Some(2));
        assert_eq!(options(&["-o", "text"]).output, Some(OutputForm::Text));
        assert_eq!(o.input(), Input::File(PathBuf::from("script.sg")));
    }

    #[test]
    fn repeated_eval_keeps_order() {
        let o = options(&["-e", "a = 1", "--eval", "a + 1"]);
        assert_eq!(
            o.input(),
            Input::Statements(vec!["a = 1".into(), "a + 1".into()])
        );
    }

    #[test]
    fn dash_is_stdin_and_double_dash_ends_options() {
        assert_eq!(options(&["-"]).input(), Input::Stdin);
        assert_eq!(
            options(&["--", "-e"]).input(),
            Input::File(PathBuf::from("-e"))
        );
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
            assert!(rejected(args), "{args:?} should be rejected");
        }
    }
}
