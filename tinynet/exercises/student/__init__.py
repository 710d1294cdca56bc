"""The files a student writes from scratch (copied to a workspace's ``exercises/``)."""
