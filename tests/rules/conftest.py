"""The end-to-end harness (the real service wired to both sandboxes), shared with tests/e2e."""

from tests.e2e.conftest import harness

__all__ = ["harness"]
