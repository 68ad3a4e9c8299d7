"""Writes the TensorBoard fixtures of dev.usp.train.tensorboard.EventFileTest with TensorBoard's own code.

Run from this folder with a Python that has tensorboard installed (pip install tensorboard):

    python3 make_fixture.py

It writes
  grid.png            a 3x2 RGB PNG, the image logged in the scenario
  run/events.out.tfevents.1700000000.fixture   the run before it died (written with TensorBoard's
  run/events.out.tfevents.1700000100.fixture   RecordWriter and event_pb2), and after its resume
  accumulator.json    what TensorBoard's EventAccumulator reads from run/: scalars and images per tag

The scenario is the test's: MAE pretraining tags (loss as train_loss, lr, against epoch_1000x with
4 steps per epoch and accum_iter 2; test_acc1 as perf/test_acc1 against the epoch), a checkpoint at
step 4, a line at step 6 the dead run logged after it, and a resume from step 4 that logs steps 6
and 8. The Java test writes the same scenario through MetricsLog and compares the bytes.
"""
import json
import os
import struct
import zlib

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS_PER_EPOCH = 4
ACCUM_ITER = 2


def png_rgb(width, height, rgb):
    """A minimal RGB PNG (8 bit, no filter) of the given pixel rows."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in rgb)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def epoch_1000x(step):
    """MAE's x value of the line logged after `step` optimiser steps (its last micro-batch)."""
    k = step - 1
    epoch = k // STEPS_PER_EPOCH
    data_iter_step = (k % STEPS_PER_EPOCH + 1) * ACCUM_ITER - 1
    return int((data_iter_step / (STEPS_PER_EPOCH * ACCUM_ITER) + epoch) * 1000)


class Events:
    """Writes events the way torch.utils.tensorboard's SummaryWriter builds them, with a fixed wall time."""

    def __init__(self, path, wall_time):
        self.f = open(path, "wb")
        self.w = RecordWriter(self.f)
        self.wall_time = wall_time
        self.write(event_pb2.Event(wall_time=wall_time, file_version="brain.Event:2"))

    def write(self, event):
        self.w.write(event.SerializeToString())

    def scalar(self, tag, step, value):
        s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])
        self.write(event_pb2.Event(wall_time=self.wall_time, step=step, summary=s))

    def image(self, tag, step, png, height, width, channels):
        img = summary_pb2.Summary.Image(height=height, width=width, colorspace=channels, encoded_image_string=png)
        s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, image=img)])
        self.write(event_pb2.Event(wall_time=self.wall_time, step=step, summary=s))

    def session_start(self, step):
        log = event_pb2.SessionLog(status=event_pb2.SessionLog.START)
        self.write(event_pb2.Event(wall_time=self.wall_time, step=step, session_log=log))

    def close(self):
        self.f.close()


def train_line(ev, step, loss, lr):
    ev.scalar("train_loss", epoch_1000x(step), loss)
    ev.scalar("lr", epoch_1000x(step), lr)


def main():
    png = png_rgb(3, 2, [[(255, 0, 0), (0, 255, 0), (0, 0, 255)], [(0, 0, 0), (128, 128, 128), (255, 255, 255)]])
    with open(os.path.join(HERE, "grid.png"), "wb") as f:
        f.write(png)
    run = os.path.join(HERE, "run")
    os.makedirs(run, exist_ok=True)
    for name in os.listdir(run):
        os.remove(os.path.join(run, name))

    ev = Events(os.path.join(run, "events.out.tfevents.1700000000.fixture"), 1700000000.5)
    train_line(ev, 2, 0.75, 1e-4)
    train_line(ev, 4, 0.5, 2e-4)
    ev.scalar("perf/test_acc1", (4 - 1) // STEPS_PER_EPOCH, 12.5)   # the evaluation at the checkpoint of step 4
    ev.image("samples", epoch_1000x(4), png, 2, 3, 3)
    train_line(ev, 6, 0.25, 3e-4)                                      # logged after the checkpoint, then the run died
    ev.close()

    ev = Events(os.path.join(run, "events.out.tfevents.1700000100.fixture"), 1700000100.5)
    ev.session_start(epoch_1000x(4 + 1))                               # resumed from step 4
    train_line(ev, 6, 0.375, 3e-4)
    train_line(ev, 8, 0.125, 4e-4)
    ev.scalar("perf/test_acc1", (8 - 1) // STEPS_PER_EPOCH, 25.0)
    ev.close()

    acc = event_accumulator.EventAccumulator(run, size_guidance={event_accumulator.SCALARS: 0,
                                                                 event_accumulator.IMAGES: 0})
    acc.Reload()
    tags = acc.Tags()
    out = {
        "scalars": {t: [[e.step, e.value, e.wall_time] for e in acc.Scalars(t)] for t in sorted(tags["scalars"])},
        "images": {t: [[e.step, e.width, e.height, e.encoded_image_string.hex()] for e in acc.Images(t)]
                   for t in sorted(tags["images"])},
    }
    with open(os.path.join(HERE, "accumulator.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
