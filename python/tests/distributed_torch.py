"""The exported PyTorch loss and gradient in data-parallel training over two
processes, as the README describes (run by test_torch_distributed.py with
`python -m torch.distributed.run --nproc_per_node=2`): each process takes
its half of the samples, and the gradients averaged with all_reduce must be
those of the whole batch, against NumPy and one process."""

import numpy as np
import torch
import torch.distributed as dist

import symgrad
from network_case import LOSS, W1, W2, X, Y, check_gradient, d, h, k, n, numpy_loss

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()

shard = n // world


def exported(samples):
    """`L_and_grad(W1, W2, X, Y)` exported for `samples` columns of data."""
    s = symgrad.Session()
    s.run(f"symbol W1[{h}, {d}], W2[{k}, {h}], X[{d}, {samples}], Y[{k}, {samples}]\n{LOSS}")
    namespace = {}
    exec(str(s.run('code(L, "torch", W1)')), namespace)
    return namespace["L_and_grad"]


tensor = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
mine = slice(rank * shard, (rank + 1) * shard)
shard_step, whole_step = exported(shard), exported(n)
Xs, Ys, W2t = tensor(X[:, mine]), tensor(Y[:, mine]), tensor(W2)


def averaged(W):
    """The loss and gradient of the whole batch, from this process's shard
    and the others' (equal shards of a mean: the average of theirs)."""
    value, grad = shard_step(W, W2t, Xs, Ys)
    both = torch.cat([grad.reshape(-1), value.reshape(1)])
    dist.all_reduce(both)
    both /= world
    return both[-1], both[:-1].reshape(h, d)


value, grad = averaged(tensor(W1))
assert abs(float(value) - numpy_loss(W1)) < 1e-12, (float(value), numpy_loss(W1))
check_gradient(grad)

# 20 steps of W1 ← W1 - 0.5 ∇L, in two processes and in one.
W_parallel, W_single = tensor(W1), tensor(W1)
for _ in range(20):
    W_parallel = W_parallel - 0.5 * averaged(W_parallel)[1]
    W_single = W_single - 0.5 * whole_step(W_single, W2t, tensor(X), tensor(Y))[1]
np.testing.assert_allclose(W_parallel.numpy(), W_single.numpy(), rtol=1e-9, atol=1e-12)
final = numpy_loss(W_parallel.numpy())
assert final < float(value), (final, float(value))
if rank == 0:
    print(f"{world} processes: loss {float(value):.6f} -> {final:.6f} after 20 steps")
dist.destroy_process_group()
