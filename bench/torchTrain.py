"""PyTorch CPU reference for `npm run bench -- backends`: training samples/s of the course MLP and CNN.

One thread (torch.set_num_threads(1)), the same layers, batch sizes, optimizers and losses as
examples/mnist-mlp.ts and examples/mnist-cnn.ts, on random data of MNIST's shapes. Each step reads the
loss back (`.item()`), as the tfjs trainer does. bench/backendsBench.ts runs it with glibc's
MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ raised (freed memory stays in the process; page faults
are very expensive in some VMs) and, for comparison, with the defaults. Prints one JSON object:
    python3 bench/torchTrain.py --model mlp --steps 100 --warmup 5
    python3 bench/torchTrain.py --model cnn --seconds 4
"""
import argparse
import json
import os
import sys
import time

# One thread for OpenBLAS too (its pthread build ignores torch.set_num_threads); set before it loads.
for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = '1'

import torch  # noqa: E402
from torch import nn  # noqa: E402


def mlp() -> nn.Module:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512), nn.ReLU(),
        nn.Linear(512, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


def cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * 5 * 5, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


# Same as the examples: MLP SGD lr 0.1 batch 128, CNN Adam lr 0.001 batch 64. The softmax + categorical
# cross-entropy of the tfjs models is CrossEntropyLoss on the logits here.
SETUPS = {
    'mlp': (mlp, 128, lambda p: torch.optim.SGD(p, lr=0.1)),
    'cnn': (cnn, 64, lambda p: torch.optim.Adam(p, lr=0.001)),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', choices=sorted(SETUPS), required=True)
    parser.add_argument('--steps', type=int, default=100)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--batch', type=int, default=0)
    parser.add_argument('--seconds', type=float, default=0, help='measure for this long instead of --steps')
    parser.add_argument('--min-steps', type=int, default=3)
    args = parser.parse_args()

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(2023)
    make, batch, make_opt = SETUPS[args.model]
    batch = args.batch or batch
    model = make()
    opt = make_opt(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    count = batch * 16
    xs = torch.rand(count, 1, 28, 28)
    ys = torch.randint(0, 10, (count,))

    def step(i: int) -> float:
        idx = torch.randint(0, count, (batch,))
        x, y = xs[idx], ys[idx]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for i in range(args.warmup):
        step(i)
    started = time.perf_counter()
    steps = 0
    while True:
        step(steps)
        steps += 1
        elapsed = time.perf_counter() - started
        if args.seconds > 0 and elapsed >= args.seconds and steps >= args.min_steps:
            break
        if args.seconds <= 0 and steps >= args.steps:
            break
    json.dump({
        'model': args.model, 'batch': batch, 'steps': steps,
        'samplesPerSec': steps * batch / elapsed,
        'torch': torch.__version__, 'threads': torch.get_num_threads(),
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
