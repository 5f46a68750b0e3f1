"""The training playground of notebook 08, in the spirit of TensorFlow Playground.

A 2D toy data set (circles, XOR, spirals, moons — generated here, nothing is downloaded), a
network 2 → hidden layers → 1 trained by mini-batch SGD on the lecture's squared error, the
decision boundary redrawn on a 100 × 100 grid as it trains and the loss curves (training and
test data) beside it. Controls: data set, noise, hidden layer sizes, activation, learning rate,
batch size, SGD steps per frame; play / pause / one step / start again.

It runs on :mod:`bpcourse.nn` by default, and on any model the student passes::

    Playground(model=lambda sizes, activation, rng: [MyLinear(...), MySigmoid(), ...])

``model(sizes, activation, rng)`` gets ``sizes = (2, *hidden, 1)``, the activation's name
(``"tanh"``, ``"relu"`` or ``"sigmoid"``) and a numpy Generator, and returns an object with
``forward(X)``, ``backward(dout)`` and ``parameters()`` (objects with ``.data`` and ``.grad``),
or a list of layers with ``forward``/``backward`` (``parameters()`` where they have any). Its
output (M, 1) is read as the probability of class 1: end it with a sigmoid. ``loss`` (an object
with ``forward(Y, t)`` and ``backward()``, e.g. the student's MSE) replaces ``nn.MSELoss()``.

Speed. A frame is some SGD steps, a forward pass on the 10 000 grid points and the grid's
values quantised to one byte each: 10 kB that an anywidget view paints with ``putImageData``
(colours from a lookup table in the browser) and scales up on a canvas, with the data points and
the loss curves drawn on top. The browser asks for frames itself, at most ``IN_FLIGHT`` (2)
outstanding: it asks for the next one as a frame arrives, before drawing it, so the kernel's
work overlaps the round trip through the server (on a loaded 2-core machine ~100 ms, several
times the kernel's work). Playing therefore queues at most one frame in the kernel, never blocks
it (every frame is one comm message, between which the kernel runs cells as usual) and slows
down gracefully. The page records ``data-draw-ms`` (its drawing) and ``data-wait-ms`` (tick to
frame) on its root. ``bench/bench_playground.py`` measures a frame against a matplotlib redraw.

Under nbgrader (:func:`bpcourse.grading.is_grading`) the playground builds nothing and shows a
short note instead.
"""
from __future__ import annotations

import html
import math
import traceback

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from bpcourse import nn
from bpcourse.grading import is_grading

DATASETS = {"circles": "круги", "xor": "XOR", "spirals": "спирали", "moons": "полумесяцы"}
ACTIVATIONS = {"tanh": "tanh", "relu": "ReLU", "sigmoid": "сигмоида"}
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (1, 5, 10, 25, 50, 100)
STEPS_PER_FRAME = (1, 2, 5, 10, 20)
GRID = 100                  # the boundary is computed on GRID × GRID points
EXTENT = 1.5                # … of the square [−EXTENT, EXTENT]²
N_POINTS = 200              # training points (and as many test points)
IN_FLIGHT = 2               # frames the page may have asked for and not yet got (see the docstring)
MAX_CURVE = 300             # loss-curve points sent to the page (the history is thinned)
PLAY, PAUSE = "▶ пуск", "❚❚ пауза"   # (⏸ is missing from common fonts such as DejaVu)
GRADING_NOTE = "(при оценивании тренировочная площадка не запускается)"


# --- data -------------------------------------------------------------------------------------

