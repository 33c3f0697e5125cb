//! Parser tests: structure as S-expressions, and rendered errors.

use expect_test::{Expect, expect};

use super::{MAX_EXPR_DEPTH, MAX_NESTING, parse};
use crate::ast::{ExprKind, StmtKind};

/// The statements, one S-expression a line, or the rendered error.
fn show(src: &str) -> String {
    match parse(src) {
        Ok(program) => program.iter().map(|s| format!("{s}\n")).collect(),
        Err(d) => d.render(src, "<input>", 80),
    }
}

/// Checks the parse of `src` against a snapshot.
#[track_caller]
pub(super) fn check(src: &str, expected: Expect) {
    expected.assert_eq(&show(src));
}

// ---------------------------------------------------------------- precedence

#[test]
fn unary_minus_binds_looser_than_power() {
    check(
        "-2^2",
        expect![[r#"
        (neg (^ 2 2))
    "#]],
    );
    check(
        "2^-1",
        expect![[r#"
        (^ 2 (neg 1))
    "#]],
    );
    check(
        "2^-x^2",
        expect![[r#"
        (^ 2 (neg (^ x 2)))
    "#]],
    );
    check(
        "-a*b",
        expect![[r#"
        (* (neg a) b)
    "#]],
    );
    check(
        "a*-b",
        expect![[r#"
        (* a (neg b))
    "#]],
    );
    check(
        "a - -b",
        expect![[r#"
        (- a (neg b))
    "#]],
    );
}

#[test]
fn power_is_right_associative() {
    check(
        "a^b^c",
        expect![[r#"
        (^ a (^ b c))
    "#]],
    );
    check(
        "2**3",
        expect![[r#"
        (^ 2 3)
    "#]],
    );
    check(
        "a.^b^c",
        expect![[r#"
        (.^ a (^ b c))
    "#]],
    );
}

#[test]
fn products_bind_tighter_than_sums() {
    check(
        "1/3",
        expect![[r#"
        (/ 1 3)
    "#]],
    );
    check(
        "a .* b ./ c",
        expect![[r#"
        (./ (.* a b) c)
    "#]],
    );
    check(
        "a + b * c - d / e",
        expect![[r#"
        (- (+ a (* b c)) (/ d e))
    "#]],
    );
    check(
        "(a + b) * c",
        expect![[r#"
        (* (+ a b) c)
    "#]],
    );
}

#[test]
fn postfix_binds_tightest() {
    check(
        "a*b'",
        expect![[r#"
        (* a (' b))
    "#]],
    );
    check(
        "A.T",
        expect![[r#"
        (' A)
    "#]],
    );
    check(
        "A.T * B'",
        expect![[r#"
        (* (' A) (' B))
    "#]],
    );
    check(
        "-A'",
        expect![[r#"
        (neg (' A))
    "#]],
    );
    check(
        "W[0, 1]'",
        expect![[r#"
        (' (index W 0 1))
    "#]],
    );
    check(
        "x'^2",
        expect![[r#"
        (^ (' x) 2)
    "#]],
    );
    check(
        "(X * W')[0]",
        expect![[r#"
        (index (* X (' W)) 0)
    "#]],
    );
}

#[test]
fn indexes_and_slices() {
    check(
        "X[:, 0]",
        expect![[r#"
        (index X : 0)
    "#]],
    );
    check(
        "X[0:2, :]",
        expect![[r#"
        (index X 0:2 :)
    "#]],
    );
    check(
        "X[:3, 1:]",
        expect![[r#"
        (index X :3 1:)
    "#]],
    );
    check(
        "z[0]",
        expect![[r#"
        (index z 0)
    "#]],
    );
    check(
        "X[i+1, 0][0]",
        expect![[r#"
        (index (index X (+ i 1) 0) 0)
    "#]],
    );
}

// ------------------------------------------------------------------ literals

#[test]
fn literals() {
    check(
        "42",
        expect![[r#"
        42
    "#]],
    );
    check(
        "123456789012345678901234567890",
        expect![[r#"
        123456789012345678901234567890
    "#]],
    );
    check(
        "0.25 + 1e-3 + .5 + 2.5E+3",
        expect![[r#"
        (+ (+ (+ 0.25 0.001) 0.5) 2500.0)
    "#]],
    );
    check(
        r#"code(e, "numpy")"#,
        expect![[r#"
        (code e "numpy")
    "#]],
    );
    check(
        r#""a \"b\" \\ c\n""#,
        expect![[r#"
        "a \"b\" \\ c\n"
    "#]],
    );
    check(
        "E * pi",
        expect![[r#"
        (* E pi)
    "#]],
    );
}

#[test]
fn vectors_and_matrices() {
    check(
        "[1, 0, 0]",
        expect![[r#"
        [1 0 0]
    "#]],
    );
    check(
        "[[1,2],[3,4]]",
        expect![[r#"
        [[1 2] [3 4]]
    "#]],
    );
    check(
        "[[1, 2, 3]]",
        expect![[r#"
        [[1 2 3]]
    "#]],
    );
    check(
        "[1, 2,]",
        expect![[r#"
        [1 2]
    "#]],
    );
    check(
        "[[1, x^2], [-y, f(z)]]",
        expect![[r#"
        [[1 (^ x 2)] [(neg y) (f z)]]
    "#]],
    );
}

// ---------------------------------------------------------------- statements

#[test]
fn definitions_and_assignments() {
    check(
        "f(x)=x^2",
        expect![[r#"
        (def f (x) (^ x 2))
    "#]],
    );
    check(
        "loss(y, p) = -(y .* log(p))",
        expect![[r#"
        (def loss (y p) (neg (.* y (log p))))
    "#]],
    );
    check(
        "c() = 3",
        expect![[r#"
        (def c () 3)
    "#]],
    );
    check(
        "x = 1; y = 2;",
        expect![[r#"
        (= x 1)
        (= y 2)
    "#]],
    );
    check(
        "f(x)\ny",
        expect![[r#"
        (f x)
        y
    "#]],
    );
}

#[test]
fn calls_with_named_arguments() {
    check(
        "subs(e, W = M)",
        expect![[r#"
        (subs e W=M)
    "#]],
    );
    check(
        "eval(L, W = randn(1, 5), x = 2)",
        expect![[r#"
        (eval L W=(randn 1 5) x=2)
    "#]],
    );
    check(
        "exp(x)",
        expect![[r#"
        (exp x)
    "#]],
    );
    check(
        "ones()",
        expect![[r#"
        (ones)
    "#]],
    );
}

#[test]
fn symbol_declarations() {
    check(
        "symbol a, b",
        expect![[r#"
        (symbol a b)
    "#]],
    );
    check(
        "symbol W[3, 4], b[3]",
        expect![[r#"
        (symbol W[3 4] b[3])
    "#]],
    );
    check(
        "symbols x",
        expect![[r#"
        (symbol x)
    "#]],
    );
    check(
        "symbol Y[3, 5] onehot, y[3] onehot, onehot",
        expect![[r#"
        (symbol Y[3 5] onehot y[3] onehot onehot)
    "#]],
    );
    check(
        "symbol = 3",
        expect![[r#"
        (= symbol 3)
    "#]],
    );
}

#[test]
fn commands_take_the_raw_rest_of_the_line() {
    check(
        ":help",
        expect![[r#"
        (:help "")
    "#]],
    );
    check(
        ":set  output latex  ",
        expect![[r#"
        (:set "output latex")
    "#]],
    );
    check(
        ":load data/x (1).sg # comment\nx",
        expect![[r#"
        (:load "data/x (1).sg")
        x
    "#]],
    );
    check(
        ":set width 40; x",
        expect![[r#"
        (:set "width 40")
        x
    "#]],
    );
}

#[test]
fn silent_statements_and_separators() {
    check(
        "x;",
        expect![[r#"
        (silent x)
    "#]],
    );
    check(
        "x;;y",
        expect![[r#"
        (silent x)
        y
    "#]],
    );
    check(
        "x\n;",
        expect![[r#"
        x
    "#]],
    );
    check(
        "a; b\nc;",
        expect![[r#"
        (silent a)
        b
        (silent c)
    "#]],
    );
}

#[test]
fn blank_and_comment_lines_give_no_statements() {
    check("", expect![""]);
    check("\n\n  \n", expect![""]);
    check("# just a comment", expect![""]);
    check(
        "x = 1  # bind x\n\n# done\r\n",
        expect![[r#"
        (= x 1)
    "#]],
    );
}

#[test]
fn a_line_continues_while_a_bracket_is_open() {
    check(
        "f(x,\n  y)",
        expect![[r#"
        (f x y)
    "#]],
    );
    check(
        "X = [[1, 2],   # first row\n     [3, 4]]\nX",
        expect![[r#"
        (= X [[1 2] [3 4]])
        X
    "#]],
    );
    check(
        "(a\n+ b)\nc",
        expect![[r#"
        (+ a b)
        c
    "#]],
    );
    check(
        "a\n+ b",
        expect![[r#"
            error: unexpected '+'
              --> <input>:2:1
              |
            2 | + b
              | ^ expected an expression
              |
              = hint: a line continues only while a bracket is open: wrap the whole
                      expression in ( )
        "#]],
    );
}

#[test]
fn the_seed_session_parses() {
    let src = "X = [[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]]
symbol W[1, 5]
z = X * W'
y = [1, 0, 0]
p = 1 / (1 + exp(z))
L = (1/3) * sum(-y .* log(p) - (1 - y) .* log(1 - p))
L                                   # 2-D pretty form, like SymPy's pprint
grad(L, W)                          # 1×5 matrix of ∂L/∂W₀ⱼ
eval(L, W = randn(1, 5))            # a number, not an unevaluated expression
";
    check(
        src,
        expect![[r#"
        (= X [[26 100 90 80 1] [2 60 20 50 1] [80 10 4 60 1]])
        (symbol W[1 5])
        (= z (* X (' W)))
        (= y [1 0 0])
        (= p (/ 1 (+ 1 (exp z))))
        (= L (* (/ 1 3) (sum (- (.* (neg y) (log p)) (.* (- 1 y) (log (- 1 p)))))))
        L
        (grad L W)
        (eval L W=(randn 1 5))
    "#]],
    );
}

#[test]
fn spans_are_byte_offsets_into_the_source() {
    let src = "σ = 1\nf(x) = x + 2";
    let program = parse(src).unwrap_or_default();
    let spans: Vec<_> = program.iter().map(|s| s.span.text(src)).collect();
    assert_eq!(spans, [Some("σ = 1"), Some("f(x) = x + 2")]);
    let Some(StmtKind::FuncDef { body, .. }) = program.get(1).map(|s| &s.kind) else {
        panic!("expected a definition, got {program:?}");
    };
    let ExprKind::Binary { op_span, .. } = &body.kind else {
        panic!("expected x + 2")
    };
    assert_eq!(op_span.text(src), Some("+"));
    assert_eq!(body.span.text(src), Some("x + 2"));
}

// ------------------------------------------------------------------ limits

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for (open, close) in [("(", ")"), ("[", "]"), ("f(", ")")] {
        let src = format!("{}x{}", open.repeat(100_000), close.repeat(100_000));
        let err = parse(&src).err().map(|d| d.message);
        assert_eq!(err.as_deref(), Some("brackets nested too deeply"));
    }
    let unclosed = "(".repeat(100_000);
    assert!(parse(&unclosed).is_err());
}

#[test]
fn nesting_up_to_the_limit_parses() {
    let src = format!("{}x{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    assert!(parse(&src).is_ok());
    let src = format!("{}x{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
    assert!(parse(&src).is_ok());
}

#[test]
fn long_operator_chains_are_an_error_not_a_crash() {
    for src in [
        format!("{}x", "-".repeat(20_000)),
        format!("x{}", "^x".repeat(20_000)),
        format!("x{}", ".^x".repeat(20_000)),
        format!("x{}", "'".repeat(20_000)),
        format!("x{}", "[0]".repeat(20_000)),
    ] {
        let err = parse(&src).err().map(|d| d.message);
        assert_eq!(
            err.as_deref(),
            Some("expression nested too deeply"),
            "{}",
            &src[..10]
        );
    }
    assert!(parse(&format!("x{}", "+x*x".repeat(MAX_EXPR_DEPTH / 2 - 2))).is_ok());
}

/// A flat sum or product is one chain, however long: it is neither "nested
/// too deeply" nor recursive to build, and prints as the left-nested
/// operations it stands for.
#[test]
fn long_flat_sums_and_products_parse() {
    for op in ["+", "-", "*", "./"] {
        let src = format!("x{}", format!("{op}y").repeat(100_000));
        let program = parse(&src).unwrap_or_else(|d| panic!("{op}: {}", d.message));
        let StmtKind::Expr { expr, .. } = &program[0].kind else {
            panic!("expected an expression");
        };
        let ExprKind::Chain { rest, .. } = &expr.kind else {
            panic!("expected a chain");
        };
        assert_eq!(rest.len(), 100_000);
    }
    let program = parse("a - b + c * d / e - f").unwrap_or_default();
    assert_eq!(program[0].to_string(), "(- (+ (- a b) (/ (* c d) e)) f)");
}

#[test]
fn large_flat_input_parses() {
    let row = format!("[{}]", vec!["1.5"; 1000].join(", "));
    let src = format!("X = [{}]", vec![row; 100].join(",\n"));
    let program = parse(&src).unwrap_or_default();
    assert_eq!(program.len(), 1);
}

#[test]
fn incomplete_while_a_bracket_is_open() {
    use super::is_incomplete;
    assert!(is_incomplete("X = [[1, 2],"));
    assert!(is_incomplete("f(x,\n  [1"));
    assert!(!is_incomplete("f(x)"));
    assert!(!is_incomplete("x + 1 # ("));
    assert!(!is_incomplete(r#"code(e, "(")"#));
    assert!(!is_incomplete(":load f(.sg"));
    assert!(!is_incomplete("x)"));
}

#[test]
fn pest_alone_survives_huge_nesting() {
    use super::{Grammar, Rule, errors};
    use pest::Parser as _;
    let src = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    let err = Grammar::parse(Rule::program, &src).err();
    let message = err.map(|e| errors::describe(&src, &e).message);
    assert_eq!(
        message.as_deref(),
        Some("the input is nested too deeply to parse")
    );
}

#[test]
fn mixed_nesting_at_the_limit_parses_quickly() {
    let open = "f([(".repeat(MAX_NESTING / 3);
    let close = ")])".repeat(MAX_NESTING / 3);
    let started = std::time::Instant::now();
    assert!(parse(&format!("{open}x{close}")).is_ok());
    // Unclosed: every level fails; backtracking must stay linear.
    assert!(parse(&format!("{open}x")).is_err());
    assert!(started.elapsed().as_secs() < 5);
}

/// Random token soup: parsing never panics, and every error renders in words.
#[test]
fn random_input_never_panics_and_errors_use_words() {
    const TOKENS: [&str; 32] = [
        "x", "f", "2", "0.5", "1e3", "(", ")", "[", "]", ",", ":", ";", "\n", " ", "+", "-", "*",
        "/", "^", "**", ".*", "./", ".^", "'", ".T", "=", "\"s\"", "\"", "#c", "symbol ", "%", "σ",
    ];
    const RULE_NAMES: [&str; 9] = [
        "EOI",
        "SOI",
        "lparen",
        "rbracket",
        "call_open",
        "line_end",
        "expr",
        "program",
        "else",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let len = next() % 12;
        let src: String = (0..len).map(|_| TOKENS[(next() % 32) as usize]).collect();
        if let Err(d) = parse(&src) {
            let text = d.render(&src, "<input>", 80);
            let words = format!("{} {}", d.message, d.label.unwrap_or_default());
            let mut words = words.split(|c: char| !(c.is_alphanumeric() || c == '_'));
            let leaked = words.find(|w| RULE_NAMES.contains(w));
            assert!(leaked.is_none(), "{leaked:?} in\n{text}\nfor {src:?}");
        }
    }
}
