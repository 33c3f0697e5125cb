//! Every code cell of the five seed notebooks, translated into symgrad:
//! `tests/seeds/seedNNN.sg`, with a `# cell N: <first line>` comment above
//! each cell's translation. Each script runs in a session from the
//! repository's root (seed 002 reads `examples/data/digits.csv.gz`); then the
//! numbers the notebook computes are checked against independent oracles:
//! NumPy running the notebook's own cells on the same inputs (python3 with
//! numpy, as CI installs it; without it the comparison says it was skipped)
//! and values worked out by hand, stated here. The notebooks' printed
//! outputs are not used as oracles: they come from other random inputs and
//! hold slips of their own.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{assert_close, numbers, run_in};
use symgrad_lang::Session;

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `tests/seeds/seed{n}.sg` from the repository's root, after checking
/// that it translates `cells` cells, numbered 1… in order. Returns the
/// session (at 17 significant digits) and everything the script printed.
fn run_seed(n: &str, cells: usize) -> (Session, String) {
    let root = root().canonicalize().expect("the repository's root");
    // Every test of this file sets the same directory.
    std::env::set_current_dir(&root).expect("cd to the repository's root");
    let path = root.join(format!("tests/seeds/seed{n}.sg"));
    let src = std::fs::read_to_string(&path).expect("the seed script");
    let numbered: Vec<usize> = src
        .lines()
        .filter_map(|l| l.strip_prefix("# cell "))
        .map(|l| {
            let (k, first) = l.split_once(": ").expect("# cell N: <first line>");
            assert!(!first.trim().is_empty(), "cell {k} names no line");
            k.parse().expect("a cell number")
        })
        .collect();
    assert_eq!(
        numbered,
        (1..=cells).collect::<Vec<_>>(),
        "seed {n}: the cells translated, in order"
    );
    let mut session = Session::new();
    let mut out = Vec::new();
    let result = session.run(&src, &path.display().to_string(), &mut |s| {
        out.push(s.to_string())
    });
    if let Err(e) = result {
        panic!("seed {n} failed:\n{e}");
    }
    let tail = run_in(&mut session, ":set digits 17");
    assert!(tail.is_empty(), "{tail}");
    (session, out.join("\n"))
}

/// The numbers of `expr` with its shape, as a NumPy array expression.
fn array(s: &mut Session, expr: &str) -> String {
    let shape = numbers(s, &format!("shape({expr})"));
    let data: Vec<String> = numbers(s, expr).iter().map(|x| format!("{x:?}")).collect();
    format!(
        "np.array([{}], dtype=float).reshape({}, {})",
        data.join(", "),
        shape[0],
        shape[1]
    )
}

/// Runs `program` (Python, after `import numpy as np, json, gzip`), which
/// prints a JSON object of number lists; `None`, saying so on stderr, when
/// python3 or numpy is missing.
fn numpy(what: &str, program: &str) -> Option<serde_like::Object> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(format!("import numpy as np, json, gzip\n{program}"))
        .output();
    let out = match out {
        Ok(out) => out,
        Err(_) => {
            eprintln!("skipped the NumPy check of {what}: python3 is not installed");
            return None;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named 'numpy'") {
        eprintln!("skipped the NumPy check of {what}: numpy is not installed");
        return None;
    }
    assert!(out.status.success(), "{what}: python failed:\n{stderr}");
    Some(serde_like::parse(&String::from_utf8(out.stdout).unwrap()))
}

/// The JSON the oracles print: one object of named lists of numbers.
mod serde_like {
    pub struct Object(Vec<(String, Vec<f64>)>);

    impl Object {
        #[track_caller]
        pub fn get(&self, name: &str) -> &[f64] {
            &self
                .0
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("the oracle printed no {name}"))
                .1
        }
    }

    /// `{"a": [1, 2], "b": [3.5]}` (flat lists of numbers only).
    pub fn parse(s: &str) -> Object {
        let body = s.trim().trim_start_matches('{').trim_end_matches('}');
        let mut entries = Vec::new();
        for part in body.split(']').filter(|p| !p.trim().is_empty()) {
            let part = part.trim().trim_start_matches(',').trim();
            let (name, list) = part.split_once(':').expect("\"name\": [numbers]");
            let list = list.trim().trim_start_matches('[');
            let values = list
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| x.parse().unwrap_or_else(|_| panic!("not a number: {x}")))
                .collect();
            entries.push((name.trim().trim_matches('"').to_string(), values));
        }
        Object(entries)
    }
}

