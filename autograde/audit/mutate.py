"""An AST mutator for the code of one solution cell.

Only nodes lying entirely inside ``### BEGIN SOLUTION`` … ``### END SOLUTION`` are mutated (the
whole cell when it has no markers). A mutant is the cell's text with one node's source span
replaced by the unparsed mutated node, so everything else — comments, formatting, the code
outside the solution region — stays as written, and its identifier (:attr:`Mutant.key`) is
the normalised text of the changed line(s) before and after, not a line number.
"""
from __future__ import annotations

import ast
import copy
import difflib
from dataclasses import dataclass
from typing import Iterator

from autograde.audit.notebook import SOLUTION_MARKERS

#: Operators that can be an identity for every valid input (a sign flip both sides of a
#: ratio, arguments of a commutative call, a float() or asarray() of what already is one).
#: Only their survivors may be declared "equivalent" on the evidence of equal outputs: for any
#: other operator, equal outputs on the grader's own inputs is exactly what a missing edge case
#: looks like (a node used twice for ``=``, a zero for ``>`` → ``>=``, a wide row for max → min),
#: so its survivor needs a reviewed reason in autograde/audit_survivors.toml.
MAY_BE_IDENTITY = frozenset({"insert_unary_minus", "swap_arguments", "drop_call float", "drop_call asarray",
                             "drop_call array", "drop_call copy", "drop_dtype"})

_BINOP_SWAPS = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div, ast.Pow], ast.Div: [ast.Mult],
                ast.Pow: [ast.Mult], ast.FloorDiv: [ast.Div], ast.MatMult: [ast.Mult]}
_AUG_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
_CMP_SWAPS = {ast.Gt: [ast.GtE, ast.Lt], ast.Lt: [ast.LtE, ast.Gt], ast.GtE: [ast.Gt, ast.Lt],
              ast.LtE: [ast.Lt, ast.Gt], ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq],
              ast.In: [ast.NotIn], ast.NotIn: [ast.In], ast.Is: [ast.IsNot], ast.IsNot: [ast.Is]}
#: function / method renames (np.max -> np.min, x.sum() -> x.mean() …)
_RENAMES = {"max": "min", "min": "max", "sum": "mean", "mean": "sum", "maximum": "minimum",
            "minimum": "maximum", "amax": "amin", "amin": "amax", "argmax": "argmin", "argmin": "argmax",
            "prod": "sum", "fsum": "sum"}
#: one-argument calls whose dropping is a classic mistake (abs left out, float() forgotten …)
_DROPPABLE_CALLS = {"abs", "fabs", "float", "asarray", "array", "copy", "sqrt"}
_SKIP_KEYWORD_CONSTANTS = {"axis", "keepdims", "dtype"}
_ATOMS = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.List, ast.Tuple, ast.Dict, ast.Set)


@dataclass(frozen=True)
class Mutant:
    """One mutation of a cell."""

    op: str          # operator, e.g. "binop Add->Sub"
    code: str        # the whole cell with the mutation applied
    before: str      # the changed line(s), whitespace-normalised
    after: str

    @property
    def key(self) -> str:
        """A stable identifier: operator and the normalised line before and after."""
        return f"{self.op} | {self.before} => {self.after}"

    def diff(self, original: str) -> str:
        return "".join(difflib.unified_diff(original.splitlines(True), self.code.splitlines(True),
                                            "reference", "mutant", n=1))


def solution_lines(source: str) -> tuple[int, int]:
    """First and last line (1-based) strictly between the solution markers (all lines if none)."""
    lines = source.splitlines()
    begin = [i for i, ln in enumerate(lines, 1) if ln.strip() == SOLUTION_MARKERS[0]]
    end = [i for i, ln in enumerate(lines, 1) if ln.strip() == SOLUTION_MARKERS[1]]
    if begin and end:
        return begin[0] + 1, end[0] - 1
    return 1, len(lines)