def make_dataset(name: str, n: int = N_POINTS, noise: float = 0.1, seed: int = 0):
    """A 2D toy data set: ``X`` of shape (n, 2) inside [−1.5, 1.5]², labels ``y`` (n,) in {0, 1},
    n // 2 of class 1. ``noise`` is the standard deviation of Gaussian jitter of the points."""
    if name not in DATASETS:
        raise ValueError(f"неизвестный набор данных {name!r}; есть: {', '.join(DATASETS)}")
    rng = np.random.default_rng(seed)
    n1 = n // 2
    y = np.r_[np.ones(n1, dtype=int), np.zeros(n - n1, dtype=int)]
    if name == "circles":          # class 1 inside the disc of radius 0.5, class 0 on a ring
        r = np.where(y == 1, rng.uniform(0.0, 0.5, n), rng.uniform(0.75, 1.1, n))
        a = rng.uniform(0.0, 2 * np.pi, n)
        X = np.c_[r * np.cos(a), r * np.sin(a)]
    elif name == "xor":            # class 1 where x₁ x₂ > 0, kept off the axes
        X = rng.uniform(0.1, 1.1, (n, 2)) * rng.choice([-1.0, 1.0], (n, 2))
        same = np.sign(X[:, 0]) == np.sign(X[:, 1])
        X[:, 1] = np.where(same == (y == 1), X[:, 1], -X[:, 1])
    elif name == "spirals":        # two interleaved spirals, 1.5 turns each
        s = np.sqrt(rng.uniform(0.02, 1.0, n))
        a = 3 * np.pi * s + np.pi * y
        X = np.c_[1.1 * s * np.cos(a), 1.1 * s * np.sin(a)]
    else:                          # moons: two interleaved half circles
        a = rng.uniform(0.0, np.pi, n)
        X = np.where((y == 0)[:, None], np.c_[np.cos(a), np.sin(a)], np.c_[1 - np.cos(a), 0.5 - np.sin(a)])
        X = 0.9 * (X - [0.5, 0.25])
    X = X + rng.normal(0.0, noise, X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def grid_points(size: int = GRID, extent: float = EXTENT) -> np.ndarray:
    """The grid's points, (size², 2), row by row from the top (x₂ = extent) as an image is."""
    xs = np.linspace(-extent, extent, size)
    XX, YY = np.meshgrid(xs, xs[::-1])
    return np.c_[XX.ravel(), YY.ravel()]


# --- models -----------------------------------------------------------------------------------

_NN_ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}


def default_model(sizes, activation: str, rng) -> nn.Sequential:
    """Linear → activation → … → Linear → Sigmoid of :mod:`bpcourse.nn`."""
    layers = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, rng=rng))
        layers.append(_NN_ACTIVATIONS[activation]() if k < len(sizes) - 2 else nn.Sigmoid())
    return nn.Sequential(*layers)


class Chain:
    """A list of the student's layers as one model (forward in order, backward in reverse)."""

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, X):
        out = X
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def parameters(self):
        return [p for layer in self.layers if hasattr(layer, "parameters") for p in layer.parameters()]


