"""Errors the model layer raises, each with a message a user can act on."""


class ModelError(Exception):
    """A model could not be assembled, found, loaded or used. The message is user-facing."""


class ModelAssemblyError(ModelError):
    """The embedded default model could not be assembled from its wheels."""


class GenerationCancelled(Exception):  # noqa: N818 - a control-flow signal, not a failure
    """A newer request or a client cancel stopped a generation between two tokens."""


class RemoteError(ModelError):
    """A remote inference server could not be reached or answered badly."""

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        """Worth another try (refused, timed out, 429, 5xx), as opposed to a wrong URL or token."""
