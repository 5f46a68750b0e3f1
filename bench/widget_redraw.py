"""How long one redraw of the temperature explorer takes, against baselines in the same run.

    python bench/widget_redraw.py [--updates N]

Moves the T slider N times across its positions (as a drag does) and times the whole update:
softmax_T, entropy, the loss and its numerical gradient (2K softmax calls), and the HTML of both
bar charts. Baselines: one
softmax_T call alone (the arithmetic floor), and redrawing a matplotlib bar chart of the same
data to PNG (what an inline-backend plot would cost per update). Prints ms per update and the
ratios. ~16 ms is one frame at 60 Hz; ~100 ms is where a UI stops feeling instant.
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
from bpcourse.widgets import K_MAX, K_MIN, TemperatureExplorer, _default_softmax_t, slider_T  # noqa: E402


def per_call_ms(fn, n):
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--updates", type=int, default=300)
    n = p.parse_args().updates
    positions = np.linspace(K_MIN, K_MAX, n).round().astype(int)
    Ts = [slider_T(int(k)) for k in positions]
    for K in (4, 10):
        logits = np.linspace(2, -1, K)
        e = TemperatureExplorer(logits=logits)
        update = per_call_ms(lambda i: setattr(e.T_slider, "value", int(positions[i])), n)
        assert e.state["T"] == Ts[-1] == 100.0
        floor = per_call_ms(lambda i: _default_softmax_t(logits[None, :], Ts[i]), n)
        fig, ax = plt.subplots(figsize=(5, 3))
        bars = ax.bar(range(K), e.state["probs"])

        def png(i):
            for b, h in zip(bars, _default_softmax_t(logits[None, :], Ts[i])[0]):
                b.set_height(h)
            fig.savefig(io.BytesIO(), format="png")

        mpl = per_call_ms(png, max(20, n // 10))
        plt.close(fig)
        print(f"K = {K} logits, {n} slider moves (median ms per update):")
        print(f"  {'what':<44}{'ms':>8}{'x floor':>10}")
        for label, ms in [("softmax_T alone (floor)", floor), ("explorer update (all of it)", update),
                          ("matplotlib bar chart to PNG (for comparison)", mpl)]:
            print(f"  {label:<44}{ms:>8.3f}{ms / floor:>10.1f}")


if __name__ == "__main__":
    main()
