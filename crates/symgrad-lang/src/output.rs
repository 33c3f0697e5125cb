//! What a statement shows, in every form a front end displays: the one
//! formatter behind the REPL, the Python package and the Jupyter kernel.
//!
//! [`Session::run_forms`](crate::Session::run_forms) hands each result to
//! the caller as an [`Output`]; a failed run gives its rendered message,
//! which [`colour_error`] colours for a terminal.

use crate::eval::Value;
use crate::session::{OutputForm, Session};

/// The forms to produce besides the plain text (always produced).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Forms {
    /// The one-line text form of an expression (the `text` printer).
    pub text: bool,
    /// The LaTeX of an expression.
    pub latex: bool,
    /// The SVG picture of a plot.
    pub svg: bool,
}

impl Forms {
    /// The plain text only: what a terminal shows.
    pub const PLAIN: Forms = Forms {
        text: false,
        latex: false,
        svg: false,
    };
    /// Every form: what a notebook shows.
    pub const ALL: Forms = Forms {
        text: true,
        latex: true,
        svg: true,
    };
}

/// One displayed result of a statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// What a terminal shows: an expression in the session's output form
    /// (2-D by default), text such as help, a plot drawn in characters.
    pub plain: String,
    /// The one-line text form of an expression, when asked for.
    pub text: Option<String>,
    /// The LaTeX of an expression (no `$` around it), when asked for.
    pub latex: Option<String>,
    /// The SVG picture of a plot, when asked for.
    pub svg: Option<String>,
}

impl Output {
    /// Plain text with no other form (help, listings, messages).
    pub fn plain(text: impl Into<String>) -> Output {
        Output {
            plain: text.into(),
            ..Output::default()
        }
    }

    /// The text form: the one-line text of an expression, else the plain text.
    pub fn text_form(&self) -> &str {
        self.text.as_deref().unwrap_or(&self.plain)
    }

    /// The MIME bundle of a notebook's display: `text/plain` (the plain
    /// form), `text/latex` as display math (`$\displaystyle …$`, which
    /// MathJax and KaTeX render) and `image/svg+xml`, each when present.
    pub fn mime_bundle(&self) -> Vec<(&'static str, String)> {
        let mut bundle = vec![("text/plain", self.plain.clone())];
        if let Some(latex) = &self.latex {
            bundle.push(("text/latex", format!("$\\displaystyle {latex}$")));
        }
        if let Some(svg) = &self.svg {
            bundle.push(("image/svg+xml", svg.clone()));
        }
        bundle
    }
}

/// The SGR code of the word `error` in a coloured message (bold red).
const ERROR_STYLE: &str = "1;31";

