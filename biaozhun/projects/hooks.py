"""In-transaction reactions of other apps to a project entering a stage.

`services.change_stage` calls every hook registered for the new stage inside its transaction,
after the move and its event are written; a hook that raises rolls the whole move back. The
consultations app opens and closes a project's public comment period this way, so that every
path (page, API, daily run) that moves the project keeps the two in step without this app
importing it.
"""

from collections import defaultdict
from collections.abc import Callable

StageHook = Callable[..., None]  # hook(project, *, event, by)
_HOOKS: dict[str, list[StageHook]] = defaultdict(list)


def register_stage_hook(stage: str, hook: StageHook) -> None:
    if hook not in _HOOKS[str(stage)]:
        _HOOKS[str(stage)].append(hook)


def unregister_stage_hook(stage: str, hook: StageHook) -> None:
    if hook in _HOOKS[str(stage)]:
        _HOOKS[str(stage)].remove(hook)


def run_stage_hooks(project, *, event, by) -> None:
    for hook in list(_HOOKS.get(str(project.stage), [])):
        hook(project, event=event, by=by)
