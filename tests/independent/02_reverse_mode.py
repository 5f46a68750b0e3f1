"""Implementations of 02_reverse_mode's exercises written NOT the way the reference is.

Each code replaces one whole solution cell (the operation's definition and its attachment to
Value, or the backward pass). The notebook imports math and numpy as np above them.
"""


def _op(name, method, forward, body, args="self, other"):
    return f"def _{name}({args}):\n{forward}    def _backward():\n{body}    out._backward = _backward\n    return out\n\n\nValue.{method} = _{name}"


_ADD = "    other = other if isinstance(other, Value) else Value(other)\n    out = Value(self.data + other.data, (self, other), '+')\n\n"
_MUL = "    other = other if isinstance(other, Value) else Value(other)\n    out = Value(self.data * other.data, (self, other), '*')\n\n"
_POW = "    out = Value(self.data ** k, (self,), f'**{k}')\n\n"
_EXP = "    out = Value(math.exp(self.data), (self,), 'exp')\n\n"
_LOG = "    out = Value(math.log(self.data), (self,), 'log')\n\n"
_SIG = "    out = Value(1.0 / (1.0 + math.exp(-self.data)), (self,), 'sigmoid')\n\n"
_RELU = "    out = Value(max(self.data, 0.0), (self,), 'relu')\n\n"

# karpathy/micrograd's engine.py in its own style: methods defined in a class body, the topological
# sort by a recursive build_topo over a set of visited Values, `for v in reversed(topo)`.
_MICROGRAD_BACKWARD = '''class _MicrogradBackward:
    def backward(self):
        # topological order all of the children in the graph
        topo = []
        visited = set()
        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        for v in topo:
            v.grad = 0
        # go one variable at a time and apply the chain rule to get its gradient
        self.grad = 1
        for v in reversed(topo):
            v._backward()
        return sum(len(v._prev) for v in topo)


Value.backward = _MicrogradBackward.backward'''

_STACK_BACKWARD = '''def _backward_pass(self):
    """Iterative DFS with an explicit stack: a node is emitted when all its inputs are done."""
    order, done, stack = [], set(), [(self, False)]
    while stack:
        v, expanded = stack.pop()
        if id(v) in done:
            continue
        if expanded:
            done.add(id(v))
            order.append(v)
            continue
        stack.append((v, True))
        for child in v._prev:
            if id(child) not in done:
                stack.append((child, False))
    for v in order:
        v.grad = 0.0
    self.grad = 1.0
    for v in order[::-1]:
        v._backward()
    return sum(len(v._prev) for v in order)


Value.backward = _backward_pass'''

_KAHN_BACKWARD = '''from collections import deque


def _backward_pass(self):
    """Kahn's algorithm from the output: a node is processed once all its users are."""
    users, nodes, stack = {}, {id(self): self}, [self]
    while stack:
        v = stack.pop()
        for child in v._prev:
            users[id(child)] = users.get(id(child), 0) + 1
            if id(child) not in nodes:
                nodes[id(child)] = child
                stack.append(child)
    for v in nodes.values():
        v.grad = 0.0
    self.grad = 1.0
    ready, edges = deque([self]), 0
    while ready:
        v = ready.popleft()
        v._backward()
        edges += len(v._prev)
        for child in v._prev:
            users[id(child)] -= 1
            if users[id(child)] == 0:
                ready.append(child)
    return edges


Value.backward = _backward_pass'''

_HEIGHT_BACKWARD = '''import functools


def _backward_pass(self):
    """Sort by height (the longest path down to a leaf): every input is lower than its user."""
    @functools.lru_cache(maxsize=None)
    def height(v):
        return 1 + max((height(c) for c in v._prev), default=-1)

    nodes, stack = {}, [self]
    while stack:
        v = stack.pop()
        if id(v) not in nodes:
            nodes[id(v)] = v
            stack.extend(v._prev)
    order = sorted(nodes.values(), key=height, reverse=True)
    for v in order:
        v.grad = 0
    self.grad = 1
    count = 0
    for v in order:
        v._backward()
        count += len(v._prev)
    return count


Value.backward = _backward_pass'''

