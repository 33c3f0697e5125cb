//! `plot`: terminal charts read back dot by dot, SVG files parsed as XML and
//! their points mapped back through the axis ranges, and every error.

use expect_test::expect;
use std::path::PathBuf;

mod support;
use support::{check, run};

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("symgrad-plot-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The braille dots of a chart's lines (x to the right, y down), with the
/// text after the canvas (labels) ignored.
fn dots(lines: &[&str]) -> Vec<(usize, usize)> {
    // Bit of each dot of a braille cell, by (column, row) within the cell.
    const BITS: [[u32; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
    let mut out = Vec::new();
    for (r, line) in lines.iter().enumerate() {
        for (c, ch) in line.chars().enumerate() {
            let Some(bits) = (ch as u32).checked_sub(0x2800).filter(|&b| b < 0x100) else {
                break; // the label after the canvas
            };
            for (dx, column) in BITS.iter().enumerate() {
                for (dy, &bit) in column.iter().enumerate() {
                    if bits & bit != 0 {
                        out.push((2 * c + dx, 4 * r + dy));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_terminal_chart_has_the_shape_of_the_curve() {
    // f = (w - 3)^2 + 1 on [1, 5]: no axis line crosses the canvas (w > 0,
    // f > 0), so every dot belongs to the curve. It spans w in [1, 5] and f
    // in [1, 5]: the extreme dots fix the scale.
    let out = run("plot((w - 3)^2 + 1, w, 1, 5)");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "(w - 3)^2 + 1");
    assert!(lines[1].ends_with(" 5"), "ymax labelled: {}", lines[1]);
    let last_canvas = lines.len() - 2;
    assert!(lines[last_canvas].ends_with(" 1"), "ymin labelled");
    assert!(lines[last_canvas + 1].starts_with("1 ") && lines[last_canvas + 1].ends_with(" 5"));
    assert!(
        lines.iter().all(|l| l.chars().count() <= 80),
        "fits the width"
    );
    let dots = dots(&lines[1..=last_canvas]);
    let (cmin, cmax) = (
        dots.iter().map(|d| d.0).min().unwrap(),
        dots.iter().map(|d| d.0).max().unwrap(),
    );
    let (rmin, rmax) = (
        dots.iter().map(|d| d.1).min().unwrap(),
        dots.iter().map(|d| d.1).max().unwrap(),
    );
    assert_eq!(cmin, 0);
    let (dx, dy) = (4.0 / (cmax - cmin) as f64, 4.0 / (rmax - rmin) as f64);
    let f = |w: f64| (w - 3.0).powi(2) + 1.0;
    for &(c, r) in &dots {
        let (w, y) = (1.0 + c as f64 * dx, 5.0 - (r - rmin) as f64 * dy);
        // Some point of the curve within 1.5 dots across lies within 1.5 dots up or down.
        let near = (-15..=15).any(|k| (f(w + k as f64 * dx / 10.0) - y).abs() <= 1.5 * dy);
        assert!(near, "dot ({c}, {r}) = ({w}, {y}) is off the curve");
    }
    // The lowest dots are around the middle, w = 3.
    let bottom: Vec<f64> = dots
        .iter()
        .filter(|d| d.1 == rmax)
        .map(|d| 1.0 + d.0 as f64 * dx)
        .collect();
    assert!(bottom.iter().all(|w| (w - 3.0).abs() < 0.4), "{bottom:?}");
    // And the curve is drawn across the whole width.
    for c in (cmin..=cmax).step_by(4) {
        assert!(
            dots.iter().any(|d| d.0.abs_diff(c) <= 2),
            "gap at column {c}"
        );
    }
}

#[test]
fn terminal_chart_of_a_parabola() {
    check(
        ":set width 60\nplot(w^2, w, -2, 2)",
        expect![[r#"
            w^2
            ⠳⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⡁⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⡰⠃ 4
            ⠀⠘⣄⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠄⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⢀⡜⠀⠀
            ⠀⠀⠈⢣⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠂⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⣠⠋⠀⠀⠀
            ⠀⠀⠀⠀⠙⣄⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⡁⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⢀⡜⠁⠀⠀⠀⠀
            ⠀⠀⠀⠀⠀⠈⢣⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠄⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⣠⠋⠀⠀⠀⠀⠀⠀
            ⠀⠀⠀⠀⠀⠀⠀⠘⢦⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠂⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⣠⠞⠀⠀⠀⠀⠀⠀⠀⠀
            ⠀⠀⠀⠀⠀⠀⠀⠀⠀⠙⢤⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⡁⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⣠⠜⠁⠀⠀⠀⠀⠀⠀⠀⠀⠀
            ⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠑⢦⡀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠄⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⣠⠖⠁⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
            ⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠈⠢⣄⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠂⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⢀⡤⠊⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
            ⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠙⠢⣄⡀⠀⠀⠀⠀⠀⠀⠀⠀⡁⠀⠀⠀⠀⠀⠀⠀⠀⣀⡤⠚⠁⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
            ⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠉⠓⠲⠤⣄⣀⡀⠀⠀⠄⠀⠀⣀⣀⡤⠴⠒⠋⠁⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀
            ⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠉⠉⠉⠉⠉⠉⠉⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀⠁⠈⠀ 0
            -2                          w                           2"#]],
    );
}

#[test]
fn terminal_chart_marks_the_path_and_names_its_ends() {
    let out = run("L = (w - 1)^2 + 2\nplot(L, w, -5, 3, path = [2.5, 2, 1.6, 1.3, 1.1, 1.02])");
    assert!(out.starts_with("L = (w - 1)^2 + 2\n"), "{out}");
    assert_eq!(
        out.matches('●').count(),
        2,
        "on the chart and in the legend"
    );
    assert_eq!(out.matches('■').count(), 2);
    // The start (w = 2.5, L = 4.25) is right of and above the end (w = 1.02, L ≈ 2).
    let find = |mark: char| {
        out.lines()
            .enumerate()
            .find_map(|(r, l)| l.chars().position(|c| c == mark).map(|c| (r, c)))
            .unwrap()
    };
    let (start, end) = (find('●'), find('■'));
    assert!(
        start.1 > end.1 && start.0 <= end.0,
        "start {start:?}, end {end:?}"
    );
    assert!(
        out.ends_with("path: 6 points, ● start w = 2.5, ■ end w = 1.02"),
        "{out}"
    );
    // A k×m matrix: the first column is the path; points outside [lo, hi] are counted.
    let out = run("plot(w^2, w, -1, 1, path = [[0.5, 9], [7, 9], [0.25, 9]])");
    assert!(
        out.ends_with(
            "path: 2 points, ● start w = 0.5, ■ end w = 0.25\n\
             (1 path point outside [-1, 1] or not finite left out)"
        ),
        "{out}"
    );
}

#[test]
fn terminal_chart_of_a_vector_against_its_index() {
    let out = run(":set width 50\nlosses = [3, 2, 1.5, 1.25]\nplot(losses)");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "losses");
    assert!(lines[1].ends_with(" 3") && lines[lines.len() - 2].ends_with(" 1.25"));
    assert!(lines[lines.len() - 1].starts_with("1 "), "{out}");
    assert!(lines[lines.len() - 1].contains(" index ") && lines[lines.len() - 1].ends_with(" 4"));
    // The first value is at the top left, the last at the bottom right.
    let canvas = &lines[1..lines.len() - 1];
    let d = dots(canvas);
    let top_left = d.iter().min_by_key(|p| (p.1, p.0)).unwrap();
    let bottom = d.iter().max_by_key(|p| (p.1, p.0)).unwrap();
    assert_eq!(top_left.0, 0);
    assert!(bottom.0 > 80, "{bottom:?}");
}

#[test]
fn plot_errors() {
    check(
        "plot(w^2, w, 2, 2)",
        expect![[r#"
            error: plot needs lo < hi, not lo = 2 and hi = 2
             --> <test>:1:14
              |
            1 | plot(w^2, w, 2, 2)
              |              ^^^^
        "#]],
    );
    check(
        "symbol W[2, 2]\nplot(W, w, 0, 1)",
        expect![[r#"
            error: plot draws a scalar expression, not a 2×2 matrix
             --> <test>:2:6
              |
            2 | plot(W, w, 0, 1)
              |      ^
        "#]],
    );
    check(
        "plot(w^2, 2*w, 0, 1)",
        expect![[r#"
            error: plot draws against a scalar symbol, such as w
             --> <test>:1:11
              |
            1 | plot(w^2, 2*w, 0, 1)
              |           ^^^
              = hint: usage: plot(f, w, lo, hi [, "file.svg"] [, path = P]) | plot(v [, "file.svg"])
        "#]],
    );
    check(
        "plot(a*w^2 + b, w, 0, 1)",
        expect![[r#"
            error: plot needs a value for every symbol but w; unbound: a, b
             --> <test>:1:6
              |
            1 | plot(a*w^2 + b, w, 0, 1)
              |      ^^^^^^^^^
              = hint: substitute them first: plot(subs(f, a = …), w, lo, hi)
        "#]],
    );
    check(
        "plot(w^2, w, 0, 1, color = 1)",
        expect![[r#"
            error: plot has no option 'color'
             --> <test>:1:20
              |
            1 | plot(w^2, w, 0, 1, color = 1)
              |                    ^^^^^
              = hint: the one option is path = P, the visited values of w
        "#]],
    );
    check(
        "plot(w^2, w, 0, 1, path = [1], path = [2])",
        expect![[r#"
            error: path is given twice
             --> <test>:1:32
              |
            1 | plot(w^2, w, 0, 1, path = [1], path = [2])
              |                                ^^^^
        "#]],
    );
    check(
        "plot(w^2, w, 0, 1, path = [w])",
        expect![[r#"
            error: the path must be numeric, but it contains the symbol w
             --> <test>:1:27
              |
            1 | plot(w^2, w, 0, 1, path = [w])
              |                           ^^^
        "#]],
    );
    check(
        "plot([1, 2], path = [1])",
        expect![[r#"
            error: path = … goes with a curve: plot(f, w, lo, hi, path = P)
             --> <test>:1:14
              |
            1 | plot([1, 2], path = [1])
              |              ^^^^
        "#]],
    );
    check(
        "plot(w^2, w, 0)",
        expect![[r#"
            error: plot takes 1 or 2 arguments (a vector) or 4 or 5 (a curve), got 3
             --> <test>:1:1
              |
            1 | plot(w^2, w, 0)
              | ^^^^^^^^^^^^^^^
              = hint: usage: plot(f, w, lo, hi [, "file.svg"] [, path = P]) | plot(v [, "file.svg"])
        "#]],
    );
    check(
        "plot(log(w), w, -2, -1)",
        expect![[r#"
            error: the expression has no finite value on [-2, -1]
             --> <test>:1:6
              |
            1 | plot(log(w), w, -2, -1)
              |      ^^^^^^
        "#]],
    );
    check(
        "plot(w^2, w, 0, x)",
        expect![[r#"
            error: a bound of the plot must be numeric, but it contains the symbol x
             --> <test>:1:17
              |
            1 | plot(w^2, w, 0, x)
              |                 ^
        "#]],
    );
    check(
        "plot([[1, 2], [3, 4]])",
        expect![[r#"
            error: plot(v) draws a vector (n×1 or 1×n), not a 2×2 matrix
             --> <test>:1:6
              |
            1 | plot([[1, 2], [3, 4]])
              |      ^^^^^^^^^^^^^^^^
              = hint: plot one column with plot(A[:, 0])
        "#]],
    );
    check(
        "plot(w^2, w, 0, 1, \"curve.png\")",
        expect![[r#"
            error: plot writes SVG: the file name must end in .svg, not "curve.png"
             --> <test>:1:20
              |
            1 | plot(w^2, w, 0, 1, "curve.png")
              |                    ^^^^^^^^^^^
        "#]],
    );
    check(
        "plot(w^2, w, 0, 1, \"/no/such/dir/c.svg\")",
        expect![[r#"
            error: cannot write /no/such/dir/c.svg: No such file or directory (os error 2)
             --> <test>:1:20
              |
            1 | plot(w^2, w, 0, 1, "/no/such/dir/c.svg")
              |                    ^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

/// The SVG file `path`, parsed.
struct Svg {
    text: String,
}

impl Svg {
    fn read(path: &std::path::Path) -> Svg {
        Svg {
            text: std::fs::read_to_string(path).expect("the SVG file was written"),
        }
    }

    fn doc(&self) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(&self.text).expect("well-formed XML")
    }
}

/// The points of the polylines drawn in `stroke`.
fn polylines(doc: &roxmltree::Document, stroke: &str) -> Vec<Vec<(f64, f64)>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some(stroke))
        .map(|n| {
            n.attribute("points")
                .unwrap()
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

fn number(n: &roxmltree::Node, attr: &str) -> f64 {
    n.attribute(attr).unwrap().parse().unwrap()
}

#[test]
fn svg_of_a_curve_with_a_path() {
    let dir = scratch("curve");
    let file = dir.join("curve.svg");
    let out = run(&format!(
        "f = w^2\nplot(f, w, -2, 2, \"{}\", path = [1.5, 1, 0.5, -0.5])",
        file.display()
    ));
    assert_eq!(out, format!("wrote {}", file.display()));
    let svg = Svg::read(&file);
    let doc = svg.doc();
    assert!(doc.root_element().has_tag_name("svg"));
    let texts = texts(&doc);
    for label in ["w^2", "w", "f"] {
        assert!(
            texts.iter().any(|t| t == label),
            "no <text>{label}</text> in {texts:?}"
        );
    }

    // The curve: 301 samples; its first, middle and last points are
    // (-2, 4), (0, 0), (2, 4), which fix the pixel scale of both axes.
    let curves = polylines(&doc, "#0000FF");
    assert_eq!(curves.len(), 1);
    let curve = &curves[0];
    assert_eq!(curve.len(), 301);
    let (x0, xn, y_top, y_zero) = (curve[0].0, curve[300].0, curve[0].1, curve[150].1);
    assert_eq!(curve[300].1, y_top);
    let w_of = |px: f64| -2.0 + 4.0 * (px - x0) / (xn - x0);
    let f_of = |py: f64| 4.0 * (py - y_zero) / (y_top - y_zero);
    // One pixel is 4/700 in w and 4/450 in f: points are rounded to pixels.
    for &(px, py) in curve {
        let (w, f) = (w_of(px), f_of(py));
        assert!(
            (f - w * w).abs() < 0.05,
            "({px}, {py}) maps to ({w}, {f}), off w^2"
        );
    }

    // The path: a red line through (w_i, w_i^2), a red dot on each point,
    // a green disc at the start and a black square at the end.
    let paths = polylines(&doc, "#FF0000");
    assert_eq!(paths.len(), 1);
    let visited = [1.5, 1.0, 0.5, -0.5];
    let on = |(px, py): (f64, f64), w: f64| {
        (w_of(px) - w).abs() < 0.02 && (f_of(py) - w * w).abs() < 0.05
    };
    assert_eq!(paths[0].len(), 4);
    for (&p, &w) in paths[0].iter().zip(&visited) {
        assert!(on(p, w), "path point {p:?} is not at w = {w}");
    }
    let circles = |fill: &str| -> Vec<(f64, f64)> {
        doc.descendants()
            .filter(|n| n.has_tag_name("circle") && n.attribute("fill") == Some(fill))
            .map(|n| (number(&n, "cx"), number(&n, "cy")))
            .collect()
    };
    let dots = circles("#FF0000");
    assert_eq!(dots.len(), 4);
    for (&p, &w) in dots.iter().zip(&visited) {
        assert!(on(p, w), "dot {p:?} is not at w = {w}");
    }
    let start = circles("#00FF00");
    assert_eq!(start.len(), 1);
    assert!(on(start[0], 1.5));
    let end: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#000000"))
        .map(|n| {
            (
                number(&n, "x") + number(&n, "width") / 2.0,
                number(&n, "y") + number(&n, "height") / 2.0,
            )
        })
        .collect();
    assert_eq!(end.len(), 1, "one end mark");
    assert!(on(end[0], -0.5), "end mark {:?}", end[0]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn svg_of_a_vector_against_its_index() {
    let dir = scratch("vector");
    let file = dir.join("loss.svg");
    let out = run(&format!(
        "loss = [4, 2, 1, 0.5, 0.25]\nplot(loss, \"{}\")",
        file.display()
    ));
    assert_eq!(out, format!("wrote {}", file.display()));
    let svg = Svg::read(&file);
    let doc = svg.doc();
    let texts = texts(&doc);
    assert!(texts.iter().any(|t| t == "index") && texts.iter().any(|t| t == "loss"));
    let lines = polylines(&doc, "#0000FF");
    assert_eq!(lines.len(), 1);
    let l = &lines[0];
    assert_eq!(l.len(), 5);
    // Equal steps in x; y drops by halves: (y_i - y_last) / (y_0 - y_last)
    // = (v_i - 0.25) / 3.75.
    let values = [4.0, 2.0, 1.0, 0.5, 0.25];
    for i in 0..5 {
        let x = (l[i].0 - l[0].0) / (l[4].0 - l[0].0);
        assert!((x - i as f64 / 4.0).abs() < 0.01, "x of point {i}");
        let y = (l[i].1 - l[4].1) / (l[0].1 - l[4].1);
        assert!(
            (y - (values[i] - 0.25) / 3.75).abs() < 0.01,
            "y of point {i}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}
