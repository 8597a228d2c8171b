"""Writes the TensorBoard fixture that Tests/RunsTests/TensorBoardLogTests.swift compares SeqLab's event
file with, byte for byte: TensorBoard's own SummaryWriter (torch.utils.tensorboard, over the
tensorboard package) given scalars and texts with fixed steps and wall times.

    pip install torch tensorboard
    python3 Tests/RunsTests/Golden/make_tensorboard_fixture.py

Writes tensorboard_events.bin (the event file) and tensorboard_events.json (what was written, and the
wall time SummaryWriter gave its first, file_version event, which it takes from the clock).
"""
import glob
import json
import os
import tempfile

from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
from torch.utils.tensorboard import SummaryWriter

HERE = os.path.dirname(os.path.abspath(__file__))

SCALARS = [
    ("train/loss", 2.0, 4.174387454986572, 1764849600.125),
    ("train/lr", 2.0, 0.001, 1764849600.125),
    ("train/tokens_per_s", 2.0, 123456.789, 1764849600.125),
    ("valid/loss", 10.0, 3.25, 1764849601.5),
    ("valid/ppl", 10.0, 25.790339917193062, 1764849601.5),
    ("train/loss", 300.0, 0.0, 1764849602.75),
    ("train/grad_norm", 70000.0, 1e-30, 1764849603.0),
]
TEXTS = [
    ("samples", 10, "time traveller for so it will be", 1764849601.5),
    ("samples", 300, "Ünïcödé, \"quotes\"\nand a second line", 1764849602.75),
]


def main():
    with tempfile.TemporaryDirectory() as directory:
        writer = SummaryWriter(log_dir=directory)
        for tag, step, value, wall_time in SCALARS:
            writer.add_scalar(tag, value, int(step), walltime=wall_time)
        for tag, step, text, wall_time in TEXTS:
            writer.add_text(tag, text, step, walltime=wall_time)
        writer.close()
        (path,) = glob.glob(os.path.join(directory, "events.out.tfevents.*"))
        first = next(iter(EventFileLoader(path).Load()))
        with open(path, "rb") as events, open(os.path.join(HERE, "tensorboard_events.bin"), "wb") as out:
            out.write(events.read())
    with open(os.path.join(HERE, "tensorboard_events.json"), "w") as out:
        json.dump({
            "file_version_wall_time": first.wall_time,
            "scalars": [{"tag": t, "step": int(s), "value": v, "wall_time": w} for t, s, v, w in SCALARS],
            "texts": [{"tag": t, "step": s, "text": x, "wall_time": w} for t, s, x, w in TEXTS],
        }, out, indent=1, ensure_ascii=False)
        out.write("\n")


if __name__ == "__main__":
    main()
