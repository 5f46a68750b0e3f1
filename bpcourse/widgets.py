"""Interactive explorers for the notebooks (ipywidgets). Student-side: no reference code.

:class:`TemperatureExplorer` (notebook 10): edit the logits, move a log-scale temperature
slider (or type T), pick the target class, and see softmax_T's probabilities y, their entropy,
the loss L = −log y_t and the gradient of L with respect to the logits.

By default the probabilities come from ``scipy.special.softmax(z / T)``; pass your own
``softmax_t(Z, T)`` to run the explorer on your implementation. The gradient is computed
*numerically* (central differences of L = −log softmax_t(z)_t), so the explorer never states
the formula the exercise asks for — compare it with yours.

Honest numbers only: when y_t is too small for float64 (e.g. logits 50, 1, 0.1, −1 at T = 0.05,
target 3: y_t ≈ e^−1020), −log y_t cannot be computed from any softmax's output. The explorer
then computes L from ``scipy.special.log_softmax`` (shifted by the maximum, so it never
underflows), differentiates *that* numerically, and says so on the page.

The T slider has 100 positions per decade on [0.05, 100] whose values are 10^(k/100) rounded
to three significant digits, so 0.1, 1, 10 and 100 are exact positions; the box next to it
takes any typed T in [0.05, 100] and keeps it (the slider moves to the nearest position).

Gradient bars use a fixed logarithmic scale (10⁻⁴ … 10², gridlines at every decade, a dark
line at |∂L/∂z_i| = 1), so the picture shows how the gradient's size changes with T; a
component below 10⁻⁴ draws no bar. Bars are HTML, so a redraw is a string update (see
``bench/widget_redraw.py``), and the values can be read off the page. Every update also lands
in ``explorer.state``.
"""
from __future__ import annotations

import html
import math
from typing import Callable

import ipywidgets as widgets
import numpy as np
from scipy.special import entr as _scipy_entr            # −p log p (notebook 10 asks for H itself)
from scipy.special import log_softmax as _scipy_log_softmax
from scipy.special import softmax as _scipy_softmax

from bpcourse.gradcheck import numerical_gradient

T_MIN, T_MAX = 0.05, 100.0
STEPS_PER_DECADE = 100
K_MIN = math.ceil(math.log10(T_MIN) * STEPS_PER_DECADE)    # slider position of T ≈ 0.0501
K_MAX = round(math.log10(T_MAX) * STEPS_PER_DECADE)        # slider position of T = 100
LECTURE_T = (0.1, 1.0, 10.0, 100.0)
# Gradient bars: |g| on a log scale from 10^G_LO to 10^G_HI (the bar's full length).
G_LO, G_HI = -4, 2
# y_t below this is not trusted to give −log y_t to full precision (subnormals start at 2.2e-308)
TINY = 1e-280


def slider_T(position: int) -> float:
    """T of a slider position: 10^(position/100) to three significant digits (0.1, 1, 10, 100 exact)."""
    return float(f"{10.0 ** (position / STEPS_PER_DECADE):.3g}")


def slider_position(T: float) -> int:
    """The slider position nearest to T (clamped to the slider)."""
    return min(K_MAX, max(K_MIN, round(math.log10(T) * STEPS_PER_DECADE)))


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


def fmt(v: float) -> str:
    """A number for the page: 4 decimals, scientific when tiny or huge, never '-0.0000'."""
    v = float(v)
    if v == 0 or not math.isfinite(v):
        return "0.0000" if v == 0 else str(v)
    return f"{v:.4f}" if 1e-3 <= abs(v) < 1e5 else f"{v:.3e}"


def grad_bar_width(g: float) -> float:
    """Length of a gradient bar in % of the track: log10|g| from G_LO (0 %) to G_HI (100 %)."""
    a = abs(float(g))
    if not a > 10.0 ** G_LO:
        return 0.0
    return min(100.0, 100.0 * (math.log10(a) - G_LO) / (G_HI - G_LO))


_ROW = 'display:flex;align-items:center;height:20px;margin:2px 0'
_TRACK = 'position:relative;width:300px;height:14px;background:#f2f3f4'


def _prob_rows(p: np.ndarray, target: int) -> str:
    rows = []
    for i, v in enumerate(p):
        color = "#1e8449" if i == target else "#2e86c1"
        width = min(100.0, max(0.0, 100.0 * float(v)))
        rows.append(
            f'<div class="bp-row" style="{_ROW}">'
            f'<span style="width:90px;font-family:monospace">y<sub>{i}</sub></span>'
            f'<span style="{_TRACK}">'
            f'<span class="bp-bar" data-width="{width:.4f}" style="position:absolute;left:0;'
            f'width:{width:.3f}%;height:100%;background:{color}"></span></span>'
            f'<span class="bp-prob" data-index="{i}" style="width:110px;text-align:right;'
            f'font-family:monospace">{fmt(v)}</span></div>')
    return "".join(rows)


