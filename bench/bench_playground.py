"""Frames per second of notebook 08's training playground, against a matplotlib redraw in the same run.

    python bench/bench_playground.py [--frames N] [--steps S] [--batch B]

A 2-16-16-1 tanh network of bpcourse.nn on the circles (the playground's defaults), the boundary
on its 100 × 100 grid. One frame is exactly what the kernel does when the page asks for the next
one: the browser's "tick" comm message is deserialised by a jupyter_client Session (signed, as
the kernel's) and handed to the widget's comm, which runs ``Playground.frame`` — S SGD steps on
mini-batches of B, the losses on the training and test points, a forward pass on the 10 000
grid points quantised to one byte each — and the state update it sends (grid bytes, loss curves,
counters) is serialised to the wire frames the kernel's iopub socket would get. Only the socket
write and the browser's painting are left out (the page asks for a frame when it has drawn the
last, so they add latency, not kernel work).

Baselines, on the same boundary: a plain matplotlib redraw of the 100 × 100 grid and the 200
points rendered to PNG with the Agg backend at the canvas's size (320 px): imshow with its
artists reused (the cheapest matplotlib redraw), and contourf on a new figure (what an
inline-plot playground that re-plots each frame does). Also "inline frame": the same SGD steps
and grid forward pass plus the contourf PNG. Prints the median ms per frame, fps and the ratios
to the playground's frame. The issue's bar is 20 fps (50 ms per frame).
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import comm  # noqa: E402
from comm.base_comm import BaseComm  # noqa: E402
from ipykernel.jsonutil import json_clean  # noqa: E402
from jupyter_client.session import Session  # noqa: E402

from bpcourse import nn  # noqa: E402
from bpcourse.playground import EXTENT, GRID, Playground  # noqa: E402

SESSION = Session(key=b"bench-playground-key", username="kernel")


class WireComm(BaseComm):
    """A comm that serialises every message as ipykernel's comm does (json_clean, then the
    Session's signed wire frames, buffers appended), and counts the bytes instead of writing
    them to a socket."""

    sent_bytes = 0
    messages = 0

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        content = json_clean(dict(data={} if data is None else data, comm_id=self.comm_id, **keys))
        msg = SESSION.msg(msg_type, content, metadata=json_clean(metadata or {}))
        frames = SESSION.serialize(msg, ident=[b"comm-" + self.comm_id.encode()])
        frames += [memoryview(b).cast("B").tobytes() for b in buffers or []]
        WireComm.sent_bytes += sum(len(f) for f in frames)
        WireComm.messages += 1


def tick_frames(comm_id: str) -> list[bytes]:
    """The wire frames of the page's request for the next frame (a custom comm message)."""
    content = {"comm_id": comm_id, "data": {"method": "custom", "content": {"type": "tick"}}}
    return SESSION.serialize(SESSION.msg("comm_msg", content))


def receive(pg: Playground, frames: list[bytes]) -> None:
    """What the kernel does with a comm message from the page: deserialise, dispatch."""
    _, parts = SESSION.feed_identities(frames, copy=True)
    pg.canvas.comm.handle_msg(SESSION.deserialize(parts, content=True, copy=True))


