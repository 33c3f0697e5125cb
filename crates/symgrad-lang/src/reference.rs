//! The reference part of `docs/language.md`, generated from the tables
//! `:help` answers from (built-ins, prelude losses, commands, topics), so the
//! document and `:help` cannot drift: a test compares the two.

use crate::builtins::{BUILTINS, COMMANDS, CONSTANTS};
use crate::commands::TOPICS;

/// Markdown tables of every built-in function (usage, summary, example),
/// every prelude loss, every command and constant, and the help topics.
pub fn help_reference() -> String {
    let mut out = String::new();
    out.push_str("### Functions\n\n| call | what it gives | example |\n|---|---|---|\n");
    for b in BUILTINS {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            code(b.usage),
            cell(b.summary),
            code(b.example)
        ));
    }
    out.push_str(
        "\n### Losses (the prelude, written in symgrad)\n\n| call | what it gives |\n|---|---|\n",
    );
    for (_, usage, summary) in crate::prelude::entries() {
        out.push_str(&format!("| {} | {} |\n", code(usage), cell(summary)));
    }
    out.push_str("\n### Commands\n\n| command | what it does |\n|---|---|\n");
    for c in COMMANDS {
        out.push_str(&format!("| {} | {} |\n", code(c.usage), cell(c.summary)));
    }
    out.push_str("\n### Constants\n\n| name | value |\n|---|---|\n");
    for (name, what) in CONSTANTS {
        out.push_str(&format!("| {} | {} |\n", code(name), cell(what)));
    }
    for (topic, text) in TOPICS {
        out.push_str(&format!("\n### `:help {topic}`\n\n```\n{text}\n```\n"));
    }
    out
}

/// Text as a Markdown table cell: `|` escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Text as inline code in a table cell (with `|` escaped, as GitHub needs).
fn code(text: &str) -> String {
    let ticks = if text.contains('`') { "``" } else { "`" };
    format!("{ticks}{}{ticks}", cell(text))
}