/// A rendered error message for a terminal: its first whole word `error`
/// in bold red (ANSI escapes), the rest unchanged.
pub fn colour_error(message: &str) -> String {
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_';
    let found = message.match_indices("error").find(|&(at, word)| {
        let before = message[..at].chars().next_back();
        let after = message[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    });
    let Some((at, word)) = found else {
        return message.to_string();
    };
    format!(
        "{}\x1b[{ERROR_STYLE}m{word}\x1b[0m{}",
        &message[..at],
        &message[at + word.len()..]
    )
}

impl Session {
    /// The output of a statement's value, in the forms of `forms`.
    pub(crate) fn output(&mut self, v: &Value, forms: Forms) -> symgrad::Result<Output> {
        Ok(match v {
            Value::Text(t) => Output::plain(t.clone()),
            Value::Nothing => Output::default(),
            Value::Plot(figure) => Output {
                plain: crate::plot::draw(figure, self.settings.width),
                svg: match forms.svg {
                    true => Some(crate::plot::svg(figure)?),
                    false => None,
                },
                ..Output::default()
            },
            Value::Expr(id) => {
                let (form, printer) = match self.settings.output {
                    OutputForm::Pretty => (OutputForm::Pretty, "pretty"),
                    OutputForm::Text => (OutputForm::Text, "text"),
                    OutputForm::Latex => (OutputForm::Latex, "latex"),
                };
                let plain = self.render_shown(*id, printer, true)?;
                let mut also = |wanted: bool, this: OutputForm, printer: &str| match wanted {
                    false => Ok(None),
                    true if form == this => Ok(Some(plain.clone())),
                    true => self.render_shown(*id, printer, true).map(Some),
                };
                Output {
                    text: also(forms.text, OutputForm::Text, "text")?,
                    latex: also(forms.latex, OutputForm::Latex, "latex")?,
                    svg: None,
                    plain,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_error_colours_the_first_word_error() {
        let coloured = colour_error("error: bad\n --> x:1:1\nno error here");
        assert_eq!(
            coloured,
            "\x1b[1;31merror\x1b[0m: bad\n --> x:1:1\nno error here"
        );
        let coloured = colour_error("errors: 1, parse error");
        assert_eq!(coloured, "errors: 1, parse \x1b[1;31merror\x1b[0m");
        assert_eq!(colour_error("terror"), "terror");
    }

    #[test]
    fn mime_bundle_has_the_forms_present() {
        let out = Output {
            plain: "2⋅x".into(),
            text: Some("2*x".into()),
            latex: Some("2 x".into()),
            svg: None,
        };
        assert_eq!(
            out.mime_bundle(),
            [
                ("text/plain", "2⋅x".to_string()),
                ("text/latex", "$\\displaystyle 2 x$".to_string())
            ]
        );
        assert_eq!(out.text_form(), "2*x");
        assert_eq!(Output::plain("help").text_form(), "help");
    }
}

#[cfg(test)]
mod forms_tests {
    use crate::{Forms, Session};

    /// What `run` shows for `src` after `setup`, in the output form `form`.
    fn shown(setup: &str, src: &str, form: &str) -> Vec<String> {
        let mut s = Session::new();
        s.run(&format!("{setup}\n:set output {form}"), "<t>", &mut |_| {})
            .unwrap();
        let mut out = Vec::new();
        s.run(src, "<t>", &mut |t| out.push(t.to_string())).unwrap();
        out
    }

    #[test]
    fn every_form_is_what_the_repl_shows_in_that_form() {
        let (setup, src) = ("symbol W[2, 2]", "grad(sum(tanh(W)), W)\nx^2/3");
        let mut s = Session::new();
        s.run(setup, "<t>", &mut |_| {}).unwrap();
        let mut outs = Vec::new();
        s.run_forms(src, "<t>", Forms::ALL, &mut |o| outs.push(o))
            .unwrap();
        let pick = |f: fn(&crate::Output) -> Option<String>| -> Vec<String> {
            outs.iter().map(|o| f(o).unwrap()).collect()
        };
        assert_eq!(pick(|o| Some(o.plain.clone())), shown(setup, src, "pretty"));
        assert_eq!(pick(|o| o.text.clone()), shown(setup, src, "text"));
        assert_eq!(pick(|o| o.latex.clone()), shown(setup, src, "latex"));
        assert!(outs.iter().all(|o| o.svg.is_none()));
    }

    #[test]
    fn a_plot_has_its_characters_and_an_svg_picture() {
        let src = "plot(w^2, w, -1, 1)";
        let mut s = Session::new();
        let mut outs = Vec::new();
        s.run_forms(src, "<t>", Forms::ALL, &mut |o| outs.push(o))
            .unwrap();
        assert_eq!(outs.len(), 1);
        assert_eq!(vec![outs[0].plain.clone()], shown("", src, "pretty"));
        let svg = outs[0].svg.as_deref().expect("an SVG picture");
        let doc = roxmltree::Document::parse(svg).expect("the SVG is XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        // The curve is drawn as one polyline of the sampled points.
        let lines = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .count();
        assert!(lines >= 1, "no curve in {svg}");
    }
}