def per_call_ms(fn, n):
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--frames", type=int, default=200)
    p.add_argument("--steps", type=int, default=2, help="SGD steps per frame (the playground's default: 2)")
    p.add_argument("--batch", type=int, default=10, help="mini-batch size (the playground's default: 10)")
    a = p.parse_args()

    comm.create_comm = WireComm
    pg = Playground(hidden=(16, 16), activation="tanh", steps_per_frame=a.steps, batch_size=a.batch)
    assert pg.sizes == (2, 16, 16, 1) and pg.grid.shape == (GRID * GRID, 2)
    assert isinstance(pg.canvas.comm, WireComm)
    pg.play()
    ticks = [tick_frames(pg.canvas.comm.comm_id) for _ in range(a.frames)]   # each its own msg_id
    steps0, frame0, bytes0, msgs0 = pg.step_count, pg.canvas.frame, WireComm.sent_bytes, WireComm.messages
    computing, compute_frame = [], pg.compute_frame

    def timed_compute():            # the part of each frame in compute_frame, timed inside the frame
        start = time.perf_counter()
        out = compute_frame()
        computing.append((time.perf_counter() - start) * 1000)
        return out

    pg.compute_frame = timed_compute
    frame = per_call_ms(lambda i: receive(pg, ticks[i]), a.frames)
    pg.compute_frame = compute_frame
    frames = pg.canvas.frame - frame0
    assert frames == a.frames and pg.step_count - steps0 == a.frames * a.steps, "a tick did not run a frame"
    assert WireComm.messages - msgs0 == a.frames, "one state message per frame"
    per_frame_bytes = (WireComm.sent_bytes - bytes0) / frames
    compute = statistics.median(computing)
    pg.pause()

    # the same boundary, points and figure size in matplotlib
    X, y = pg.X, pg.y
    colors = np.where(y == 1, "#0877bd", "#f59322")
    xs = np.linspace(-EXTENT, EXTENT, GRID)
    fig, ax = plt.subplots(figsize=(3.2, 3.2), dpi=100)
    image = ax.imshow(pg.boundary, extent=(-EXTENT, EXTENT, -EXTENT, EXTENT), cmap="RdBu", vmin=0, vmax=1)
    ax.scatter(X[:, 0], X[:, 1], c=colors, s=12, edgecolors="white", linewidths=0.5)
    n_mpl = max(20, a.frames // 4)
    boundaries = [pg.boundary + 0.01 * i for i in range(n_mpl)]
    sizes = []

    def imshow_png(i):
        image.set_data(boundaries[i])
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        sizes.append(buf.tell())

    imshow = per_call_ms(imshow_png, n_mpl)
    plt.close(fig)

    def contourf_png(boundary):
        fig, ax = plt.subplots(figsize=(3.2, 3.2), dpi=100)
        ax.contourf(xs, xs[::-1], boundary, levels=np.linspace(0, 1, 11), cmap="RdBu")
        ax.scatter(X[:, 0], X[:, 1], c=colors, s=12, edgecolors="white", linewidths=0.5)
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)

    contourf = per_call_ms(lambda i: contourf_png(boundaries[i]), n_mpl)

    def inline_frame(i):
        with nn.single_threaded_blas():
            for _ in range(a.steps):
                pg.sgd_step()
            boundary = np.asarray(pg.model.forward(pg.grid)).reshape(GRID, GRID)
        contourf_png(boundary)

    inline = per_call_ms(inline_frame, n_mpl)

    print(f"playground: 2-16-16-1 tanh, {GRID}×{GRID} grid, {a.steps} SGD steps of {a.batch} per frame, "
          f"{a.frames} frames; {per_frame_bytes / 1000:.1f} kB sent per frame "
          f"(a matplotlib PNG: {statistics.median(sizes) / 1000:.1f} kB)")
    print(f"  {'what (median per frame)':<58}{'ms':>8}{'fps':>8}{'x frame':>9}")
    rows = [("playground frame (tick in, SGD, grid, state out)", frame),
            ("  of which SGD + losses + grid bytes (compute_frame)", compute),
            ("matplotlib imshow + points to PNG, artists reused", imshow),
            ("matplotlib contourf + points to PNG, new figure", contourf),
            ("inline-plot frame: SGD + grid + contourf PNG", inline)]
    for label, ms in rows:
        print(f"  {label:<58}{ms:>8.2f}{1000 / ms:>8.0f}{ms / frame:>9.1f}")
    verdict = "reaches" if 1000 / frame >= 20 else "does NOT reach"
    print(f"the playground {verdict} the issue's 20 fps: {1000 / frame:.0f} fps; "
          f"a matplotlib redraw alone costs {imshow / frame:.1f}–{contourf / frame:.1f}× its whole frame")


if __name__ == "__main__":
    main()
