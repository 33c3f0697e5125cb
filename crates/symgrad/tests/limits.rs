//! Resource limits of the core: collecting the pool, the size of exact
//! numbers, and products of large square data (issue 10).

use std::collections::HashMap;
use symgrad::{Dense, Error, ExprId, Func, MAX_EXACT_BITS, Pool, PrintOptions, Shape, text};

mod support;
use support::Rng;

fn show(p: &Pool, e: ExprId) -> String {
    text(p, e, &PrintOptions::default())
}

fn random_dense(p: &mut Pool, rng: &mut Rng, n: usize) -> (ExprId, Vec<f64>) {
    let v: Vec<f64> = (0..n * n).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let d = Dense::from_f64(Shape::new(n, n), v.clone()).expect("n×n numbers");
    (p.dense(d).expect("a dense matrix"), v)
}

#[test]
fn collection_keeps_what_roots_reach_and_frees_the_rest() {
    let mut p = Pool::new();
    let mut rng = Rng::new(1);
    let x = p.symbol("x", Shape::SCALAR).unwrap();
    let y = p.symbol("y", Shape::SCALAR).unwrap();
    let ex = p.apply(Func::Exp, x).unwrap();
    let mut kept = p.add(&[ex, y]).unwrap();
    let (big, _) = random_dense(&mut p, &mut rng, 300);
    let (mut data, values) = random_dense(&mut p, &mut rng, 2);
    let garbage = p.mul(&[big, x]).unwrap();
    let before = (p.len(), p.footprint(), show(&p, kept), show(&p, garbage));
    p.collect([&mut kept, &mut data]);
    assert!(
        p.len() < before.0,
        "{} nodes before, {} after",
        before.0,
        p.len()
    );
    assert!(
        p.footprint() < before.1 - 300 * 300 * 8,
        "the 300×300 matrix is freed: {} → {}",
        before.1,
        p.footprint()
    );
    assert_eq!(show(&p, kept), before.2);
    // Hash-consing still finds the kept nodes: building the same expression
    // again gives the same id.
    let x = p.symbol("x", Shape::SCALAR).unwrap();
    let y = p.symbol("y", Shape::SCALAR).unwrap();
    let ex = p.apply(Func::Exp, x).unwrap();
    assert_eq!(p.add(&[ex, y]).unwrap(), kept);
    let d = Dense::from_f64(Shape::new(2, 2), values).unwrap();
    assert_eq!(p.dense(d).unwrap(), data);
    // And new nodes still come after their children.
    let again = p.mul(&[kept, data]).unwrap();
    assert!(again > kept && again > data);
    assert_eq!(p.evaluate(data, &HashMap::new()).unwrap().data.len(), 4);
}

#[test]
fn exact_numbers_are_bounded_in_bits() {
    let mut p = Pool::new();
    let two = p.int(2).unwrap();
    let e = p.int(99_999).unwrap();
    let a = p.pow(two, e).expect("2^99999 has 100 000 bits");
    assert_eq!(show(&p, a).len(), 30_103);
    let too_large = |r: symgrad::Result<ExprId>| matches!(r, Err(Error::TooLarge(m)) if m.contains("too large") && m.contains("floats"));
    assert!(
        too_large(p.mul(&[a, a])),
        "2^199998 is over {MAX_EXACT_BITS} bits"
    );
    let big = p.int(99_999).unwrap();
    assert!(too_large(p.pow(a, big)));
    let three_halves = p.rational(3, 2).unwrap();
    assert!(
        too_large(p.pow(three_halves, big)),
        "(3/2)^99999 has 158 496 bits"
    );
    // A product of exact data matrices is refused before it is computed.
    let e = p.int(70_000).unwrap();
    let big = p.pow(two, e).unwrap();
    let ones = p.ones(Shape::new(3, 3)).unwrap();
    let m = p.mul(&[big, ones]).unwrap();
    assert!(too_large(p.matmul(m, m)), "entries of 140 000 bits");
    // Floats stand in, as far as they reach.
    let f = p.float(3.0).unwrap();
    let e = p.int(600).unwrap();
    let x = p.pow(f, e).unwrap();
    let want = 3f64.powi(600);
    assert!(
        p.as_num(x)
            .is_some_and(|n| (n.to_f64() - want).abs() <= want * 1e-15)
    );
}

/// `A⋅A` and `A²` of data over 10 000 elements stay symbolic (they once
/// called each other without end) and evaluate to the product.
#[test]
fn large_square_products_stay_whole_and_evaluate() {
    let mut p = Pool::new();
    let mut rng = Rng::new(7);
    let n = 101;
    let (a, v) = random_dense(&mut p, &mut rng, n);
    let aa = p.matmul(a, a).unwrap();
    let two = p.int(2).unwrap();
    let a2 = p.power(a, two).unwrap();
    assert_eq!(aa, a2, "A⋅A is A²");
    let three = p.int(3).unwrap();
    let a3 = p.power(a, three).unwrap();
    let a2a = p.matmul(a2, a).unwrap();
    assert_eq!(a3, a2a, "A²⋅A is A³");
    let got = p.evaluate(aa, &HashMap::new()).unwrap();
    for (i, j) in [(0, 0), (3, 5), (100, 42)] {
        let want: f64 = (0..n).map(|k| v[i * n + k] * v[k * n + j]).sum();
        assert!((got.get(i, j) - want).abs() < 1e-12, "({i}, {j})");
    }
}

#[test]
fn an_empty_slice_is_not_out_of_range() {
    let mut p = Pool::new();
    let w = p.symbol("W", Shape::new(3, 3)).unwrap();
    let span = |start, end| symgrad::Span1 { start, end };
    let e = p.slice(w, span(1, 1), span(0, 3)).unwrap_err().to_string();
    assert!(e.contains("is empty"), "{e}");
    let e = p.slice(w, span(0, 4), span(0, 3)).unwrap_err().to_string();
    assert!(e.contains("out of range"), "{e}");
}

#[test]
fn a_compiled_program_refuses_a_value_past_the_element_limit_before_allocating_it() {
    // c⋅r is 20 000 × 20 000, 4⋅10⁸ numbers (3.2 GB), past MAX_ELEMENTS:
    // an error at once, where the program used to allocate and fill it.
    let mut p = Pool::new();
    let n = 20_000;
    let c = p.symbol("c", Shape::new(n, 1)).unwrap();
    let r = p.symbol("r", Shape::new(1, n)).unwrap();
    let outer = p.matmul(c, r).unwrap();
    let tanh = p.apply(Func::Tanh, outer).unwrap();
    let total = p.sum(tanh, symgrad::Axis::All).unwrap();
    let mut program = p.compile(&[total], &[c, r]).unwrap();
    let ones = |s: Shape| symgrad::Values::new(s, vec![1.0; n]).unwrap();
    let result = program.run(&[&ones(Shape::new(n, 1)), &ones(Shape::new(1, n))]);
    assert!(matches!(result, Err(Error::TooLarge(_))), "{result:?}");
}
