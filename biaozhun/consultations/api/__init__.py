"""API of public participation (issue #7): consultations, published comments and answers,
the disposition table, proposals from the public, and every write of the drafting group and
the administration.

Reads are open (`auth=None`); what a caller sees of a targeted (定向) consultation, or of the
working copy of the disposition table, depends on a bearer token or session if one is sent.
Writes take an API token (`Authorization: Bearer bz_…`) or the signed-in session with its
CSRF token and call the same services as the pages. Errors have the API's shape
`{"detail": "..."}` (as in `projects.api`): not signed in 401, `PermissionDenied` 403,
unknown consultation / comment / proposal 404, `ConsultationClosed` or `InvalidTransition`
409 (with `reasons`), `ValidationError` 422 (with `errors` by field), `abuse.RateLimited`
429 (with `retry_after` and the Retry-After header).

Nothing here ever puts a commenter's or proposer's e-mail or IP address, a hidden comment or
moderation data in a public response: public comments come only from
`selectors.public_comments` and name people only through `Comment.public_name`.
"""

from biaozhun.consultations.api import reads, writes  # noqa: F401  (registers the operations)
from biaozhun.consultations.api.common import router

__all__ = ["router"]