/// Asserts each `(symgrad expression, oracle name)` pair agree to `rtol`.
#[track_caller]
fn agree(s: &mut Session, oracle: &serde_like::Object, pairs: &[(&str, &str)], rtol: f64) {
    for (expr, name) in pairs {
        assert_close(expr, &numbers(s, expr), oracle.get(name), rtol, 1e-12);
    }
}

#[test]
fn seed_000_bce_of_three_images() {
    let (mut s, out) = run_seed("000", 9);
    // Cell 4 prints each score as SymPy does (the notebook's output).
    for line in [
        "26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + W₀₄",
        "2⋅W₀₀ + 60⋅W₀₁ + 20⋅W₀₂ + 50⋅W₀₃ + W₀₄",
        "80⋅W₀₀ + 10⋅W₀₁ + 4⋅W₀₂ + 60⋅W₀₃ + W₀₄",
    ] {
        assert!(out.lines().any(|l| l == line), "{line} not printed:\n{out}");
    }
    // Cell 6: y[0] is 1, by hand.
    assert_eq!(numbers(&mut s, "y[0]"), [1.0]);
    let Some(o) = numpy(
        "seed 000",
        &format!(
            "X = np.stack((np.array([26, 100, 90, 80, 1]), np.array([2, 60, 20, 50, 1]),\n\
             \x20             np.array([80, 10, 4, 60, 1])), axis = 0)\n\
             W0 = {w0}\n\
             z = X @ W0.T\n\
             y = np.array([1, 0, 0])\n\
             # -log(1/(1+e^z)) = log(1+e^z) and -log(1 - 1/(1+e^z)) = log(1+e^z) - z,\n\
             # written with logaddexp so that large scores do not overflow.\n\
             losses = [y[k]*np.logaddexp(0, z[k, 0]) + (1 - y[k])*(np.logaddexp(0, z[k, 0]) - z[k, 0]) for k in range(3)]\n\
             print(json.dumps({{'X': X.ravel().tolist(), 'z': z.ravel().tolist(),\n\
             \x20                 'loss': [sum(losses) / 3]}}))",
            w0 = array(&mut s, "W0"),
        ),
    ) else {
        return;
    };
    agree(
        &mut s,
        &o,
        &[
            ("X", "X"),
            ("eval(z, W = W0)", "z"),
            ("eval(average_loss, W = W0)", "loss"),
        ],
        1e-12,
    );
}

#[test]
fn seed_001_softmax_classifier_sample_by_sample() {
    let (mut s, _) = run_seed("001", 11);
    let Some(o) = numpy(
        "seed 001",
        &format!(
            "X = {x}\ny = {y}.astype(int).ravel()\nW = {w0}\n\
             assert X.shape == (6, 10) and np.all(X[5] == 1)\n\
             assert np.all((3 <= X[:5]) & (X[:5] < 10)) and np.all(np.isin(y, [0, 1, 2]))\n\
             Y = np.eye(3)[y]  # tf.keras.utils.to_categorical\n\
             def cce(y, yhat): return -np.sum(y*np.log(yhat), axis=0)\n\
             def cce_gradient(y, yhat): return -y/yhat\n\
             losses = []\n\
             for i in range(X.shape[1]):\n\
             \x20   z = np.dot(W, X[:, i])\n\
             \x20   out = np.exp(z - z.max()) / np.sum(np.exp(z - z.max()))\n\
             \x20   losses.append(cce(Y[i, :], out))\n\
             \x20   grad = cce_gradient(Y[i, :], out)\n\
             \x20   out = out.reshape(-1, 1)\n\
             \x20   grad = np.dot((np.identity(np.size(out)) - out.T) * out, grad)\n\
             \x20   grad = grad.reshape(-1, 1) * X[:, i].reshape(-1, 1).T\n\
             \x20   W = W + 1e-03 * (-grad)\n\
             print(json.dumps({{'Y': Y.T.ravel().tolist(), 'losses': losses, 'W': W.ravel().tolist()}}))",
            x = array(&mut s, "X"),
            y = array(&mut s, "y"),
            w0 = array(&mut s, "W0"),
        ),
    ) else {
        return;
    };
    let losses: Vec<String> = (0..10).map(|i| format!("loss_{i}")).collect();
    let losses = format!("[{}]", losses.join(", "));
    agree(
        &mut s,
        &o,
        &[
            ("Y", "Y"),
            (losses.as_str(), "losses"),
            // The loop written out, and sgd in order with batch size 1.
            ("W1", "W"),
            ("W2", "W"),
        ],
        1e-9,
    );
}

