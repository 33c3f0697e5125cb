//! Names of functions and symbols in each output form.

use crate::Func;

/// The pretty (Unicode) name of an elementwise function; `exp` and `abs`
/// have their own layouts and are not looked up here.
pub(crate) fn pretty_func(f: Func) -> &'static str {
    match f {
        Func::Sigmoid => "σ",
        _ => f.name(),
    }
}

/// The LaTeX command of an elementwise function.
pub(crate) fn latex_func(f: Func) -> &'static str {
    match f {
        Func::Exp => "\\exp",
        Func::Log => "\\log",
        Func::Abs => "\\operatorname{abs}",
        Func::Tanh => "\\tanh",
        Func::Sigmoid => "\\sigma",
        Func::Softplus => "\\operatorname{softplus}",
        Func::Relu => "\\operatorname{relu}",
        Func::Sign => "\\operatorname{sign}",
        Func::Step => "\\operatorname{step}",
        Func::Sin => "\\sin",
        Func::Cos => "\\cos",
        Func::Log1p => "\\operatorname{log1p}",
        Func::Expm1 => "\\operatorname{expm1}",
        Func::Erf => "\\operatorname{erf}",
    }
}

/// Greek letter names with their Unicode letter.
const GREEK: [(&str, &str); 34] = [
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("zeta", "ζ"),
    ("eta", "η"),
    ("theta", "θ"),
    ("iota", "ι"),
    ("kappa", "κ"),
    ("lambda", "λ"),
    ("mu", "μ"),
    ("nu", "ν"),
    ("xi", "ξ"),
    ("omicron", "ο"),
    ("rho", "ρ"),
    ("sigma", "σ"),
    ("tau", "τ"),
    ("upsilon", "υ"),
    ("phi", "φ"),
    ("chi", "χ"),
    ("psi", "ψ"),
    ("omega", "ω"),
    ("Gamma", "Γ"),
    ("Delta", "Δ"),
    ("Theta", "Θ"),
    ("Lambda", "Λ"),
    ("Xi", "Ξ"),
    ("Pi", "Π"),
    ("Sigma", "Σ"),
    ("Upsilon", "Υ"),
    ("Phi", "Φ"),
    ("Psi", "Ψ"),
    ("Omega", "Ω"),
];

/// A symbol name for pretty output: Greek names become Greek letters.
pub(crate) fn pretty_symbol(name: &str) -> String {
    match GREEK.iter().find(|(n, _)| *n == name) {
        Some((_, g)) => (*g).to_string(),
        None => name.to_string(),
    }
}

/// A symbol name for LaTeX: `\alpha` for Greek names, `x_{1}` for `x_1`,
/// `\mathit{lr}` for longer names; `_` elsewhere is escaped.
pub(crate) fn latex_symbol(name: &str) -> String {
    if let Some((base, sub)) = name.split_once('_')
        && !base.is_empty()
        && !sub.is_empty()
        && !sub.contains('_')
    {
        return format!("{}_{{{}}}", latex_symbol(base), latex_symbol(sub));
    }
    if GREEK.iter().any(|(n, _)| *n == name) {
        return format!("\\{name}");
    }
    let escaped = name.replace('_', "\\_");
    if name.chars().count() == 1 || name.chars().all(|c| c.is_ascii_digit()) {
        escaped
    } else {
        format!("\\mathit{{{escaped}}}")
    }
}

/// Digits as Unicode subscripts: `10` becomes `₁₀`.
pub(crate) fn subscript(n: usize) -> String {
    n.to_string()
        .bytes()
        .map(|b| char::from_u32(0x2080 + u32::from(b - b'0')).unwrap_or('?'))
        .collect()
}

/// The subscript of an element: `₀₁`, or `₁,₁₀` when an index has several digits.
pub(crate) fn element_subscript(row: usize, col: usize) -> String {
    let sep = if row >= 10 || col >= 10 { "," } else { "" };
    format!("{}{sep}{}", subscript(row), subscript(col))
}

/// The language name of a reduction.
pub(crate) fn reduction(r: crate::Reduction) -> &'static str {
    match r {
        crate::Reduction::Sum => "sum",
        crate::Reduction::LogSumExp => "logsumexp",
    }
}