def mutants(source: str) -> list[Mutant]:
    """Every distinct mutant of the solution region of ``source`` (one mutation each).

    Mutants whose normalised code equals the original's or an earlier mutant's are dropped, and
    so are those that do not parse."""
    tree = ast.parse(source)
    lo, hi = solution_lines(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    in_fstring = {id(n) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr) for n in ast.walk(f)}
    seen = {_normal(source)}
    keys: dict[str, int] = {}
    out = []
    for node in ast.walk(tree):
        if not _inside(node, lo, hi) or id(node) in in_fstring:
            continue
        for op, new in _mutations(node, parents):
            code, before, after = _splice(source, node, new)
            try:
                norm = _normal(code)
            except SyntaxError:
                continue
            if norm in seen:
                continue
            seen.add(norm)
            m = Mutant(op, code, before, after)
            n = keys.get(m.key, 0) + 1
            keys[m.key] = n
            if n > 1:  # the same change of the same text elsewhere in the cell
                m = Mutant(f"{op} #{n}", code, before, after)
            out.append(m)
    return out


def _normal(code: str) -> str:
    return ast.unparse(ast.parse(code))


def _inside(node, lo, hi) -> bool:
    return hasattr(node, "lineno") and node.lineno >= lo and (node.end_lineno or node.lineno) <= hi


# --- splicing -----------------------------------------------------------------------------------

def _splice(source: str, node: ast.AST, new: ast.AST | str) -> tuple[str, str, str]:
    """``source`` with ``node``'s span replaced by ``new``; and the changed lines before/after."""
    lines = source.splitlines(True)
    b = [ln.encode("utf-8") for ln in lines]   # col offsets are UTF-8 byte offsets
    first, last = node.lineno - 1, node.end_lineno - 1
    head = b[first][:node.col_offset].decode("utf-8")
    tail = b[last][node.end_col_offset:].decode("utf-8")
    text = new if isinstance(new, str) else _text(new)
    changed = head + text + tail
    before = "".join(lines[first:last + 1])
    code = "".join(lines[:first]) + changed + "".join(lines[last + 1:])
    return code, " ".join(before.split()), " ".join(changed.split())


def _text(node: ast.AST) -> str:
    text = ast.unparse(node)
    if isinstance(node, ast.expr) and not isinstance(node, _ATOMS):
        if not (isinstance(node, ast.Constant) and not (isinstance(node.value, (int, float)) and node.value < 0)):
            return f"({text})"
    return text


# --- the operators ------------------------------------------------------------------------------

def _mutations(node: ast.AST, parents: dict) -> Iterator[tuple[str, ast.AST | str]]:
    if isinstance(node, ast.BinOp):
        yield from _binop(node)
    elif isinstance(node, ast.AugAssign):
        yield "augassign_to_assign", ast.Assign(targets=[node.target], value=node.value, lineno=0)
        if type(node.op) in _AUG_SWAPS:
            new = copy.copy(node)
            new.op = _AUG_SWAPS[type(node.op)]()
            yield f"augassign {type(node.op).__name__}->{type(new.op).__name__}", new
        yield from _negate_value(node)
    elif isinstance(node, ast.Constant):
        yield from _constant(node, parents)
    elif isinstance(node, ast.Call):
        yield from _call(node)
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        yield "drop_transpose", node.value
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for op in _CMP_SWAPS.get(type(node.ops[0]), []):
            yield f"compare {type(node.ops[0]).__name__}->{op.__name__}", \
                ast.Compare(left=node.left, ops=[op()], comparators=node.comparators)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "drop_unary_minus", node.operand
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield f"boolop {type(node.op).__name__}->{type(other).__name__}", ast.BoolOp(op=other, values=node.values)
    elif isinstance(node, ast.Subscript):
        yield from _subscript(node)
    elif isinstance(node, ast.Return) and node.value is not None:
        yield from _return(node)
    elif isinstance(node, ast.Assign):
        yield from _negate_value(node)
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.Expr)) and not _is_docstring(node):
        yield "drop_statement", "pass"
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        yield from _swap_name(node, parents)


