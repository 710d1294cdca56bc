"""cuDNN: not available in tinynet. The flags exist so seeding code that sets them
(``torch.backends.cudnn.deterministic = True``) runs; they change nothing."""
enabled = True
deterministic = False
benchmark = False
allow_tf32 = True


def is_available() -> bool:
    return False
