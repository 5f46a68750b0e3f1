"""Interactive explorers for the notebooks (ipywidgets). Student-side: no reference code.

:class:`TemperatureExplorer` (notebook 10): edit the logits, move a log-scale temperature
slider, pick the target class, and see softmax_T's probabilities, their entropy and the
gradient of the cross-entropy with respect to the logits.

By default the probabilities come from ``scipy.special.softmax(z / T)``; pass your own
``softmax_t(Z, T)`` to run the explorer on your implementation. The gradient is computed
*numerically* (central differences of the cross-entropy), so the explorer never states the
formula the exercise asks for — compare it with yours.

Bars are HTML, so a redraw is a string update (see ``bench/widget_redraw.py``), and the values
can be read off the page. Every update also lands in ``explorer.state``.
"""
from __future__ import annotations

import html
import math
from typing import Callable

import ipywidgets as widgets
import numpy as np
from scipy.special import softmax as _scipy_softmax

from bpcourse.gradcheck import numerical_gradient

T_MIN, T_MAX = 0.05, 100.0


def _default_softmax_t(Z, T):
    return _scipy_softmax(np.asarray(Z, dtype=np.float64) / T, axis=-1)


def parse_logits(text: str) -> np.ndarray:
    """'2, 1, 0.1' -> array([2., 1., 0.1]); ValueError with a Russian message otherwise."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        values = np.array([float(p) for p in parts], dtype=np.float64)
    except ValueError:
        raise ValueError("логиты — это числа через запятую, например: 2, 1, 0.1") from None
    if not 2 <= values.size <= 12:
        raise ValueError("нужно от 2 до 12 логитов")
    if not np.all(np.isfinite(values)) or np.max(np.abs(values)) > 1e4:
        raise ValueError("логиты должны быть конечными числами по модулю не больше 10⁴")
    return values


def _bar_rows(values: np.ndarray, *, signed: bool, highlight: int, kind: str) -> str:
    scale = max(1e-12, float(np.max(np.abs(values)))) if signed else 1.0
    rows = []
    for i, v in enumerate(values):
        width = 50 * abs(v) / scale if signed else 100 * v
        left = 50 - width if signed and v < 0 else (50 if signed else 0)
        color = "#c0392b" if (signed and v < 0) else ("#2e86c1" if i != highlight else "#1e8449")
        rows.append(
            f'<div class="bp-row" style="display:flex;align-items:center;height:20px;margin:2px 0">'
            f'<span style="width:70px;font-family:monospace">z<sub>{i}</sub></span>'
            f'<span style="position:relative;width:260px;height:14px;background:#f2f3f4">'
            f'<span class="bp-bar" style="position:absolute;left:{left:.2f}%;width:{max(width, 0.3):.2f}%;'
            f'height:100%;background:{color}"></span></span>'
            f'<span class="bp-{kind}" data-index="{i}" style="width:90px;text-align:right;'
            f'font-family:monospace">{v:.4f}</span></div>')
    return "".join(rows)


class TemperatureExplorer:
    """softmax_T explorer: logits, log-scale T, target class -> probabilities, entropy, gradient.

    Parameters
    ----------
    softmax_t : callable ``(Z, T) -> probabilities``, optional
        Your implementation (shape in = shape out); scipy's softmax of z / T by default.
    logits : initial logits
    T : initial temperature
    """

    def __init__(self, softmax_t: Callable | None = None, logits=(2.0, 1.0, 0.1, -1.0), T: float = 1.0):
        self.softmax_t = softmax_t or _default_softmax_t
        self.source = "ваша softmax_t" if softmax_t else "scipy.special.softmax(z / T)"
        self.logits = np.asarray(logits, dtype=np.float64)
        self.logits_box = widgets.Text(value=", ".join(f"{v:g}" for v in self.logits),
                                       description="логиты z", continuous_update=False,
                                       layout=widgets.Layout(width="420px"))
        self.T_slider = widgets.FloatLogSlider(value=T, base=10, min=math.log10(T_MIN), max=math.log10(T_MAX),
                                               step=0.01, description="T", readout_format=".3g",
                                               continuous_update=True, layout=widgets.Layout(width="420px"))
        self.target = widgets.Dropdown(options=self._target_options(), value=0, description="класс t")
        self.message = widgets.HTML()
        self.entropy_html = widgets.HTML()
        self.probs_html = widgets.HTML()
        self.grad_html = widgets.HTML()
        self.state: dict = {}
        self.logits_box.observe(self._on_logits, names="value")
        self.T_slider.observe(lambda _: self.update(), names="value")
        self.target.observe(lambda _: self.update(), names="value")
        self.header = widgets.HTML()
        self._set_header()
        self.ui = widgets.VBox([
            self.header,
            self.logits_box, self.T_slider, self.target, self.message, self.entropy_html,
            widgets.HTML("<b>вероятности y_T = softmax_T(z)</b>"), self.probs_html,
            widgets.HTML("<b>градиент ∂L/∂z для выбранного класса (численный)</b>"), self.grad_html,
        ])
        self.update()

    def _set_header(self) -> None:
        self.header.value = f"<b>Softmax с температурой</b> — считает: {html.escape(self.source)}"

    def _target_options(self):
        return [(f"{i}", i) for i in range(self.logits.size)]

    def _on_logits(self, change) -> None:
        try:
            self.logits = parse_logits(change["new"])
        except ValueError as e:
            self.message.value = f'<span style="color:#c0392b">{html.escape(str(e))}</span>'
            return
        self.message.value = ""
        if len(self.target.options) != self.logits.size:
            value = min(self.target.value, self.logits.size - 1)
            self.target.options = self._target_options()
            self.target.value = value
        self.update()

    def compute(self, logits: np.ndarray, T: float, target: int) -> dict:
        """Probabilities, entropy and the numerical CE gradient for one setting."""
        out = np.asarray(self.softmax_t(logits[None, :].copy(), T), dtype=np.float64)
        if out.shape != (1, logits.size):
            raise ValueError(f"softmax_t вернула форму {out.shape}, а для логитов (1, {logits.size}) "
                             f"нужна (1, {logits.size})")
        p = out.reshape(-1)
        t = np.eye(logits.size)[target]

        def ce(z):
            q = np.asarray(self.softmax_t(z[None, :].copy(), T), dtype=np.float64).reshape(-1)
            return float(-np.log(max(q[target], 1e-300)))

        grad = numerical_gradient(ce, logits.copy(), h=1e-6 * max(1.0, T))
        nz = p[p > 0]
        return {"probs": p, "entropy": float(-np.sum(nz * np.log(nz))), "grad": grad,
                "loss": ce(logits.copy()), "target": t, "T": T}

    def update(self) -> None:
        """Recompute for the current controls and redraw."""
        try:
            st = self.compute(self.logits, float(self.T_slider.value), int(self.target.value))
        except NotImplementedError:
            if self.softmax_t is _default_softmax_t:
                raise
            # not written yet: explore with scipy meanwhile, and say so
            self.softmax_t, self.source = _default_softmax_t, "scipy.special.softmax(z / T)"
            self._set_header()
            self.update()
            self.message.value = ("ваша softmax_t ещё не реализована (упражнение 1) — пока считает scipy; "
                                  "запустите эту ячейку снова, когда она будет готова.")
            return
        except Exception as e:  # noqa: BLE001 - show the student's bug instead of a dead widget
            self.message.value = f'<span style="color:#c0392b">ошибка: {html.escape(type(e).__name__)}: ' \
                                 f'{html.escape(str(e)[:200])}</span>'
            return
        self.state = st
        K = self.logits.size
        self.entropy_html.value = (f'<span class="bp-entropy">H = {st["entropy"]:.4f}</span> нат '
                                   f'(равномерное: ln {K} = {math.log(K):.4f}); '
                                   f'L = −log y<sub>t</sub> = <span class="bp-loss">{st["loss"]:.4f}</span>')
        self.probs_html.value = _bar_rows(st["probs"], signed=False, highlight=int(self.target.value), kind="prob")
        self.grad_html.value = _bar_rows(st["grad"], signed=True, highlight=-1, kind="grad")

    def _ipython_display_(self):
        from IPython.display import display
        display(self.ui)
