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
        Func::Tan => "\\tan",
        Func::Atan => "\\operatorname{atan}",
        Func::Asin => "\\operatorname{asin}",
        Func::Acos => "\\operatorname{acos}",
        Func::Sinh => "\\sinh",
        Func::Cosh => "\\cosh",
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

/// Greek capitals written like Latin letters: Unicode in pretty output,
/// the Latin letter in LaTeX (which has no command for them).
const LATIN_LOOKING: [(&str, &str, &str); 12] = [
    ("Alpha", "Α", "A"),
    ("Beta", "Β", "B"),
    ("Epsilon", "Ε", "E"),
    ("Zeta", "Ζ", "Z"),
    ("Eta", "Η", "H"),
    ("Iota", "Ι", "I"),
    ("Kappa", "Κ", "K"),
    ("Mu", "Μ", "M"),
    ("Nu", "Ν", "N"),
    ("Rho", "Ρ", "P"),
    ("Tau", "Τ", "T"),
    ("Chi", "Χ", "X"),
];

/// Letters that have a Unicode subscript form.
const SUBSCRIPTS: [(char, char); 22] = [
    ('a', 'ₐ'),
    ('e', 'ₑ'),
    ('h', 'ₕ'),
    ('i', 'ᵢ'),
    ('j', 'ⱼ'),
    ('k', 'ₖ'),
    ('l', 'ₗ'),
    ('m', 'ₘ'),
    ('n', 'ₙ'),
    ('o', 'ₒ'),
    ('p', 'ₚ'),
    ('r', 'ᵣ'),
    ('s', 'ₛ'),
    ('t', 'ₜ'),
    ('u', 'ᵤ'),
    ('v', 'ᵥ'),
    ('x', 'ₓ'),
    ('β', 'ᵦ'),
    ('γ', 'ᵧ'),
    ('ρ', 'ᵨ'),
    ('φ', 'ᵩ'),
    ('χ', 'ᵪ'),
];

/// One word of a name in pretty output: a Greek name as its letter.
fn pretty_word(name: &str) -> String {
    if let Some((_, g)) = GREEK.iter().find(|(n, _)| *n == name) {
        return (*g).to_string();
    }
    if let Some((_, g, _)) = LATIN_LOOKING.iter().find(|(n, _, _)| *n == name) {
        return (*g).to_string();
    }
    name.to_string()
}

/// `s` in Unicode subscripts, if every character has one.
fn as_subscript(s: &str) -> Option<String> {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x2080 + (c as u32 - '0' as u32)),
            _ => SUBSCRIPTS.iter().find(|(l, _)| *l == c).map(|(_, s)| *s),
        })
        .collect()
}

/// A symbol name for pretty output, after SymPy: Greek names become Greek
/// letters (`beta` → `β`, `Gamma` → `Γ`), a subscript after `_` or trailing
/// digits is lowered where Unicode can (`x_1`, `x1` → `x₁`, `F_beta` → `Fᵦ`).
pub fn pretty_symbol(name: &str) -> String {
    if let Some((base, sub)) = name.split_once('_')
        && !base.is_empty()
        && !sub.is_empty()
        && !sub.contains('_')
    {
        let base = pretty_word(base);
        return match as_subscript(&pretty_word(sub)) {
            Some(low) => format!("{base}{low}"),
            None => format!("{base}_{}", pretty_word(sub)),
        };
    }
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if !stem.is_empty() && stem.len() < name.len() && !stem.ends_with('_') {
        let digits = as_subscript(&name[stem.len()..]).unwrap_or_default();
        return format!("{}{digits}", pretty_word(stem));
    }
    pretty_word(name)
}

/// The name of a matrix symbol before an element's subscript: as
/// [`pretty_symbol`], except that trailing digits stay digits (`z0₁`).
pub(crate) fn element_base(name: &str) -> String {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if !stem.is_empty() && stem.len() < name.len() && !stem.ends_with('_') {
        return format!("{}{}", pretty_word(stem), &name[stem.len()..]);
    }
    pretty_symbol(name)
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
    if name == "omicron" {
        // Not a LaTeX command: omicron is the Latin o.
        return "o".into();
    }
    if let Some((_, _, latin)) = LATIN_LOOKING.iter().find(|(n, _, _)| *n == name) {
        return (*latin).to_string();
    }
    if GREEK.iter().any(|(n, _)| *n == name) {
        return format!("\\{name}");
    }
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if !stem.is_empty() && stem.len() < name.len() && !stem.ends_with('_') {
        return format!("{}_{{{}}}", latex_symbol(stem), &name[stem.len()..]);
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