def _binop(node: ast.BinOp):
    kind = type(node.op)
    for op in _BINOP_SWAPS.get(kind, []):
        yield f"binop {kind.__name__}->{op.__name__}", ast.BinOp(left=node.left, op=op(), right=node.right)
    if kind is ast.MatMult:
        yield "swap_matmul", ast.BinOp(left=node.right, op=ast.MatMult(), right=node.left)
        yield "insert_transpose", ast.BinOp(left=_T(node.left), op=ast.MatMult(), right=node.right)
        yield "insert_transpose", ast.BinOp(left=node.left, op=ast.MatMult(), right=_T(node.right))
    if kind in (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.MatMult):
        yield f"drop_term {kind.__name__} right", node.left
    if kind in (ast.Add, ast.Mult, ast.MatMult):
        yield f"drop_term {kind.__name__} left", node.right
    if kind is ast.Sub:
        yield "drop_term Sub left", ast.UnaryOp(op=ast.USub(), operand=node.right)


def _T(node):
    return ast.Attribute(value=node, attr="T", ctx=ast.Load())


def _negate_value(node):
    value = node.value
    if value is None or isinstance(value, (ast.Tuple, ast.Constant, ast.UnaryOp, ast.Lambda, ast.List, ast.Dict)):
        return
    if isinstance(value, ast.Call) and _call_name(value) in {"set", "list", "dict", "tuple", "range", "Value"}:
        return
    new = copy.copy(node)
    new.value = ast.UnaryOp(op=ast.USub(), operand=value)
    yield "insert_unary_minus", new


def _constant(node: ast.Constant, parents):
    v = node.value
    if isinstance(v, bool):
        yield f"constant {v}->{not v}", ast.Constant(not v)
        return
    if not isinstance(v, (int, float)):
        return
    parent = parents.get(node)
    if isinstance(parent, ast.keyword) and parent.arg in _SKIP_KEYWORD_CONSTANTS:
        return  # axis / keepdims have their own operators
    new = []
    if v == 0:
        new.append(1)
    if v == 1:
        new.append(0)
    if v == 2:
        new.append(1)
    if v == 0.5:
        new.append(1)
    new += [v + 1, -v]
    for n in new:
        n = type(v)(n)
        if n != v:
            yield "constant", ast.Constant(n)




