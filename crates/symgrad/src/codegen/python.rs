//! Python expressions with their precedence, and the emitter that turns
//! the nodes of a DAG (children first) into expressions and temporaries.

use super::Param;
use super::target::Target;
use crate::{Axis, Constant, DenseData, Error, ExprId, Node, Num, Pool, Reduction, Result};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Python precedence, loosest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Add,
    /// `*`, `/` and `@`.
    Mul,
    /// A leading minus.
    Unary,
    Pow,
    /// Names, literals, calls, subscripts, attributes.
    Atom,
}

/// A Python expression.
#[derive(Clone, Debug)]
struct Py {
    text: String,
    prec: Prec,
    /// Operations nested in the text (0 for a name or literal).
    depth: u32,
    /// True for a plain Python number (no array involved).
    number: bool,
}

impl Py {
    fn new(text: String, prec: Prec) -> Py {
        Py {
            text,
            prec,
            depth: 0,
            number: false,
        }
    }

    fn atom(text: impl Into<String>) -> Py {
        Py::new(text.into(), Prec::Atom)
    }

    /// The text, in parentheses unless it binds at least as tightly as `min`.
    fn at(&self, min: Prec) -> String {
        if self.prec >= min {
            self.text.clone()
        } else {
            format!("({})", self.text)
        }
    }
}

/// A number as a Python literal; integers and exact ratios stay exact
/// (Python's `p / q` is correctly rounded).
fn number(n: &Num) -> Py {
    match n {
        Num::Float(x) => float(*x),
        Num::Rat(r) if r.is_integer() => {
            let prec = if n.is_negative() {
                Prec::Unary
            } else {
                Prec::Atom
            };
            Py::new(r.numer().to_string(), prec)
        }
        Num::Rat(r) => Py::atom(format!("({} / {})", r.numer(), r.denom())),
    }
}

/// A float as a Python literal that reads back exactly.
fn float(x: f64) -> Py {
    let text = if x.is_nan() {
        "float(\"nan\")".to_string()
    } else if x.is_infinite() {
        format!("{}float(\"inf\")", if x < 0.0 { "-" } else { "" })
    } else {
        format!("{x:?}")
    };
    let prec = if text.starts_with('-') {
        Prec::Unary
    } else {
        Prec::Atom
    };
    Py::new(text, prec)
}

/// Python's keywords and the names the generated module uses itself.
const RESERVED: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "np", "jnp", "jax", "torch", "float", "tuple", "value",
];

/// A symgrad name as a Python identifier: reserved words get a trailing `_`.
pub(super) fn py_name(name: &str) -> String {
    if RESERVED.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// A node nested deeper than this in one line becomes a temporary.
const MAX_INLINE_DEPTH: u32 = 8;
/// A node whose text is longer than this becomes a temporary.
const MAX_INLINE_CHARS: usize = 72;
/// Literal matrices with more elements than this are not written out.
pub(super) const MAX_LITERAL: usize = 10_000;

/// The function body: helper functions, lines and the returned expression.
pub(super) struct Body {
    pub helpers: Vec<&'static str>,
    pub lines: Vec<String>,
    pub result: String,
}

/// Writes the nodes of a DAG, children first, as Python.
pub(super) struct Emitter<'a> {
    pool: &'a Pool,
    target: Target,
    /// Parent count of each node (roots count once more).
    uses: HashMap<ExprId, usize>,
    /// Names of the roots, when the function returns several.
    root_names: HashMap<ExprId, String>,
    exprs: HashMap<ExprId, Py>,
    lines: Vec<String>,
    helpers: BTreeSet<&'static str>,
    taken: HashSet<String>,
    next_temp: usize,
}

