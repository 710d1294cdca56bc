"""Every error message tinynet writes has one shape: it starts with where it comes from,
the public name the user called, then ': ' (``fit: lr must be a finite number > 0, got
nan``; ``tn.load: 'model.npz' is corrupt: ...``). So a new message in another style fails
here, unless it is PyTorch's or scikit-learn's own wording, listed below.

The package's source is read, not run: each ``SomethingError("...")`` or
``SomethingError(f"...")`` call, whether raised at once or built first.
"""
import ast
import re
from pathlib import Path

import pytest

import tinynet as tn
from tinynet.checks import choice_message, suggest

PACKAGE = Path(__file__).resolve().parents[1] / "tinynet"
# not checked: the task tests, whose failures speak to a student about their own code
OUTSIDE = ("exercises/task_tests/",)
WHERE = re.compile(r"[A-Za-z_][\w.]*: ")  # fit: , tn.load: , History.from_json:
HOLE = "X"  # stands for each {...} of an f-string: f"{where}: ..." reads "X: ..."
BUILDERS = {"choice_message"}  # tinynet/checks.py helpers that return a whole message
# argparse puts "argument --lr: " before these messages itself
SKIPPED_CALLS = {"ArgumentTypeError"}

# Messages kept word for word as PyTorch (or scikit-learn) writes them, because code and
# users match on them: each entry is the start of a message.
ALLOWED = (
    # autograd, as PyTorch: Tensor.backward and the engine
    "element 0 of tensors does not require grad and does not have a grad_fn",
    "grad can be implicitly created only for scalar outputs",
    "Trying to backward through the graph a second time",
    "one of the tensors needed for gradient computation has been modified",
    "a leaf tensor that requires grad is being used in an in-place operation",
    "a view of a leaf tensor that requires grad is being used in an in-place operation",
    "unsupported operation: more than one element of the written-to tensor refers to a "
    "single memory location",
    "Only tensors created explicitly by the user (graph leaves) support deepcopy",
    "X(): functions with out=... arguments don't support automatic differentiation",
    # tensors, as PyTorch: .numpy(), len(), operator.index()
    "Can't call numpy() on a tensor that requires grad",
    "len() of a 0-d tensor",
    "iteration over a 0-d tensor",  # PyTorch's words, as len()'s
    "only integer tensors of a single element can be converted to an index",
    "Dimension must be an integer, got X",  # (check_dim's other refusal, beside PyTorch's)
    "Dimension out of range (expected to be in range of [",
    # torch.nn.Module.load_state_dict, and a lazy module's parameter before its first call
    "Error(s) in loading state_dict for X:",
    "can't access the shape of an uninitialized parameter",
    # torch.optim.Optimizer
    "params argument given to the optimizer should be an iterable",
    "optimizer got an empty parameter list",
    # torch.testing.assert_close's failures
    "X are not close!",  # Tensor-likes or Scalars
    "The values for attribute 'shape' do not match",
    "The values for attribute 'dtype' do not match",
    "The keys of the mappings do not match", "The length of the sequences mismatch",
    # scikit-learn's estimators (InvalidParameterError, partial_fit)
    "The X parameter of X must be X. Got X instead.",
    "classes must be passed on the first call to partial_fit.",
    "partial_fit does not support early_stopping=True",
)


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _text(node) -> str:
    """The message a string or f-string node writes, each {...} as HOLE; None when the
    message is not written here (a variable, another call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else HOLE
                       for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # f"..." + "; ".join()
        left = _text(node.left)
        return None if left is None else left + HOLE
    return None


def messages() -> list:
    """[(file:line, callee, message text or None, the first argument node)] for every
    error built in the package outside OUTSIDE."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).as_posix().startswith(OUTSIDE):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _callee(node).endswith("Error")
                    and node.args):
                continue
            if _callee(node) in SKIPPED_CALLS:
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            found.append((where, _callee(node), _text(node.args[0]), node.args[0]))
    return found


def _allowed(text: str):
    return next((entry for entry in ALLOWED if text.startswith(entry)), None)


def test_the_scan_finds_the_messages():
    found = messages()
    assert len(found) > 250, len(found)  # 269 when this test was written


