"""Mistakes put into submissions of 02_reverse_mode (see 09's file for the two tables).

Each variant replaces one whole solution cell: the operation's definition and its
attachment to Value.
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
        "        self.grad += {grad} * out.grad\n    out._backward = _backward\n    return out\n\n\nValue.__pow__ = _pow")


def _traversal(loop, seed="    self.grad = 1.0\n", count="len(v._prev)"):
    return ("def _backward_pass(self):\n    order, seen = [], set()\n\n    def visit(v):\n"
            "        if id(v) not in seen:\n            seen.add(id(v))\n            for child in v._prev:\n"
            "                visit(child)\n            order.append(v)\n\n    visit(self)\n"
            "    for v in order:\n        v.grad = 0.0\n" + seed + "    edges = 0\n"
            f"    for v in {loop}:\n        v._backward()\n        edges += {count}\n    return edges\n\n\n"
            "Value.backward = _backward_pass")


MISTAKES = {
    "mistake_mul_uses_own_value": {
        "mul": _op("mul", "__mul__", _MUL, "        self.grad += self.data * out.grad\n        other.grad += other.data * out.grad\n"),
    },
}

VARIANTS = {
    ("add", "assign_not_accumulate"):
        _op("add", "__add__", _ADD, "        self.grad = out.grad\n        other.grad = out.grad\n"),
    ("mul", "uses_own_value"): MISTAKES["mistake_mul_uses_own_value"]["mul"],
    ("mul", "assign_not_accumulate"):
        _op("mul", "__mul__", _MUL, "        self.grad = other.data * out.grad\n        other.grad = self.data * out.grad\n"),
    ("pow", "missing_exponent_factor"): _POW.replace("{grad}", "self.data ** (k - 1)"),
    ("pow", "exponent_not_reduced"): _POW.replace("{grad}", "k * self.data ** k"),
    ("exp", "uses_input"): _op("exp", "exp", _EXP, "        self.grad += self.data * out.grad\n"),
    ("log", "missing_reciprocal"): _op("log", "log", _LOG, "        self.grad += self.data * out.grad\n"),
    ("sigmoid", "derivative_from_input"):
        _op("sigmoid", "sigmoid", _SIG, "        self.grad += self.data * (1 - self.data) * out.grad\n"),
    ("sigmoid", "forgot_upstream"):
        _op("sigmoid", "sigmoid", _SIG, "        self.grad += out.data * (1 - out.data)\n"),
    ("relu", "passes_gradient_through"): _op("relu", "relu", _RELU, "        self.grad += out.grad\n"),
    ("relu", "multiplies_by_output"): _op("relu", "relu", _RELU, "        self.grad += out.data * out.grad\n"),
    ("backward", "not_reversed"): _traversal("order"),
    ("backward", "not_seeded"): _traversal("reversed(order)", seed=""),
    ("backward", "counts_nodes"): _traversal("reversed(order)", count="1"),
    ("backward", "no_topological_sort"):
        "def _backward_pass(self):\n    nodes, seen = [], set()\n\n    def collect(v):\n"
        "        if id(v) not in seen:\n            seen.add(id(v))\n            nodes.append(v)\n"
        "            for c in v._prev:\n                collect(c)\n    collect(self)\n"
        "    for v in nodes:\n        v.grad = 0.0\n    self.grad = 1.0\n    count = 0\n\n    def visit(v):\n"
        "        nonlocal count\n        v._backward()\n        count += len(v._prev)\n"
        "        for c in v._prev:\n            visit(c)\n    visit(self)\n    return count\n\n\n"
        "Value.backward = _backward_pass",
}