#[test]
fn seed_002_mlp_forward_pass() {
    let (mut s, _) = run_seed("002", 21);
    // Shapes, by hand: 1797 images of 64 pixels; the layers 64 → 100 → 10.
    for (expr, shape) in [
        ("shape(Xt)", [1797.0, 64.0]),
        ("shape(yt)", [1797.0, 1.0]),
        ("shape(out2)", [10.0, 100.0]),
        ("shape(activations)", [10.0, 10.0]),
        ("shape(d_softmaxout_wrt_out)", [10.0, 10.0]),
        ("shape(step0)", [10.0, 1.0]),
    ] {
        assert_eq!(numbers(&mut s, expr), shape, "{expr}");
    }
    let data = root().join("examples/data/digits.csv.gz");
    let Some(o) = numpy(
        "seed 002",
        &format!(
            "raw = np.loadtxt(gzip.open({data:?}), delimiter=',')\n\
             Xt, yt = raw[:, :64] / 16, raw[:, 64].astype(int)\n\
             Xt_batch = Xt[0:10]\n\
             yt_batch = np.zeros((10, 10)); yt_batch[np.arange(10), yt[0:10]] = 1\n\
             W1 = {w1}\nW2 = {w2}\n\
             inputs = [Xt_batch]\n\
             inputs.append(inputs[-1].dot(W1))\n\
             inputs.append(np.apply_along_axis(lambda x : 1 / (1 + np.exp(-x)), axis=1, arr=inputs[-1]))\n\
             inputs.append(inputs[-1].dot(W2))\n\
             inputs.append(np.apply_along_axis(lambda x: np.exp(x) / np.sum(np.exp(x)), axis=1, arr=inputs[-1]))\n\
             activations = inputs[-1]\n\
             loss = -np.log(np.sum(yt_batch * activations, axis=1))\n\
             dL_wrt_out = activations - yt_batch\n\
             row = activations[0]\n\
             J = np.zeros((10, 10))\n\
             for i in range(10):\n\
             \x20   for j in range(10):\n\
             \x20       # the Jacobian's off-diagonal is -row[i]*row[j] (the notebook has +)\n\
             \x20       J[i, j] = row[i] * (1 - row[i]) if i == j else -row[i] * row[j]\n\
             step0 = np.dot(J.T, dL_wrt_out[0:1].T)\n\
             print(json.dumps({{'Xt_batch': Xt_batch.ravel().tolist(), 'yt_batch': yt_batch.ravel().tolist(),\n\
             \x20 'activations': activations.ravel().tolist(), 'loss': [loss.mean()],\n\
             \x20 'dL': dL_wrt_out.ravel().tolist(), 'J': J.ravel().tolist(), 'step0': step0.ravel().tolist()}}))",
            data = data.display().to_string(),
            w1 = array(&mut s, "W1"),
            w2 = array(&mut s, "W2"),
        ),
    ) else {
        return;
    };
    agree(
        &mut s,
        &o,
        &[
            ("Xt_batch", "Xt_batch"),
            ("yt_batch", "yt_batch"),
            ("activations", "activations"),
            ("mean(loss(activations, yt_batch))", "loss"),
            ("dL_wrt_out", "dL"),
            ("d_softmaxout_wrt_out", "J"),
            ("step0", "step0"),
        ],
        1e-10,
    );
}

