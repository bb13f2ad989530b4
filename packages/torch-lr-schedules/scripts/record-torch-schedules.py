#!/usr/bin/env python3
"""Record real PyTorch learning-rate sequences for test/torchReference.test.ts.

Writes test/fixtures/torch-schedules.json: for each case, our schedule spec (camelCase, as in an
experiment file), the training context, and the learning rate PyTorch's optimizer used at every
optimizer step — one SGD optimizer on a dummy parameter, stepped like a training loop:

    for epoch in range(epochs):
        for batch in range(steps_per_epoch):
            record(optimizer.param_groups[0]['lr']); optimizer.step()
            per-batch schedulers (OneCycleLR, CyclicLR): scheduler.step()
        per-epoch schedulers: scheduler.step()   (ReduceLROnPlateau: scheduler.step(losses[epoch]))

Run from this package's folder with a Python that has torch (Debian: apt-get install python3-torch):
    /usr/bin/python3 scripts/record-torch-schedules.py
"""
import json
import os
import sys
import warnings

import torch
from torch.optim import lr_scheduler as S

warnings.simplefilter('ignore')

# name, spec, context, losses (ReduceLROnPlateau only)
CASES = [
    ('step gamma 0.5 every 3 epochs', {'type': 'step', 'stepSize': 3, 'gamma': 0.5},
     {'baseLr': 0.1, 'epochs': 10, 'stepsPerEpoch': 2}, None),
    ('step default gamma', {'type': 'step', 'stepSize': 2},
     {'baseLr': 0.05, 'epochs': 7, 'stepsPerEpoch': 1}, None),
    ('exponential', {'type': 'exponential', 'gamma': 0.9},
     {'baseLr': 0.1, 'epochs': 8, 'stepsPerEpoch': 3}, None),
    ('cosine past tMax', {'type': 'cosine', 'tMax': 5, 'etaMin': 0.001},
     {'baseLr': 0.1, 'epochs': 14, 'stepsPerEpoch': 2}, None),
    ('cosine tMax = epochs', {'type': 'cosine', 'tMax': 10},
     {'baseLr': 0.02, 'epochs': 10, 'stepsPerEpoch': 1}, None),
    ('warm restarts tMult 2', {'type': 'cosineWarmRestarts', 't0': 3, 'tMult': 2, 'etaMin': 0.0001},
     {'baseLr': 0.1, 'epochs': 22, 'stepsPerEpoch': 1}, None),
    ('warm restarts tMult 1', {'type': 'cosineWarmRestarts', 't0': 4},
     {'baseLr': 0.1, 'epochs': 13, 'stepsPerEpoch': 2}, None),
    ('oneCycle defaults', {'type': 'oneCycle', 'maxLr': 0.1},
     {'baseLr': 0.001, 'epochs': 5, 'stepsPerEpoch': 20}, None),
    ('oneCycle linear', {'type': 'oneCycle', 'maxLr': 0.05, 'pctStart': 0.25, 'anneal': 'linear',
                         'divFactor': 10, 'finalDivFactor': 100},
     {'baseLr': 0.001, 'epochs': 4, 'stepsPerEpoch': 25}, None),
    ('oneCycle three-phase, totalSteps beyond the run',
     {'type': 'oneCycle', 'maxLr': 0.2, 'threePhase': True, 'totalSteps': 70},
     {'baseLr': 0.001, 'epochs': 6, 'stepsPerEpoch': 10}, None),
    ('oneCycle fractional phase end', {'type': 'oneCycle', 'maxLr': 0.3, 'pctStart': 0.3},
     {'baseLr': 0.001, 'epochs': 1, 'stepsPerEpoch': 37}, None),
    ('cyclic triangular', {'type': 'cyclic', 'baseLr': 0.001, 'maxLr': 0.01, 'stepSizeUp': 4},
     {'baseLr': 0.5, 'epochs': 5, 'stepsPerEpoch': 6}, None),
    ('cyclic triangular2 asymmetric',
     {'type': 'cyclic', 'baseLr': 0.001, 'maxLr': 0.01, 'stepSizeUp': 3, 'stepSizeDown': 5, 'mode': 'triangular2'},
     {'baseLr': 0.5, 'epochs': 4, 'stepsPerEpoch': 10}, None),
    ('cyclic exp_range', {'type': 'cyclic', 'baseLr': 0.002, 'maxLr': 0.02, 'stepSizeUp': 5, 'mode': 'exp_range',
                          'gamma': 0.97},
     {'baseLr': 0.5, 'epochs': 5, 'stepsPerEpoch': 10}, None),
    ('plateau min rel', {'type': 'plateau', 'patience': 2},
     {'baseLr': 0.1, 'epochs': 16, 'stepsPerEpoch': 2},
     [1.0, 0.9, 0.8, 0.79995, 0.8, 0.85, 0.7, 0.7, 0.7, 0.7, 0.69, 0.6999, 0.7, 0.7, 0.5, 0.5]),
    ('plateau max abs cooldown minLr',
     {'type': 'plateau', 'mode': 'max', 'thresholdMode': 'abs', 'threshold': 0.01, 'factor': 0.5,
      'patience': 1, 'cooldown': 2, 'minLr': 0.02, 'monitor': 'trainLoss'},
     {'baseLr': 0.1, 'epochs': 18, 'stepsPerEpoch': 1},
     [0.5, 0.6, 0.605, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]),
    ('plateau eps ignores tiny reductions', {'type': 'plateau', 'patience': 0, 'factor': 0.5, 'eps': 1e-7},
     {'baseLr': 1e-6, 'epochs': 10, 'stepsPerEpoch': 1},
     [1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]),
    ('none', {'type': 'none'}, {'baseLr': 0.03, 'epochs': 3, 'stepsPerEpoch': 2}, None),
]