CORRECT = {
    "add": [
        _op("add", "__add__", _ADD, "        for v in (self, other):\n            v.grad += 1.0 * out.grad\n"),
        _op("add", "__add__", _ADD, "        self.grad = self.grad + out.grad\n        other.grad = other.grad + out.grad\n"),
    ],
    "mul": [
        _op("mul", "__mul__", _MUL, "        local = (other.data, self.data)\n"
            "        for v, d in zip((self, other), local):\n            v.grad += d * out.grad\n"),
        _op("mul", "__mul__", _MUL, "        self.grad += out.grad * other.data\n        other.grad += out.grad * self.data\n"),
    ],
    "pow": [
        _op("pow", "__pow__", _POW, "        self.grad += k * math.pow(self.data, k - 1) * out.grad\n", args="self, k"),
        _op("pow", "__pow__", _POW, "        self.grad += float(k * np.power(self.data, k - 1)) * out.grad\n", args="self, k"),
    ],
    "exp": [
        _op("exp", "exp", _EXP, "        self.grad += math.exp(self.data) * out.grad\n", args="self"),
        _op("exp", "exp", _EXP, "        self.grad += float(np.exp(self.data)) * out.grad\n", args="self"),
    ],
    "log": [
        _op("log", "log", _LOG, "        self.grad += out.grad * (1.0 / self.data)\n", args="self"),
        _op("log", "log", _LOG, "        self.grad += out.grad * self.data ** -1\n", args="self"),
    ],
    "sigmoid": [
        _op("sigmoid", "sigmoid", _SIG, "        s = 1.0 / (1.0 + math.exp(-self.data))\n"
            "        self.grad += s * (1.0 - s) * out.grad\n", args="self"),
        _op("sigmoid", "sigmoid", _SIG, "        self.grad += (out.data - out.data ** 2) * out.grad\n", args="self"),
        _op("sigmoid", "sigmoid", _SIG, "        e = math.exp(-self.data)\n        self.grad += e / (1.0 + e) ** 2 * out.grad\n",
            args="self"),
    ],
    "relu": [
        _op("relu", "relu", _RELU, "        self.grad += (out.data > 0) * out.grad\n", args="self"),
        _op("relu", "relu", _RELU, "        self.grad += out.grad if self.data > 0 else 0.0\n", args="self"),
        _op("relu", "relu", _RELU, "        self.grad += float(np.heaviside(self.data, 0.0)) * out.grad\n", args="self"),
    ],
    "backward": [_MICROGRAD_BACKWARD, _STACK_BACKWARD, _KAHN_BACKWARD, _HEIGHT_BACKWARD],
}

_BFS_BACKWARD = '''from collections import deque


def _backward_pass(self):
    """Breadth-first from the output: a node reached by a short path is processed too early."""
    order, seen, queue = [], {id(self)}, deque([self])
    while queue:
        v = queue.popleft()
        order.append(v)
        for child in v._prev:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    for v in order:
        v.grad = 0.0
    self.grad = 1.0
    for v in order:
        v._backward()
    return sum(len(v._prev) for v in order)


Value.backward = _backward_pass'''

_STACK_PREORDER_BACKWARD = '''def _backward_pass(self):
    """An explicit stack that emits a node when it is popped (pre-order), not when it is done."""
    order, seen, stack = [], set(), [self]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        order.append(v)
        stack.extend(v._prev)
    for v in order:
        v.grad = 0.0
    self.grad = 1.0
    for v in order:
        v._backward()
    return sum(len(v._prev) for v in order)


Value.backward = _backward_pass'''

_ZERO_AFTER_SEED_BACKWARD = '''def _backward_pass(self):
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for child in v._prev:
                visit(child)
            order.append(v)

    visit(self)
    self.grad = 1.0
    for v in order:          # zeroes the output too, after it was set
        v.grad = 0.0
    for v in reversed(order):
        v._backward()
    return sum(len(v._prev) for v in order)


Value.backward = _backward_pass'''

WRONG = {
    ("add", "half_each"): _op("add", "__add__", _ADD, "        self.grad += 0.5 * out.grad\n        other.grad += 0.5 * out.grad\n"),
    ("add", "assign_first_input"): _op("add", "__add__", _ADD, "        self.grad = out.grad\n        other.grad += out.grad\n"),
    ("mul", "uses_gradients"): _op("mul", "__mul__", _MUL, "        self.grad += other.grad * out.grad\n        other.grad += self.grad * out.grad\n"),
    ("mul", "product_of_both"): _op("mul", "__mul__", _MUL, "        self.grad += self.data * other.data * out.grad\n"
                                    "        other.grad += self.data * other.data * out.grad\n"),
    ("pow", "precedence"): _op("pow", "__pow__", _POW, "        self.grad += k * self.data ** k-1 * out.grad\n", args="self, k"),
    ("pow", "derivative_in_exponent"): _op("pow", "__pow__", _POW, "        self.grad += out.data * math.log(self.data) * out.grad\n",
                                           args="self, k"),
    ("exp", "negated_exponent"): _op("exp", "exp", _EXP, "        self.grad += math.exp(-self.data) * out.grad\n", args="self"),
    ("log", "log_of_input"): _op("log", "log", _LOG, "        self.grad += math.log(self.data) * out.grad\n", args="self"),
    ("log", "divides_by_output"): _op("log", "log", _LOG, "        self.grad += out.grad / out.data\n", args="self"),
    ("sigmoid", "missing_one_minus"): _op("sigmoid", "sigmoid", _SIG, "        self.grad += out.data * out.grad\n", args="self"),
    ("sigmoid", "flipped_sign"): _op("sigmoid", "sigmoid", _SIG, "        self.grad += out.data * (out.data - 1.0) * out.grad\n",
                                     args="self"),
    ("relu", "checks_gradient_sign"): _op("relu", "relu", _RELU, "        self.grad += out.grad if out.grad > 0 else 0.0\n", args="self"),
    ("relu", "mask_from_upstream_and_input"): _op("relu", "relu", _RELU,
                                                  "        self.grad += out.grad if self.data * out.grad > 0 else 0.0\n", args="self"),
    ("backward", "breadth_first"): _BFS_BACKWARD,
    ("backward", "stack_pre_order"): _STACK_PREORDER_BACKWARD,
    ("backward", "zeroed_after_seed"): _ZERO_AFTER_SEED_BACKWARD,
}
