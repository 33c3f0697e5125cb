//! Fitting a pretty picture into the line width, as a careful person writes
//! a long formula on paper.
//!
//! A picture that fits is shown whole. Otherwise a sum breaks between
//! terms (continuation lines lead with `+ ` or `- `), a term too wide for a
//! line breaks inside (see `breaks`), a matrix breaks into blocks of columns
//! under their column indices, and whatever is still too wide has
//! subexpressions named (`u₀`, `U₀` for matrices) and defined
//! below it (`where u₀ = …`), each definition fitted the same way. Every
//! output line is a complete 2-D picture no wider than the width; what even
//! that cannot fit (more than `MAX_NAMES` names) is shown as wrapped text.

use super::PrintOptions;
use super::boxes::{Pict, str_width};
use super::names;
use super::prec::Prec;
use super::pretty::{MAX_BLOCK_COLUMNS, Pretty, elided, shown, sign_mark};
use crate::{ExprId, Node, Pool};
use rustc_hash::FxHashMap;

/// At most this many subexpressions are named in one picture; what still
/// does not fit is shown as wrapped text.
const MAX_NAMES: usize = 60;

/// The narrowest width fitting works at (the least `:set width` takes).
const MIN_WIDTH: usize = 10;

/// The pretty form of `id` fitted into `opts.width` columns.
pub(crate) fn fit(pool: &Pool, id: ExprId, opts: &PrintOptions) -> String {
    let width = opts.width.max(MIN_WIDTH);
    let no_names = FxHashMap::default();
    let printer = Pretty::new(pool, opts.digits, &no_names, None);
    // A matrix with rows or columns elided says so above it.
    let captioned = |mut out: String, blocks| {
        if let Some((shape, hidden)) = elided(pool, id, blocks) {
            let caption = wrap_text(&format!("{shape} matrix, {hidden} not shown"), width);
            out.insert_str(0, &(caption + "\n"));
        }
        out
    };
    let whole = printer.expr(id);
    if whole.width() <= width {
        return captioned(whole.render(), false);
    }
    // The pictures drawn so far serve the layout's first round.
    let fitted = Fitted::fit(pool, id, opts, Some(printer));
    let mut out = captioned(join_blocks(&fitted.main), true);
    for (k, def) in fitted.defs.iter().enumerate() {
        let indent = str_width(&def.prefix);
        let mut shown = Vec::new();
        for (i, b) in def.blocks.iter().enumerate() {
            let head = if i == 0 {
                Pict::atom(&def.prefix)
            } else {
                Pict::atom(&" ".repeat(indent))
            };
            shown.push(Pict::row(&[head, b.clone()], Prec::Add));
        }
        let tall = shown.iter().any(|p| p.height() > 1);
        let gap = if k == 0 || tall { "\n\n" } else { "\n" };
        out.push_str(gap);
        out.push_str(&join_blocks(&shown));
    }
    // What even names cannot fit is shown as text, broken at its spaces
    // (and, for a token wider than the line, cut): the width is kept.
    if out.lines().any(|l| str_width(l) > width) {
        let text = super::text(pool, id, opts);
        return wrap_text(&super::wrap::wrap_text_form(&text, width), width);
    }
    out
}

/// The pretty form of an expression too wide for the line: its pictures
/// (one per line block) and the definitions of the names it uses.
pub(crate) struct Fitted {
    pub main: Vec<Pict>,
    pub defs: Vec<Definition>,
    /// The name of each named subexpression.
    pub names: FxHashMap<ExprId, String>,
}

/// `where u₀ = …`: a named subexpression and its pictures.
pub(crate) struct Definition {
    pub id: ExprId,
    /// `where u₀ = ` for the first, `      u₁ = ` for the others.
    pub prefix: String,
    pub blocks: Vec<Pict>,
}

impl Fitted {
    /// Fits `id` into `opts.width` columns, naming what must be named.
    pub(crate) fn new(pool: &Pool, id: ExprId, opts: &PrintOptions) -> Fitted {
        Fitted::fit(pool, id, opts, None)
    }

