"""PyTorch CPU reference for `npm run bench -- backends`: training samples/s of the course MLP and CNN,
and of a CIFAR ResNet-18.

`--threads N` intra-op threads (torch.set_num_threads; 1 by default) and `--blas-threads M` for the BLAS
(OpenBLAS's pthread build ignores torch.set_num_threads; 1 by default), the same layers, batch sizes,
optimizers and losses as examples/mnist-mlp.ts, examples/mnist-cnn.ts and bench/models/resnet18Cifar.ts,
on random data of their shapes. Each step reads the loss back (`.item()`), as the tfjs trainer does. bench/backendsBench.ts runs it with glibc's
MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ raised (freed memory stays in the process; page faults
are very expensive in some VMs) and, for comparison, with the defaults. Prints one JSON object:
    python3 bench/torchTrain.py --model mlp --steps 100 --warmup 5
    python3 bench/torchTrain.py --model cnn --seconds 4 --threads 2
"""
import argparse
import json
import os
import sys
import time


def _blas_threads() -> str:
    """--blas-threads, read before torch loads: the BLAS reads its thread count from the environment once."""
    for i, arg in enumerate(sys.argv):
        if arg == '--blas-threads' and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith('--blas-threads='):
            return arg.split('=', 1)[1]
    return '1'


for var in ('OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = _blas_threads()

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


class BasicBlock(nn.Module):
    """bench/models/resnet18Cifar.ts's basicBlock: conv-bn-relu-conv-bn, plus a 1x1 conv-bn shortcut when the shape changes."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout),
        )
        self.shortcut = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                         if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.shortcut(x))


def resnet18() -> nn.Module:
    layers = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()]
    cin = 64
    for i, cout in enumerate([64, 128, 256, 512]):
        for b in range(2):
            layers.append(BasicBlock(cin, cout, 2 if i > 0 and b == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


# Same as the examples: MLP SGD lr 0.1 batch 128, CNN Adam lr 0.001 batch 64. The softmax + categorical
# cross-entropy of the tfjs models is CrossEntropyLoss on the logits here.
SETUPS = {
    'mlp': (mlp, 128, lambda p: torch.optim.SGD(p, lr=0.1)),
    'cnn': (cnn, 64, lambda p: torch.optim.Adam(p, lr=0.001)),
    'resnet18': (resnet18, 32, lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
}
SHAPES = {'mlp': (1, 28, 28), 'cnn': (1, 28, 28), 'resnet18': (3, 32, 32)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', choices=sorted(SETUPS), required=True)
    parser.add_argument('--steps', type=int, default=100)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--batch', type=int, default=0)
    parser.add_argument('--seconds', type=float, default=0, help='measure for this long instead of --steps')
    parser.add_argument('--min-steps', type=int, default=3)
    parser.add_argument('--threads', type=int, default=1, help='intra-op threads')
    parser.add_argument('--blas-threads', type=int, default=1, help='BLAS threads (read before torch loads)')
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
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
    xs = torch.rand(count, *SHAPES[args.model])
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
        'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blasThreads': args.blas_threads,
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