def _call_name(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _call(node: ast.Call):
    name = _call_name(node)
    # keywords: axis 0 <-> 1 (-1 -> 0), drop axis, drop keepdims
    for i, kw in enumerate(node.keywords):
        if kw.arg == "axis" and isinstance(kw.value, (ast.Constant, ast.UnaryOp)):
            try:
                axis = ast.literal_eval(kw.value)
            except ValueError:
                axis = None
            if isinstance(axis, int):
                for new_axis in {0: [1], 1: [0], -1: [0]}.get(axis, []):
                    yield f"axis {axis}->{new_axis}", _with_keywords(
                        node, node.keywords[:i] + [ast.keyword(arg="axis", value=ast.Constant(new_axis))] + node.keywords[i + 1:])
            yield "drop_axis", _with_keywords(node, node.keywords[:i] + node.keywords[i + 1:])
        if kw.arg == "keepdims":
            yield "drop_keepdims", _with_keywords(node, node.keywords[:i] + node.keywords[i + 1:])
        if kw.arg == "dtype":
            yield "drop_dtype", _with_keywords(node, node.keywords[:i] + node.keywords[i + 1:])
    # renames: np.max -> np.min, x.sum() -> x.mean() …
    if name in _RENAMES:
        new = copy.copy(node)
        if isinstance(node.func, ast.Name):
            new.func = ast.Name(id=_RENAMES[name], ctx=ast.Load())
        else:
            new.func = ast.Attribute(value=node.func.value, attr=_RENAMES[name], ctx=ast.Load())
        yield f"rename {name}->{_RENAMES[name]}", new
    # swap adjacent positional arguments
    for i in range(len(node.args) - 1):
        if not any(isinstance(a, ast.Starred) for a in node.args[i:i + 2]):
            args = list(node.args)
            args[i], args[i + 1] = args[i + 1], args[i]
            yield "swap_arguments", ast.Call(func=node.func, args=args, keywords=node.keywords)
    if name == "reversed" and len(node.args) == 1:
        yield "drop_reversed", node.args[0]
    if name == "range":
        yield from _range(node)
    if name in _DROPPABLE_CALLS and len(node.args) == 1 and not isinstance(node.args[0], ast.Starred):
        yield f"drop_call {name}", node.args[0]


def _with_keywords(node, keywords):
    return ast.Call(func=node.func, args=node.args, keywords=keywords)


def _minus1(e):
    return ast.BinOp(left=e, op=ast.Sub(), right=ast.Constant(1))


def _plus1(e):
    return ast.BinOp(left=e, op=ast.Add(), right=ast.Constant(1))


def _range(node: ast.Call):
    args = node.args
    if len(args) == 1:
        yield "range", ast.Call(func=node.func, args=[_minus1(args[0])], keywords=[])
        yield "range", ast.Call(func=node.func, args=[ast.Constant(1), args[0]], keywords=[])
    elif len(args) >= 2:
        yield "range", ast.Call(func=node.func, args=[args[0], _minus1(args[1]), *args[2:]], keywords=[])
        yield "range", ast.Call(func=node.func, args=[_plus1(args[0]), args[1], *args[2:]], keywords=[])


def _subscript(node: ast.Subscript):
    s = node.slice
    items = list(s.elts) if isinstance(s, ast.Tuple) else [s]
    for i, item in enumerate(items):
        for new_item in _shift_index(item):
            new_items = items[:i] + [new_item] + items[i + 1:]
            new_slice = ast.Tuple(elts=new_items, ctx=ast.Load()) if isinstance(s, ast.Tuple) else new_items[0]
            yield "index_off_by_one", ast.Subscript(value=node.value, slice=new_slice, ctx=node.ctx)


def _shift_index(item):
    if isinstance(item, ast.Slice):
        if item.lower is not None:
            yield ast.Slice(lower=_plus1(item.lower), upper=item.upper, step=item.step)
        if item.upper is not None:
            yield ast.Slice(lower=item.lower, upper=_minus1(item.upper), step=item.step)
            yield ast.Slice(lower=item.lower, upper=_plus1(item.upper), step=item.step)
    elif isinstance(item, ast.Constant) and isinstance(item.value, int) and not isinstance(item.value, bool):
        yield ast.Constant(item.value + 1)
        if item.value != 0:
            yield ast.Constant(item.value - 1)
    elif isinstance(item, (ast.Name, ast.BinOp)):
        yield _plus1(item)
        yield _minus1(item)


def _float32(e):
    return ast.Call(func=ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr="asarray", ctx=ast.Load()),
                    args=[e], keywords=[ast.keyword(arg="dtype", value=ast.Attribute(
                        value=ast.Name(id="np", ctx=ast.Load()), attr="float32", ctx=ast.Load()))])


def _return(node: ast.Return):
    value = node.value
    if isinstance(value, ast.Tuple):
        for i, e in enumerate(value.elts):
            if isinstance(e, ast.Constant):   # a literal 1.0 is exact in float32 as well
                continue
            elts = list(value.elts)
            elts[i] = _float32(e)
            yield "float32", ast.Return(value=ast.Tuple(elts=elts, ctx=ast.Load()))
    else:
        yield "float32", ast.Return(value=_float32(value))
        yield from _negate_value(node)


def _is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _swap_name(node: ast.Name, parents):
    """A variable replaced by another variable of the same statement (``self`` for ``other``)."""
    stmt = node
    while stmt is not None and not isinstance(stmt, ast.stmt):
        stmt = parents.get(stmt)
    if stmt is None or isinstance(parents.get(node), ast.Call) and parents[node].func is node:
        return
    names = []
    for n in ast.walk(stmt):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id != node.id and n.id not in names:
            p = parents.get(n)
            if not (isinstance(p, ast.Call) and p.func is n) and not (isinstance(p, ast.Attribute) and n.id in _MODULES):
                names.append(n.id)
    if node.id in _MODULES:
        return
    for other in names:
        if other not in _MODULES:
            yield "swap_name", ast.Name(id=other, ctx=ast.Load())


_MODULES = {"np", "math", "numpy", "scipy", "plt"}
