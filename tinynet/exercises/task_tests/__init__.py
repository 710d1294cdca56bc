"""The tests that grade each task (copied into a workspace's ``tests/``)."""
