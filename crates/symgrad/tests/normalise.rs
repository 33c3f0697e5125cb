//! Normalising constructors: the identities a user expects to see applied.

use symgrad::{Axis, Error, ExprId, Func, Node, Pool, Shape, Span1};

fn setup() -> (Pool, ExprId, ExprId) {
    let mut p = Pool::new();
    let x = p.symbol("x", Shape::SCALAR).unwrap();
    let y = p.symbol("y", Shape::SCALAR).unwrap();
    (p, x, y)
}

fn ints(p: &mut Pool, rows: &[&[i64]]) -> ExprId {
    let shape = Shape::new(rows.len(), rows[0].len());
    let entries = rows
        .iter()
        .flat_map(|r| r.iter())
        .map(|&v| p.int(v).unwrap())
        .collect();
    p.matrix(shape, entries).unwrap()
}

#[test]
fn like_terms_and_powers_collect() {
    let (mut p, x, y) = setup();
    let two = p.int(2).unwrap();
    assert_eq!(p.add(&[x, x]).unwrap(), p.mul(&[two, x]).unwrap());
    assert_eq!(p.mul(&[x, x]).unwrap(), p.pow(x, two).unwrap());
    assert_eq!(p.sub(x, x).unwrap(), p.int(0).unwrap());
    assert_eq!(p.add(&[x, y]).unwrap(), p.add(&[y, x]).unwrap());
    let xy = p.mul(&[x, y]).unwrap();
    let yx = p.mul(&[y, x]).unwrap();
    assert_eq!(xy, yx);
    assert_eq!(p.div(x, x).unwrap(), p.int(1).unwrap());
}

#[test]
fn exact_rationals_fold_and_stay_exact() {
    let (mut p, _, _) = setup();
    let one = p.int(1).unwrap();
    let three = p.int(3).unwrap();
    let third = p.div(one, three).unwrap();
    assert_eq!(third, p.rational(1, 3).unwrap());
    let sum = p.add(&[third, third, third]).unwrap();
    assert_eq!(sum, one);
    let zero = p.int(0).unwrap();
    assert_eq!(p.div(one, zero), Err(Error::DivisionByZero));
}

#[test]
fn function_identities_apply() {
    let (mut p, x, _) = setup();
    let lx = p.apply(Func::Log, x).unwrap();
    assert_eq!(p.apply(Func::Exp, lx).unwrap(), x);
    let ex = p.apply(Func::Exp, x).unwrap();
    assert_eq!(p.apply(Func::Log, ex).unwrap(), x);
    let zero = p.int(0).unwrap();
    assert_eq!(p.apply(Func::Exp, zero).unwrap(), p.int(1).unwrap());
    assert!(matches!(p.apply(Func::Log, zero), Err(Error::Domain(_))));
    let neg = p.neg(x).unwrap();
    let en = p.apply(Func::Exp, neg).unwrap();
    assert_eq!(p.mul(&[ex, en]).unwrap(), p.int(1).unwrap());
}

#[test]
fn numbers_distribute_over_sums() {
    let (mut p, x, y) = setup();
    let s = p.add(&[x, y]).unwrap();
    let three = p.int(3).unwrap();
    let scaled = p.mul(&[three, s]).unwrap();
    assert!(matches!(p.node(scaled), Node::Add(ts) if ts.len() == 2));
}

#[test]
fn shapes_are_checked_with_both_named() {
    let mut p = Pool::new();
    let a = ints(&mut p, &[&[1, 2, 3]]);
    let err = p.product(a, a).unwrap_err();
    assert_eq!(
        err.to_string(),
        "shape mismatch in the matrix product: 1×3 and 1×3"
    );
    let b = ints(&mut p, &[&[1], &[2]]);
    let c = ints(&mut p, &[&[1], &[2], &[3]]);
    assert!(matches!(p.add(&[b, c]), Err(Error::ShapeMismatch { .. })));
}