def test_every_message_starts_with_where_it_comes_from():
    wrong = []
    for where, callee, text, node in messages():
        if text is None:
            if not (isinstance(node, ast.Call) and _callee(node) in BUILDERS):
                wrong.append(f"{where}: {callee}(...) with a message not written there: "
                             f"write it in place, or build it with {sorted(BUILDERS)}")
            continue
        if not WHERE.match(text) and _allowed(text) is None:
            wrong.append(f"{where}: {callee}({text!r})")
    assert not wrong, ("messages that do not start with 'where: ' (the public name called, "
                       "as in 'fit: lr must be ..., got nan'):\n" + "\n".join(wrong))


def test_every_allowed_message_is_still_raised():
    texts = [text for _, _, text, _ in messages() if text]
    stale = [entry for entry in ALLOWED if not any(t.startswith(entry) for t in texts)]
    assert not stale, f"ALLOWED lists messages tinynet no longer writes: {stale}"


@pytest.mark.parametrize("source, ok", [
    ('raise ValueError(f"{where}: lr must be a finite number, got {lr!r}")', True),
    ('raise ValueError("fit: model must have parameters, got none")', True),
    ('raise KeyError(f"History.from_json: bad")', True),
    ('raise ValueError(f"lr must be positive, got {lr}")', False),
    ('raise RuntimeError("unknown activation")', False),
    ('raise TypeError(f"expected a Tensor: got {x}")', False),
])
def test_the_rule_itself(source, ok):
    call = ast.parse(source).body[0].exc
    text = _text(call.args[0])
    assert (WHERE.match(text) is not None or _allowed(text) is not None) == ok


def test_an_unknown_name_lists_the_choices_and_suggests_the_closest():
    choices = ("elu", "gelu", "relu", "tanh")
    assert choice_message("MLP", "activation", "rleu", choices) == (
        "MLP: activation must be one of 'elu', 'gelu', 'relu', 'tanh', got 'rleu' "
        "(did you mean 'relu'?)")
    assert choice_message("fit", "loss", "ReLU", choices, "a loss module").endswith(
        ", or a loss module, got 'ReLU' (did you mean 'relu'?)")  # case aside
    assert choice_message("MLP", "norm", "batchnorm", (None, "layernorm")) == (
        "MLP: norm must be one of None, 'layernorm', got 'batchnorm'")  # nothing close
    assert suggest(3, choices) == ""
    with pytest.raises(ValueError, match=r"MLP: activation must be one of .*got 'rleu' "
                                         r"\(did you mean 'relu'\?\)"):
        tn.models.MLP(2, [4], 2, activation="rleu")


@pytest.mark.parametrize("call, error, message", [
    (lambda: tn.randn(-1, 2), ValueError,
     r"randn: sizes must be integers >= 0, got -1 at position 0 of \(-1, 2\)"),
    (lambda: tn.zeros(2.0, 3), TypeError,
     r"zeros: sizes must be integers >= 0, got 2.0 at position 0 of \(2.0, 3\)"),
    (lambda: tn.randint(5, 5, (2,)), ValueError,
     r"randint: high must be greater than low \(integers in \[low, high\)\), got low=5, "
     r"high=5"),
    (lambda: tn.arange(0, 5, 0), ValueError, "arange: step must be nonzero, got 0"),
    (lambda: tn.tensor([[1, 2], [3]]), ValueError,
     r"tensor: data must be rectangular \(at each depth, lists of one length\), got "
     r"\[\[1, 2\], \[3\]\]"),
    (lambda: tn.nn.Linear(2, 2).load_state_dict(tn.nn.Linear(2, 2)), TypeError,
     r"load_state_dict: state_dict must be a mapping of names to tensors \(as "
     r"model.state_dict\(\) gives\), got Linear"),
    (lambda: tn.ones(2, 3) @ tn.ones(2, 3), ValueError,
     r"matmul: the operands' shapes \(2, 3\) and \(2, 3\) do not fit \(the first's last "
     r"dimension must equal the second's second-to-last one\)"),
])
def test_factory_and_shape_errors_name_the_call_and_the_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_saving_into_a_missing_directory_names_the_destination(tmp_path):
    target = tmp_path / "missing" / "model.npz"
    with pytest.raises(FileNotFoundError, match="tn.save: the directory of .*missing/model.npz"
                                                "' does not exist; create it first"):
        tn.save({"w": tn.ones(1)}, target)