_DECADE_LABELS = {-4: "10⁻⁴", -3: "10⁻³", -2: "0.01", -1: "0.1", 0: "1", 1: "10", 2: "100"}


def _grad_axis() -> str:
    """Tick labels of the gradient scale, aligned with the tracks below."""
    ticks = []
    for d in range(G_LO, G_HI + 1):
        x = 100.0 * (d - G_LO) / (G_HI - G_LO)
        ticks.append(f'<span style="position:absolute;left:{x:.3f}%;transform:translateX(-50%);'
                     f'font-size:11px;color:#555">{_DECADE_LABELS[d]}</span>')
    return (f'<div class="bp-axis" style="{_ROW}"><span style="width:90px"></span>'
            f'<span style="position:relative;width:300px;height:14px">{"".join(ticks)}</span>'
            f'<span style="width:110px;text-align:right;font-size:11px;color:#555">|∂L/∂z<sub>i</sub>|</span></div>')


def _grad_rows(g: np.ndarray) -> str:
    n = G_HI - G_LO
    grid = "".join(
        f'<span style="position:absolute;left:{100.0 * k / n:.3f}%;top:0;bottom:0;width:1px;'
        f'background:{"#17202a" if k == -G_LO else "#c8ccd0"};z-index:1"></span>'
        for k in range(n + 1))
    rows = [_grad_axis()]
    for i, v in enumerate(g):
        width = grad_bar_width(v)
        color = "#c0392b" if v < 0 else "#2e86c1"
        rows.append(
            f'<div class="bp-row" style="{_ROW}">'
            f'<span style="width:90px;font-family:monospace">∂L/∂z<sub>{i}</sub></span>'
            f'<span style="{_TRACK}">{grid}'
            f'<span class="bp-bar" data-width="{width:.4f}" style="position:absolute;left:0;'
            f'width:{width:.3f}%;height:100%;background:{color}"></span></span>'
            f'<span class="bp-grad" data-index="{i}" style="width:110px;text-align:right;'
            f'font-family:monospace">{fmt(v)}</span></div>')
    rows.append('<div style="font-size:11px;color:#555">длина полосы — |∂L/∂z<sub>i</sub>| в '
                'логарифмической шкале (тёмная линия — 1; меньше 10⁻⁴ — без полосы); '
                '<span style="color:#2e86c1">синяя</span> — компонента больше нуля, '
                '<span style="color:#c0392b">красная</span> — меньше нуля</div>')
    return "".join(rows)


