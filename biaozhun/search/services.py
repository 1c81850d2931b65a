"""Writes of the search app: keeping `Standard.search_text` (and so the index) current."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_save

from biaozhun.search import index


def refresh_search_text(ids) -> int:
    """Recompute the search column of these editions; returns how many were recomputed."""
    return index.refresh(ids)


def rebuild_search_index(*, recompute: bool = True, progress=None) -> dict[str, float]:
    """Recompute every edition's search column and rebuild the index; returns timings."""
    return index.rebuild(recompute=recompute, progress=progress)


def count_words() -> None:
    """PostgreSQL: recount the documents per word that choose a search's plan (a rebuild
    does it too); nothing to do on SQLite."""
    index.count_lexemes()


def word_counts_stale() -> bool:
    """Whether the number of indexed documents moved by more than 10 % (at least 1,000)
    since the words were last counted; never on SQLite."""
    return index.counts_stale()


def _organisations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Admin edits save the edition first and its many-to-many rows after: refresh then, in
    # the same transaction. Clearing from the organisation's side loses the links, so their
    # editions are read before (pre_clear) and refreshed once the transaction commits.
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            refresh_search_text([instance.pk])
    elif action in ("post_add", "post_remove"):
        refresh_search_text(pk_set or ())
    elif action == "pre_clear":
        from biaozhun.catalog.models import Standard

        field = "issuing_bodies" if sender is Standard.issuing_bodies.through else \
            "drafting_orgs"
        ids = list(Standard.objects.filter(**{field: instance}).values_list("pk", flat=True))
        transaction.on_commit(lambda: refresh_search_text(ids))


def _remember_name(sender, instance, **kwargs):
    instance._search_old_name = (sender.objects.filter(pk=instance.pk)
                                 .values_list("name", flat=True).first()
                                 if instance.pk else None)


def _renamed(sender, instance, created, **kwargs):
    """A renamed organisation or committee changes the search column of its editions."""
    if created or getattr(instance, "_search_old_name", instance.name) == instance.name:
        return
    from biaozhun.catalog.models import Standard, TechnicalCommittee

    if sender is TechnicalCommittee:
        ids = Standard.objects.filter(committee=instance).values_list("pk", flat=True)
    else:
        from django.db.models import Q

        ids = Standard.objects.filter(
            Q(issuing_bodies=instance) | Q(drafting_orgs=instance)
            | Q(competent_department=instance) | Q(proposing_unit=instance),
        ).values_list("pk", flat=True).distinct()
    refresh_search_text(list(ids))


def connect_relation_hooks() -> None:
    """Organisation and committee names are part of the search column: follow many-to-many
    edits and renames (admin edits; bulk imports write the column themselves)."""
    from biaozhun.accounts.models import Organization
    from biaozhun.catalog.models import Standard, TechnicalCommittee

    for through in (Standard.issuing_bodies.through, Standard.drafting_orgs.through):
        m2m_changed.connect(_organisations_changed, sender=through,
                            dispatch_uid=f"search-{through._meta.label}")
    for model in (Organization, TechnicalCommittee):
        pre_save.connect(_remember_name, sender=model, dispatch_uid=f"search-pre-{model}")
        post_save.connect(_renamed, sender=model, dispatch_uid=f"search-post-{model}")