    /// As [`Fitted::new`], starting from `drawn`, a printer without names
    /// that has drawn `id` already, if there is one.
    fn fit<'a>(
        pool: &'a Pool,
        id: ExprId,
        opts: &PrintOptions,
        drawn: Option<Pretty<'a>>,
    ) -> Fitted {
        let width = opts.width.max(MIN_WIDTH);
        let mut layout = Layout {
            pool,
            root: id,
            digits: opts.digits,
            names: FxHashMap::default(),
            order: Vec::new(),
            bases: None,
            sum_inside: std::cell::OnceCell::new(),
            drawn,
        };
        let main = layout.fit(id, None, width);
        let mut defs = Vec::new();
        let mut k = 0;
        while k < layout.order.len() {
            let named = layout.order[k];
            let label = format!("{} = ", layout.names[&named]);
            let lead = if k == 0 { "where " } else { "      " };
            let prefix = format!("{lead}{label}");
            let room = width.saturating_sub(str_width(&prefix)).max(MIN_WIDTH);
            let blocks = layout.fit(named, Some(named), room);
            defs.push(Definition {
                id: named,
                prefix,
                blocks,
            });
            k += 1;
        }
        Fitted {
            main,
            defs,
            names: layout.names,
        }
    }
}

/// Lines of plain text cut into pieces of at most `width` columns.
pub(crate) fn wrap_text(s: &str, width: usize) -> String {
    let width = width.max(1);
    let mut out = Vec::new();
    for line in s.lines() {
        let mut piece = String::new();
        let mut used = 0;
        for c in line.chars() {
            let w = super::boxes::char_width(c);
            if used + w > width {
                out.push(std::mem::take(&mut piece));
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        out.push(piece);
    }
    out.join("\n")
}

/// Pictures one under the other; tall ones a blank line apart.
fn join_blocks(blocks: &[Pict]) -> String {
    let gap = if blocks.iter().any(|p| p.height() > 1) {
        "\n\n"
    } else {
        "\n"
    };
    blocks
        .iter()
        .map(Pict::render)
        .collect::<Vec<_>>()
        .join(gap)
}

/// The letters of the names given to subexpressions, chosen apart from the
/// names of the symbols in the expression.
struct Bases {
    scalar: &'static str,
    matrix: &'static str,
}

impl Bases {
    fn avoiding(pool: &Pool, id: ExprId) -> Bases {
        let taken: Vec<String> = pool
            .reachable(id)
            .into_iter()
            .filter_map(|e| match pool.node(e) {
                Node::Symbol { name, .. } => Some(names::pretty_symbol(name)),
                _ => None,
            })
            .collect();
        let free = |candidates: &[&'static str]| {
            let clashes = |b: &str| {
                taken.iter().any(|t| {
                    t.strip_prefix(b).is_some_and(|rest| {
                        rest.chars()
                            .all(|c| c.is_ascii_digit() || ('₀'..='₉').contains(&c) || c == '_')
                    })
                })
            };
            candidates
                .iter()
                .copied()
                .find(|b| !clashes(b))
                .unwrap_or(candidates[candidates.len() - 1])
        };
        Bases {
            scalar: free(&["u", "t", "ζ", "ξ"]),
            matrix: free(&["U", "T", "Ξ", "Ψ"]),
        }
    }
}

struct Layout<'a> {
    pool: &'a Pool,
    digits: usize,
    /// Subexpressions shown by name, and the order they were named in.
    names: FxHashMap<ExprId, String>,
    order: Vec<ExprId>,
    /// The expression laid out.
    root: ExprId,
    /// The letters of names, chosen when the first name is given.
    bases: Option<Bases>,
    /// Whether a subexpression of the root has a sum among its descendants
    /// (found when first asked).
    sum_inside: std::cell::OnceCell<FxHashMap<ExprId, bool>>,
    /// A printer without names that has drawn the root, for the first round.
    drawn: Option<Pretty<'a>>,
}

/// For each subexpression of `id`, whether a sum is among its descendants.
fn sums_inside(pool: &Pool, id: ExprId) -> FxHashMap<ExprId, bool> {
    let mut inside = FxHashMap::default();
    // Children have smaller ids than their parents.
    for e in pool.reachable(id) {
        let mut any = false;
        pool.node(e).for_each_child(|c| {
            any |= matches!(pool.node(c), Node::Add(_)) || inside.get(&c).copied().unwrap_or(false);
        });
        inside.insert(e, any);
    }
    inside
}

impl Layout<'_> {
    /// The pictures showing `id` (the definition of a name when `defining`)
    /// in lines of at most `width` columns, naming subexpressions as needed.
    fn fit(&mut self, id: ExprId, defining: Option<ExprId>, width: usize) -> Vec<Pict> {
        let named_before = self.names.len();
        loop {
            let reuse = self.names.is_empty() && defining.is_none();
            let printer = match (reuse, self.drawn.take()) {
                (true, Some(drawn)) => drawn,
                _ => Pretty::new(self.pool, self.digits, &self.names, defining),
            };
            let whole = printer.expr(id).width();
            if whole > width
                && self.names.len() < MAX_NAMES
                && let Some(e) = self.repeated(&printer, id, defining, whole)
            {
                drop(printer);
                self.name(e);
                continue;
            }
            let culprit = match self.blocks(&printer, id, width) {
                Ok(blocks) if self.names.len() == named_before => return blocks,
                Ok(blocks) => {
                    // Name the like of what was named, so that alike parts
                    // read alike (every score of a loss, not all but one).
                    let alike = self.alike(&printer, id, defining, named_before);
                    if alike.is_empty() {
                        return blocks;
                    }
                    drop(printer);
                    alike.into_iter().for_each(|e| self.name(e));
                    let printer = Pretty::new(self.pool, self.digits, &self.names, defining);
                    return self.blocks(&printer, id, width).unwrap_or(blocks);
                }
                Err(culprit) => culprit,
            };
            let choice = self.choose(&printer, id, culprit, width);
            match choice {
                Some(pick) if self.names.len() < MAX_NAMES => {
                    drop(printer);
                    self.name(pick);
                }
                // Nothing left to name: the caller cuts the lines.
                _ => return vec![printer.expr(id)],
            }
        }
    }

    /// Subexpressions drawn in `id` but not named that are flat sums nearly
    /// as wide as the narrowest flat sum named since `since` or wider.
    fn alike(
        &self,
        printer: &Pretty,
        id: ExprId,
        defining: Option<ExprId>,
        since: usize,
    ) -> Vec<ExprId> {
        let narrowest = self.order[since..]
            .iter()
            .filter(|&&e| self.tier(e) == 2)
            .map(|&e| {
                let p = Pretty::new(self.pool, self.digits, &self.names, Some(e));
                p.expr(e).width()
            })
            .min();
        let Some(narrowest) = narrowest else {
            return Vec::new();
        };
        let mut alike: Vec<ExprId> = printer
            .drawn()
            .into_iter()
            .filter(|&(e, w, _)| {
                self.tier(e) == 2
                    && 4 * w >= 3 * narrowest
                    && e != id
                    && Some(e) != defining
                    && !self.names.contains_key(&e)
            })
            .map(|(e, _, _)| e)
            .collect();
        // Flat sums hold no sums, so none of these is inside another.
        alike.sort_unstable();
        alike.truncate(MAX_NAMES.saturating_sub(self.names.len()));
        alike
    }

    /// Gives `id` the next free name.
    fn name(&mut self, id: ExprId) {
        let matrix = !self.pool.shape(id).is_scalar();
        let bases = self
            .bases
            .get_or_insert_with(|| Bases::avoiding(self.pool, self.root));
        let base = if matrix { bases.matrix } else { bases.scalar };
        let k = self
            .order
            .iter()
            .filter(|&&e| self.pool.shape(e).is_scalar() != matrix)
            .count();
        self.names
            .insert(id, format!("{base}{}", names::subscript(k)));
        self.order.push(id);
    }

    /// The lines showing `id`, or the subexpression that is too wide.
    fn blocks(&self, printer: &Pretty, id: ExprId, width: usize) -> Result<Vec<Pict>, ExprId> {
        let whole = printer.expr(id);
        if whole.width() <= width {
            return Ok(vec![whole]);
        }
        match self.pool.node(id) {
            Node::Add(_) => broken_sum(printer, &self.pool.terms_as_shown(id), width),
            Node::Matrix { .. } | Node::Dense(_) => self.column_blocks(printer, id, width),
            _ => printer.broken(id, width).map(|p| vec![p]).ok_or(id),
        }
    }

    /// A matrix too wide for the line as blocks of columns that fit, each
    /// under a heading with its column indices (`columns 0–3`).
    fn column_blocks(
        &self,
        printer: &Pretty,
        id: ExprId,
        width: usize,
    ) -> Result<Vec<Pict>, ExprId> {
        let blocks = column_split(printer, self.pool.shape(id).cols, id, width)
            .map_err(|j| self.widest_entry(printer, id, j).unwrap_or(id))?;
        Ok(blocks
            .iter()
            .map(|cols| {
                let heading = Pict::atom(&columns_heading(cols));
                Pict::column(&[&heading, &printer.matrix_columns(id, cols)])
            })
            .collect())
    }

    /// The widest entry of column `j` of a matrix literal.
    fn widest_entry(&self, printer: &Pretty, id: ExprId, j: Option<usize>) -> Option<ExprId> {
        let (Node::Matrix { shape, entries }, Some(j)) = (self.pool.node(id), j) else {
            return None;
        };
        (0..shape.rows)
            .map(|i| entries[i * shape.cols + j])
            .max_by_key(|&e| printer.expr(e).width())
    }

    /// The subexpression of `culprit` to name next: the one whose naming
    /// saves most (wide and used often, sums preferred, as a person names
    /// the argument of a function), among those whose definition fits on a
    /// line if any does. Never `id` itself, a name, or an atom.
    fn choose(
        &self,
        printer: &Pretty,
        id: ExprId,
        culprit: ExprId,
        width: usize,
    ) -> Option<ExprId> {
        // Draw the culprit so that everything inside it is in `drawn`.
        printer.expr(culprit);
        let inside = self.pool.reachable(culprit);
        let uses = self.uses(id);
        let candidates: Vec<(ExprId, usize, usize)> = printer
            .drawn()
            .into_iter()
            .filter(|&(e, w, _)| {
                e != id
                    && w > 3
                    && !self.names.contains_key(&e)
                    && inside.binary_search(&e).is_ok()
                    && !matches!(
                        self.pool.node(e),
                        Node::Symbol { .. } | Node::Num(_) | Node::Const(_) | Node::Element { .. }
                    )
            })
            .map(|(e, w, _)| (e, w, uses.get(&e).copied().unwrap_or(1)))
            .collect();
        // Flat sums first (the scores `26⋅W₀₀ + …` a person names first),
        // then other sums, then anything; within a tier, a definition that
        // fits on a line, then the most columns saved.
        let key = |&(e, w, uses): &(ExprId, usize, usize)| {
            (
                self.tier(e),
                w + 8 <= width,
                w * uses.min(1000),
                std::cmp::Reverse(e),
            )
        };
        candidates.iter().max_by_key(|c| key(c)).map(|c| c.0)
    }

    /// 2 for a sum with no sum inside, 1 for another sum, else 0.
    fn tier(&self, e: ExprId) -> u8 {
        let inside = self
            .sum_inside
            .get_or_init(|| sums_inside(self.pool, self.root));
        match (self.pool.node(e), inside.get(&e)) {
            (Node::Add(_), Some(true)) => 1,
            (Node::Add(_), _) => 2,
            _ => 0,
        }
    }

    /// A subexpression used so often that naming it saves at least half the
    /// picture's width in columns (`softmax(o)` in its Jacobian).
    fn repeated(
        &self,
        printer: &Pretty,
        id: ExprId,
        defining: Option<ExprId>,
        whole: usize,
    ) -> Option<ExprId> {
        let uses = self.uses(id);
        let used = |e: &ExprId| uses.get(e).copied().unwrap_or(0);
        printer
            .drawn()
            .into_iter()
            .filter(|&(e, w, _)| {
                e != id
                    && Some(e) != defining
                    && !self.names.contains_key(&e)
                    && w >= 6
                    && used(&e) >= 4
                    && (w - 2) * used(&e) >= whole / 2
                    && !matches!(
                        self.pool.node(e),
                        Node::Symbol { .. } | Node::Num(_) | Node::Const(_) | Node::Element { .. }
                    )
            })
            .max_by_key(|&(e, w, _)| ((w - 2) * used(&e), std::cmp::Reverse(e)))
            .map(|(e, _, _)| e)
    }

    /// How many times each subexpression of `id` occurs in it as a tree,
    /// not looking inside names.
    fn uses(&self, id: ExprId) -> FxHashMap<ExprId, usize> {
        let mut uses: FxHashMap<ExprId, usize> = FxHashMap::from_iter([(id, 1usize)]);
        for &e in self.pool.reachable(id).iter().rev() {
            let n = uses.get(&e).copied().unwrap_or(0);
            if n == 0 || (e != id && self.names.contains_key(&e)) {
                continue;
            }
            self.pool.node(e).for_each_child(|c| {
                let u = uses.entry(c).or_insert(0);
                *u = u.saturating_add(n);
            });
        }
        uses
    }
}

