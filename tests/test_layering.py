"""The package's layers import only downwards: engine ← nn ← optim ← training and
diagnostics ← models, data, experiments ← sklearn, CLI, plots, classroom tools. The only
cycle is the engine's own (Tensor methods call ops, ops build Tensors)."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tinynet"
LAYERS = [  # lowest first; a module belongs to the first layer whose prefix matches it
    ("engine", ("tinynet.tensor", "tinynet.tensor_inplace", "tinynet.tensor_inplace_math",
                "tinynet.tensor_views", "tinynet.tensor_math",
                "tinynet.tensor_select", "tinynet.tensor_compose", "tinynet.tensor_convert",
                "tinynet.tensor_types",
                "tinynet.tensor_hooks", "tinynet.size", "tinynet.printing",
                "tinynet.tensor_logic", "tinynet.tensor_shape", "tinynet.tensor_linalg",
                "tinynet.tensor_special", "tinynet.tensor_reduce", "tinynet.tensor_stats",
                "tinynet.tensor_random",
                "tinynet.linalg", "tinynet.functions_numeric", "tinynet.products",
                "tinynet.searching",
                "tinynet.autograd", "tinynet.ops", "tinynet.dtypes",
                "tinynet.devices", "tinynet.layouts", "tinynet.switches", "tinynet.random",
                "tinynet.checks",
                "tinynet.functions",
                "tinynet.functions_inplace",
                "tinynet.logic", "tinynet.shaping",
                "tinynet.factories", "tinynet.sampling", "tinynet.combining",
                "tinynet.promotion", "tinynet.threads", "tinynet.allocator", "tinynet.files",
                "tinynet.serialization", "tinynet.tables", "tinynet.names", "tinynet.cuda",
                "tinynet.amp",
                "tinynet.fastpath",
                "tinynet.backends", "tinynet.version")),
    ("nn", ("tinynet.nn", "tinynet.utils")),
    ("optim", ("tinynet.optim",)),
    ("training and diagnostics", ("tinynet.training", "tinynet.diagnostics")),
    ("models, data, experiments", ("tinynet.models", "tinynet.data", "tinynet.experiments")),
    # the package's __init__ gathers the public names: only applications may import it
    ("applications", ("tinynet.sklearn", "tinynet.cli", "tinynet.plot", "tinynet.viz",
                      "tinynet.classroom", "tinynet.exercises", "tinynet.__main__",
                      "tinynet")),
]


def layer_of(module: str) -> int:
    for i, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set:
    """Every tinynet module ``path`` imports, at any depth (function bodies too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "tinynet"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                node.module.split(".")[0] == "tinynet":
            if node.module == "tinynet":  # from tinynet import nn: the submodule nn
                found |= {f"tinynet.{a.name}" for a in node.names}
            else:
                found.add(node.module)
    return found


def test_no_layer_imports_a_higher_one():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        for imported in imports(path):
            if layer_of(imported) > layer_of(name):
                wrong.append(f"{name} ({LAYERS[layer_of(name)][0]}) imports {imported} "
                             f"({LAYERS[layer_of(imported)][0]})")
    assert wrong == []


def test_the_check_catches_a_wrong_import(tmp_path):
    # the rule, on a made-up module: nn importing training is caught
    assert layer_of("tinynet.training.loop") > layer_of("tinynet.nn.module")
    assert layer_of("tinynet.nn.module") > layer_of("tinynet.ops.linear")


def test_every_test_file_has_a_topic_marker():
    import conftest

    files = {p.stem for p in Path(__file__).parent.glob("test_*.py")}
    assert files - set(conftest.TOPIC_OF) == set()


def _module_level_imports() -> dict:
    """module -> the tinynet modules it imports at module level (what runs at import)."""
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}

    def resolve(name):  # 'tinynet.nn.functional.relu' -> 'tinynet.nn.functional'
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph = {}
    for path in PACKAGE.rglob("*.py"):
        deps = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                deps |= {resolve(a.name) for a in node.names if a.name.startswith("tinynet")}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and \
                    (node.module or "").startswith("tinynet"):
                deps |= {resolve(f"{node.module}.{a.name}") for a in node.names}
        graph[module_name(path)] = deps - {module_name(path), ""}
    return graph


def _cycles(graph: dict) -> list:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_only_import_cycle_is_tensor_and_its_ops():
    """Tensor methods call ops and ops build Tensors: that cycle is inherent (each side
    imports the other at the end of its file). No other module may be part of a cycle."""
    cycles = _cycles(_module_level_imports())
    assert len(cycles) == 1, [sorted(c) for c in cycles]
    inherent = ("tinynet.tensor", "tinynet.ops", "tinynet.autograd.function",
                "tinynet.autograd.engine", "tinynet.promotion")
    outside = [m for m in cycles[0] if not m.startswith(inherent)]
    assert "tinynet.tensor" in cycles[0] and not outside, outside


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert _cycles({"a": {"b"}, "b": set()}) == []