#[test]
fn seed_003_tanh_softmax_network_by_hand() {
    let (mut s, _) = run_seed("003", 9);
    // The prediction, worked out from the scores: in column 0 rows 0 and 2
    // tie (W2 rows −1, 1 and −2, 1 against A1 = (0, tanh 2)), and argmax
    // takes the first; in columns 1 and 2 row 2's score is the largest.
    assert_eq!(numbers(&mut s, "P"), [0.0, 2.0, 2.0]);
    let Some(o) = numpy(
        "seed 003",
        "Z = np.array([[0.1,-0.1,-0.2],[-0.2, 0.2, 0.3],[-0.3,0.1,0.2],[0.4,-0.3,-0.5]])\n\
         Zexp = np.exp(Z)\nSum = np.sum(Zexp,axis=0,keepdims=True)\nA = Zexp/Sum\n\
         X = np.array([[1,2,4],[-2,-5,-8]])\nY = np.array([[0,1,2]])\n\
         W1 = np.array([[0.5,0.5],[0.5,-0.5]])\nb1 = np.array([[0.5],[0.5]])\n\
         W2 = np.array([[-1,1],[1,-1],[-2,1]])\nb2 = np.array([[-0.1]])\n\
         Z1 = np.dot(W1,X) + b1\nA1 = np.tanh(Z1)\nZ2 = np.dot(W2,A1) + b2\n\
         Z2exp = np.exp(Z2)\nSum = np.sum(Z2exp,axis=0,keepdims=True)\nA2 = Z2exp/Sum\n\
         def onehot(Y,nclass):\n\
         \x20   ndata = Y.shape[1]\n\
         \x20   Y_onehot = np.zeros((nclass,ndata))\n\
         \x20   for count in range(ndata):\n\
         \x20       Y_onehot[int(Y[0,count]),count] = 1.0\n\
         \x20   return Y_onehot\n\
         Yonehot = onehot(Y,3)\ndLossdA2 = -Yonehot/A2/3\n\
         prod2 = A2*dLossdA2\nsumterm = np.sum(prod2,axis=0)\nsumprod = A2*sumterm\n\
         dLossdZ2 = prod2 - A2*sumprod\ndLossdW2 = np.dot(dLossdZ2,A1.T)\n\
         dLossdb2 = np.sum(dLossdZ2,axis=1)\ndLossdA1 = np.dot(W2.T,dLossdZ2)\n\
         dA1dZ1 = 1-A1*A1\ndLossdZ1 = dLossdA1*dA1dZ1\ndLossdW1 = np.dot(dLossdZ1,X.T)\n\
         dLossdb1 = np.sum(dLossdZ1,axis=1,keepdims=True)\n\
         P = np.argmax(A2,axis=0)\n\
         names = ['A', 'Z1', 'A1', 'Z2', 'A2', 'Yonehot', 'dLossdA2', 'prod2', 'sumterm', 'sumprod',\n\
         \x20        'dLossdZ2', 'dLossdW2', 'dLossdb2', 'dLossdA1', 'dA1dZ1', 'dLossdZ1', 'dLossdW1',\n\
         \x20        'dLossdb1', 'P']\n\
         print(json.dumps({n: np.asarray(globals()[n], dtype=float).ravel().tolist() for n in names}))",
    ) else {
        return;
    };
    let names = [
        "A", "Z1", "A1", "Z2", "A2", "Yonehot", "dLossdA2", "prod2", "sumterm", "sumprod",
        "dLossdZ2", "dLossdW2", "dLossdb2", "dLossdA1", "dA1dZ1", "dLossdZ1", "dLossdW1",
        "dLossdb1", "P",
    ];
    let pairs: Vec<(&str, &str)> = names.iter().map(|n| (*n, *n)).collect();
    agree(&mut s, &o, &pairs, 1e-12);
    // Cell 2's column sums are 1.
    assert_close(
        "sum(A, 1)",
        &numbers(&mut s, "sum(A, 1)"),
        &[1.0; 3],
        1e-15,
        0.0,
    );
}

