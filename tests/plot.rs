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

/// Values beyond f32 (textplots' numbers), or closer together than its
/// precision, still draw: `exp` on [0, 800] up to its largest finite
/// sample, and a line that rises by 10⁻⁶ of its height as a line, with ends
/// labelled apart.
#[test]
fn terminal_charts_past_f32() {
    let out = run("plot(exp(w), w, 0, 800)");
    let lines: Vec<&str> = out.lines().collect();
    let last_canvas = lines.len() - 2;
    let top: f64 = lines[1].rsplit(' ').next().unwrap().parse().unwrap();
    // The largest finite sample: w = 800⋅266/300.
    let want = (800.0f64 * 266.0 / 300.0).exp();
    assert!(
        (top / want - 1.0).abs() < 1e-2,
        "top label {top}, want {want}"
    );
    let spike = dots(&lines[1..=last_canvas]);
    let width = spike.iter().map(|d| d.0).max().unwrap();
    assert!(
        spike.iter().any(|&(c, r)| r == 0 && c > width * 8 / 10),
        "the spike near w = 709 reaches the top row"
    );

    let out = run("plot(1000 + w/1000, w, 0, 1)");
    let lines: Vec<&str> = out.lines().collect();
    let last_canvas = lines.len() - 2;
    assert!(lines[1].ends_with(" 1000.001"), "{}", lines[1]);
    assert!(
        lines[last_canvas].ends_with(" 1000"),
        "{}",
        lines[last_canvas]
    );
    let line = dots(&lines[1..=last_canvas]);
    let (cmax, rmax) = (
        line.iter().map(|d| d.0).max().unwrap() as f64,
        line.iter().map(|d| d.1).max().unwrap() as f64,
    );
    // Past the first column, textplots' axis line at w = 0.
    for &(c, r) in line.iter().filter(|d| d.0 > 1) {
        // The line from the bottom left to the top right, within 1.5 dots.
        let on_line = rmax * (1.0 - c as f64 / cmax);
        assert!(
            (r as f64 - on_line).abs() <= 1.5,
            "dot ({c}, {r}) is off the line"
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
            error: plot needs lo < hi for w, not lo = 2 and hi = 2
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
            error: plot draws against a scalar symbol such as w, or contours over a symbol
                   of two elements
              --> <test>:1:11
              |
            1 | plot(w^2, 2*w, 0, 1)
              |           ^^^
              |
              = hint: usage: plot(f, w, lo, hi [, "file.svg"] [, path = P]
                      [, animate = true]) | plot(v [, "file.svg"])
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
              |
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
              |
              = hint: the options are path = P, the visited values of w, and animate = true
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
              |
              = hint: usage: plot(f, w, lo, hi [, "file.svg"] [, path = P]
                      [, animate = true]) | plot(v [, "file.svg"])
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
              |
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
    // One pixel is 4/700 in w and 4/450 in f: points are placed to a
    // hundredth of a pixel, not rounded to whole ones (which shows as
    // steps along the curve).
    for &(px, py) in curve {
        let (w, f) = (w_of(px), f_of(py));
        assert!(
            (f - w * w).abs() < 2e-3,
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

/// Tick labels: a tick at zero reads 0, not -0 (the ticks are computed
/// steps, and the one at zero can come out a rounding error below it, as on
/// this axis from -0.4 to 0.8 in steps of 0.2); ticks 10⁻⁴ apart differ in
/// their labels; ticks near the largest float are short, and the curve up
/// to there has finite coordinates.
#[test]
fn svg_tick_labels_tell_ticks_apart_briefly() {
    let dir = scratch("ticks");
    let file = dir.join("ticks.svg");
    let plot = |source: &str| {
        run(&format!("{source}, \"{}\")", file.display()));
        Svg::read(&file)
    };
    // The tick labels of a plot titled `title`: the texts but the title
    // and the axes' names.
    let ticks = |svg: &Svg, title: &str| -> Vec<String> {
        let mut texts = texts(&svg.doc());
        texts.retain(|t| t.parse::<f64>().is_ok() && t != title);
        texts
    };
    let svg = plot("plot(sin(a)*exp(-a/5), a, 0, 30");
    let labels = ticks(&svg, "");
    let zeros: Vec<&String> = labels
        .iter()
        .filter(|t| t.parse::<f64>().unwrap() == 0.0)
        .collect();
    assert!(!zeros.is_empty(), "no tick at 0 in {labels:?}");
    assert!(zeros.iter().all(|t| !t.starts_with('-')), "{zeros:?}");

    let svg = plot("plot(1000 + w/1000, w, 0, 1");
    let labels = ticks(&svg, "");
    let mut values: Vec<f64> = labels.iter().map(|t| t.parse().unwrap()).collect();
    values.retain(|&v| v >= 1000.0);
    let count = values.len();
    values.dedup();
    assert!(count >= 5 && values.len() == count, "{labels:?}");

    // One form along an axis: 200 … 1000 … 2000, not 800.0 then 1e3.
    let svg = plot("plot(w, w, 0, 2000");
    let labels = ticks(&svg, "");
    assert!(labels.iter().all(|t| !t.contains(['e', '.'])), "{labels:?}");

    let svg = plot("plot(exp(w), w, 0, 800");
    let labels = ticks(&svg, "");
    assert!(labels.iter().all(|t| t.len() <= 8), "{labels:?}");
    let curve = &polylines(&svg.doc(), "#0000FF")[0];
    assert!(curve.iter().all(|&(x, y)| x.is_finite() && y.is_finite()));
    std::fs::remove_dir_all(dir).unwrap();
}

/// The data of a picture is clipped to its own plotting area, by an id that
/// differs from picture to picture: pictures inline in one notebook page
/// share one namespace of ids.
#[test]
fn svg_clip_ids_are_the_pictures_own() {
    let dir = scratch("clips");
    let clip = |source: &str| {
        let file = dir.join("p.svg");
        run(&format!("{source}, \"{}\")", file.display()));
        let svg = Svg::read(&file);
        let doc = svg.doc();
        let ids: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("clipPath"))
            .map(|n| n.attribute("id").unwrap().to_string())
            .collect();
        let used: Vec<String> = doc
            .descendants()
            .filter_map(|n| n.attribute("clip-path").map(str::to_string))
            .collect();
        assert_eq!(ids.len(), 1, "{ids:?}");
        assert_eq!(used, [format!("url(#{})", ids[0])]);
        ids[0].clone()
    };
    let (a, b) = (clip("plot(w^2, w, -1, 1"), clip("plot(w^3, w, -1, 1"));
    assert_ne!(a, b);
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

/// A line with many more points than pixel columns (the loss of every step
/// of a long run) is drawn through the first, lowest, highest and last point
/// of each column: a few thousand points, its spike and dip kept where they
/// are.
#[test]
fn svg_of_a_long_vector_keeps_its_extremes_in_few_points() {
    let dir = scratch("long");
    let (csv, file) = (dir.join("v.csv"), dir.join("v.svg"));
    let n = 100_000;
    let values: Vec<String> = (0..n)
        .map(|k| match k {
            4242 => "5".to_string(),
            77_777 => "-3".to_string(),
            _ => format!("{}", (k * 7919 % 1000) as f64 / 1000.0),
        })
        .collect();
    std::fs::write(&csv, values.join("\n")).unwrap();
    run(&format!(
        "v = load(\"{}\")\nplot(v, \"{}\")",
        csv.display(),
        file.display()
    ));
    let svg = Svg::read(&file);
    let line = &polylines(&svg.doc(), "#0000FF")[0];
    assert!(line.len() <= 4 * 800, "{} points", line.len());
    let (x0, xn) = (line[0].0, line[line.len() - 1].0);
    let index = |px: f64| 1.0 + (n - 1) as f64 * (px - x0) / (xn - x0);
    let top = line.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    let bottom = line.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    // A pixel column holds about 145 samples; the spike is sample 4243.
    assert!(
        (index(top.0) - 4243.0).abs() < 300.0,
        "spike at {}",
        index(top.0)
    );
    assert!(
        (index(bottom.0) - 77_778.0).abs() < 300.0,
        "dip at {}",
        index(bottom.0)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Contour levels a millionth apart read apart: in the terminal's list and
/// on the SVG's lines (they all read `2` before).
#[test]
fn close_contour_levels_read_apart() {
    let f = "symbol v[2]\nplot(v[0] + v[1], v, [1, 1], [1 + 1e-8, 1 + 1e-8]";
    let out = run(&format!("{f})"));
    let line = out.lines().find(|l| l.starts_with("levels ")).unwrap();
    // The list, less any level cut by the width.
    let shown: Vec<&str> = line["levels ".len()..]
        .split(", ")
        .filter(|l| l.parse::<f64>().is_ok())
        .collect();
    let mut apart = shown.clone();
    apart.dedup();
    assert!(shown.len() >= 3 && apart == shown, "{line}");

    let dir = scratch("levels");
    let file = dir.join("c.svg");
    run(&format!("{f}, \"{}\")", file.display()));
    let svg = Svg::read(&file);
    // The level labels: values near 2, where the axes' ticks are near 1.
    let mut levels: Vec<String> = texts(&svg.doc())
        .into_iter()
        .filter(|t| t.parse::<f64>().is_ok_and(|v| v > 1.5))
        .collect();
    let count = levels.len();
    levels.dedup();
    assert!(count >= 5 && levels.len() == count, "{levels:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The visibility of an element animated by `<animate attributeName=
/// "visibility" calcMode="discrete" values=… keyTimes=…>` at the moment `t`
/// (a fraction of the cycle), by the SMIL rules: the value of the last key
/// time at or before `t`.
fn visible_at(group: &roxmltree::Node, t: f64) -> bool {
    let Some(anim) = group.children().find(|c| c.has_tag_name("animate")) else {
        return group.attribute("visibility") != Some("hidden");
    };
    assert_eq!(anim.attribute("calcMode"), Some("discrete"));
    let values: Vec<&str> = anim.attribute("values").unwrap().split(';').collect();
    let times: Vec<f64> = anim
        .attribute("keyTimes")
        .unwrap()
        .split(';')
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(values.len(), times.len());
    let k = times.iter().rposition(|&k| k <= t).unwrap();
    values[k] == "visible"
}

#[test]
fn animated_svg_of_a_descent_with_its_tangents() {
    // descend(w^2, w, 0.25, 6, 1.5) halves w at each step: w_k = 1.5/2^k,
    // and the tangent at w_k has the slope 2⋅w_k.
    let dir = scratch("animated");
    let file = dir.join("descent.svg");
    let out = run(&format!(
        "descend(w^2, w, 0.25, 6, 1.5);\nplot(w^2, w, -2, 2, \"{}\", path = last_path(), animate = true)",
        file.display()
    ));
    assert!(out.ends_with(&format!("wrote {}", file.display())), "{out}");
    let svg = Svg::read(&file);
    let doc = svg.doc();
    assert!(
        !doc.descendants().any(|n| n.has_tag_name("script")),
        "no script"
    );
    let curve = &polylines(&doc, "#0000FF")[0];
    let (x0, xn, y_top, y_zero) = (curve[0].0, curve[300].0, curve[0].1, curve[150].1);
    let w_of = |px: f64| -2.0 + 4.0 * (px - x0) / (xn - x0);
    let f_of = |py: f64| 4.0 * (py - y_zero) / (y_top - y_zero);
    let tangents: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("line") && n.attribute("class") == Some("tangent"))
        .collect();
    assert_eq!(tangents.len(), 7, "one tangent per point visited");
    for (k, t) in tangents.iter().enumerate() {
        let w = 1.5 / 2f64.powi(k as i32);
        let (a, b) = (
            (w_of(number(t, "x1")), f_of(number(t, "y1"))),
            (w_of(number(t, "x2")), f_of(number(t, "y2"))),
        );
        let slope = (b.1 - a.1) / (b.0 - a.0);
        assert!(
            (slope - 2.0 * w).abs() < 0.05,
            "tangent {k}: slope {slope}, want {}",
            2.0 * w
        );
        // It touches the curve at (w, w²): its middle is there.
        let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        assert!(
            (mid.0 - w).abs() < 0.02 && (mid.1 - w * w).abs() < 0.05,
            "tangent {k} at {mid:?}"
        );
    }
    // At every moment exactly one tangent shows, in the order of the steps,
    // each for a while; the caption of the same step shows with it.
    let groups: Vec<roxmltree::Node> = tangents.iter().map(|t| t.parent().unwrap()).collect();
    let captions: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text") && n.attribute("class") == Some("caption"))
        .collect();
    assert_eq!(captions.len(), 7);
    let mut seen = Vec::new();
    for i in 0..1000 {
        let t = i as f64 / 1000.0;
        let shown: Vec<usize> = (0..7).filter(|&k| visible_at(&groups[k], t)).collect();
        assert_eq!(shown.len(), 1, "at {t}: tangents {shown:?}");
        let cap: Vec<usize> = (0..7)
            .filter(|&k| visible_at(&captions[k].parent().unwrap(), t))
            .collect();
        assert_eq!(cap, shown, "at {t}");
        if seen.last() != Some(&shown[0]) {
            seen.push(shown[0]);
        }
    }
    assert_eq!(seen, (0..7).collect::<Vec<_>>());
    assert!(
        captions[3]
            .text()
            .unwrap()
            .starts_with("step 3: w = 0.1875, f = 0.035156")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn svg_of_contour_lines_with_a_2d_descent() {
    // f = (v0 − 2)² + 3(v1 + 3)²; descend with lr 0.05 from [-1, 1] scales
    // v0 − 2 by 0.9 and v1 + 3 by 0.7 at each step.
    let dir = scratch("contours");
    let file = dir.join("contours.svg");
    let out = run(&format!(
        "symbol v[2]\nf = (v[0] - 2)^2 + 3*(v[1] + 3)^2\n\
         descend(f, v, 0.05, 30, [-1, 1]);\n\
         plot(f, v, [-2, -5], [4, 2], \"{}\", path = last_path())",
        file.display()
    ));
    assert!(out.ends_with(&format!("wrote {}", file.display())), "{out}");
    let svg = Svg::read(&file);
    let doc = svg.doc();
    let visited: Vec<(f64, f64)> = (0..=30)
        .map(|k| (2.0 - 3.0 * 0.9f64.powi(k), -3.0 + 4.0 * 0.7f64.powi(k)))
        .collect();
    let path = &polylines(&doc, "#FF0000")[0];
    assert_eq!(path.len(), 31);
    // The first and last points fix the pixel scale.
    let (p0, pn) = (path[0], path[30]);
    let (v0, vn) = (visited[0], visited[30]);
    let x_of = |px: f64| v0.0 + (px - p0.0) * (vn.0 - v0.0) / (pn.0 - p0.0);
    let y_of = |py: f64| v0.1 + (py - p0.1) * (vn.1 - v0.1) / (pn.1 - p0.1);
    let pixel = (
        ((vn.0 - v0.0) / (pn.0 - p0.0)).abs(),
        ((vn.1 - v0.1) / (pn.1 - p0.1)).abs(),
    );
    for (k, (&p, &v)) in path.iter().zip(&visited).enumerate() {
        assert!(
            (x_of(p.0) - v.0).abs() <= pixel.0 && (y_of(p.1) - v.1).abs() <= pixel.1,
            "path point {k} at {:?}, want {v:?}",
            (x_of(p.0), y_of(p.1))
        );
    }
    // Every contour line lies on one level of f, to within what rounding
    // to pixels moves f; the levels are the labels written on the lines.
    let f = |x: f64, y: f64| (x - 2.0).powi(2) + 3.0 * (y + 3.0).powi(2);
    let labels: Vec<f64> = texts(&doc).iter().filter_map(|t| t.parse().ok()).collect();
    let contours: Vec<Vec<(f64, f64)>> = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("polyline")
                && !matches!(n.attribute("stroke"), Some("#000000" | "#FF0000"))
        })
        .map(|n| {
            n.attribute("points")
                .unwrap()
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x_of(x.parse().unwrap()), y_of(y.parse().unwrap()))
                })
                .collect()
        })
        .collect();
    assert!(contours.len() >= 12, "{} contour lines", contours.len());
    let mut levels_met = Vec::new();
    for line in &contours {
        let mut values: Vec<f64> = line.iter().map(|&(x, y)| f(x, y)).collect();
        values.sort_by(f64::total_cmp);
        let level = values[values.len() / 2];
        for &(x, y) in line {
            let slack = 2.0 * (x - 2.0).abs() * pixel.0 + 6.0 * (y + 3.0).abs() * pixel.1 + 0.02;
            assert!(
                (f(x, y) - level).abs() <= slack,
                "({x}, {y}): f = {}, the line's level {level}",
                f(x, y)
            );
        }
        let label = labels
            .iter()
            .find(|&&l| (l - level).abs() <= 0.01 * level + 0.05)
            .unwrap_or_else(|| panic!("no label for the level {level} in {labels:?}"));
        levels_met.push(*label);
    }
    levels_met.sort_by(f64::total_cmp);
    levels_met.dedup();
    assert_eq!(levels_met.len(), 12, "{levels_met:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn terminal_contours_and_animation_errors() {
    let out = run(
        ":set width 60\nsymbol v[2]\nf = (v[0] - 2)^2 + 3*(v[1] + 3)^2\n\
         descend(f, v, 0.05, 30, [-1, 1]);\nplot(f, v, [-2, -5], [4, 2], path = last_path())",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.iter().all(|l| l.chars().count() <= 60), "{out}");
    assert!(
        lines[1].ends_with(" 2") && lines[lines.len() - 4].ends_with(" -5"),
        "{out}"
    );
    assert!(lines[lines.len() - 3].starts_with("-2 ") && lines[lines.len() - 3].contains("v[0]"));
    assert!(lines[lines.len() - 2].starts_with("levels "), "{out}");
    assert_eq!(
        lines[lines.len() - 1],
        "path: 31 points, ● start [-1, 1], ■ end [1.873, -3]"
    );
    check(
        "plot(w^2, w, 0, 1, path = [1], animate = true)",
        expect![[r#"
            error: animate = true draws a descent into an SVG file: plot(f, w, lo, hi,
                   "f.svg", path = P, animate = true)
              --> <test>:1:32
              |
            1 | plot(w^2, w, 0, 1, path = [1], animate = true)
              |                                ^^^^^^^
        "#]],
    );
    check(
        "plot(w^2, w, 0, 1, \"a.svg\", animate = true)",
        expect![[r#"
            error: animate = true draws a descent into an SVG file: plot(f, w, lo, hi,
                   "f.svg", path = P, animate = true)
              --> <test>:1:29
              |
            1 | plot(w^2, w, 0, 1, "a.svg", animate = true)
              |                             ^^^^^^^
        "#]],
    );
    check(
        "plot(w^2, w, 0, 1, \"a.svg\", path = [1], animate = 2)",
        expect![[r#"
            error: expected true or false
              --> <test>:1:51
              |
            1 | plot(w^2, w, 0, 1, "a.svg", path = [1], animate = 2)
              |                                                   ^
        "#]],
    );
    check(
        "symbol v[2]\nplot(sum(v), v, [0, 0], [1, 1], path = [1, 1])",
        expect![[r#"
            error: the path of a 2-D plot has one point a row, [v[0], v[1]]: a k×2 matrix,
                   not 2×1
              --> <test>:2:40
              |
            2 | plot(sum(v), v, [0, 0], [1, 1], path = [1, 1])
              |                                        ^^^^^^
              |
              = hint: last_path() after descend(f, v, …) is one
        "#]],
    );
    check(
        "symbol v[2]\nplot(sum(v), v, [0, 0], 1)",
        expect![[r#"
            error: a 2-D plot needs two numbers for lo and hi, such as [-1, -1]
              --> <test>:2:25
              |
            2 | plot(sum(v), v, [0, 0], 1)
              |                         ^
              |
              = hint: usage: plot(f, w, lo, hi [, "file.svg"] [, path = P]
                      [, animate = true]) | plot(v [, "file.svg"])
        "#]],
    );
    check(
        "symbol v[2]\nplot(sum(v), v, [0, 1], [1, 1])",
        expect![[r#"
            error: plot needs lo < hi for v[1], not lo = 1 and hi = 1
              --> <test>:2:17
              |
            2 | plot(sum(v), v, [0, 1], [1, 1])
              |                 ^^^^^^^^^^^^^^
        "#]],
    );
}
