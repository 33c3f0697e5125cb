"""The exported JAX loss and gradient under jax.jit with the samples sharded
over 8 devices, against one device and NumPy (run by test_jax_sharded.py in
its own process: XLA_FLAGS must be set before JAX starts)."""

import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P  # noqa: E402

import symgrad  # noqa: E402

jax.config.update("jax_enable_x64", True)
assert len(jax.devices()) == 8, jax.devices()

# A one-hidden-layer network with a softmax cross-entropy loss; the samples
# are the columns of X and Y (symgrad's layout), n of them.
n, d, h, k = 256, 5, 4, 3
s = symgrad.Session()
s.run(
    f"""
symbol W1[{h}, {d}], W2[{k}, {h}], X[{d}, {n}], Y[{k}, {n}]
L = softmax_cce(Y, W2 * tanh(W1 * X))
"""
)
namespace = {}
exec(str(s.run('code(L, "jax", W1)')), namespace)
loss_and_grad = namespace["L_and_grad"]

rng = np.random.default_rng(1)
X = rng.normal(size=(d, n))
Y = np.eye(k)[:, rng.integers(0, k, size=n)]
W1 = rng.normal(size=(h, d)) / 2
W2 = rng.normal(size=(k, h)) / 2

# The value at these numbers, independently: NumPy from the definitions
# (softmax_cce is the mean over samples of -Σ y log softmax(z)).
Z = W2 @ np.tanh(W1 @ X)
Pr = np.exp(Z - Z.max(axis=0)) / np.exp(Z - Z.max(axis=0)).sum(axis=0)
expected = -np.mean(np.sum(Y * np.log(Pr), axis=0))

mesh = Mesh(np.array(jax.devices()), ("data",))
by_sample = NamedSharding(mesh, P(None, "data"))
replicated = NamedSharding(mesh, P())
Xs, Ys = jax.device_put(X, by_sample), jax.device_put(Y, by_sample)
W1s, W2s = jax.device_put(W1, replicated), jax.device_put(W2, replicated)
assert len(Xs.addressable_shards) == 8 and Xs.addressable_shards[0].data.shape == (d, n // 8)

jitted = jax.jit(loss_and_grad)
one_value, one_grad = jitted(W1, W2, X, Y)
value, grad = jitted(W1s, W2s, Xs, Ys)
assert abs(float(one_value) - expected) < 1e-12, (float(one_value), expected)
assert abs(float(value) - float(one_value)) < 1e-12
np.testing.assert_allclose(np.asarray(grad), np.asarray(one_grad), rtol=1e-10, atol=1e-13)
# The gradient against central differences of the NumPy loss.
eps = 1e-6
for i, j in [(0, 0), (1, 3), (3, 2)]:
    def numpy_loss(W):
        Z = W2 @ np.tanh(W @ X)
        Z = Z - Z.max(axis=0)
        return -np.mean(np.sum(Y * (Z - np.log(np.exp(Z).sum(axis=0))), axis=0))

    up, down = W1.copy(), W1.copy()
    up[i, j] += eps
    down[i, j] -= eps
    fd = (numpy_loss(up) - numpy_loss(down)) / (2 * eps)
    assert abs(float(grad[i, j]) - fd) < 1e-7, (i, j, float(grad[i, j]), fd)


# A training step: W1 ← W1 - lr ∇L, jitted with the data sharded.
@jax.jit
def step(W1, W2, X, Y):
    value, grad = loss_and_grad(W1, W2, X, Y)
    return W1 - 0.5 * grad, value


W_sharded, W_single = W1s, jnp.asarray(W1)
for _ in range(20):
    W_sharded, first_value = step(W_sharded, W2s, Xs, Ys)
    W_single, _ = step(W_single, W2, X, Y)
np.testing.assert_allclose(np.asarray(W_sharded), np.asarray(W_single), rtol=1e-9, atol=1e-12)
final = float(loss_and_grad(W_sharded, W2s, Xs, Ys)[0])
assert final < float(value), (final, float(value))
print(f"sharded over 8 devices: loss {float(value):.6f} -> {final:.6f} after 20 steps")
