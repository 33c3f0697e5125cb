//! The results table, in the layout `bench/peers.py` prints too:
//! `| workload | phase | <one column per tool> | note |`.

/// One measured phase.
pub struct Row {
    pub workload: String,
    pub phase: String,
    pub value: String,
    pub note: String,
}

/// The rows of a run, printed as a Markdown table as they come.
pub struct Table {
    widths: [usize; 3],
}

impl Table {
    /// Prints the heading; `tool` names the value column.
    pub fn start(tool: &str) -> Table {
        let t = Table {
            widths: [16, 44, tool.chars().count().max(12)],
        };
        t.line(["workload", "phase", tool], "note");
        println!(
            "|{}|{}|{}|---|",
            "-".repeat(t.widths[0] + 2),
            "-".repeat(t.widths[1] + 2),
            "-".repeat(t.widths[2] + 2)
        );
        t
    }

    pub fn add(&self, r: Row) {
        self.line([&r.workload, &r.phase, &r.value], &r.note);
    }

    fn line(&self, cells: [&str; 3], note: &str) {
        let mut s = String::from("|");
        for (c, w) in cells.iter().zip(self.widths) {
            let pad = w.saturating_sub(c.chars().count());
            s.push_str(&format!(" {c}{} |", " ".repeat(pad)));
        }
        println!("{s} {note} |");
    }
}
