//! `explain`'s derivation as text: in 2-D with each picture beside its
//! label, on one line each, or as a LaTeX `aligned` block.

use super::{Stage, Step};
use crate::eval::{Eval, at};
use crate::session::{OutputForm, Session};
use crate::span::Span;
use symgrad::ExprId;

impl Session {
    /// The derivation as text in the session's output form: a heading,
    /// the definitions of the stages, then each step with its rule; in
    /// LaTeX the equations form one `aligned` block, the rest comments.
    pub(super) fn show_steps(
        &mut self,
        f_name: &str,
        w_name: &str,
        (steps, stages): &(Vec<Step>, Vec<Stage>),
        span: Span,
    ) -> Eval<String> {
        let latex = self.settings.output == OutputForm::Latex;
        let comment = if latex { "% " } else { "" };
        let width = self.settings.width;
        let mut out = Vec::new();
        // Headings name things as the pictures below them do (`dA₂` in 2-D).
        let pretty = self.settings.output == OutputForm::Pretty;
        let named = |n: &str| match pretty {
            true => symgrad::pretty_symbol(n),
            false => n.to_string(),
        };
        let (f_name, w_name) = (named(f_name), named(w_name));
        let along: Vec<String> = stages.iter().map(|s| named(&s.name)).collect();
        let head = if along.is_empty() {
            format!("∂{f_name}/∂{w_name} by the chain rule")
        } else {
            format!(
                "∂{f_name}/∂{w_name} by the chain rule along {}; dN stands for ∂{f_name}/∂N",
                along.join(", ")
            )
        };
        out.push(wrap(&head, width, comment));
        if latex {
            out.push("\\begin{aligned}".into());
        }
        let names = self.stage_names(stages).map_err(at(span))?;
        let mut indent = 0;
        for s in stages {
            let mut without = names.clone();
            without.remove(&s.node);
            if let Ok(t) = self.pool.transpose(s.node) {
                without.remove(&t);
            }
            let shown = self.pool.replace(s.node, &without).map_err(at(span))?;
            let note = if s.fresh { "  (named here)" } else { "" };
            let lhs = names[&s.node];
            out.push(self.labelled(Some(lhs), shown, note, &mut indent, span)?);
        }
        for (k, step) in steps.iter().enumerate() {
            let heading = format!(
                "step {}: {} = ∂{f_name}/∂{}, {}, by {}",
                k + 1,
                named(&step.adjoint),
                named(&step.name),
                step.shape,
                keep_together(&step.rule, width * 3 / 4)
            );
            out.push(wrap(&heading, width, comment).replace(GLUE, " "));
            let lhs = self
                .pool
                .symbol(&step.adjoint, step.shape)
                .map_err(at(span))?;
            match step.step {
                Some(chained) => {
                    out.push(self.labelled(Some(lhs), chained, "", &mut indent, span)?);
                    out.push(self.labelled(None, step.closed, &step.note, &mut indent, span)?);
                }
                None => out.push(self.labelled(
                    Some(lhs),
                    step.closed,
                    &step.note,
                    &mut indent,
                    span,
                )?),
            }
            if let Some(v) = step.value {
                out.push(self.labelled(None, v, "", &mut indent, span)?);
            }
        }
        if latex {
            out.push("\\end{aligned}".into());
        }
        Ok(out.join("\n"))
    }

    /// `lhs = e` (or `= e` under the previous line without `lhs`) in the
    /// session's output form: in 2-D the label on the middle line of the
    /// picture, which gets the rest of the line's width; in LaTeX one row
    /// of an `aligned` block. `note` follows on the same line.
    fn labelled(
        &mut self,
        lhs: Option<ExprId>,
        e: ExprId,
        note: &str,
        indent: &mut usize,
        span: Span,
    ) -> Eval<String> {
        let form = self.settings.output;
        let opts = self.settings.print_options();
        let print = |pool: &symgrad::Pool, x: ExprId, opts: &symgrad::PrintOptions| match form {
            OutputForm::Pretty => symgrad::pretty(pool, x, opts),
            OutputForm::Text => symgrad::text(pool, x, opts),
            OutputForm::Latex => symgrad::latex(pool, x, opts),
        };
        let name = lhs.map(|l| print(&self.pool, l, &opts));
        let shown = self.named_form(e).map_err(at(span))?.unwrap_or(e);
        if form == OutputForm::Latex {
            let text = print(&self.pool, shown, &opts);
            let note = if note.is_empty() {
                String::new()
            } else {
                format!(" % {}", note.trim())
            };
            return Ok(format!("{} &= {text} \\\\{note}", name.unwrap_or_default()));
        }
        // `  dZ2 = ` or the same width of blanks and `= ` (a continuation).
        let label = match &name {
            Some(n) => format!("  {n} = "),
            None => String::new(),
        };
        if !label.is_empty() {
            *indent = label.chars().count();
        }
        let indent = (*indent).max(2);
        let label = if label.is_empty() {
            format!("{:w$}= ", "", w = indent - 2)
        } else {
            label
        };
        let narrow = symgrad::PrintOptions {
            width: opts.width.saturating_sub(indent).max(20),
            ..opts
        };
        let text = print(&self.pool, shown, &narrow);
        if form == OutputForm::Pretty && text.lines().any(|l| l.chars().count() > narrow.width) {
            // Too wide beside the label: below it, at the full width, in
            // the form results too wide for the line take.
            let whole = self.render(e, "pretty").map_err(at(span))?;
            return Ok(format!("{}{note}\n{whole}", label.trim_end()));
        }
        let lines: Vec<&str> = text.lines().collect();
        let middle = lines.len() / 2;
        let blank = " ".repeat(indent);
        let mut out = Vec::with_capacity(lines.len());
        for (k, line) in lines.iter().enumerate() {
            let prefix = if k == middle {
                label.as_str()
            } else {
                blank.as_str()
            };
            let suffix = if k == middle { note } else { "" };
            out.push(format!("{prefix}{line}{suffix}").trim_end().to_string());
        }
        Ok(out.join("\n"))
    }
}

/// Stands for a space that [`wrap`] must not break at.
const GLUE: char = '\u{a0}';

/// The rules `a; b; c` with the spaces inside each rule shorter than `max`
/// glued, so that lines break between rules where they can.
fn keep_together(rules: &str, max: usize) -> String {
    rules
        .split("; ")
        .map(|r| {
            if r.chars().count() < max {
                r.replace(' ', &GLUE.to_string())
            } else {
                r.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `text` broken between words into lines of at most `width` characters
/// (a longer word stays whole), each starting with `lead`, the later ones
/// indented by 4 more.
fn wrap(text: &str, width: usize, lead: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if line.is_empty() {
            line = format!("{lead}{word}");
        } else if line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, format!("{lead}    {word}")));
        } else {
            line.push(' ');
            line.push_str(word);
        }
    }
    lines.push(line);
    lines.join("\n")
}