#[test]
fn seed_004_softmax_loss_descent_and_batches() {
    let (mut s, out) = run_seed("004", 26);
    // Cell 10, by hand: each step multiplies w + 2 by 1 − 0.1⋅2 = 0.8.
    let w100 = -2.0 + 4.0 * 0.8f64.powi(100);
    assert_close(
        "w_final",
        &numbers(&mut s, "w_final"),
        &[w100],
        1e-12,
        1e-15,
    );
    // Cell 26: three epochs of 11 samples in batches of 3, 3, 3 and 2, each
    // epoch a permutation of 0…10.
    let batches: Vec<Vec<usize>> = out
        .lines()
        .filter_map(|l| l.strip_prefix("batch "))
        .map(|l| {
            let (_, list) = l.split_once(": [").expect("batch k: [indices]");
            list.trim_end_matches(']')
                .split_whitespace()
                .map(|x| x.parse().expect("an index"))
                .collect()
        })
        .collect();
    assert_eq!(batches.len(), 12, "{out}");
    for epoch in batches.chunks(4) {
        let sizes: Vec<usize> = epoch.iter().map(Vec::len).collect();
        assert_eq!(sizes, [3, 3, 3, 2]);
        let mut all: Vec<usize> = epoch.concat();
        all.sort_unstable();
        assert_eq!(all, (0..11).collect::<Vec<_>>());
    }
    let Some(o) = numpy(
        "seed 004",
        &format!(
            "X = np.stack((np.array([26, 100, 90, 80]), np.array([37, 58, 120, 96]),\n\
             \x20             np.array([12, 30, 46, 54])), axis = 1)\n\
             W = {w0}\nb = {b0}\n\
             losses = []\n\
             for k in range(3):\n\
             \x20   z = W @ X[:, k:k+1] + b\n\
             \x20   m = z.max()\n\
             \x20   losses.append(-(z[k, 0] - m - np.log(np.sum(np.exp(z - m)))))\n\
             average_loss = sum(losses) / 3\n\
             # gradient descent in 1-D, as the notebook's while loop\n\
             L = lambda w: (w+2)**2 + 3\ngradL = lambda w: 2*(w+2)\n\
             alpha, tol, it, maxiter, w = 0.95, 1e-05, 0, 1000, 2\n\
             while np.abs(gradL(w)) > tol and it < maxiter:\n\
             \x20 w = w + alpha * -gradL(w)\n\
             \x20 it = it+1\n\
             w1d, it1d = w, it\n\
             gradL = lambda w: np.array([2*(w[0]-2), 2*(w[1]+3)])\n\
             alpha, it, w = 1e-02, 0, np.array([1, 1])\n\
             while np.linalg.norm(gradL(w)) > tol and it < maxiter:\n\
             \x20 w = w + alpha *(-gradL(w))\n\
             \x20 it = it+1\n\
             w2d, it2d = w, it\n\
             # the toy data set\n\
             X = {xt}\ny = {y}.astype(int).ravel()\nW = {wt}\n\
             num_samples = 5\n\
             Z = np.dot(W, X)\nP = np.exp(Z)\nP = P / np.sum(P, axis = 0)\n\
             loss = -np.log(P[y, np.arange(num_samples)])\nloss_data = np.mean(loss)\n\
             P[y, range(num_samples)] = P[y, range(num_samples)] - 1\n\
             dW = (1/num_samples)*np.dot(P, X.T)\nPtoy = P.copy()\n\
             # L2 regularisation\n\
             X = {xr}\ny = {yr}.astype(int).ravel()\nW = {wr}\n\
             Z = np.dot(W, X)\nP = np.exp(Z)\nP = P / np.sum(P, axis = 0)\n\
             lossr = -np.log(P[y, np.arange(num_samples)])\n\
             alpha = 0.1\nloss_reg = np.sum(W[:, :-1] * W[:, :-1])\n\
             total = np.mean(lossr) + alpha*loss_reg\n\
             P[y, range(num_samples)] = P[y, range(num_samples)] - 1\n\
             dWr = (1/num_samples)*np.dot(P, X.T) +2 * alpha* np.hstack([W[:, :-1], np.zeros((3, 1))])\n\
             print(json.dumps({{'average_loss': [average_loss], 'w1d': [w1d], 'it1d': [it1d],\n\
             \x20 'w2d': w2d.tolist(), 'it2d': [it2d], 'Z': Z.ravel().tolist(),\n\
             \x20 'loss': loss.tolist(), 'loss_data': [loss_data], 'P': Ptoy.ravel().tolist(),\n\
             \x20 'dW': dW.ravel().tolist(), 'lossr': lossr.tolist(), 'total': [total],\n\
             \x20 'dWr': dWr.ravel().tolist()}}))",
            w0 = array(&mut s, "W0"),
            b0 = array(&mut s, "b0"),
            xt = array(&mut s, "Xt"),
            y = array(&mut s, "y"),
            wt = array(&mut s, "Wt"),
            xr = array(&mut s, "Xr"),
            yr = array(&mut s, "yr"),
            wr = array(&mut s, "Wr"),
        ),
    ) else {
        return;
    };
    // The number of steps descend took: the rows of its path, less the start.
    let steps = |s: &mut Session, path: &str| numbers(s, &format!("shape({path})"))[0] - 1.0;
    assert_eq!(steps(&mut s, "path_1d"), o.get("it1d")[0]);
    assert_eq!(steps(&mut s, "path_2d"), o.get("it2d")[0]);
    agree(
        &mut s,
        &o,
        &[
            ("eval(average_loss, W = W0, b = b0)", "average_loss"),
            ("w_1d", "w1d"),
            ("w_2d", "w2d"),
            ("loss", "loss"),
            ("loss_data", "loss_data"),
            ("P", "P"),
            ("dW", "dW"),
            ("loss_r", "lossr"),
            ("total_loss", "total"),
            ("dWr", "dWr"),
        ],
        1e-10,
    );
    // (Z is the reg. cell's scores; the toy cell's are checked through P.)
    agree(&mut s, &o, &[("Zr", "Z")], 1e-12);
}
