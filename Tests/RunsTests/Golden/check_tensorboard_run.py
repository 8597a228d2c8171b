"""Reads a SeqLab run's TensorBoard files with TensorBoard's own EventAccumulator and checks that every
number of its metrics.jsonl is there, at its step, once (a resumed run too):

    pip install tensorboard
    python3 Tests/RunsTests/Golden/check_tensorboard_run.py RUN_DIR
"""
import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
run = sys.argv[1]
acc = EventAccumulator(run + '/tb'); acc.Reload()
m = [json.loads(l) for l in open(run + '/metrics.jsonl') if l.strip()]
ok = total = 0
for e in m:
    if 'step' not in e or 'split' not in e: continue
    for k, v in e.items():
        if k in ('step', 'split') or not isinstance(v, (int, float)): continue
        total += 1
        events = [s for s in acc.Scalars(e['split'] + '/' + k) if s.step == e['step']]
        ok += len(events) == 1 and abs(events[0].value - v) <= 1e-6 * max(1, abs(v))
print(f'{ok} of {total} values of metrics.jsonl read back by EventAccumulator, each once at its step')
steps = [s.step for s in acc.Scalars('train/loss')]
print('train/loss: steps strictly increasing:', all(a < b for a, b in zip(steps, steps[1:])), len(steps))
print('texts:', len(acc.Tensors('samples/text_summary')))
