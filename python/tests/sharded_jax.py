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

from network_case import LOSS, W1, W2, X, Y, check_gradient, d, h, k, n, numpy_loss  # noqa: E402

s = symgrad.Session()
s.run(f"symbol W1[{h}, {d}], W2[{k}, {h}], X[{d}, {n}], Y[{k}, {n}]\n{LOSS}")
namespace = {}
exec(str(s.run('code(L, "jax", W1)')), namespace)
loss_and_grad = namespace["L_and_grad"]

# The value at these numbers, independently: NumPy from the definitions.
expected = numpy_loss(W1)

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
check_gradient(grad)


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