/// A sum broken into lines between whole terms, or the term wider than a line.
fn broken_sum(printer: &Pretty, terms: &[ExprId], width: usize) -> Result<Vec<Pict>, ExprId> {
    let mut lines: Vec<Vec<Pict>> = Vec::new();
    let mut used = 0;
    for (i, (t, neg, p)) in printer.terms(terms).into_iter().enumerate() {
        // A term wider than a line is broken inside, if it can be.
        let p = if 2 + p.width() > width {
            printer.broken_term(t, width - 2).ok_or(t)?
        } else {
            p
        };
        let mark = sign_mark(i == 0, neg, &p);
        let fits = used + str_width(mark) + p.width() <= width;
        match lines.last_mut() {
            Some(line) if fits => line.extend([Pict::atom(mark), p]),
            Some(_) => {
                let mark = if neg { "- " } else { "+ " };
                lines.push(vec![Pict::atom(mark), p]);
            }
            None => lines.push(vec![Pict::atom(mark), p]),
        }
        used = lines.last().map_or(0, |l| l.iter().map(Pict::width).sum());
    }
    Ok(lines.iter().map(|l| Pict::row(l, Prec::Add)).collect())
}

/// The columns of a matrix of `n` columns in blocks whose pictures fit
/// `width`: all of them up to [`MAX_BLOCK_COLUMNS`], else the shown ones
/// around an elided `None`. Err(the column) when one column alone does not
/// fit.
pub(crate) fn column_split(
    printer: &Pretty,
    n: usize,
    id: ExprId,
    width: usize,
) -> Result<Vec<Vec<Option<usize>>>, Option<usize>> {
    let cols: Vec<Option<usize>> = if n <= MAX_BLOCK_COLUMNS {
        (0..n).map(Some).collect()
    } else {
        shown(n)
    };
    let mut blocks = Vec::new();
    let mut start = 0;
    while start < cols.len() {
        if printer.matrix_columns(id, &cols[start..=start]).width() > width {
            return Err(cols[start]);
        }
        let mut end = start + 1;
        while end < cols.len() && printer.matrix_columns(id, &cols[start..=end]).width() <= width {
            end += 1;
        }
        blocks.push(cols[start..end].to_vec());
        start = end;
    }
    Ok(blocks)
}

/// The heading of a block of columns: `column 3`, `columns 0–3`.
pub(crate) fn columns_heading(cols: &[Option<usize>]) -> String {
    let shown: Vec<usize> = cols.iter().flatten().copied().collect();
    match (shown.first(), shown.last()) {
        (Some(a), Some(b)) if a == b => format!("column {a}"),
        (Some(a), Some(b)) => format!("columns {a}–{b}"),
        _ => "columns elided".to_string(),
    }
}
