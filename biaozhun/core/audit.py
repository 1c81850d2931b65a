"""Hash-chained audit trails kept by domain apps, checked together by `biaozhun verify_audit`.

The command lives in `projects`, which must not import the apps above it (e.g.
`consultations`); each such app registers a verifier here from its `AppConfig.ready()`, and the
command runs every registered one after the project chains.
"""

from collections.abc import Callable, Iterable

# verify() -> (events read, broken links); a link's str() is the line the command prints.
ChainVerifier = Callable[[], tuple[int, Iterable[object]]]
_VERIFIERS: dict[str, ChainVerifier] = {}


def register_verifier(name: str, verify: ChainVerifier) -> None:
    """Add (or replace) the verifier of the trails called `name`; idempotent."""
    _VERIFIERS[name] = verify


def unregister_verifier(name: str) -> None:
    _VERIFIERS.pop(name, None)


def registered_verifiers() -> list[tuple[str, ChainVerifier]]:
    """The verifiers in the order they were registered."""
    return list(_VERIFIERS.items())