def make(spec, ctx, opt):
    t = spec['type']
    g = spec.get
    if t == 'none':
        return None, None
    if t == 'step':
        return S.StepLR(opt, step_size=spec['stepSize'], gamma=g('gamma', 0.1)), 'epoch'
    if t == 'exponential':
        return S.ExponentialLR(opt, gamma=spec['gamma']), 'epoch'
    if t == 'cosine':
        return S.CosineAnnealingLR(opt, T_max=spec['tMax'], eta_min=g('etaMin', 0)), 'epoch'
    if t == 'cosineWarmRestarts':
        return S.CosineAnnealingWarmRestarts(opt, T_0=spec['t0'], T_mult=g('tMult', 1), eta_min=g('etaMin', 0)), 'epoch'
    if t == 'oneCycle':
        kw = dict(max_lr=spec['maxLr'], pct_start=float(g('pctStart', 0.3)), anneal_strategy=g('anneal', 'cos'),
                  div_factor=float(g('divFactor', 25)), final_div_factor=float(g('finalDivFactor', 1e4)),
                  three_phase=g('threePhase', False), cycle_momentum=False)
        if 'totalSteps' in spec:
            kw['total_steps'] = spec['totalSteps']
        else:
            kw['epochs'] = ctx['epochs']
            kw['steps_per_epoch'] = ctx['stepsPerEpoch']
        return S.OneCycleLR(opt, **kw), 'batch'
    if t == 'cyclic':
        return S.CyclicLR(opt, base_lr=g('baseLr', ctx['baseLr']), max_lr=spec['maxLr'],
                          step_size_up=g('stepSizeUp', 2000), step_size_down=g('stepSizeDown'),
                          mode=g('mode', 'triangular'), gamma=float(g('gamma', 1.0)), cycle_momentum=False), 'batch'
    if t == 'plateau':
        return S.ReduceLROnPlateau(opt, mode=g('mode', 'min'), factor=g('factor', 0.1), patience=g('patience', 10),
                                   threshold=g('threshold', 1e-4), threshold_mode=g('thresholdMode', 'rel'),
                                   cooldown=g('cooldown', 0), min_lr=g('minLr', 0), eps=g('eps', 1e-8)), 'plateau'
    raise ValueError(t)


def run(spec, ctx, losses):
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=ctx['baseLr'])
    sched, per = make(spec, ctx, opt)
    lrs = []
    for epoch in range(ctx['epochs']):
        for _ in range(ctx['stepsPerEpoch']):
            lrs.append(opt.param_groups[0]['lr'])
            opt.step()
            if per == 'batch':
                sched.step()
        if per == 'epoch':
            sched.step()
        elif per == 'plateau':
            sched.step(losses[epoch])
    return lrs


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, 'test', 'fixtures', 'torch-schedules.json')
    cases = []
    for name, spec, ctx, losses in CASES:
        case = {'name': name, 'spec': spec, 'ctx': ctx}
        if losses is not None:
            case['losses'] = losses
        case['lrs'] = run(spec, ctx, losses)
        cases.append(case)
    doc = {
        'generatedBy': 'scripts/record-torch-schedules.py',
        'torch': torch.__version__,
        'python': sys.version.split()[0],
        'cases': cases,
    }
    with open(out, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print(f'wrote {len(cases)} cases to {out} ({os.path.getsize(out)} bytes)')


if __name__ == '__main__':
    main()
