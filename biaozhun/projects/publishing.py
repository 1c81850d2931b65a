"""Publication writes the catalogue: the new edition, its aliases and what it replaces."""

from datetime import date

from django.utils import timezone

from biaozhun import codes
from biaozhun.catalog.models import (
    Level,
    RelationKind,
    Standard,
    StandardAlias,
    StandardRelation,
    TechnicalCommittee,
)
from biaozhun.catalog.services import forget_catalog_figures, refresh_status
from biaozhun.catalog.status import derive_status
from biaozhun.projects.models import Project


def compose(issuer: str, sequence: int, year: int) -> str:
    """The stored (ASCII) form of a local standard number, e.g. ``DB43/T 1234-2026``."""
    return f"{issuer} {sequence}-{year}"


def publish_to_catalog(project: Project, *, issued_on: date, effective_on: date) -> Standard:
    """Create or update the edition `project` publishes; run inside the publishing transaction.

    The edition is upcoming until `effective_on`; an edition it revises keeps its status with
    `pending_change_on` until then, and is superseded from that day (catalog.status rules,
    applied by the nightly refresh_status).
    """
    number = codes.parse(compose(project.issuer, project.sequence, issued_on.year))
    code = number.code
    norm = codes.code_norm(code)
    standard = Standard.objects.filter(code_norm=norm).first() or Standard(code=code)
    revises = project.revises
    derived = derive_status(as_of=timezone.localdate(), issued_on=issued_on,
                            effective_on=effective_on, abolished_on=None)
    committee = None
    if project.committee_id:
        committee, _ = TechnicalCommittee.objects.get_or_create(name=project.committee.name)
    standard.code, standard.code_norm = code, norm
    standard.undated_norm = number.undated_norm
    standard.level, standard.nature = Level.LOCAL, project.nature
    standard.prefix, standard.issuer_code = number.prefix, number.issuer_code or ""
    standard.number, standard.part, standard.year = number.number, number.part or "", number.year
    standard.title_zh, standard.title_en = project.title, project.title_en
    standard.scope = project.scope
    standard.issued_on, standard.effective_on = issued_on, effective_on
    standard.first_issued_on = (revises.first_issued_on or revises.issued_on) \
        if revises else issued_on
    standard.competent_department_id = project.competent_department_id
    standard.proposing_unit_id = project.proposing_unit_id
    standard.committee = committee
    standard.status, standard.pending_change_on = derived.status, derived.pending_change_on
    standard.save()
    jurisdictions = list(project.jurisdictions.select_related("administration"))
    standard.issuing_bodies.set([j.administration for j in jurisdictions])
    standard.drafting_orgs.set(list(project.drafting_orgs.all()))
    for j in jurisdictions:
        if j.sequence is None:  # shared numbering: every party uses the lead's number
            j.code = code
            j.save(update_fields=["code"])
            continue
        own = code if j.is_lead else codes.parse(
            compose(_issuer_of(j, project), j.sequence, issued_on.year)).code
        j.code = own
        j.save(update_fields=["code"])
        if own != code:
            StandardAlias.objects.update_or_create(
                code_norm=codes.code_norm(own),
                defaults={"standard": standard, "code": own,
                          "note": str(j.administration)})
    if revises is not None:
        StandardRelation.objects.get_or_create(
            source_code_norm=norm, target_code_norm=revises.code_norm,
            kind=RelationKind.REPLACES,
            defaults={"source": standard, "source_code": code, "target": revises,
                      "target_code": revises.code})
    standard.save()  # the search column now sees the organisations set above
    refresh_status(ids=[standard.pk] + ([revises.pk] if revises else []))
    forget_catalog_figures()
    return standard


def _issuer_of(jurisdiction, project: Project) -> str:
    from biaozhun.projects.numbering import issuer_for

    return issuer_for(jurisdiction.administration, project.nature)