#[test]
fn broadcasting_follows_numpy() {
    let mut p = Pool::new();
    let w = p.symbol("W", Shape::new(3, 4)).unwrap();
    let b = p.symbol("b", Shape::new(3, 1)).unwrap();
    let r = p.symbol("r", Shape::new(1, 4)).unwrap();
    let e = p.add(&[w, b]).unwrap();
    assert_eq!(p.shape(e), Shape::new(3, 4));
    let e = p.add(&[b, r]).unwrap();
    assert_eq!(p.shape(e), Shape::new(3, 4));
    let one = p.int(1).unwrap();
    let e = p.sub(one, w).unwrap();
    assert_eq!(p.shape(e), Shape::new(3, 4));
    let wb = p.sub(w, w).unwrap();
    assert_eq!(p.shape(wb), Shape::new(3, 4));
}

#[test]
fn data_products_stay_whole_and_elements_expand() {
    let mut p = Pool::new();
    let x = ints(
        &mut p,
        &[
            &[26, 100, 90, 80, 1],
            &[2, 60, 20, 50, 1],
            &[80, 10, 4, 60, 1],
        ],
    );
    let w = p.symbol("W", Shape::new(1, 5)).unwrap();
    let wt = p.transpose(w).unwrap();
    let z = p.product(x, wt).unwrap();
    assert!(matches!(p.node(z), Node::MatMul(..)));
    assert_eq!(p.shape(z), Shape::new(3, 1));
    let z0 = p.element_of(z, 0, 0).unwrap();
    // 26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + W₀₄, built independently:
    let coeffs = [26, 100, 90, 80, 1];
    let mut terms = vec![];
    for (j, c) in coeffs.iter().enumerate() {
        let c = p.int(*c).unwrap();
        let e = p.element(w, 0, j).unwrap();
        terms.push(p.mul(&[c, e]).unwrap());
    }
    terms.reverse();
    assert_eq!(z0, p.add(&terms).unwrap());
    assert_eq!(p.size(z0), 8);
    let Node::Add(ts) = p.node(z0) else {
        panic!("not a sum")
    };
    let first = ts[0];
    assert!(
        matches!(p.node(first), Node::Mul(fs) if p.as_num(fs[0]).map(|n| n.to_i64()) == Some(Some(26)))
    );
}

#[test]
fn explicit_data_folds() {
    let mut p = Pool::new();
    let y = ints(&mut p, &[&[1], &[0], &[0]]);
    let one = p.int(1).unwrap();
    let not_y = p.sub(one, y).unwrap();
    assert_eq!(not_y, ints(&mut p, &[&[0], &[1], &[1]]));
    let a = ints(&mut p, &[&[1, 2], &[3, 4]]);
    let sq = p.product(a, a).unwrap();
    assert_eq!(sq, ints(&mut p, &[&[7, 10], &[15, 22]]));
    let total = p.sum(a, Axis::All).unwrap();
    assert_eq!(total, p.int(10).unwrap());
    let cols = p.sum(a, Axis::Cols).unwrap();
    assert_eq!(cols, ints(&mut p, &[&[4, 6]]));
    let col0 = p
        .slice(a, Span1 { start: 0, end: 2 }, Span1 { start: 0, end: 1 })
        .unwrap();
    assert_eq!(col0, ints(&mut p, &[&[1], &[3]]));
}

#[test]
fn transposes_push_down() {
    let mut p = Pool::new();
    let x = p.symbol("X", Shape::new(3, 5)).unwrap();
    let w = p.symbol("W", Shape::new(1, 5)).unwrap();
    let wt = p.transpose(w).unwrap();
    let z = p.product(x, wt).unwrap();
    let zt = p.transpose(z).unwrap();
    let xt = p.transpose(x).unwrap();
    assert_eq!(zt, p.product(w, xt).unwrap());
    assert_eq!(p.transpose(zt).unwrap(), z);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let (mut p, x, _) = setup();
    let mut e = x;
    let mut result = Ok(e);
    for _ in 0..10_000 {
        result = p.apply(Func::Tanh, e);
        match result {
            Ok(next) => e = next,
            Err(_) => break,
        }
    }
    assert_eq!(result, Err(Error::TooDeep));
}
