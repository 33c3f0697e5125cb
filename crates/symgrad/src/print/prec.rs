//! The precedence table shared by the text, LaTeX and pretty printers.
//!
//! It mirrors the input language, tightest last: `+ -` < `* / .* ./` <
//! unary `-` < `^ .^` < postfix (`A'`, `A[i, j]`) < atoms and calls.

/// How tightly the outermost operator of a printed form binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Prec {
    /// A sum or difference.
    Add,
    /// A product, quotient or matrix product.
    Mul,
    /// A leading unary minus (`-x`, `-2`).
    Neg,
    /// A power.
    Pow,
    /// A transpose or an index.
    Postfix,
    /// A name, a number, a call, anything bracketed.
    Atom,
}

/// The weakest form a term of a sum may take after its sign (`a - (b + c)`).
pub(crate) const TERM: Prec = Prec::Mul;
/// The weakest form a factor of a product may take (`2*(x + 1)`, `y*(-x)`).
pub(crate) const FACTOR: Prec = Prec::Pow;
/// The weakest form the base of a power may take (`(x^2)^3`, `(-2)^2`).
pub(crate) const POW_BASE: Prec = Prec::Postfix;
/// The weakest form an exponent may take (`x^(-2)`; `a^b^c` is right-associative).
pub(crate) const POW_EXP: Prec = Prec::Pow;
/// The weakest form the operand of a postfix operator may take (`(X*W)'`).
pub(crate) const POSTFIX_ARG: Prec = Prec::Postfix;

impl Prec {
    /// True when a form of precedence `self` needs brackets where at least `min` is required.
    pub(crate) fn needs_parens(self, min: Prec) -> bool {
        self < min
    }
}
