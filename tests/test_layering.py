"""The package's layers import only downwards: engine ← nn ← optim ← training and
diagnostics ← models, data, experiments ← sklearn, CLI, plots, classroom tools. The only
cycle is the engine's own (Tensor methods call ops, ops build Tensors)."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tinynet"
LAYERS = [  # lowest first; a module belongs to the first layer whose prefix matches it
    ("engine", ("tinynet.tensor", "tinynet.tensor_inplace", "tinynet.tensor_math",
                "tinynet.tensor_select", "tinynet.tensor_convert", "tinynet.tensor_types",
                "tinynet.tensor_hooks",
                "tinynet.tensor_logic", "tinynet.tensor_shape", "tinynet.tensor_linalg",
                "tinynet.autograd", "tinynet.ops", "tinynet.dtypes",
                "tinynet.devices", "tinynet.random", "tinynet.checks", "tinynet.functions",
                "tinynet.logic", "tinynet.shaping",
                "tinynet.factories", "tinynet.sampling", "tinynet.combining",
                "tinynet.promotion", "tinynet.threads", "tinynet.allocator", "tinynet.files",
                "tinynet.serialization", "tinynet.tables", "tinynet.cuda", "tinynet.fastpath",
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
