"""PyTorch's ``inplace=True`` of the activations and dropouts in ``nn.functional``."""
from tinynet.nn._checks import check_tensor


def written_into(where: str, input, out_of_place):
    """The values of ``out_of_place(input)`` written into ``input``, which is returned, as
    PyTorch's ``inplace=True`` does (and ``input.relu_()``): in the graph, ``input``
    becomes the op's output, so code that reads ``input`` afterwards sees the new values;
    a leaf that requires grad is refused."""
    check_tensor(where, input)
    return input._apply_(where + "_", out_of_place)