class TemperatureExplorer:
    """softmax_T explorer: logits, log-scale T, target class -> probabilities, entropy, L, gradient.

    Parameters
    ----------
    softmax_t : callable ``(Z, T) -> probabilities``, optional
        Your implementation (shape in = shape out); scipy's softmax of z / T by default.
    logits : initial logits
    T : initial temperature, in [0.05, 100]
    """

    def __init__(self, softmax_t: Callable | None = None, logits=(2.0, 1.0, 0.1, -1.0), T: float = 1.0):
        self.softmax_t = softmax_t or _default_softmax_t
        self.source = "ваша softmax_t" if softmax_t else "scipy.special.softmax(z / T)"
        self.logits = np.asarray(logits, dtype=np.float64)
        self.T = min(T_MAX, max(T_MIN, float(T)))
        self._syncing = False
        self.logits_box = widgets.Text(value=", ".join(f"{v:g}" for v in self.logits),
                                       description="логиты z", continuous_update=False,
                                       layout=widgets.Layout(width="420px"))
        self.T_slider = widgets.IntSlider(value=slider_position(self.T), min=K_MIN, max=K_MAX, step=1,
                                          description="T", readout=False, continuous_update=True,
                                          layout=widgets.Layout(width="420px"))
        self.T_box = widgets.BoundedFloatText(value=self.T, min=T_MIN, max=T_MAX, step=0.1,
                                              layout=widgets.Layout(width="100px"))
        self.target = widgets.Dropdown(options=self._target_options(), value=0, description="класс t")
        self.message = widgets.HTML()
        self.entropy_html = widgets.HTML()
        self.probs_html = widgets.HTML()
        self.grad_html = widgets.HTML()
        self.state: dict = {}
        self.logits_box.observe(self._on_logits, names="value")
        self.T_slider.observe(self._on_slider, names="value")
        self.T_box.observe(self._on_box, names="value")
        self.target.observe(lambda _: self.update(), names="value")
        self.header = widgets.HTML()
        self._set_header()
        self.ui = widgets.VBox([
            self.header,
            self.logits_box,
            widgets.HBox([self.T_slider, self.T_box]),
            widgets.HTML('<span style="font-size:11px;color:#555;margin-left:90px">шкала T '
                         'логарифмическая, 0.05 … 100; точное значение можно ввести в поле справа</span>'),
            self.target, self.message, self.entropy_html,
            widgets.HTML("<b>вероятности y = softmax_T(z)</b>"), self.probs_html,
            widgets.HTML("<b>градиент ∂L/∂z потерь L = −log y<sub>t</sub> (численный)</b>"), self.grad_html,
        ])
        self.update()

    # --- controls -------------------------------------------------------------------------
    def set_T(self, T: float) -> None:
        """Set the temperature exactly (as typing it does); the slider follows."""
        self.T = min(T_MAX, max(T_MIN, float(T)))
        self._syncing = True
        try:
            self.T_box.value = self.T
            self.T_slider.value = slider_position(self.T)
        finally:
            self._syncing = False
        self.update()

    def _on_slider(self, change) -> None:
        if self._syncing:
            return
        self.T = slider_T(change["new"])
        self._syncing = True
        try:
            self.T_box.value = self.T
        finally:
            self._syncing = False
        self.update()

    def _on_box(self, change) -> None:
        if not self._syncing:
            self.set_T(change["new"])

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

    # --- numbers --------------------------------------------------------------------------
    def _probs(self, z: np.ndarray, T: float) -> np.ndarray:
        out = np.asarray(self.softmax_t(z[None, :].copy(), T), dtype=np.float64)
        if out.shape != (1, z.size):
            raise ValueError(f"softmax_t вернула форму {out.shape}, а для логитов (1, {z.size}) "
                             f"нужна (1, {z.size})")
        return out.reshape(-1)

    def compute(self, logits: np.ndarray, T: float, target: int) -> dict:
        """Probabilities, entropy, loss and the numerical gradient of the loss for one setting.

        ``state["stable"]`` is True when L and its gradient had to come from
        ``scipy.special.log_softmax`` because y_t is not representable in float64.
        """
        p = self._probs(logits, T)
        if not np.all(np.isfinite(p)):
            raise ValueError(f"softmax_t вернула nan или inf при T = {T:g} (логиты / T до "
                             f"{np.max(np.abs(logits)) / T:.4g}): переполнение exp?")
        h = 1e-6 * max(1.0, T)
        # L = −log y_t and its central differences through the softmax being explored, when
        # every y_t they need is representable; otherwise through scipy's log_softmax
        z = logits.copy()
        grad = np.zeros_like(z)
        stable = not p[target] >= TINY
        for i in range(z.size):
            if stable:
                break
            old = z[i]
            z[i] = old + h
            plus = self._probs(z, T)[target]
            z[i] = old - h
            minus = self._probs(z, T)[target]
            z[i] = old
            if not min(plus, minus) >= TINY:
                stable = True
            else:
                grad[i] = (np.log(minus) - np.log(plus)) / (2.0 * h)
        if stable:
            def stable_loss(v):
                return float(-_scipy_log_softmax(v / T)[target])
            loss = stable_loss(logits.copy())
            grad = numerical_gradient(stable_loss, logits.copy(), h=h)
        else:
            loss = float(-np.log(p[target]))
        entropy = float(np.sum(_scipy_entr(p))) + 0.0     # + 0.0: never −0.0
        return {"probs": p, "entropy": entropy, "grad": grad, "loss": loss,
                "target": np.eye(logits.size)[target], "T": T, "stable": stable}

    def update(self) -> None:
        """Recompute for the current controls and redraw."""
        try:
            st = self.compute(self.logits, self.T, int(self.target.value))
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
            # never leave the numbers of another setting on the page
            self.state = {}
            self.entropy_html.value = self.probs_html.value = self.grad_html.value = ""
            return
        self.state = st
        self.message.value = ""
        if st["stable"]:
            which = "ваша softmax_t даёт" if self.softmax_t is not _default_softmax_t else "softmax даёт"
            self.message.value = (
                f'<span style="color:#7d6608">y<sub>t</sub> ≈ e<sup>−{st["loss"]:.0f}</sup> меньше, чем '
                f'представимо в float64 ({which} y<sub>t</sub> = {fmt(st["probs"][self.target.value])}): '
                f'L и ∂L/∂z посчитаны устойчиво — через scipy.special.log_softmax (сдвиг на максимум), '
                f'а не через −log y<sub>t</sub>.</span>')
        K = self.logits.size
        self.entropy_html.value = (f'T = <span class="bp-T" data-value="{self.T!r}">{self.T:g}</span>; '
                                   f'<span class="bp-entropy">H = {fmt(st["entropy"])}</span> нат '
                                   f'(равномерное: ln {K} = {math.log(K):.4f}); '
                                   f'L = −log y<sub>t</sub> = <span class="bp-loss">{fmt(st["loss"])}</span>')
        self.probs_html.value = _prob_rows(st["probs"], int(self.target.value))
        self.grad_html.value = _grad_rows(st["grad"])

    def _ipython_display_(self):
        from IPython.display import display
        display(self.ui)
