"""cuDNN: not available in tinynet. The flags exist so seeding code that sets them
(``torch.backends.cudnn.deterministic = True``) runs; they change nothing."""
enabled = True
deterministic = False
benchmark = False


def is_available() -> bool:
    return False
