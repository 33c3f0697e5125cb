//! Rendered parse errors for typical mistakes.

use expect_test::expect;

use super::tests::check;

#[test]
fn error_unclosed_paren() {
    check(
        "(x + 1",
        expect![[r#"
            error: expected ')' to close the '(' opened at 1:1
              --> <input>:1:7
              |
            1 | (x + 1
              |       ^ expected an operator, or ')'
        "#]],
    );
    check(
        "f(x,\n  y",
        expect![[r#"
            error: expected ')' to close the '(' opened at 1:2
              --> <input>:2:4
              |
            2 |   y
              |    ^ expected an operator, ',', or ')'
        "#]],
    );
}

#[test]
fn error_stray_closing_bracket() {
    check(
        "x + (y))",
        expect![[r#"
            error: unexpected ')'
              --> <input>:1:8
              |
            1 | x + (y))
              |        ^ expected an operator, or the end of the statement
              |
              = hint: there is no '(' for it to close
        "#]],
    );
    check(
        "(x]",
        expect![[r#"
            error: mismatched ']'
              --> <input>:1:3
              |
            1 | (x]
              |   ^ expected ')' to close the '(' opened at 1:1
        "#]],
    );
}

#[test]
fn error_missing_operand() {
    check(
        "x +",
        expect![[r#"
            error: expected an expression
              --> <input>:1:4
              |
            1 | x +
              |    ^ the input ends here
        "#]],
    );
    check(
        "x +\ny = 2",
        expect![[r#"
            error: expected an expression
              --> <input>:1:4
              |
            1 | x +
              |    ^ the line ends here
        "#]],
    );
    check(
        "* 3",
        expect![[r#"
            error: unexpected '*'
              --> <input>:1:1
              |
            1 | * 3
              | ^ expected an expression
        "#]],
    );
    check(
        "(x +)",
        expect![[r#"
            error: unexpected ')'
              --> <input>:1:5
              |
            1 | (x +)
              |     ^ expected an expression
        "#]],
    );
}

#[test]
fn error_unclosed_vector() {
    check(
        "[1, 2",
        expect![[r#"
            error: expected ']' to close the '[' opened at 1:1
              --> <input>:1:6
              |
            1 | [1, 2
              |      ^ expected an operator, ',', or ']'
        "#]],
    );
    check(
        "[]",
        expect![[r#"
            error: unexpected ']'
              --> <input>:1:2
              |
            1 | []
              |  ^ expected an expression
              |
              = hint: a vector or matrix needs at least one entry
        "#]],
    );
}

#[test]
fn error_unknown_operator() {
    check(
        "3 $ 4",
        expect![[r#"
            error: unknown operator '$'
              --> <input>:1:3
              |
            1 | 3 $ 4
              |   ^ expected an operator, or the end of the statement
        "#]],
    );
    check(
        "a % 2",
        expect![[r#"
            error: unknown operator '%'
              --> <input>:1:3
              |
            1 | a % 2
              |   ^ expected an operator, or the end of the statement
              |
              = hint: there is no remainder operator
        "#]],
    );
    check(
        "a × b",
        expect![[r#"
            error: unknown operator '×'
              --> <input>:1:3
              |
            1 | a × b
              |   ^ expected an operator, or the end of the statement
              |
              = hint: write '*' to multiply
        "#]],
    );
    check(
        "{1, 2}",
        expect![[r#"
            error: unexpected '{'
              --> <input>:1:1
              |
            1 | {1, 2}
              | ^ expected an expression
              |
              = hint: use ( ) to group and [ ] for vectors and matrices
        "#]],
    );
}

#[test]
fn error_implicit_multiplication() {
    check(
        "[1 2]",
        expect![[r#"
            error: unexpected '2'
              --> <input>:1:4
              |
            1 | [1 2]
              |    ^ expected an operator, ',', or ']'
              |
              = hint: separate the items of a list with ','
        "#]],
    );
    check(
        "2x",
        expect![[r#"
            error: unexpected 'x'
              --> <input>:1:2
              |
            1 | 2x
              |  ^ expected an operator, or the end of the statement
              |
              = hint: write '*' to multiply: there is no implicit multiplication
        "#]],
    );
    check(
        "a b",
        expect![[r#"
            error: unexpected 'b'
              --> <input>:1:3
              |
            1 | a b
              |   ^ expected an operator, or the end of the statement
              |
              = hint: write '*' to multiply: there is no implicit multiplication
        "#]],
    );
}

#[test]
fn error_bad_assignments() {
    check(
        "f(x+1) = 3",
        expect![[r#"
            error: unexpected '='
              --> <input>:1:8
              |
            1 | f(x+1) = 3
              |        ^ expected an operator, or the end of the statement
              |
              = hint: only a name or a function head like f(x, y) can be assigned to; named
                      arguments go inside a call, as in subs(e, x = 2)
        "#]],
    );
    check(
        "x < = 1",
        expect![[r#"
            error: unexpected '='
              --> <input>:1:5
              |
            1 | x < = 1
              |     ^ expected an expression
        "#]],
    );
    check(
        "f(x, x) = x",
        expect![[r#"
            error: parameter 'x' appears twice
              --> <input>:1:6
              |
            1 | f(x, x) = x
              |      ^ already a parameter of this function
        "#]],
    );
}

#[test]
fn error_unterminated_string() {
    check(
        "code(e, \"numpy)",
        expect![[r#"
            error: unterminated string
              --> <input>:1:9
              |
            1 | code(e, "numpy)
              |         ^^^^^^^ this string has no closing '"'
              |
              = hint: a string must end on the line where it starts
        "#]],
    );
}

#[test]
fn error_matrix_shapes_in_literals() {
    check(
        "[[1, 2], [3]]",
        expect![[r#"
            error: matrix rows differ in length
              --> <input>:1:10
              |
            1 | [[1, 2], [3]]
              |          ^^^ row 2 has 1 entry, row 1 has 2 entries
        "#]],
    );
    check(
        "[[1, 2], 3]",
        expect![[r#"
            error: a matrix mixes rows and single entries
              --> <input>:1:10
              |
            1 | [[1, 2], 3]
              |          ^ expected a row like [1, 2]
              |
              = hint: write a matrix as a list of rows, [[1, 2], [3, 4]], or a vector as
                      [1, 2]
        "#]],
    );
    check(
        "[1, 2; 3, 4]",
        expect![[r#"
            error: unexpected ';'
              --> <input>:1:6
              |
            1 | [1, 2; 3, 4]
              |      ^ expected an operator, ',', or ']'
              |
              = hint: ';' ends a statement; write a matrix as a list of rows:
                      [[1, 2], [3, 4]]
        "#]],
    );
}

#[test]
fn error_misc() {
    check(
        "1e999",
        expect![[r#"
            error: number too large
              --> <input>:1:1
              |
            1 | 1e999
              | ^^^^^ beyond the largest float, about 1.8e308
        "#]],
    );
    check(
        ":",
        expect![[r#"
            error: expected a command name
              --> <input>:1:2
              |
            1 | :
              |  ^ the input ends here
        "#]],
    );
    check(
        "x :vars",
        expect![[r#"
            error: unexpected ':'
              --> <input>:1:3
              |
            1 | x :vars
              |   ^ expected an operator, or the end of the statement
              |
              = hint: a command such as :help must start the statement; a range such as 0:2
                      goes inside [ ]
        "#]],
    );
    check(
        "a.b",
        expect![[r#"
            error: unexpected '.'
              --> <input>:1:2
              |
            1 | a.b
              |  ^ expected an operator, or the end of the statement
              |
              = hint: '.' only appears in numbers (0.5) and in the operators .*, ./, .^ and
                      .T
        "#]],
    );
    check(
        "symbol W[3",
        expect![[r#"
            error: expected ']' to close the '[' opened at 1:9
              --> <input>:1:11
              |
            1 | symbol W[3
              |           ^ expected an operator, ',', or ']'
        "#]],
    );
    check(
        "symbol 3",
        expect![[r#"
            error: unexpected '3'
              --> <input>:1:8
              |
            1 | symbol 3
              |        ^ expected a name, an operator, or the end of the statement
              |
              = hint: declare symbols by name, as in: symbol a, W[3, 4]
        "#]],
    );
    check(
        "code(e, 'numpy')",
        expect![[r#"
            error: unexpected "'"
              --> <input>:1:9
              |
            1 | code(e, 'numpy')
              |         ^ expected an expression
              |
              = hint: strings use double quotes, as in "numpy"; a ' after an operand
                      transposes it
        "#]],
    );
    check(
        "x\0",
        expect![[r#"
            error: unexpected control character U+0000
              --> <input>:1:2
              |
            1 | x�
              |  ^ expected an operator, or the end of the statement
        "#]],
    );
}