impl<'a> Emitter<'a> {
    pub(super) fn new(
        pool: &'a Pool,
        target: Target,
        order: &[ExprId],
        roots: &[(ExprId, String)],
        params: &[Param],
    ) -> Result<Emitter<'a>> {
        let mut uses: HashMap<ExprId, usize> = HashMap::new();
        for &id in order {
            for c in pool.node(id).children() {
                *uses.entry(c).or_default() += 1;
            }
        }
        let mut root_names = HashMap::new();
        if roots.len() > 1 {
            for (id, name) in roots {
                root_names.entry(*id).or_insert_with(|| name.clone());
            }
        }
        let mut taken: HashSet<String> = params.iter().map(|p| p.name.clone()).collect();
        taken.extend(roots.iter().map(|(_, n)| n.clone()));
        Ok(Emitter {
            pool,
            target,
            uses,
            root_names,
            exprs: HashMap::new(),
            lines: Vec::new(),
            helpers: BTreeSet::new(),
            taken,
            next_temp: 1,
        })
    }

    /// Emits node `id`, whose children have been emitted.
    pub(super) fn node(&mut self, id: ExprId) -> Result<()> {
        let py = self.build(id)?;
        let leaf = matches!(
            self.pool.node(id),
            Node::Num(_) | Node::Const(_) | Node::Symbol { .. } | Node::Element { .. }
        );
        let shared = self.uses.get(&id).copied().unwrap_or(0) > 1;
        let name = if let Some(name) = self.root_names.get(&id) {
            Some(name.clone())
        } else if !leaf
            && (shared || py.depth > MAX_INLINE_DEPTH || py.text.len() > MAX_INLINE_CHARS)
        {
            Some(self.temp())
        } else {
            None
        };
        let py = match name {
            Some(name) => {
                self.lines.push(format!("{name} = {}", py.text));
                Py {
                    number: py.number,
                    ..Py::atom(name)
                }
            }
            None => py,
        };
        self.exprs.insert(id, py);
        Ok(())
    }

    /// A fresh temporary name.
    fn temp(&mut self) -> String {
        loop {
            let name = format!("t{}", self.next_temp);
            self.next_temp += 1;
            if self.taken.insert(name.clone()) {
                return name;
            }
        }
    }

    /// The body returning `roots` (all emitted).
    pub(super) fn finish(self, roots: &[(ExprId, String)]) -> Body {
        let result = roots
            .iter()
            .map(|(id, _)| self.exprs[id].text.clone())
            .collect::<Vec<_>>()
            .join(", ");
        Body {
            helpers: self
                .helpers
                .iter()
                .filter_map(|h| self.target.helper(h))
                .collect(),
            lines: self.lines,
            result,
        }
    }

    fn get(&self, id: ExprId) -> Result<&Py> {
        self.exprs.get(&id).ok_or_else(|| {
            Error::Invalid("internal error in code export: a child was not emitted".into())
        })
    }

    /// The text of `id` as a value of the target: a number as a float of
    /// its dtype (library functions refuse Python ints, and reshape Python
    /// numbers).
    fn value(&self, id: ExprId) -> Result<String> {
        let p = self.get(id)?;
        Ok(if p.number {
            self.target.float_scalar(&p.text)
        } else {
            p.text.clone()
        })
    }

    /// `text` built from children `kids`: one deeper than the deepest.
    fn op(&self, text: String, prec: Prec, kids: &[ExprId]) -> Result<Py> {
        let mut depth = 0;
        let mut number = true;
        for &k in kids {
            let p = self.get(k)?;
            depth = depth.max(p.depth);
            number &= p.number;
        }
        Ok(Py {
            text,
            prec,
            depth: depth + 1,
            number,
        })
    }

    /// A call such as `np.exp(x)`, noting the helper it needs.
    fn call(&mut self, text: String, kids: &[ExprId]) -> Result<Py> {
        for h in ["_logsumexp", "_softmax", "_matrix", "_erf"] {
            if text.starts_with(h) || text.contains(&format!("{h}(")) {
                self.helpers.insert(h);
            }
        }
        let mut py = self.op(text, Prec::Atom, kids)?;
        py.number = false;
        Ok(py)
    }

    /// The Python expression of one node.
    fn build(&mut self, id: ExprId) -> Result<Py> {
        let pool = self.pool;
        let t = self.target;
        let ns = t.ns();
        let shape = pool.shape(id);
        let scalar = shape.is_scalar();
        Ok(match pool.node(id) {
            Node::Num(n) => Py {
                number: true,
                ..number(n)
            },
            Node::Const(c) => Py {
                number: true,
                ..float(match c {
                    Constant::E => std::f64::consts::E,
                    Constant::Pi => std::f64::consts::PI,
                })
            },
            Node::Symbol { name, .. } => Py::atom(super::py_name(name)),
            Node::Element { symbol, row, col } => {
                let w = self.get(*symbol)?.at(Prec::Atom);
                Py::atom(format!("{w}[{row}, {col}]"))
            }
            Node::Matrix { entries, .. } if scalar => self.get(entries[0])?.clone(),
            Node::Matrix { shape, entries } => {
                let rows = (0..shape.rows)
                    .map(|i| {
                        let row = entries[i * shape.cols..(i + 1) * shape.cols]
                            .iter()
                            .map(|&e| self.get(e).map(|p| p.text.clone()))
                            .collect::<Result<Vec<_>>>()?;
                        Ok(format!("[{}]", row.join(", ")))
                    })
                    .collect::<Result<Vec<_>>>()?;
                self.call(t.array(&format!("[{}]", rows.join(", "))), entries)?
            }
            Node::Dense(d) if scalar => Py {
                number: true,
                ..float(d.get(0, 0).to_f64())
            },
            Node::Dense(d) => {
                let (m, n) = (d.shape().rows, d.shape().cols);
                if let Some(x) = d.constant() {
                    // A fill of one number, such as the zeros around the
                    // adjoint of a slice, at any size.
                    return self.call(t.full(m, n, &float(x.to_f64()).text), &[]);
                }
                if m * n > MAX_LITERAL {
                    return Err(Error::TooLarge(format!(
                        "a {m}×{n} data matrix is too large to write into the code; to pass data as a parameter, build the expression from a symbol (symbol X[{m}, {n}])"
                    )));
                }
                let nums: Vec<String> = match d.data() {
                    DenseData::Exact(v) => v.iter().map(|x| float(x.to_f64()).text).collect(),
                    DenseData::Float(v) => v.iter().map(|&x| float(x).text).collect(),
                };
                let rows: Vec<String> = nums
                    .chunks(n)
                    .map(|r| format!("[{}]", r.join(", ")))
                    .collect();
                self.call(t.numbers(&format!("[{}]", rows.join(", "))), &[])?
            }
            Node::Add(xs) => {
                let mut text = self.get(xs[0])?.at(Prec::Add);
                for &x in &xs[1..] {
                    let p = self.get(x)?;
                    match p.text.strip_prefix('-') {
                        Some(rest) if p.prec >= Prec::Mul => {
                            text.push_str(" - ");
                            text.push_str(rest);
                        }
                        _ => {
                            text.push_str(" + ");
                            text.push_str(&p.at(Prec::Mul));
                        }
                    }
                }
                self.op(text, Prec::Add, xs)?
            }
            Node::Mul(xs) => self.product(xs)?,
            Node::Pow(b, e) => {
                let text = format!(
                    "{} ** {}",
                    self.get(*b)?.at(Prec::Atom),
                    self.get(*e)?.at(Prec::Unary)
                );
                self.op(text, Prec::Pow, &[*b, *e])?
            }
            Node::MatMul(a, b) => {
                let text = format!(
                    "{} @ {}",
                    self.get(*a)?.at(Prec::Mul),
                    self.get(*b)?.at(Prec::Unary)
                );
                if scalar {
                    self.op(format!("({text})[0, 0]"), Prec::Atom, &[*a, *b])?
                } else {
                    self.op(text, Prec::Mul, &[*a, *b])?
                }
            }
            Node::MatPow(a, n) if scalar => {
                let text = format!("{} ** {n}", self.get(*a)?.at(Prec::Atom));
                self.op(text, Prec::Pow, &[*a])?
            }
            Node::MatPow(a, n) => {
                let x = self.get(*a)?.text.clone();
                self.call(t.matrix_power(&x, *n), &[*a])?
            }
            Node::Transpose(a) if scalar => self.get(*a)?.clone(),
            Node::Transpose(a) => {
                let text = format!("{}.T", self.get(*a)?.at(Prec::Atom));
                self.op(text, Prec::Atom, &[*a])?
            }
            Node::Apply(f, a) => {
                let x = self.value(*a)?;
                self.call(t.func(*f, &x), &[*a])?
            }
            Node::Reduce(_, _, a) if pool.shape(*a).is_scalar() => self.get(*a)?.clone(),
            Node::Reduce(r, axis, a) => {
                let axis = if scalar { Axis::All } else { *axis };
                let x = self.get(*a)?.text.clone();
                let text = match r {
                    Reduction::Sum => t.sum(axis, &x),
                    Reduction::LogSumExp => t.logsumexp(axis, &x),
                };
                self.call(text, &[*a])?
            }
            // The softmax of a single number is 1.
            Node::Softmax(..) if scalar => Py {
                number: true,
                ..Py::atom("1.0")
            },
            Node::Softmax(axis, a) => {
                let x = self.get(*a)?.text.clone();
                self.call(t.softmax(*axis, &x), &[*a])?
            }
            Node::SoftmaxJvp(..) => {
                return Err(Error::Invalid(
                    "internal error in code export: a softmax derivative was not written out"
                        .into(),
                ));
            }
            Node::Trace(a) | Node::Diag(a) if pool.shape(*a).is_scalar() => self.get(*a)?.clone(),
            Node::Trace(a) => {
                let x = self.get(*a)?.text.clone();
                self.call(format!("{ns}.trace({x})"), &[*a])?
            }
            Node::Det(a) if pool.shape(*a).is_scalar() => self.get(*a)?.clone(),
            Node::Det(a) => {
                let x = self.get(*a)?.text.clone();
                self.call(format!("{ns}.linalg.det({x})"), &[*a])?
            }
            Node::LogDet(a) => {
                let x = self.get(*a)?.text.clone();
                self.call(format!("{ns}.linalg.slogdet({x})[1]"), &[*a])?
            }
            Node::Diag(a) => {
                let x = self.get(*a)?.at(Prec::Atom);
                let text = if shape.cols == 1 {
                    format!("{ns}.diag({x}).reshape(-1, 1)")
                } else {
                    format!("{ns}.diag({x}.reshape(-1))")
                };
                self.call(text, &[*a])?
            }
            Node::Stack { vertical, parts } => {
                // A 1×1 part is a scalar here: stacked, it is a 1×1 array.
                let xs = parts
                    .iter()
                    .map(|&p| {
                        if pool.shape(p).is_scalar() {
                            Ok(format!("{ns}.reshape({}, (1, 1))", self.value(p)?))
                        } else {
                            self.get(p).map(|x| x.text.clone())
                        }
                    })
                    .collect::<Result<Vec<_>>>()?;
                let op = if *vertical { "vstack" } else { "hstack" };
                self.call(format!("{ns}.{op}([{}])", xs.join(", ")), parts)?
            }
            Node::Slice { arg, rows, cols } => {
                let x = self.get(*arg)?.at(Prec::Atom);
                let text = if scalar {
                    format!("{x}[{}, {}]", rows.start, cols.start)
                } else {
                    format!(
                        "{x}[{}:{}, {}:{}]",
                        rows.start, rows.end, cols.start, cols.end
                    )
                };
                self.op(text, Prec::Atom, &[*arg])?
            }
        })
    }

    /// An elementwise product: a leading −1 is a minus sign, factors
    /// `x ** -1` divide, gates `step(u)` select it where u > 0 and give 0
    /// elsewhere (`np.where`), as symgrad evaluates a gated product.
    fn product(&mut self, xs: &[ExprId]) -> Result<Py> {
        let (others, gates) = self.pool.split_gates(xs);
        let py = self.ungated_product(&others)?;
        if gates.is_empty() {
            return Ok(py);
        }
        let mut conditions = Vec::with_capacity(gates.len());
        for g in gates {
            if let Node::Apply(_, u) = self.pool.node(g) {
                conditions.push(format!("({} > 0)", self.get(*u)?.text));
            }
        }
        // A number alone would make PyTorch's `where` float32.
        let selected = if py.number {
            self.target.float_scalar(&py.text)
        } else {
            py.text
        };
        let text = format!(
            "{}.where({}, {selected}, 0.0)",
            self.target.ns(),
            conditions.join(" & "),
        );
        let mut py = self.op(text, Prec::Atom, xs)?;
        py.number = false;
        Ok(py)
    }

    /// A product without gates (1 when `xs` is empty).
    fn ungated_product(&mut self, xs: &[ExprId]) -> Result<Py> {
        if xs.is_empty() {
            return Ok(Py {
                number: true,
                ..float(1.0)
            });
        }
        let minus = self.pool.as_num(xs[0]).is_some_and(|n| n == &Num::int(-1));
        let factors = if minus { &xs[1..] } else { xs };
        let mut num: Vec<String> = Vec::new();
        let mut den: Vec<String> = Vec::new();
        for &x in factors {
            let divisor = match self.pool.node(x) {
                Node::Pow(b, e)
                    if self.pool.as_num(*e) == Some(&Num::int(-1))
                        && self.get(x)?.prec == Prec::Pow =>
                {
                    Some(*b)
                }
                _ => None,
            };
            match divisor {
                Some(b) => den.push(self.get(b)?.at(Prec::Unary)),
                None => {
                    let p = self.get(x)?;
                    num.push(if num.is_empty() {
                        p.at(Prec::Mul)
                    } else {
                        p.at(Prec::Unary)
                    });
                }
            }
        }
        let mut text = if num.is_empty() {
            "1".to_string()
        } else {
            num.join(" * ")
        };
        for d in &den {
            text.push_str(" / ");
            text.push_str(d);
        }
        let single = num.len() + den.len() == 1 && den.is_empty();
        let prec = match (minus, single) {
            (false, true) => self.get(factors[0])?.prec,
            _ => Prec::Mul,
        };
        let (text, prec) = if minus {
            if prec >= Prec::Mul && !text.starts_with('-') {
                let p = if prec == Prec::Mul {
                    Prec::Mul
                } else {
                    Prec::Unary
                };
                (format!("-{text}"), p)
            } else {
                (format!("-({text})"), Prec::Unary)
            }
        } else {
            (text, prec)
        };
        self.op(text, prec, xs)
    }
}