def parse_hidden(text: str) -> tuple[int, ...]:
    """'16, 16' -> (16, 16); '' -> () (no hidden layer); ValueError with a Russian message."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError("размеры скрытых слоёв — целые числа через запятую, например: 16, 16") from None
    if len(sizes) > 6 or any(not 1 <= s <= 64 for s in sizes):
        raise ValueError("не больше 6 скрытых слоёв по 1…64 нейрона")
    return sizes


# --- the page ---------------------------------------------------------------------------------

_ESM = r"""
const G = %(grid)d, E = %(extent)r, W = 320, LW = 320, LH = 150, IN_FLIGHT = %(in_flight)d;
function lut() {           // value 0 -> orange (class 0), 0.5 -> light grey, 1 -> blue (class 1)
  const a = [245, 147, 34], m = [232, 234, 235], b = [8, 119, 189], t = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const v = i / 255, s = v < 0.5 ? v * 2 : (v - 0.5) * 2, p = v < 0.5 ? a : m, q = v < 0.5 ? m : b;
    for (let c = 0; c < 3; c++) t[4 * i + c] = 0.45 * ((1 - s) * p[c] + s * q[c]) + 0.55 * 255 * 0.92;
    t[4 * i + 3] = 255;
  }
  return new Uint32Array(t.buffer);   // one RGBA pixel per entry, in the platform's byte order
}
function render({ model, el }) {
  const LUT = lut();
  const root = document.createElement("div");
  root.className = "bp-playground";
  root.style.cssText = "display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start;font:12px sans-serif";
  const left = document.createElement("div"), right = document.createElement("div");
  const canvas = document.createElement("canvas");
  canvas.className = "bp-pg-boundary"; canvas.width = W; canvas.height = W;
  canvas.style.cssText = "border:1px solid #ccc";
  const cap = document.createElement("div");
  cap.innerHTML = 'граница решений: <span style="color:#0877bd">●</span> класс 1, ' +
                  '<span style="color:#f59322">●</span> класс 0';
  left.append(canvas, cap);
  const curve = document.createElement("canvas");
  curve.className = "bp-pg-loss"; curve.width = LW; curve.height = LH;
  curve.style.cssText = "border:1px solid #ccc";
  const info = document.createElement("div");
  info.className = "bp-pg-info"; info.style.cssText = "margin-top:6px;line-height:1.6";
  info.innerHTML = 'потери на обучающих: <b class="bp-pg-train"></b><br>' +
                   'потери на тестовых: <b class="bp-pg-test"></b><br>' +
                   'шагов SGD: <span class="bp-pg-step"></span>, эпох: <span class="bp-pg-epoch"></span><br>' +
                   '<span class="bp-pg-fps"></span>';
  const legend = document.createElement("div");
  legend.innerHTML = '<span style="color:#333">— обучающие</span> &nbsp; <span style="color:#999">— тестовые</span>';
  right.append(curve, legend, info);
  root.append(left, right);
  el.append(root);

  const off = document.createElement("canvas");
  off.width = G; off.height = G;
  const octx = off.getContext("2d"), img = octx.createImageData(G, G), px = new Uint32Array(img.data.buffer);
  const ctx = canvas.getContext("2d"), lctx = curve.getContext("2d");
  let inflight = 0, asked = [], times = [];

  function drawBoundary() {
    const view = model.get("grid");
    const bytes = view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : new Uint8Array(0);
    if (bytes.length === G * G) {
      for (let i = 0; i < G * G; i++) px[i] = LUT[bytes[i]];
      octx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(off, 0, 0, W, W);
    } else {
      ctx.fillStyle = "#eee"; ctx.fillRect(0, 0, W, W);
    }
    ctx.strokeStyle = "rgba(0,0,0,0.15)"; ctx.beginPath();
    ctx.moveTo(W / 2, 0); ctx.lineTo(W / 2, W); ctx.moveTo(0, W / 2); ctx.lineTo(W, W / 2); ctx.stroke();
    const pts = model.get("points") || [];
    for (let i = 0; i + 2 < pts.length; i += 3) {
      const x = (pts[i] + E) / (2 * E) * W, y = (E - pts[i + 1]) / (2 * E) * W;
      ctx.beginPath(); ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = pts[i + 2] > 0.5 ? "#0877bd" : "#f59322"; ctx.fill();
      ctx.lineWidth = 1; ctx.strokeStyle = "#fff"; ctx.stroke();
    }
  }
  function drawCurve() {
    const tr = model.get("train_curve") || [], te = model.get("test_curve") || [];
    lctx.clearRect(0, 0, LW, LH);
    const all = tr.concat(te).filter(Number.isFinite);
    const top = all.length ? Math.max(...all) * 1.05 || 1 : 1;
    lctx.fillStyle = "#666"; lctx.fillText(top.toPrecision(2), 2, 10); lctx.fillText("0", 2, LH - 2);
    for (const [data, color] of [[te, "#999"], [tr, "#333"]]) {
      if (data.length < 1) continue;
      lctx.strokeStyle = color; lctx.lineWidth = 1.5; lctx.beginPath();
      data.forEach((v, i) => {
        const x = data.length > 1 ? i / (data.length - 1) * (LW - 4) + 2 : 2;
        const y = LH - 2 - (Number.isFinite(v) ? v / top : 1) * (LH - 14);
        i ? lctx.lineTo(x, y) : lctx.moveTo(x, y);
      });
      lctx.stroke();
    }
    const last = (a) => a.length ? a[a.length - 1] : NaN;
    info.querySelector(".bp-pg-train").textContent = Number.isFinite(last(tr)) ? last(tr).toFixed(4) : "—";
    info.querySelector(".bp-pg-test").textContent = Number.isFinite(last(te)) ? last(te).toFixed(4) : "—";
    info.querySelector(".bp-pg-step").textContent = model.get("step");
    info.querySelector(".bp-pg-epoch").textContent = model.get("epoch").toFixed(1);
  }
  function draw() {
    const t0 = performance.now();
    drawBoundary(); drawCurve();
    root.dataset.drawMs = (performance.now() - t0).toFixed(1);   // for the browser test and for curiosity
    root.dataset.frame = model.get("frame");
    root.dataset.step = model.get("step");
    const now = performance.now();
    times.push(now); while (times.length && now - times[0] > 2000) times.shift();
    const fps = times.length > 1 ? (times.length - 1) / ((now - times[0]) / 1000) : 0;
    info.querySelector(".bp-pg-fps").textContent = model.get("playing") ? `кадров в секунду: ${fps.toFixed(0)}` : "";
    root.dataset.fps = fps.toFixed(1);
  }
  // At most IN_FLIGHT frames asked for and not yet drawn, the next asked for before this one is
  // drawn: the kernel computes while the messages travel and the page draws, and never piles up work.
  function tick() {
    while (model.get("playing") && inflight < IN_FLIGHT) {
      inflight++; asked.push(performance.now()); model.send({ type: "tick" });
    }
  }
  model.on("change:frame", () => {
    if (inflight > 0) {            // tick -> frame, the round trip through the server and the kernel
      inflight--; root.dataset.waitMs = (performance.now() - asked.shift()).toFixed(1);
    }
    tick(); draw();
  });
  model.on("change:points", draw);
  model.on("change:playing", () => { inflight = 0; asked = []; times = []; draw(); tick(); });
  draw();
  tick();
  return () => { model.off(null, null, null); };
}
export default { render };
""" % {"grid": GRID, "extent": EXTENT, "in_flight": IN_FLIGHT}


class BoundaryCanvas(anywidget.AnyWidget):
    """The page part: boundary image (one byte per grid point), data points and loss curves."""
    _esm = _ESM
    grid = traitlets.Bytes(b"").tag(sync=True)
    points = traitlets.List([]).tag(sync=True)          # x₁, x₂, label, x₁, x₂, label, …
    train_curve = traitlets.List([]).tag(sync=True)
    test_curve = traitlets.List([]).tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)
    epoch = traitlets.Float(0.0).tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)


def _thin(values: list, n: int = MAX_CURVE) -> list:
    if len(values) <= n:
        return [float(v) for v in values]
    idx = np.linspace(0, len(values) - 1, n).round().astype(int)
    return [float(values[i]) for i in idx]


class Playground:
    """The training playground. Display it (``display(pg)``, or the last line of a cell).

    Parameters
    ----------
    model : callable ``(sizes, activation, rng) -> model or list of layers``, optional
        Builds the network (see the module's docstring); :mod:`bpcourse.nn` by default.
    loss : object with ``forward(Y, t) -> float`` and ``backward() -> dY``, optional
        ``nn.MSELoss()`` by default (squared error, targets 0 and 1).
    dataset, noise, hidden, activation, lr, batch_size, steps_per_frame : the initial controls
    seed : the seed of the data and of the weights
    """

    def __init__(self, model=None, loss=None, *, dataset: str = "circles", noise: float = 0.1,
                 hidden=(16, 16), activation: str = "tanh", lr: float = 0.3, batch_size: int = 10,
                 steps_per_frame: int = 2, seed: int = 0):
        self.grading = is_grading()
        if self.grading:                   # nobody can press play while nbgrader runs a notebook
            self.ui = widgets.HTML(GRADING_NOTE)
            return
        self.factory = model or default_model
        self.source = "ваша модель" if model else "bpcourse.nn"
        self.loss = loss if loss is not None else nn.MSELoss()
        self.seed = seed
        self.grid = grid_points()
        self.canvas = BoundaryCanvas()
        self.canvas.on_msg(self._on_msg)
        self.message = widgets.HTML()
        style = {"description_width": "150px"}
        wide = widgets.Layout(width="320px")
        self.dataset_box = widgets.Dropdown(options=[(v, k) for k, v in DATASETS.items()], value=dataset,
                                            description="данные", style=style, layout=wide)
        self.noise_slider = widgets.FloatSlider(value=noise, min=0.0, max=0.5, step=0.05, description="шум",
                                                continuous_update=False, style=style, layout=wide)
        self.hidden_box = widgets.Text(value=", ".join(map(str, hidden)), description="скрытые слои",
                                       placeholder="например: 16, 16", continuous_update=False,
                                       style=style, layout=wide)
        self.activation_box = widgets.Dropdown(options=[(v, k) for k, v in ACTIVATIONS.items()],
                                               value=activation, description="активация", style=style,
                                               layout=wide)
        self.lr_box = widgets.Dropdown(options=[(f"{v:g}", v) for v in LEARNING_RATES], value=lr,
                                       description="скорость обучения α", style=style, layout=wide)
        self.batch_box = widgets.Dropdown(options=BATCH_SIZES, value=batch_size, description="размер пакета",
                                          style=style, layout=wide)
        self.steps_box = widgets.Dropdown(options=STEPS_PER_FRAME, value=steps_per_frame,
                                          description="шагов SGD за кадр", style=style, layout=wide)
        self.play_button = widgets.ToggleButton(value=False, description=PLAY, tooltip="пуск / пауза",
                                                layout=widgets.Layout(width="100px"))
        self.step_button = widgets.Button(description="шаг", tooltip="один кадр",
                                          layout=widgets.Layout(width="100px"))
        self.reset_button = widgets.Button(description="заново", tooltip="новые случайные веса",
                                           layout=widgets.Layout(width="100px"))
        for box in (self.dataset_box, self.noise_slider):
            box.observe(lambda _: self.reset(data=True), names="value")
        for box in (self.hidden_box, self.activation_box):
            box.observe(lambda _: self.reset(), names="value")
        self.lr_box.observe(self._on_lr, names="value")
        self.play_button.observe(self._on_play, names="value")
        self.step_button.on_click(lambda _: self.frame())
        self.reset_button.on_click(lambda _: self.reset())
        controls = widgets.VBox([
            widgets.HTML(f"<b>Тренировочная площадка</b> — модель: {html.escape(self.source)}"),
            self.dataset_box, self.noise_slider, self.hidden_box, self.activation_box, self.lr_box,
            self.batch_box, self.steps_box,
            widgets.HBox([self.play_button, self.step_button, self.reset_button]), self.message,
        ], layout=widgets.Layout(width="340px", flex="0 0 auto"))      # never squeezed by the canvas
        self.ui = widgets.HBox([controls, self.canvas])    # a narrow page puts the loss curve under the boundary
        self.reset(data=True)

    # --- state ---------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return not self.grading and self.canvas.playing

    def reset(self, data: bool = False) -> None:
        """New random weights (and, with ``data``, a new data set) for the current controls."""
        if self.grading:
            return
        self.pause()
        if data:
            name, noise = self.dataset_box.value, self.noise_slider.value
            self.X, self.y = make_dataset(name, N_POINTS, noise, self.seed)
            self.X_test, self.y_test = make_dataset(name, N_POINTS, noise, self.seed + 1)
            self.t = self.y[:, None].astype(np.float64)
            self.t_test = self.y_test[:, None].astype(np.float64)
            self.canvas.points = np.c_[self.X, self.y].round(4).ravel().tolist()
        self.rng = np.random.default_rng(self.seed)
        self.step_count, self.epoch, self._order, self._pos = 0, 0, self.rng.permutation(len(self.X)), 0
        self.train_loss, self.test_loss = [], []
        self.boundary = np.full((GRID, GRID), np.nan)
        self.model = self.opt = None
        self.message.value = ""
        try:
            self.hidden = parse_hidden(self.hidden_box.value)
            self.sizes = (2, *self.hidden, 1)
            built = self.factory(self.sizes, self.activation_box.value, self.rng)
            self.model = built if hasattr(built, "forward") else Chain(built)
            self.opt = nn.SGD(self.model.parameters(), self.lr_box.value)
            self._measure_and_draw()
        except Exception as e:  # noqa: BLE001 - the student's model: show the error, not a dead widget
            self._fail(e)

    def _on_lr(self, change) -> None:
        if self.opt is not None:
            self.opt.lr = float(change["new"])

    def _on_play(self, change) -> None:
        self.play_button.description = PAUSE if change["new"] else PLAY
        if change["new"] and self.model is None:
            self.play_button.value = False
            return
        self.canvas.playing = bool(change["new"])

    def play(self) -> None:
        self.play_button.value = True

    def pause(self) -> None:
        if not self.grading:
            self.play_button.value = False

    def _on_msg(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("type") == "tick" and self.playing:
            self.frame()

    def _fail(self, e: Exception) -> None:
        self.pause()
        where = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
        line = f" (строка {where.lineno} в {html.escape(where.name)})" if where else ""
        self.message.value = (f'<span style="color:#c0392b">ошибка: {html.escape(type(e).__name__)}: '
                              f'{html.escape(str(e)[:200])}{line}</span>')

    # --- one frame -----------------------------------------------------------------------------
    def sgd_step(self) -> float:
        """One mini-batch SGD step (shuffled epochs); returns the batch loss."""
        size = self.batch_box.value
        if self._pos >= len(self._order):
            self._order, self._pos = self.rng.permutation(len(self.X)), 0
        idx = self._order[self._pos:self._pos + size]
        self._pos += size
        self.opt.zero_grad()
        loss = self.loss.forward(self.model.forward(self.X[idx]), self.t[idx])
        self.model.backward(self.loss.backward())
        self.opt.step()
        self.step_count += 1
        self.epoch += len(idx) / len(self.X)
        return float(loss)

    def compute_frame(self) -> bytes:
        """SGD steps and the boundary: the grid's values as one byte each (what the page gets)."""
        with nn.single_threaded_blas():
            for _ in range(self.steps_box.value):
                self.sgd_step()
            self.train_loss.append(float(self.loss.forward(self.model.forward(self.X), self.t)))
            self.test_loss.append(float(self.loss.forward(self.model.forward(self.X_test), self.t_test)))
            out = np.asarray(self.model.forward(self.grid), dtype=np.float64).reshape(GRID, GRID)
        self.boundary = out
        return np.rint(np.nan_to_num(np.clip(out, 0.0, 1.0), nan=0.5) * 255).astype(np.uint8).tobytes()

    def frame(self) -> None:
        """One frame: SGD steps, losses, the boundary; sent to the page in one message."""
        if self.grading or self.model is None:
            return
        try:
            grid = self.compute_frame()
        except Exception as e:  # noqa: BLE001
            self._fail(e)
            return
        self._send(grid)
        if not math.isfinite(self.train_loss[-1]):
            self.pause()
            self.message.value = ('<span style="color:#c0392b">потери стали nan или inf — обучение разошлось: '
                                  'уменьшите скорость обучения и нажмите «заново»</span>')

    def _measure_and_draw(self) -> None:
        """Losses and boundary of the current weights, without a step (after a reset)."""
        with nn.single_threaded_blas():
            self.train_loss.append(float(self.loss.forward(self.model.forward(self.X), self.t)))
            self.test_loss.append(float(self.loss.forward(self.model.forward(self.X_test), self.t_test)))
            self.boundary = np.asarray(self.model.forward(self.grid), dtype=np.float64).reshape(GRID, GRID)
        self._send(np.rint(np.nan_to_num(np.clip(self.boundary, 0, 1), nan=0.5) * 255).astype(np.uint8).tobytes())

    def _send(self, grid: bytes) -> None:
        c = self.canvas
        with c.hold_sync():
            c.grid = grid
            c.train_curve = _thin(self.train_loss)
            c.test_curve = _thin(self.test_loss)
            c.step = self.step_count
            c.epoch = float(self.epoch)
            c.frame = c.frame + 1

    def accuracy(self, test: bool = False) -> float:
        """Share of points on the right side of the boundary (output > 0.5 means class 1)."""
        X, y = (self.X_test, self.y_test) if test else (self.X, self.y)
        return float(np.mean((np.asarray(self.model.forward(X)).reshape(-1) > 0.5) == (y == 1)))

    def _ipython_display_(self):
        from IPython.display import display
        display(self.ui)
