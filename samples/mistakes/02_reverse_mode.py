"""Mistakes put into submissions of 02_reverse_mode (see 09's file for the two tables).

Each variant replaces one whole solution cell: the operation's definition and its
attachment to Value (or the whole backward pass).
"""


def _op(name, method, forward, body):
    return (f"def _{name}(self{', other' if name in ('add', 'mul') else ''}):\n{forward}"
            f"    def _backward():\n{body}    out._backward = _backward\n    return out\n\n\nValue.{method} = _{name}")


_ADD = "    other = self._wrap(other)\n    out = Value(self.data + other.data, (self, other), '+')\n\n"
_MUL = "    other = self._wrap(other)\n    out = Value(self.data * other.data, (self, other), '*')\n\n"
_EXP = "    out = Value(math.exp(self.data), (self,), 'exp')\n\n"
_LOG = "    out = Value(math.log(self.data), (self,), 'log')\n\n"
_SIG = ("    z = self.data\n    s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))\n"
        "    out = Value(s, (self,), 'sigmoid')\n\n")
_RELU = "    out = Value(self.data if self.data > 0 else 0.0, (self,), 'relu')\n\n"
_POW = ("def _pow(self, k):\n    out = Value(self.data ** k, (self,), f'**{k:g}')\n\n    def _backward():\n"
        "        {line}\n    out._backward = _backward\n    return out\n\n\nValue.__pow__ = _pow")

_TOPO = ("    order, seen = [], set()\n\n    def visit(v):\n        if id(v) not in seen:\n            seen.add(id(v))\n"
         "            for child in v._prev:\n                visit(child)\n            order.append(v)\n\n    visit(self)\n")


def _traversal(loop="reversed(order)", zero="    for v in order:\n        v.grad = 0.0\n",
               seed="    self.grad = 1.0\n", count="len(v._prev)", ret="    return edges\n", topo=_TOPO):
    return ("def _backward_pass(self):\n" + topo + zero + seed + "    edges = 0\n"
            f"    for v in {loop}:\n        v._backward()\n        edges += {count}\n" + ret + "\n\n"
            "Value.backward = _backward_pass")


_PRE_ORDER = ("    order, seen = [], set()\n\n    def visit(v):\n        if id(v) not in seen:\n            seen.add(id(v))\n"
              "            order.append(v)\n            for child in v._prev:\n                visit(child)\n\n"
              "    visit(self)\n")
_NO_SEEN = ("    order = []\n\n    def visit(v):\n        for child in v._prev:\n            visit(child)\n"
            "        order.append(v)\n\n    visit(self)\n")

MISTAKES = {
    "mistake_mul_uses_own_value": {
        "mul": _op("mul", "__mul__", _MUL, "        self.grad += self.data * out.grad\n        other.grad += other.data * out.grad\n"),
    },
}

VARIANTS = {
    ("add", "assign_not_accumulate"):
        _op("add", "__add__", _ADD, "        self.grad = out.grad\n        other.grad = out.grad\n"),
    ("add", "one_input_only"): _op("add", "__add__", _ADD, "        self.grad += out.grad\n"),
    ("mul", "uses_own_value"): MISTAKES["mistake_mul_uses_own_value"]["mul"],
    ("mul", "assign_not_accumulate"):
        _op("mul", "__mul__", _MUL, "        self.grad = other.data * out.grad\n        other.grad = self.data * out.grad\n"),
    ("mul", "forgot_upstream"):
        _op("mul", "__mul__", _MUL, "        self.grad += other.data\n        other.grad += self.data\n"),
    ("pow", "missing_exponent_factor"): _POW.replace("{line}", "self.grad += self.data ** (k - 1) * out.grad"),
    ("pow", "exponent_not_reduced"): _POW.replace("{line}", "self.grad += k * self.data ** k * out.grad"),
    ("pow", "assign_not_accumulate"): _POW.replace("{line}", "self.grad = k * self.data ** (k - 1) * out.grad"),
    ("pow", "forgot_upstream"): _POW.replace("{line}", "self.grad += k * self.data ** (k - 1)"),
    ("exp", "uses_input"): _op("exp", "exp", _EXP, "        self.grad += self.data * out.grad\n"),
    ("exp", "assign_not_accumulate"): _op("exp", "exp", _EXP, "        self.grad = out.data * out.grad\n"),
    ("exp", "forgot_upstream"): _op("exp", "exp", _EXP, "        self.grad += out.data\n"),
    ("log", "missing_reciprocal"): _op("log", "log", _LOG, "        self.grad += self.data * out.grad\n"),
    ("log", "assign_not_accumulate"): _op("log", "log", _LOG, "        self.grad = out.grad / self.data\n"),
    ("log", "forgot_upstream"): _op("log", "log", _LOG, "        self.grad += 1.0 / self.data\n"),
    ("sigmoid", "derivative_from_input"):
        _op("sigmoid", "sigmoid", _SIG, "        self.grad += self.data * (1 - self.data) * out.grad\n"),
    ("sigmoid", "forgot_upstream"):
        _op("sigmoid", "sigmoid", _SIG, "        self.grad += out.data * (1 - out.data)\n"),
    ("sigmoid", "assign_not_accumulate"):
        _op("sigmoid", "sigmoid", _SIG, "        self.grad = out.data * (1 - out.data) * out.grad\n"),
    ("relu", "passes_gradient_through"): _op("relu", "relu", _RELU, "        self.grad += out.grad\n"),
    ("relu", "multiplies_by_output"): _op("relu", "relu", _RELU, "        self.grad += out.data * out.grad\n"),
    ("relu", "assign_not_accumulate"):
        _op("relu", "relu", _RELU, "        self.grad = (1.0 if self.data > 0 else 0.0) * out.grad\n"),
    ("relu", "forgot_upstream"): _op("relu", "relu", _RELU, "        self.grad += 1.0 if self.data > 0 else 0.0\n"),
    ("relu", "one_at_zero"):
        _op("relu", "relu", _RELU, "        self.grad += (1.0 if self.data >= 0 else 0.0) * out.grad\n"),
    ("backward", "not_reversed"): _traversal(loop="order"),
    ("backward", "not_seeded"): _traversal(seed=""),
    ("backward", "wrong_order"): _traversal(loop="order", topo=_PRE_ORDER),
    ("backward", "visited_twice"): _traversal(topo=_NO_SEEN),
    ("backward", "not_zeroed"): _traversal(zero=""),
    ("backward", "counts_nodes"): _traversal(count="1"),
    ("backward", "no_return"): _traversal(ret=""),
}
