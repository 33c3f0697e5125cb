"""The one-hidden-layer network of the exported-code runs beyond one device
or process (sharded_jax.py, distributed_torch.py): its data and weights, its
loss in NumPy from the definitions, and the check of a gradient against it."""

import numpy as np

# A softmax cross-entropy loss over a tanh layer; the samples are the
# columns of X and Y (symgrad's layout), n of them.
n, d, h, k = 256, 5, 4, 3
LOSS = "L = softmax_cce(Y, W2 * tanh(W1 * X))"

rng = np.random.default_rng(1)
X = rng.normal(size=(d, n))
Y = np.eye(k)[:, rng.integers(0, k, size=n)]
W1 = rng.normal(size=(h, d)) / 2
W2 = rng.normal(size=(k, h)) / 2


def numpy_loss(W):
    """softmax_cce from its definition at W1 = W: the mean over samples of
    -Σ y log softmax(z)."""
    Z = W2 @ np.tanh(W @ X)
    Z = Z - Z.max(axis=0)
    return -np.mean(np.sum(Y * (Z - np.log(np.exp(Z).sum(axis=0))), axis=0))


def check_gradient(grad):
    """The gradient by W1 at W1 against central differences of numpy_loss."""
    eps = 1e-6
    for i, j in [(0, 0), (1, 3), (3, 2)]:
        up, down = W1.copy(), W1.copy()
        up[i, j] += eps
        down[i, j] -= eps
        fd = (numpy_loss(up) - numpy_loss(down)) / (2 * eps)
        assert abs(float(grad[i, j]) - fd) < 1e-7, (i, j, float(grad[i, j]), fd)
