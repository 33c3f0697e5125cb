//! `text(e)` reads back to the same expression: the same hash-consed node.

use crate::Session;
use crate::eval::Value;
use crate::parse::parse;
use crate::session::OutputForm;
use symgrad::ExprId;

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const SCALARS: &[&str] = &[
    "x", "y", "z", "2", "3", "1/3", "-5/2", "0.5", "1.25e-3", "E", "pi", "W[0, 1]", "W[1, 0]",
    "sum(A)", "trace(A)",
];
const MATRICES: &[&str] = &[
    "A",
    "B",
    "A'",
    "[[1, 2], [3, 4]]",
    "[[x, 1], [0, y]]",
    "A * B",
    "softmax(A)",
    "softmax(A, 2)",
];
const FUNCS: &[&str] = &[
    "exp", "log", "tanh", "sigmoid", "abs", "sqrt", "softplus", "relu", "sign", "step", "sin",
    "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "erf",
];

/// A random scalar expression of at most `depth` levels, as source text.
fn scalar(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 || rng.next().is_multiple_of(4) {
        return rng.pick(SCALARS).to_string();
    }
    let (a, b) = (scalar(rng, depth - 1), scalar(rng, depth - 1));
    match rng.next() % 8 {
        0 => format!("{a} + {b}"),
        1 => format!("{a} - {b}"),
        2 => format!("({a}) * ({b})"),
        3 => format!("({a}) / ({b})"),
        4 => format!("({a})^{}", rng.pick(&["2", "3", "-1", "(1/2)", "y"])),
        5 => format!("-({a})"),
        6 => format!(
            "sum(({}) .* ({}))",
            matrix(rng, depth - 1),
            matrix(rng, depth - 1)
        ),
        _ => format!("{}({a})", rng.pick(FUNCS)),
    }
}

/// A random 2×2 matrix expression, as source text.
fn matrix(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 || rng.next().is_multiple_of(3) {
        return rng.pick(MATRICES).to_string();
    }
    let (a, b) = (matrix(rng, depth - 1), matrix(rng, depth - 1));
    match rng.next() % 6 {
        0 => format!("{a} + {b}"),
        1 => format!("({a}) * ({b})"),
        2 => format!("({a}) .* ({b})"),
        3 => format!("({}) * ({a})", scalar(rng, depth - 1)),
        4 => format!("{}({a})", rng.pick(FUNCS)),
        _ => format!("({a})'"),
    }
}

/// A long sum or product of random scalars, alone, in a function's
/// argument or over a denominator: a term wider than most lines.
fn long(rng: &mut Rng) -> String {
    let n = 3 + rng.next() % 12;
    let op = rng.pick(&[" + ", " - ", "*"]);
    let parts: Vec<String> = (0..n).map(|_| format!("({})", scalar(rng, 2))).collect();
    let joined = parts.join(op);
    match rng.next() % 4 {
        0 => joined,
        1 => format!("{}({joined})", rng.pick(FUNCS)),
        2 => format!("({joined}) / ({})", scalar(rng, 2)),
        _ => format!("{} + ({joined})", scalar(rng, 2)),
    }
}

fn eval_expr(s: &mut Session, src: &str) -> Option<ExprId> {
    let program = parse(src).ok()?;
    let crate::ast::StmtKind::Expr { expr, .. } = &program.first()?.kind else {
        return None;
    };
    match s.eval(expr).ok()? {
        Value::Expr(id) => Some(id),
        Value::Text(_) | Value::Plot(_) | Value::Nothing => None,
    }
}

#[test]
fn text_reads_back_to_the_same_node() {
    let mut s = Session::new();
    s.settings.output = OutputForm::Text;
    s.settings.digits = 17;
    s.run("symbol W[2, 2], A[2, 2], B[2, 2]", "<setup>", &mut |_| {})
        .expect("declarations run");
    let mut rng = Rng(2026);
    let mut checked = 0;
    for case in 0..3000 {
        let src = if case % 3 == 0 {
            matrix(&mut rng, 3)
        } else {
            scalar(&mut rng, 4)
        };
        let Some(e) = eval_expr(&mut s, &src) else {
            continue;
        };
        let text = symgrad::text(&s.pool, e, &s.settings.print_options());
        let back = eval_expr(&mut s, &text);
        assert_eq!(back, Some(e), "case {case}: {src}\n  text: {text}");
        checked += 1;
    }
    assert!(
        checked > 2000,
        "only {checked} of 3000 random expressions were valid"
    );
}

/// Random expressions of the language printed at random widths: no line of
/// the pretty form is wider than the width, and the text form, wrapped at
/// the width, still reads back to the same expression.
#[test]
fn pretty_output_never_exceeds_the_width() {
    let mut s = Session::new();
    s.settings.digits = 17;
    s.run("symbol W[2, 2], A[2, 2], B[2, 2]", "<setup>", &mut |_| {})
        .expect("declarations run");
    let mut rng = Rng(11);
    let mut checked = 0;
    for case in 0..1500 {
        let src = match case % 4 {
            0 => matrix(&mut rng, 4),
            1 => long(&mut rng),
            _ => scalar(&mut rng, 5),
        };
        let Some(e) = eval_expr(&mut s, &src) else {
            continue;
        };
        let width = 10 + (rng.next() % 60) as usize;
        s.settings.width = width;
        // A closed float expression whose value is not finite prints as
        // written: printing never fails.
        let shown = match s.render(e, "pretty") {
            Ok(shown) => shown,
            Err(err) => panic!("case {case}: {src} does not print: {err}"),
        };
        for line in shown.lines() {
            assert!(
                line.chars().count() <= width,
                "case {case} at width {width}: {src}\n{shown}"
            );
        }
        // The text form wrapped at the width reads back too.
        let one_line = symgrad::text(&s.pool, e, &s.settings.print_options());
        let text = symgrad::wrap_text_form(&one_line, width);
        assert_eq!(eval_expr(&mut s, &text), Some(e), "case {case}: {text}");
        // A line that could end earlier (at a space or after a `*`) fits.
        let breakable = |l: &str| l.trim().trim_end_matches('*').contains([' ', '*']);
        for line in text.lines().filter(|l| breakable(l)) {
            assert!(line.chars().count() <= width, "case {case}: {text}");
        }
        checked += 1;
    }
    assert!(
        checked > 1000,
        "only {checked} random expressions were valid"
    );
}
